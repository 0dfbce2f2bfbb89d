package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/zmq/curve"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestBenchPrintsOneRowPerTransport(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out, progress bytes.Buffer
	args := []string{"bench", "--quick", "--transports", "inproc,ipc,tcp", "--sizes", "16,70000", "--roundtrips", "100"}
	if err := Run(ctx, args, nil, &out, &progress); err != nil {
		t.Fatalf("bench: %v\n%s", err, progress.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("want a header and 3 rows, got:\n%s", out.String())
	}
	for i, tr := range []string{"inproc", "ipc", "tcp"} {
		if f := strings.Fields(lines[i+1]); f[0] != tr || len(f) != 6 {
			t.Errorf("row %q: want %s with 5 figures", lines[i+1], tr)
		}
	}
	if got := strings.Count(progress.String(), "\n"); got != 9 {
		t.Errorf("progress has %d lines, want one per cell (9):\n%s", got, progress.String())
	}
}

func TestUsageErrors(t *testing.T) {
	ctx := context.Background()
	for _, args := range [][]string{
		{"nosuchcommand"},
		{"bench", "--sizes", "abc"},
		{"bench", "--transports", "udp"},
		{"bench", "--roundtrips", "0"},
		{"bench", "--nosuchflag"},
		{"bench", "extra"},
	} {
		var out, errOut bytes.Buffer
		if err := Run(ctx, args, nil, &out, &errOut); !errors.Is(err, ErrUsage) {
			t.Errorf("Run(%q) = %v, want ErrUsage", args, err)
		}
	}
	var out bytes.Buffer
	if err := Run(ctx, []string{"bnech"}, nil, &out, &out); !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), "did you mean bench?") {
		t.Errorf("a misspelt command: %v, want ErrUsage with a suggestion", err)
	}
	if err := Run(ctx, nil, nil, &out, &out); err != nil || !strings.Contains(out.String(), "bench") {
		t.Errorf("no arguments: %v, usage %q", err, out.String())
	}
}

func TestKeygen(t *testing.T) {
	ctx := context.Background()
	var out, errOut bytes.Buffer
	if err := Run(ctx, []string{"keygen"}, nil, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	var pub, sec string
	if _, err := fmt.Sscanf(out.String(), "public-key = %s\nsecret-key = %s\n", &pub, &sec); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	pk, err := curve.ParsePublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	sk, err := curve.ParseSecretKey(sec)
	if err != nil {
		t.Fatal(err)
	}
	if sk.Public() != pk {
		t.Fatal("the printed public key is not the secret key's")
	}

	path := filepath.Join(t.TempDir(), "server.cert")
	out.Reset()
	if err := Run(ctx, []string{"keygen", "-o", path, "--meta", "name=server"}, nil, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	cert, err := curve.LoadCertificate(path)
	if err != nil {
		t.Fatal(err)
	}
	if cert.Secret == nil || cert.Secret.Public() != cert.Public || cert.Metadata["name"] != "server" {
		t.Fatalf("saved certificate %+v", cert)
	}
	for _, args := range [][]string{{"keygen", "extra"}, {"keygen", "--meta", "x=y"}, {"keygen", "-o", path, "--meta", "novalue"}} {
		if err := Run(ctx, args, nil, &out, &errOut); !errors.Is(err, ErrUsage) {
			t.Errorf("Run(%q) = %v, want ErrUsage", args, err)
		}
	}
}
