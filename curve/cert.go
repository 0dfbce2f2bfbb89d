package curve

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// SecretSuffix is appended to a certificate's path to name the file holding
// its secret key, following czmq's zcert.
const SecretSuffix = "_secret"

// maxCertificateSize bounds what is read from a certificate file; real ones
// are a few hundred bytes.
const maxCertificateSize = 64 << 10

// Certificate is a CURVE public key, optionally its secret key, and metadata
// (free-form name/value pairs such as "name" or "email").
type Certificate struct {
	Public   PublicKey         // the key peers know this party by
	Secret   *SecretKey        // nil for a public-only certificate
	Metadata map[string]string // free-form, saved in the certificate's "metadata" section
}

// NewCertificate returns a certificate with a fresh key pair; random as for
// GenerateKeyPair.
func NewCertificate(random io.Reader) (*Certificate, error) {
	pk, sk, err := GenerateKeyPair(random)
	if err != nil {
		return nil, err
	}
	return &Certificate{Public: pk, Secret: &sk, Metadata: map[string]string{}}, nil
}

// LoadCertificate reads the certificate saved at path. As czmq's zcert_load
// does, it reads path+"_secret" when that file exists, which yields the
// secret key too, and otherwise path alone.
func LoadCertificate(path string) (*Certificate, error) {
	data, err := readCertificateFile(path + SecretSuffix)
	if errors.Is(err, fs.ErrNotExist) {
		data, err = readCertificateFile(path)
	} else if err == nil {
		path += SecretSuffix
	}
	if err != nil {
		return nil, err
	}
	c, err := ParseCertificate(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// LoadCertificates reads every public certificate in dir and its
// subdirectories, in lexical order, as czmq's zcertstore does: files whose
// names end in "_secret" are skipped, and so are names starting with '.'.
// The returned certificates have no secret keys. A file that is not a valid
// certificate is an error, so a typo cannot silently drop a key from an
// allow list.
func LoadCertificates(dir string) ([]*Certificate, error) {
	var certs []*Certificate
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && path != dir {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || strings.HasSuffix(d.Name(), SecretSuffix) {
			return nil
		}
		if !d.Type().IsRegular() {
			fi, err := os.Stat(path) // follow symlinks, skip devices and sockets
			if err != nil || !fi.Mode().IsRegular() {
				return err
			}
		}
		data, err := readCertificateFile(path)
		if err != nil {
			return err
		}
		c, err := ParseCertificate(data)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		c.Secret = nil
		certs = append(certs, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return certs, nil
}

func readCertificateFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxCertificateSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxCertificateSize {
		return nil, fmt.Errorf("%s: %w: larger than %d bytes", path, ErrCertificate, maxCertificateSize)
	}
	return data, nil
}

// ParseCertificate parses certificate text: a "curve" section with a
// "public-key" and optionally a "secret-key" (each in Z85 or hex), and an
// optional "metadata" section of name = value lines. Other sections and
// properties are ignored. The secret key must derive the public key.
func ParseCertificate(data []byte) (*Certificate, error) {
	root, err := parseZPL(data)
	if err != nil {
		return nil, err
	}
	c := &Certificate{Metadata: map[string]string{}}

	curveSec, err := root.child("curve")
	if err != nil {
		return nil, err
	}
	if curveSec == nil {
		return nil, fmt.Errorf("%w: no curve section", ErrCertificate)
	}
	pub, err := curveSec.child("public-key")
	if err != nil {
		return nil, err
	}
	if pub == nil {
		return nil, fmt.Errorf("%w: no curve/public-key", ErrCertificate)
	}
	if c.Public, err = ParsePublicKey(pub.value); err != nil {
		return nil, fmt.Errorf("%w: line %d: public-key: %w", ErrCertificate, pub.line, err)
	}
	sec, err := curveSec.child("secret-key")
	if err != nil {
		return nil, err
	}
	if sec != nil {
		sk, err := ParseSecretKey(sec.value)
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: secret-key: %w", ErrCertificate, sec.line, err)
		}
		if sk.Public() != c.Public {
			return nil, fmt.Errorf("%w: line %d: %w", ErrCertificate, sec.line, ErrKeyMismatch)
		}
		c.Secret = &sk
	}

	md, err := root.child("metadata")
	if err != nil {
		return nil, err
	}
	if md != nil {
		for _, p := range md.children {
			if len(p.children) > 0 {
				return nil, fmt.Errorf("%w: line %d: metadata %q has nested properties", ErrCertificate, p.line, p.name)
			}
			if _, dup := c.Metadata[p.name]; dup {
				return nil, fmt.Errorf("%w: line %d: metadata %q repeated", ErrCertificate, p.line, p.name)
			}
			c.Metadata[p.name] = p.value
		}
	}
	return c, nil
}

// MarshalPublic returns the text of the public certificate file.
func (c *Certificate) MarshalPublic() ([]byte, error) {
	return c.marshal(false)
}

// MarshalSecret returns the text of the secret certificate file, which holds
// both keys. It fails if c has no secret key or the keys do not match.
func (c *Certificate) MarshalSecret() ([]byte, error) {
	return c.marshal(true)
}

func (c *Certificate) marshal(secret bool) ([]byte, error) {
	if secret && c.Secret == nil {
		return nil, fmt.Errorf("%w: no secret key to write", ErrCertificate)
	}
	if c.Secret != nil && c.Secret.Public() != c.Public {
		return nil, ErrKeyMismatch
	}
	var b bytes.Buffer
	if secret {
		b.WriteString("#   ZeroMQ CURVE **Secret** Certificate\n" +
			"#   Keep this file private: whoever reads it can act as this peer.\n")
	} else {
		b.WriteString("#   ZeroMQ CURVE Public Certificate\n" +
			"#   Exchange securely, or verify its contents after the exchange.\n")
	}
	b.WriteString("\nmetadata\n")
	names := make([]string, 0, len(c.Metadata))
	for name := range c.Metadata {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !validZPLName(name) {
			return nil, fmt.Errorf("%w: metadata name %q is not a ZPL name", ErrCertificate, name)
		}
		v, err := quoteZPL(c.Metadata[name])
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "    %s = %s\n", name, v)
	}
	fmt.Fprintf(&b, "curve\n    public-key = \"%s\"\n", c.Public.Z85())
	if secret {
		fmt.Fprintf(&b, "    secret-key = \"%s\"\n", c.Secret.Z85())
	}
	return b.Bytes(), nil
}

// Save writes the public certificate to path (mode 0644) and, if c has a
// secret key, the full certificate to path+"_secret" (mode 0600), as czmq's
// zcert_save does. Each file is replaced atomically.
func (c *Certificate) Save(path string) error {
	if c.Secret != nil {
		data, err := c.MarshalSecret()
		if err != nil {
			return err
		}
		if err := writeFileAtomic(path+SecretSuffix, data, 0o600); err != nil {
			return err
		}
	}
	return c.SavePublic(path)
}

// SavePublic writes only the public certificate to path (mode 0644).
func (c *Certificate) SavePublic(path string) error {
	data, err := c.MarshalPublic()
	if err != nil {
		return err
	}
	return writeFileAtomic(path, data, 0o644)
}

// writeFileAtomic writes data to a hidden temporary file next to path (so
// LoadCertificates never sees it), then renames it over path. The file is
// created 0600 and only widened to perm once written, so a secret is never
// readable by others, even briefly or when replacing a looser file.
func writeFileAtomic(path string, data []byte, perm fs.FileMode) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Chmod(perm); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
