package z85

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"strings"
	"testing"
)

// rfc32Binary and rfc32Text are the RFC 32 test case.
var (
	rfc32Binary = []byte{0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B}
	rfc32Text   = "HelloWorld"
)

// vectors: the RFC 32 test case and the CURVE test key pairs published in
// libzmq's zmq_curve(7), given there in both hex and Z85.
var vectors = []struct {
	name string
	hex  string
	text string
}{
	{"rfc32", hex.EncodeToString(rfc32Binary), rfc32Text},
	{"clientPublic", "BB88471D65E2659B30C55A5321CEBB5AAB2B70A398645C26DCA2B2FCB43FC518", "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"},
	{"clientSecret", "7BB864B489AFA3671FBE69101F94B38972F24816DFB01B51656B3FEC8DFD0888", "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs"},
	{"serverPublic", "54FCBA24E93249969316FB617C872BB0C1D1FF14800427C594CBFACF1BC2D652", "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"},
	{"serverSecret", "8E0BDD697628B91D8F245587EE95C5B04D48963F79259877B49CD9063AEAD3B7", "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"},
	{"empty", "", ""},
	{"zero", "00000000", "00000"},
	{"max", "ffffffff", "%nSc0"},
}

func TestVectors(t *testing.T) {
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			bin, err := hex.DecodeString(v.hex)
			if err != nil {
				t.Fatal(err)
			}
			got, err := EncodeToString(bin)
			if err != nil || got != v.text {
				t.Errorf("EncodeToString = %q, %v; want %q", got, err, v.text)
			}
			dec, err := DecodeString(v.text)
			if err != nil || !bytes.Equal(dec, bin) {
				t.Errorf("DecodeString = %x, %v; want %x", dec, err, bin)
			}

			app, err := AppendEncode([]byte("pre"), bin)
			if err != nil || string(app) != "pre"+v.text {
				t.Errorf("AppendEncode = %q, %v", app, err)
			}
			appDec, err := AppendDecode([]byte("pre"), []byte(v.text))
			if err != nil || !bytes.Equal(appDec, append([]byte("pre"), bin...)) {
				t.Errorf("AppendDecode = %q, %v", appDec, err)
			}

			dst := make([]byte, EncodedLen(len(bin))+3)
			n, err := Encode(dst, bin)
			if err != nil || n != len(v.text) || string(dst[:n]) != v.text {
				t.Errorf("Encode = %d %q, %v", n, dst[:n], err)
			}
			out := make([]byte, DecodedLen(len(v.text)))
			n, err = Decode(out, []byte(v.text))
			if err != nil || n != len(bin) || !bytes.Equal(out, bin) {
				t.Errorf("Decode = %d %x, %v", n, out, err)
			}
		})
	}
}

