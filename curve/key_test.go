package curve

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/purezmq/zmq/z85"
)

// testKeys are the CURVE test key pairs published in libzmq's zmq_curve(7),
// in hex and in Z85.
var testKeys = []struct {
	name                 string
	publicHex, publicZ85 string
	secretHex, secretZ85 string
}{
	{
		"client",
		"BB88471D65E2659B30C55A5321CEBB5AAB2B70A398645C26DCA2B2FCB43FC518", "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID",
		"7BB864B489AFA3671FBE69101F94B38972F24816DFB01B51656B3FEC8DFD0888", "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs",
	},
	{
		"server",
		"54FCBA24E93249969316FB617C872BB0C1D1FF14800427C594CBFACF1BC2D652", "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7",
		"8E0BDD697628B91D8F245587EE95C5B04D48963F79259877B49CD9063AEAD3B7", "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6",
	},
}

func TestTestKeys(t *testing.T) {
	for _, k := range testKeys {
		t.Run(k.name, func(t *testing.T) {
			pk, err := ParsePublicKey(k.publicZ85)
			if err != nil {
				t.Fatal(err)
			}
			pkHex, err := ParsePublicKey(k.publicHex)
			if err != nil || pkHex != pk {
				t.Fatalf("hex public key = %x, %v; want %x", pkHex, err, pk[:])
			}
			pkLower, err := ParsePublicKey(strings.ToLower(k.publicHex))
			if err != nil || pkLower != pk {
				t.Fatalf("lower-case hex public key = %x, %v", pkLower, err)
			}
			sk, err := ParseSecretKey(k.secretZ85)
			if err != nil {
				t.Fatal(err)
			}
			skHex, err := ParseSecretKey(k.secretHex)
			if err != nil || skHex != sk {
				t.Fatalf("hex secret key differs: %v", err)
			}
			if got := sk.Public(); got != pk {
				t.Errorf("Public() = %s, want %s", got, pk)
			}
			if pk.String() != k.publicZ85 || pk.Z85() != k.publicZ85 || sk.Z85() != k.secretZ85 {
				t.Errorf("Z85 forms %q %q %q", pk.String(), pk.Z85(), sk.Z85())
			}
			if pk.Hex() != strings.ToLower(k.publicHex) || sk.Hex() != strings.ToLower(k.secretHex) {
				t.Errorf("Hex forms %q %q", pk.Hex(), sk.Hex())
			}
		})
	}
}

func TestGenerateKeyPair(t *testing.T) {
	pk, sk, err := GenerateKeyPair(nil)
	if err != nil {
		t.Fatal(err)
	}
	if sk.Public() != pk {
		t.Error("generated public key does not match secret")
	}
	pk2, sk2, err := GenerateKeyPair(nil)
	if err != nil || pk2 == pk || sk2 == sk {
		t.Errorf("two key pairs are equal (%v)", err)
	}

	// A deterministic source gives the secret key it supplied.
	want := testKeys[1]
	raw, _ := hex.DecodeString(want.secretHex)
	pk, sk, err = GenerateKeyPair(bytes.NewReader(raw))
	if err != nil || sk.Z85() != want.secretZ85 || pk.Z85() != want.publicZ85 {
		t.Errorf("GenerateKeyPair(fixed) = %s %s, %v", pk, sk.Z85(), err)
	}

	if _, _, err := GenerateKeyPair(bytes.NewReader(make([]byte, 31))); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("short entropy: err = %v, want io.ErrUnexpectedEOF", err)
	}
}

func TestParseKeyErrors(t *testing.T) {
	good := testKeys[0].publicZ85
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"z85Short", good[:39]},
		{"z85Long", good + "0"},
		{"z85Padded", " " + good[:39]},
		{"z85BadChar", good[:39] + " "},
		{"z85Quote", good[:39] + `"`},
		{"z85Overflow", "#####" + good[5:]},
		{"hexShort", testKeys[0].publicHex[:62]},
		{"hexBadChar", testKeys[0].publicHex[:63] + "g"},
		{"hexTrailingNewline", testKeys[0].publicHex[:63] + "\n"},
		{"binary", string(make([]byte, 32))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if k, err := ParsePublicKey(tt.in); !errors.Is(err, ErrInvalidKey) || k != (PublicKey{}) {
				t.Errorf("ParsePublicKey = %x, %v; want ErrInvalidKey", k[:], err)
			}
			if k, err := ParseSecretKey(tt.in); !errors.Is(err, ErrInvalidKey) || k != (SecretKey{}) {
				t.Errorf("ParseSecretKey err = %v; want ErrInvalidKey", err)
			}
			var pk PublicKey
			if err := pk.UnmarshalText([]byte(tt.in)); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("UnmarshalText err = %v; want ErrInvalidKey", err)
			}
		})
	}
	_, err := ParsePublicKey("#####" + good[5:])
	if !errors.Is(err, z85.ErrOverflow) {
		t.Errorf("overflow error %v does not wrap z85.ErrOverflow", err)
	}
}

func TestTextMarshaling(t *testing.T) {
	k := testKeys[1]
	var pk PublicKey
	if err := pk.UnmarshalText([]byte(k.publicZ85)); err != nil {
		t.Fatal(err)
	}
	text, err := pk.MarshalText()
	if err != nil || string(text) != k.publicZ85 {
		t.Errorf("MarshalText = %q, %v", text, err)
	}
	var sk SecretKey
	if err := sk.UnmarshalText([]byte(k.secretHex)); err != nil || sk.Z85() != k.secretZ85 {
		t.Errorf("SecretKey.UnmarshalText: %s, %v", sk.Z85(), err)
	}
}

func TestSecretKeyRedacted(t *testing.T) {
	sk, err := ParseSecretKey(testKeys[0].secretZ85)
	if err != nil {
		t.Fatal(err)
	}
	cfg := struct{ Key SecretKey }{sk}
	for _, format := range []string{"%v", "%s", "%+v", "%#v", "%x", "%q"} {
		out := fmt.Sprintf(format, sk) + fmt.Sprintf(format, cfg) + fmt.Sprintf(format, &cfg)
		for _, leak := range []string{testKeys[0].secretZ85, strings.ToLower(testKeys[0].secretHex), "123 184", "0x7b, 0xb8"} {
			if strings.Contains(strings.ToLower(out), strings.ToLower(leak)) {
				t.Errorf("%s prints the secret key: %s", format, out)
			}
		}
	}
}

// TestParseKeyErrorsKeepSecrets: an error about a malformed key never quotes the key: it may be
// a secret one, and errors end up in logs.
func TestParseKeyErrorsKeepSecrets(t *testing.T) {
	good := testKeys[0].secretZ85
	for _, in := range []string{good[:39] + "\"", good[:39] + "~", "#####" + good[5:], testKeys[0].publicHex[:63] + "g"} {
		_, err := ParseSecretKey(in)
		if err == nil {
			t.Fatalf("%q parsed", in)
		}
		last := in[len(in)-1:]
		for _, part := range []string{in[:5], in[len(in)-5:], "'" + last + "'", fmt.Sprintf("%q", last)} {
			if strings.Contains(err.Error(), part) {
				t.Errorf("error %q quotes the key (%q)", err, part)
			}
		}
	}
}
