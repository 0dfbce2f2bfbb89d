package engine

import (
	"errors"
	"io"
	"testing"

	"github.com/purezmq/zmq/internal/mechanism"
	"github.com/purezmq/zmq/zmtp"
)

// libzmq 4.3.4's PLAIN server writes its ERROR name from the C string "\x05ERROR", whose hex
// escape swallows the E: the name-length byte is 0x5E and the name "RROR". Its clients read
// that form as the ERROR it means, and so must ours.
func TestPlainClientReadsLibzmqMalformedError(t *testing.T) {
	for _, tc := range []struct {
		name   string
		body   []byte
		status int
	}{
		{"libzmq 4.3.4 form", []byte("\x5eRROR\x03400"), 400},
		{"well-formed", []byte("\x05ERROR\x03400"), 400},
		{"libzmq form, 500", []byte("\x5eRROR\x03500"), 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ca, cb := connPair(t)
			defer ca.Close()
			defer cb.Close()
			server := make(chan error, 1)
			go func() { server <- scriptPlainServer(cb, tc.body) }()
			client := secured("PUSH", mechanism.Config{Mechanism: mechanism.Plain, Username: []byte("admin"), Password: []byte("guess")})
			_, _, err := Handshake(ca, client)
			if serr := <-server; serr != nil {
				t.Fatal(serr)
			}
			var pe *mechanism.PeerError
			if !errors.As(err, &pe) || pe.ZAPStatus() != tc.status {
				t.Fatalf("handshake: %v, want the peer's ERROR with status %d", err, tc.status)
			}
			if !errors.Is(err, ErrAuth) || !errors.Is(err, ErrHandshake) {
				t.Errorf("%v: want it to match ErrAuth and ErrHandshake", err)
			}
			if errors.Is(err, ErrProtocol) {
				t.Errorf("%v: a ZAP refusal is not a protocol error", err)
			}
		})
	}
}

// scriptPlainServer plays a PLAIN server that refuses the client's HELLO with an ERROR command
// whose body is errBody, byte for byte.
func scriptPlainServer(nc io.ReadWriter, errBody []byte) error {
	// Our greeting first: the client, as libzmq, sends all of its own only once it has the
	// start of ours.
	out := zmtp.Greeting{Major: 3, Minor: 0, Mechanism: "PLAIN", AsServer: true}.Append(nil)
	if _, err := nc.Write(out); err != nil {
		return err
	}
	g := make([]byte, zmtp.GreetingSize)
	if _, err := io.ReadFull(nc, g); err != nil {
		return err
	}
	hdr := make([]byte, 2) // HELLO is a short command frame
	if _, err := io.ReadFull(nc, hdr); err != nil {
		return err
	}
	if _, err := io.ReadFull(nc, make([]byte, hdr[1])); err != nil {
		return err
	}
	_, err := nc.Write(append([]byte{zmtp.FlagCommand, byte(len(errBody))}, errBody...))
	return err
}
