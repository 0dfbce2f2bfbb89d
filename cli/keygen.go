package cli

import (
	"fmt"
	"strings"

	"github.com/purezmq/zmq/curve"
	"github.com/spf13/cobra"
)

// newKeygenCmd makes a CURVE key pair: printed as Z85 (as libzmq's curve_keygen), or saved as a
// czmq certificate pair with -o (PATH for the public key, PATH_secret for both).
func newKeygenCmd() *cobra.Command {
	var out string
	var meta []string
	cmd := &cobra.Command{
		Use:   "keygen [-o PATH [--meta NAME=VALUE]...]",
		Short: "make a CURVE key pair (Z85), or save it as a czmq certificate",
		Long: "keygen prints a fresh CURVE key pair in Z85, as libzmq's curve_keygen does, or with -o " +
			"saves it as a czmq certificate pair: PATH holds the public key, PATH_secret (mode 0600) " +
			"both. The files are what --curve-cert, --curve-serverkey and --curve-allow read.",
		Example: "  zmq keygen\n  zmq keygen -o server.cert --meta name=server",
		Args:    positional(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(meta) > 0 && out == "" {
				return usagef("keygen: --meta needs -o")
			}
			cert, err := curve.NewCertificate(nil)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if out == "" {
				_, err = fmt.Fprintf(w, "public-key = %s\nsecret-key = %s\n", cert.Public.Z85(), cert.Secret.Z85())
				return err
			}
			for _, kv := range meta {
				name, value, ok := strings.Cut(kv, "=")
				if !ok || name == "" {
					return usagef("keygen: --meta wants NAME=VALUE, got %q", kv)
				}
				cert.Metadata[name] = value
			}
			if err := cert.Save(out); err != nil {
				return err
			}
			_, err = fmt.Fprintf(w, "public-key = %s\nwrote %s and %s%s\n", cert.Public.Z85(), out, out, curve.SecretSuffix)
			return err
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "save a czmq certificate: PATH (public) and PATH_secret (secret, mode 0600)")
	cmd.Flags().StringArrayVar(&meta, "meta", nil, "certificate metadata NAME=VALUE (repeatable), with -o")
	return cmd
}
