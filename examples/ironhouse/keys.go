package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/purezmq/zmq/curve"
)

// keygen makes a new key pair and saves it as czmq does: the public certificate at path, the
// pair at path+"_secret" (readable by its owner only). It prints "public KEY".
func keygen(path string, out io.Writer) error {
	if path == "" {
		return errors.New("keygen: -out is required")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	cert, err := curve.NewCertificate(nil)
	if err != nil {
		return err
	}
	if err := cert.Save(path); err != nil {
		return err
	}
	fmt.Fprintln(out, "public", cert.Public)
	return nil
}

// loadPair reads the key pair saved at path by keygen (or czmq's zcert_save).
func loadPair(path string) (curve.PublicKey, curve.SecretKey, error) {
	cert, err := curve.LoadCertificate(path)
	if err != nil {
		return curve.PublicKey{}, curve.SecretKey{}, err
	}
	if cert.Secret == nil {
		return curve.PublicKey{}, curve.SecretKey{}, fmt.Errorf("%s: no secret key (want the file keygen saved, with its %s file beside it)", path, curve.SecretSuffix)
	}
	return cert.Public, *cert.Secret, nil
}
