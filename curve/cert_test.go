package curve

import (
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// czmqSecretCert is a secret certificate laid out as czmq's zcert_save
// writes it, holding the zmq_curve(7) server test keys.
const czmqSecretCert = `#   ****  Generated on 2024-05-01 10:00:00 by CZMQ  ****
#   ZeroMQ CURVE **Secret** Certificate
#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.

metadata
    name = "server-1"
    email = "ops@example.com"
curve
    public-key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
    secret-key = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"
`

// czmqPublicCert is the matching public certificate.
const czmqPublicCert = `#   ****  Generated on 2024-05-01 10:00:00 by CZMQ  ****
#   ZeroMQ CURVE Public Certificate
#   Exchange securely, or use a secure mechanism to verify the contents
#   of this file after exchange. Store public certificates in your home
#   directory, in the .curve subdirectory.

metadata
    name = "server-1"
    email = "ops@example.com"
curve
    public-key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
`

func mustPublic(t *testing.T, s string) PublicKey {
	t.Helper()
	k, err := ParsePublicKey(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustSecret(t *testing.T, s string) *SecretKey {
	t.Helper()
	k, err := ParseSecretKey(s)
	if err != nil {
		t.Fatal(err)
	}
	return &k
}

func equalCert(a, b *Certificate) bool {
	if a.Public != b.Public || (a.Secret == nil) != (b.Secret == nil) {
		return false
	}
	if a.Secret != nil && *a.Secret != *b.Secret {
		return false
	}
	return maps.Equal(a.Metadata, b.Metadata) // nil and empty are equal
}

func TestParseCertificateCZMQ(t *testing.T) {
	server := testKeys[1]
	wantMD := map[string]string{"name": "server-1", "email": "ops@example.com"}
	tests := []struct {
		name       string
		text       string
		wantSecret bool
	}{
		{"secret", czmqSecretCert, true},
		{"public", czmqPublicCert, false},
		{"crlf", strings.ReplaceAll(czmqSecretCert, "\n", "\r\n"), true},
		{"cr", strings.ReplaceAll(czmqPublicCert, "\n", "\r"), false},
		{"noFinalNewline", strings.TrimSuffix(czmqPublicCert, "\n"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCertificate([]byte(tt.text))
			if err != nil {
				t.Fatal(err)
			}
			if c.Public.Z85() != server.publicZ85 {
				t.Errorf("public key %s", c.Public)
			}
			if tt.wantSecret != (c.Secret != nil) {
				t.Fatalf("secret present = %v, want %v", c.Secret != nil, tt.wantSecret)
			}
			if c.Secret != nil && c.Secret.Z85() != server.secretZ85 {
				t.Errorf("secret key differs")
			}
			if !maps.Equal(c.Metadata, wantMD) {
				t.Errorf("metadata %q, want %q", c.Metadata, wantMD)
			}
		})
	}
}

func TestParseCertificateSyntax(t *testing.T) {
	// A key whose Z85 text holds '#', which starts a comment outside quotes.
	hashKey := PublicKey{0, 0, 0, 84}
	if !strings.Contains(hashKey.Z85(), "#") {
		t.Fatalf("test key %s has no '#'", hashKey)
	}
	tests := []struct {
		name   string
		text   string
		wantPK PublicKey
		wantMD map[string]string
	}{
		{"hashInQuotedKey", "curve\n    public-key = \"" + hashKey.Z85() + "\"   # trailing comment\n", hashKey, nil},
		{"singleQuotes", "curve\n    public-key = '" + hashKey.Z85() + "'\n", hashKey, nil},
		{"unquotedKey", "curve\n    public-key = " + testKeys[0].publicZ85 + "\n", mustPublic(t, testKeys[0].publicZ85), nil},
		{"hexKey", "curve\n    public-key = " + testKeys[0].publicHex + "\n", mustPublic(t, testKeys[0].publicZ85), nil},
		{"noSpacesAroundEquals", "curve\n    public-key=\"" + testKeys[0].publicZ85 + "\"\n", mustPublic(t, testKeys[0].publicZ85), nil},
		{
			"metadataForms",
			"metadata   # owner details\n" +
				"    plain = some text   # comment\n" +
				"    quoted = \"  # kept \"\n" +
				"    single = 'say \"hi\"'\n" +
				"    open = \"unterminated\n" +
				"    notEnded = \"a\" b\n" +
				"    empty =\n" +
				"    bare\n" +
				"        # an indented comment line is still a comment\n" +
				"\n\t\n" +
				"curve\n    public-key = \"" + hashKey.Z85() + "\"\n" +
				"    secret-key-id = ignored\n" +
				"other\n    section = ignored\n        deeper = ignored\n",
			hashKey,
			map[string]string{
				"plain": "some text", "quoted": "  # kept ", "single": `say "hi"`, "open": `"unterminated`,
				"notEnded": `"a" b`, "empty": "", "bare": "",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCertificate([]byte(tt.text))
			if err != nil {
				t.Fatal(err)
			}
			if c.Public != tt.wantPK || c.Secret != nil {
				t.Errorf("public key %s, secret %v", c.Public, c.Secret != nil)
			}
			if !maps.Equal(c.Metadata, tt.wantMD) {
				t.Errorf("metadata %q, want %q", c.Metadata, tt.wantMD)
			}
		})
	}
}

func TestParseCertificateErrors(t *testing.T) {
	pub, sec := testKeys[1].publicZ85, testKeys[1].secretZ85
	otherSec := testKeys[0].secretZ85
	hashKey := PublicKey{0, 0, 0, 84}.Z85()
	tests := []struct {
		name    string
		text    string
		wantErr error
	}{
		{"empty", "", ErrCertificate},
		{"commentsOnly", "# nothing\n", ErrCertificate},
		{"noPublicKey", "curve\n    secret-key = \"" + sec + "\"\n", ErrCertificate},
		{"publicKeyNotInCurve", "public-key = \"" + pub + "\"\n", ErrCertificate},
		{"publicKeyNoValue", "curve\n    public-key\n", ErrInvalidKey},
		{"publicKeyShort", "curve\n    public-key = \"" + pub[:39] + "\"\n", ErrInvalidKey},
		{"publicKeyBadChar", "curve\n    public-key = \"" + pub[:39] + "~\"\n", ErrInvalidKey},
		{"unquotedHashKey", "curve\n    public-key = " + hashKey + "\n", ErrInvalidKey},
		{"secretKeyBad", "curve\n    public-key = \"" + pub + "\"\n    secret-key = \"short\"\n", ErrInvalidKey},
		{"secretMismatch", "curve\n    public-key = \"" + pub + "\"\n    secret-key = \"" + otherSec + "\"\n", ErrKeyMismatch},
		{"duplicatePublicKey", "curve\n    public-key = \"" + pub + "\"\n    public-key = \"" + pub + "\"\n", ErrCertificate},
		{"duplicateCurve", "curve\n    public-key = \"" + pub + "\"\ncurve\n", ErrCertificate},
		{"duplicateMetadataSection", "metadata\nmetadata\ncurve\n    public-key = \"" + pub + "\"\n", ErrCertificate},
		{"duplicateMetadataName", "metadata\n    a = 1\n    a = 2\ncurve\n    public-key = \"" + pub + "\"\n", ErrCertificate},
		{"nestedMetadata", "metadata\n    a = 1\n        b = 2\ncurve\n    public-key = \"" + pub + "\"\n", ErrCertificate},
		{"indentThree", "curve\n   public-key = \"" + pub + "\"\n", ErrCertificate},
		{"indentSkipsLevel", "curve\n        public-key = \"" + pub + "\"\n", ErrCertificate},
		{"firstLineIndented", "    curve\n", ErrCertificate},
		{"tabIndent", "curve\n\tpublic-key = \"" + pub + "\"\n", ErrCertificate},
		{"startsWithEquals", "= value\n", ErrCertificate},
		{"junkAfterName", "curve section\n", ErrCertificate},
		{"badNameChar", "cur*ve\n", ErrCertificate},
		{"binary", "\x00\x01\x02\xff\xfe", ErrCertificate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCertificate([]byte(tt.text))
			if !errors.Is(err, tt.wantErr) || c != nil {
				t.Fatalf("ParseCertificate = %v, %v; want %v", c, err, tt.wantErr)
			}
			if !errors.Is(err, ErrCertificate) {
				t.Errorf("err %v does not wrap ErrCertificate", err)
			}
		})
	}
}

func TestCertificateFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "server.cert")
	c, err := NewCertificate(nil)
	if err != nil {
		t.Fatal(err)
	}
	c.Metadata["name"] = "server-1"
	c.Metadata["motto"] = `say "hi" # loudly`
	c.Metadata["empty"] = ""
	c.Metadata["padded"] = "  spaces  "
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}

	got, err := LoadCertificate(path)
	if err != nil {
		t.Fatal(err)
	}
	if !equalCert(got, c) || got.Secret == nil {
		t.Fatalf("loaded %+v, want %+v", got, c)
	}
	if runtime.GOOS != "windows" {
		for _, f := range []struct {
			path string
			mode fs.FileMode
		}{{path, 0o644}, {path + SecretSuffix, 0o600}} {
			fi, err := os.Stat(f.path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != f.mode {
				t.Errorf("%s mode %v, want %v", f.path, fi.Mode().Perm(), f.mode)
			}
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("directory holds %d files, want 2 (no temporaries left)", len(entries))
	}

	// The public file alone gives the public certificate.
	pubOnly, err := ParseCertificate(readFile(t, path))
	if err != nil || pubOnly.Secret != nil || pubOnly.Public != c.Public || !maps.Equal(pubOnly.Metadata, c.Metadata) {
		t.Fatalf("public file: %+v, %v", pubOnly, err)
	}
	if strings.Contains(string(readFile(t, path)), c.Secret.Z85()) {
		t.Error("public file holds the secret key")
	}
	if err := os.Remove(path + SecretSuffix); err != nil {
		t.Fatal(err)
	}
	got, err = LoadCertificate(path)
	if err != nil || got.Secret != nil || got.Public != c.Public {
		t.Fatalf("LoadCertificate(public only) = %+v, %v", got, err)
	}

	// Replacing a world-readable secret file tightens it to 0600.
	if err := os.WriteFile(path+SecretSuffix, []byte("old"), 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path+SecretSuffix, 0o666); err != nil {
		t.Fatal(err)
	}
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path + SecretSuffix); err != nil || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600) {
		t.Errorf("rewritten secret file: %v, %v", fi.Mode(), err)
	}

	// A public-only certificate saves one file.
	pubPath := filepath.Join(dir, "client.cert")
	pubCert := &Certificate{Public: c.Public}
	if err := pubCert.Save(pubPath); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(pubPath + SecretSuffix); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("public-only Save wrote a secret file: %v", err)
	}
	got, err = LoadCertificate(pubPath)
	if err != nil || !equalCert(got, pubCert) {
		t.Errorf("LoadCertificate = %+v, %v", got, err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLoadCertificateCZMQFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "server")
	if err := os.WriteFile(path, []byte(czmqPublicCert), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+SecretSuffix, []byte(czmqSecretCert), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := LoadCertificate(path)
	if err != nil || c.Secret == nil || *c.Secret != *mustSecret(t, testKeys[1].secretZ85) || c.Metadata["name"] != "server-1" {
		t.Fatalf("LoadCertificate = %+v, %v", c, err)
	}
}

func TestLoadCertificateErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadCertificate(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing: err = %v, want fs.ErrNotExist", err)
	}

	bad := filepath.Join(dir, "bad")
	if err := os.WriteFile(bad, []byte("curve\n   public-key = x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCertificate(bad); !errors.Is(err, ErrCertificate) || !strings.Contains(err.Error(), bad) {
		t.Errorf("bad: err = %v, want ErrCertificate naming the file", err)
	}

	huge := filepath.Join(dir, "huge")
	if err := os.WriteFile(huge, []byte(czmqPublicCert+strings.Repeat("#", maxCertificateSize)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCertificate(huge); !errors.Is(err, ErrCertificate) {
		t.Errorf("huge: err = %v, want ErrCertificate", err)
	}

	// A secret file that cannot be read is an error, not a silent fallback
	// to the public file.
	good := filepath.Join(dir, "good")
	if err := os.WriteFile(good, []byte(czmqPublicCert), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(good+SecretSuffix, 0o700); err != nil {
		t.Fatal(err)
	}
	if c, err := LoadCertificate(good); err == nil {
		t.Errorf("unreadable secret file: got %+v, want an error", c)
	}

	mismatch := filepath.Join(dir, "mismatch")
	text := strings.Replace(czmqSecretCert, testKeys[1].secretZ85, testKeys[0].secretZ85, 1)
	if err := os.WriteFile(mismatch+SecretSuffix, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCertificate(mismatch); !errors.Is(err, ErrKeyMismatch) {
		t.Errorf("mismatch: err = %v, want ErrKeyMismatch", err)
	}
}

func TestLoadCertificates(t *testing.T) {
	dir := t.TempDir()
	var want []*Certificate
	save := func(rel string) {
		t.Helper()
		c, err := NewCertificate(nil)
		if err != nil {
			t.Fatal(err)
		}
		c.Metadata["file"] = rel
		path := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := c.Save(path); err != nil {
			t.Fatal(err)
		}
		want = append(want, &Certificate{Public: c.Public, Metadata: c.Metadata})
	}
	save("alice.key")
	save("bob.key")
	save("sub/carol.key") // subdirectories count, as in zcertstore
	if err := os.WriteFile(filepath.Join(dir, ".hidden"), []byte("junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".git", "config"), []byte("junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		if err := os.Symlink(filepath.Join(dir, "alice.key"), filepath.Join(dir, "zed.key")); err != nil {
			t.Fatal(err)
		}
		want = append(want, want[0])
	}

	got, err := LoadCertificates(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("loaded %d certificates, want %d", len(got), len(want))
	}
	for i := range want {
		if !equalCert(got[i], want[i]) || got[i].Secret != nil {
			t.Errorf("certificate %d = %+v, want %+v", i, got[i], want[i])
		}
	}

	if err := os.WriteFile(filepath.Join(dir, "sub", "broken.key"), []byte("curve\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCertificates(dir); !errors.Is(err, ErrCertificate) || !strings.Contains(err.Error(), "broken.key") {
		t.Errorf("broken file: err = %v, want ErrCertificate naming it", err)
	}
	if _, err := LoadCertificates(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing dir: err = %v, want fs.ErrNotExist", err)
	}
	empty := t.TempDir()
	if got, err := LoadCertificates(empty); err != nil || len(got) != 0 {
		t.Errorf("empty dir: %v, %v", got, err)
	}
}

func TestMarshalErrors(t *testing.T) {
	sk := mustSecret(t, testKeys[0].secretZ85)
	pk := sk.Public()
	tests := []struct {
		name    string
		c       *Certificate
		secret  bool
		wantErr error
	}{
		{"noSecret", &Certificate{Public: pk}, true, ErrCertificate},
		{"mismatch", &Certificate{Public: PublicKey{1}, Secret: sk}, false, ErrKeyMismatch},
		{"badName", &Certificate{Public: pk, Metadata: map[string]string{"a b": "v"}}, false, ErrCertificate},
		{"emptyName", &Certificate{Public: pk, Metadata: map[string]string{"": "v"}}, false, ErrCertificate},
		{"newlineValue", &Certificate{Public: pk, Metadata: map[string]string{"a": "x\ny"}}, false, ErrCertificate},
		{"bothQuotes", &Certificate{Public: pk, Metadata: map[string]string{"a": `"'`}}, false, ErrCertificate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.secret {
				_, err = tt.c.MarshalSecret()
			} else {
				_, err = tt.c.MarshalPublic()
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if err := tt.c.Save(filepath.Join(t.TempDir(), "c")); err == nil && !tt.secret {
				t.Error("Save succeeded")
			}
		})
	}
}

func TestMarshalFormat(t *testing.T) {
	c := &Certificate{
		Public:   mustPublic(t, testKeys[1].publicZ85),
		Secret:   mustSecret(t, testKeys[1].secretZ85),
		Metadata: map[string]string{"name": "server-1", "email": "ops@example.com"},
	}
	text, err := c.MarshalSecret()
	if err != nil {
		t.Fatal(err)
	}
	// Sections and 4-space indentation as zcert writes them; metadata sorted.
	want := "\nmetadata\n" +
		"    email = \"ops@example.com\"\n" +
		"    name = \"server-1\"\n" +
		"curve\n" +
		"    public-key = \"" + testKeys[1].publicZ85 + "\"\n" +
		"    secret-key = \"" + testKeys[1].secretZ85 + "\"\n"
	if !strings.HasSuffix(string(text), want) || !strings.HasPrefix(string(text), "#") {
		t.Errorf("MarshalSecret =\n%s\nwant comments then\n%s", text, want)
	}
}

func FuzzParseCertificate(f *testing.F) {
	f.Add([]byte(czmqSecretCert))
	f.Add([]byte(czmqPublicCert))
	f.Add([]byte("metadata\n    a = 'x\"y'\n    b = \"#\"\ncurve\n    public-key = " + testKeys[0].publicHex + "\n"))
	f.Add([]byte("curve\n   public-key = x\n"))
	f.Add([]byte("curve\n        public-key = x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCertificate(data)
		if err != nil {
			if !errors.Is(err, ErrCertificate) {
				t.Fatalf("error %v does not wrap ErrCertificate", err)
			}
			return
		}
		var text []byte
		if c.Secret != nil {
			text, err = c.MarshalSecret()
		} else {
			text, err = c.MarshalPublic()
		}
		if err != nil {
			// ZPL has no escapes: a value holding both quote kinds parses
			// unquoted but cannot be written back.
			for _, v := range c.Metadata {
				if strings.Contains(v, `"`) && strings.Contains(v, `'`) {
					return
				}
			}
			t.Fatalf("re-marshal: %v", err)
		}
		c2, err := ParseCertificate(text)
		if err != nil || !equalCert(c, c2) {
			t.Fatalf("round trip: %+v, %v; want %+v\n%s", c2, err, c, text)
		}
	})
}
