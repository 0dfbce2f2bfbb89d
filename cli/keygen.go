package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/purezmq/zmq/curve"
)

// runKeygen makes a CURVE key pair: printed as Z85 (as libzmq's curve_keygen), or saved as a
// czmq certificate pair with -o (PATH for the public key, PATH_secret for both).
func runKeygen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "save a czmq-style certificate: PATH (public) and PATH_secret (secret, mode 0600)")
	var meta metaFlags
	fs.Var(&meta, "meta", "certificate metadata name=value (repeatable), with -o")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: keygen takes no arguments, got %q", ErrUsage, fs.Args())
	}
	if len(meta) > 0 && *out == "" {
		return fmt.Errorf("%w: -meta needs -o", ErrUsage)
	}
	cert, err := curve.NewCertificate(nil)
	if err != nil {
		return err
	}
	if *out == "" {
		_, err = fmt.Fprintf(stdout, "public-key = %s\nsecret-key = %s\n", cert.Public.Z85(), cert.Secret.Z85())
		return err
	}
	for _, kv := range meta {
		name, value, _ := strings.Cut(kv, "=")
		cert.Metadata[name] = value
	}
	if err := cert.Save(*out); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "public-key = %s\nwrote %s and %s%s\n", cert.Public.Z85(), *out, *out, curve.SecretSuffix)
	return err
}

// metaFlags collects repeated -meta name=value flags.
type metaFlags []string

func (m *metaFlags) String() string { return strings.Join(*m, ",") }

func (m *metaFlags) Set(v string) error {
	if name, _, ok := strings.Cut(v, "="); !ok || name == "" {
		return fmt.Errorf("want name=value, got %q", v)
	}
	*m = append(*m, v)
	return nil
}
