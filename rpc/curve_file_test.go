package rpc

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/purezmq/zmq/curve"
)

// TestCurveCertificateFiles: both sides take their keys from certificate files, as zmq keygen
// -o writes them; a public-only certificate cannot make a server.
func TestCurveCertificateFiles(t *testing.T) {
	dir := t.TempDir()
	cert, err := curve.NewCertificate(nil)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "server.cert")
	if err := cert.Save(path); err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, Target{Topic: "t"}, nil, WithCurveServerCertificate(path))
	cl, err := NewClient(Target{Topic: "t"}, WithEndpoint(srv.Endpoint()), WithCurveServerKeyFile(path))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var r echoReply
	if err := cl.Call(testCtx(t), "echo", echoArgs{Text: "sealed"}, &r); err != nil || r.Text != "sealed" {
		t.Fatalf("CURVE call with keys from files: %+v %v", r, err)
	}

	if err := os.Remove(path + curve.SecretSuffix); err != nil {
		t.Fatal(err)
	}
	if _, err := NewServer(Target{Topic: "t"}, WithCurveServerCertificate(path)); err == nil {
		t.Error("a server from a public-only certificate was accepted")
	}
	if _, err := NewClient(Target{Topic: "t"}, WithCurveServerKeyFile(filepath.Join(dir, "none"))); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing certificate: %v, want ErrNotExist", err)
	}
}