func TestAlphabet(t *testing.T) {
	if len(alphabet) != 85 {
		t.Fatalf("alphabet has %d characters", len(alphabet))
	}
	seen := map[byte]bool{}
	for i := 0; i < len(alphabet); i++ {
		c := alphabet[i]
		// RFC 32's goal: safe inside double or single quotes.
		if seen[c] || c <= ' ' || c > '~' || c == '"' || c == '\'' || c == '\\' {
			t.Errorf("alphabet[%d] = %q is repeated or not string-safe", i, c)
		}
		seen[c] = true
		if decodeTable[c] != byte(i) {
			t.Errorf("decodeTable[%q] = %d, want %d", c, decodeTable[c], i)
		}
	}
	// Each digit in the last position of a group: value i encodes as "0000" + alphabet[i].
	for i := 0; i < 85; i++ {
		got, err := EncodeToString([]byte{0, 0, 0, byte(i)})
		if err != nil || got != "0000"+alphabet[i:i+1] {
			t.Errorf("encode %d = %q, %v", i, got, err)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for n := 0; n <= 64; n += 4 {
		src := make([]byte, n)
		for i := range src {
			src[i] = byte(i*37 + n)
		}
		s, err := EncodeToString(src)
		if err != nil || len(s) != EncodedLen(n) {
			t.Fatalf("n=%d: EncodeToString = %q, %v", n, s, err)
		}
		got, err := DecodeString(s)
		if err != nil || !bytes.Equal(got, src) {
			t.Fatalf("n=%d: round trip %x, %v; want %x", n, got, err, src)
		}
	}
}

func TestErrors(t *testing.T) {
	encodeTests := []struct {
		name string
		in   []byte
	}{
		{"one", []byte{1}},
		{"three", []byte{1, 2, 3}},
		{"five", []byte{1, 2, 3, 4, 5}},
	}
	for _, tt := range encodeTests {
		if _, err := EncodeToString(tt.in); !errors.Is(err, ErrLength) {
			t.Errorf("EncodeToString(%s) err = %v, want ErrLength", tt.name, err)
		}
		if n, err := Encode(make([]byte, 10), tt.in); n != 0 || !errors.Is(err, ErrLength) {
			t.Errorf("Encode(%s) = %d, %v; want ErrLength", tt.name, n, err)
		}
		if got, err := AppendEncode([]byte("pre"), tt.in); string(got) != "pre" || !errors.Is(err, ErrLength) {
			t.Errorf("AppendEncode(%s) = %q, %v; want ErrLength", tt.name, got, err)
		}
	}

	decodeTests := []struct {
		name    string
		in      string
		wantErr error
	}{
		{"one", "H", ErrLength},
		{"four", "Hell", ErrLength},
		{"six", "HelloW", ErrLength},
		{"nine", "HelloWorl", ErrLength},
		{"space", "Hello Worl", ErrInvalidChar},
		{"doubleQuote", "Hel\"o", ErrInvalidChar},
		{"singleQuote", "'ello", ErrInvalidChar},
		{"backslash", "Hell\\", ErrInvalidChar},
		{"comma", "He,lo", ErrInvalidChar},
		{"semicolon", "He;lo", ErrInvalidChar},
		{"underscore", "He_lo", ErrInvalidChar},
		{"pipe", "He|lo", ErrInvalidChar},
		{"tilde", "He~lo", ErrInvalidChar},
		{"backquote", "He`lo", ErrInvalidChar},
		{"nul", "Hell\x00", ErrInvalidChar},
		{"highByte", "Hell\xff", ErrInvalidChar},
		{"utf8", "Hel\u00e9", ErrInvalidChar}, // two bytes, five in total
		{"overflowMax", "#####", ErrOverflow},
		{"overflowJustOver", "%nSc1", ErrOverflow}, // 2^32
		{"overflowSecondGroup", "00000%nSc1", ErrOverflow},
		{"invalidAfterGood", "HelloWorl ", ErrInvalidChar},
	}
	for _, tt := range decodeTests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := DecodeString(tt.in); got != nil || !errors.Is(err, tt.wantErr) {
				t.Errorf("DecodeString = %x, %v; want %v", got, err, tt.wantErr)
			}
			if n, err := Decode(make([]byte, 16), []byte(tt.in)); n != 0 || !errors.Is(err, tt.wantErr) {
				t.Errorf("Decode = %d, %v; want %v", n, err, tt.wantErr)
			}
			if got, err := AppendDecode([]byte("pre"), []byte(tt.in)); string(got) != "pre" || !errors.Is(err, tt.wantErr) {
				t.Errorf("AppendDecode = %q, %v; want %v", got, err, tt.wantErr)
			}
		})
	}
}

func TestOverflowBoundary(t *testing.T) {
	// "%nSc0" is 2^32-1, the largest valid group; one more overflows.
	got, err := DecodeString("%nSc0")
	if err != nil || !bytes.Equal(got, []byte{0xff, 0xff, 0xff, 0xff}) {
		t.Fatalf("DecodeString(max) = %x, %v", got, err)
	}
	var v uint64
	for _, c := range []byte("%nSc0") {
		v = v*85 + uint64(decodeTable[c])
	}
	if v != math.MaxUint32 {
		t.Fatalf("%%nSc0 = %d, want 2^32-1", v)
	}
}

func TestLens(t *testing.T) {
	if EncodedLen(32) != 40 || DecodedLen(40) != 32 || EncodedLen(0) != 0 || DecodedLen(0) != 0 {
		t.Error("EncodedLen/DecodedLen disagree with the 32-byte key / 40-character text sizes")
	}
}

func TestNoAlloc(t *testing.T) {
	src := bytes.Repeat(rfc32Binary, 4)
	enc := make([]byte, 0, 64)
	dec := make([]byte, 0, 64)
	allocs := testing.AllocsPerRun(100, func() {
		e, err := AppendEncode(enc[:0], src)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := AppendDecode(dec[:0], e); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("AppendEncode/AppendDecode into sized buffers allocate %v times", allocs)
	}
}

func FuzzDecode(f *testing.F) {
	for _, v := range vectors {
		f.Add(v.text)
	}
	f.Add("Hello Worl")
	f.Add("#####")
	f.Add("HelloW")
	f.Add(strings.Repeat("0", 40))
	f.Fuzz(func(t *testing.T, s string) {
		bin, err := DecodeString(s)
		if err != nil {
			if !errors.Is(err, ErrLength) && !errors.Is(err, ErrInvalidChar) && !errors.Is(err, ErrOverflow) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			return
		}
		if len(bin) != DecodedLen(len(s)) {
			t.Fatalf("decoded %d bytes from %d characters", len(bin), len(s))
		}
		text, err := EncodeToString(bin)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		// Every valid group has exactly one encoding, so the text comes back.
		if text != s {
			t.Fatalf("re-encoded %q, input %q", text, s)
		}
		bin2, err := DecodeString(text)
		if err != nil || !bytes.Equal(bin2, bin) {
			t.Fatalf("second decode %x, %v; want %x", bin2, err, bin)
		}
	})
}
