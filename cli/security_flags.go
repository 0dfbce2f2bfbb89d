package cli

import (
	"fmt"
	"os"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/auth"
	"github.com/purezmq/zmq/curve"
	"github.com/spf13/pflag"
)

// securityFlags choose a socket's mechanism: NULL (none given), PLAIN or CURVE, client or server.
type securityFlags struct {
	plainServer   bool
	plainUser     string
	plainPassword string

	curveServer    bool
	curveCert      string // own certificate file (czmq format, with its secret)
	curveSecret    string // own secret key, Z85
	curveServerKey string // the server's public key: Z85 or a certificate file
	curveAllow     []string
	zapDomain      string
}

func (f *securityFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&f.plainServer, "plain-server", false, "be a PLAIN server accepting the --plain-user and --plain-password given")
	fs.StringVar(&f.plainUser, "plain-user", "", "PLAIN username (client), or the one accepted (--plain-server)")
	fs.StringVar(&f.plainPassword, "plain-password", "", "PLAIN password (client), or the one accepted (--plain-server)")
	fs.BoolVar(&f.curveServer, "curve-server", false, "be a CURVE server, with the keys of --curve-cert or --curve-secret")
	fs.StringVar(&f.curveCert, "curve-cert", "", "own CURVE keys: a certificate FILE from zmq keygen -o (FILE_secret is read)")
	fs.StringVar(&f.curveSecret, "curve-secret", "", "own CURVE secret KEY in Z85 (the public key is derived)")
	fs.StringVar(&f.curveServerKey, "curve-serverkey", "", "be a CURVE client of the server with this public KEY (Z85 or certificate file)")
	fs.StringArrayVar(&f.curveAllow, "curve-allow", nil, "with --curve-server, accept only clients with this KEY (Z85, certificate file or directory; repeatable); default anyone")
	fs.StringVar(&f.zapDomain, "zap-domain", "", "ZAP domain of a server socket")
}

// apply sets the mechanism's options on s and, where a server must judge its clients, starts
// the session's authenticator with the policy the flags give.
func (f *securityFlags) apply(se *session, s *zmq.Socket) error {
	plain := f.plainServer || f.plainUser != "" || f.plainPassword != ""
	curveOn := f.curveServer || f.curveServerKey != "" || f.curveCert != "" || f.curveSecret != "" || len(f.curveAllow) > 0
	if plain && curveOn {
		return usagef("PLAIN and CURVE flags are exclusive")
	}
	var opts []zmq.Option
	if f.zapDomain != "" {
		opts = append(opts, zmq.WithZAPDomain(f.zapDomain))
	}
	switch {
	case plain && f.plainServer:
		// As in libzmq, a PLAIN server needs a ZAP handler to judge passwords.
		if f.plainUser == "" {
			return usagef("--plain-server needs the --plain-user and --plain-password it accepts")
		}
		a, err := se.authenticator()
		if err != nil {
			return err
		}
		a.SetPassword(f.plainUser, f.plainPassword)
		opts = append(opts, zmq.WithPlainServer(true))
	case plain:
		opts = append(opts, zmq.WithPlainUsername(f.plainUser), zmq.WithPlainPassword(f.plainPassword))
	case curveOn:
		o, err := f.curveOptions(se)
		if err != nil {
			return err
		}
		opts = append(opts, o...)
	}
	if err := s.SetOptions(opts...); err != nil {
		return usagef("security: %v", err)
	}
	return nil
}

func (f *securityFlags) curveOptions(se *session) ([]zmq.Option, error) {
	if f.curveServer == (f.curveServerKey != "") {
		return nil, usagef("CURVE needs exactly one of --curve-server and --curve-serverkey")
	}
	if len(f.curveAllow) > 0 && !f.curveServer {
		return nil, usagef("--curve-allow needs --curve-server")
	}
	if f.curveCert != "" && f.curveSecret != "" {
		return nil, usagef("give --curve-cert or --curve-secret, not both")
	}
	pub, sec, err := f.ownKeys()
	if err != nil {
		return nil, err
	}
	opts := []zmq.Option{zmq.WithCurvePublicKey(pub), zmq.WithCurveSecretKey(sec)}
	if !f.curveServer {
		server, err := publicKey(f.curveServerKey)
		if err != nil {
			return nil, usagef("--curve-serverkey: %v", err)
		}
		return append(opts, zmq.WithCurveServerKey(server)), nil
	}
	if len(f.curveAllow) > 0 {
		a, err := se.authenticator()
		if err != nil {
			return nil, err
		}
		for _, v := range f.curveAllow {
			if err := allowCurve(a, v); err != nil {
				return nil, usagef("--curve-allow: %v", err)
			}
		}
	}
	return append(opts, zmq.WithCurveServer(true)), nil
}

// ownKeys are the socket's key pair: from a certificate, from a secret key, or, for a client
// given neither, a fresh pair (a server must have a known key for its clients to trust).
func (f *securityFlags) ownKeys() (curve.PublicKey, curve.SecretKey, error) {
	switch {
	case f.curveCert != "":
		c, err := curve.LoadCertificate(f.curveCert)
		if err != nil {
			return curve.PublicKey{}, curve.SecretKey{}, usagef("--curve-cert: %v", err)
		}
		if c.Secret == nil {
			return curve.PublicKey{}, curve.SecretKey{}, usagef("--curve-cert %s: no secret key (%s%s is missing)", f.curveCert, f.curveCert, curve.SecretSuffix)
		}
		return c.Public, *c.Secret, nil
	case f.curveSecret != "":
		sk, err := curve.ParseSecretKey(f.curveSecret)
		if err != nil {
			return curve.PublicKey{}, curve.SecretKey{}, usagef("--curve-secret: %v", err)
		}
		return sk.Public(), sk, nil
	case f.curveServer:
		return curve.PublicKey{}, curve.SecretKey{}, usagef("--curve-server needs --curve-cert or --curve-secret")
	}
	return curve.GenerateKeyPair(nil)
}

// publicKey reads a public key given as Z85 text or as a certificate file.
func publicKey(v string) (curve.PublicKey, error) {
	if k, err := curve.ParsePublicKey(v); err == nil {
		return k, nil
	}
	c, err := curve.LoadCertificate(v)
	if err != nil {
		return curve.PublicKey{}, fmt.Errorf("%q is neither a Z85 key nor a readable certificate: %w", v, err)
	}
	return c.Public, nil
}

// allowCurve adds a client key to a: Z85 text, a certificate file, or a directory of them.
func allowCurve(a *auth.Authenticator, v string) error {
	if st, err := os.Stat(v); err == nil && st.IsDir() {
		return a.AllowCurveDirectory(v)
	}
	k, err := publicKey(v)
	if err != nil {
		return err
	}
	a.AllowCurveKeys(k)
	return nil
}
