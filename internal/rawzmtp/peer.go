// Package rawzmtp is a ZMTP peer that writes the wire byte by byte, for the attack suite and the
// live-socket fuzzers: it sends what no honest peer would (forged cookies, replayed nonces,
// spoofed metadata, mutated frames) and reads what comes back. Tests only; nothing in the
// library imports it.
package rawzmtp

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/purezmq/zmq/zmtp"
)

// Peer is one raw connection.
type Peer struct {
	C net.Conn
	r *bufio.Reader
}

// Timeout bounds every read and write, so a test that waits for an answer that never comes
// fails instead of hanging.
const Timeout = 10 * time.Second

// Dial connects to a tcp or ipc endpoint ("tcp://127.0.0.1:5555", "ipc:///tmp/x").
func Dial(endpoint string) (*Peer, error) {
	network, addr, err := split(endpoint)
	if err != nil {
		return nil, err
	}
	c, err := net.DialTimeout(network, addr, Timeout)
	if err != nil {
		return nil, err
	}
	return New(c), nil
}

// New wraps an established connection.
func New(c net.Conn) *Peer { return &Peer{C: c, r: bufio.NewReader(c)} }

func split(endpoint string) (network, addr string, err error) {
	for _, scheme := range []string{"tcp", "ipc"} {
		if p := scheme + "://"; len(endpoint) > len(p) && endpoint[:len(p)] == p {
			if scheme == "ipc" {
				return "unix", endpoint[len(p):], nil
			}
			return "tcp", endpoint[len(p):], nil
		}
	}
	return "", "", fmt.Errorf("rawzmtp: cannot dial %q", endpoint)
}

// Close closes the connection.
func (p *Peer) Close() error { return p.C.Close() }

// Write writes b as it is.
func (p *Peer) Write(b []byte) error {
	_ = p.C.SetWriteDeadline(time.Now().Add(Timeout))
	_, err := p.C.Write(b)
	return err
}

// Greet sends a ZMTP 3.1 greeting for mechanism and reads the peer's.
func (p *Peer) Greet(mechanism string, asServer bool) (zmtp.Greeting, error) {
	if err := p.Write(zmtp.Greeting{Major: 3, Minor: 1, Mechanism: mechanism, AsServer: asServer}.Append(nil)); err != nil {
		return zmtp.Greeting{}, err
	}
	return p.ReadGreeting()
}

// ReadGreeting reads the peer's 64-byte greeting, for a test that wrote its own (mutated) one.
func (p *Peer) ReadGreeting() (zmtp.Greeting, error) {
	b := make([]byte, zmtp.GreetingSize)
	if err := p.readFull(b); err != nil {
		return zmtp.Greeting{}, err
	}
	return zmtp.ParseGreeting(b)
}

// WriteCommand writes one command frame.
func (p *Peer) WriteCommand(name string, data []byte) error {
	return p.Write(zmtp.AppendCommand(nil, name, data))
}

// WriteFrame writes one frame.
func (p *Peer) WriteFrame(flags byte, body []byte) error {
	return p.Write(zmtp.AppendFrame(nil, flags, body))
}

// ReadFrame reads the next frame, refusing bodies over 16 MiB.
func (p *Peer) ReadFrame() (flags byte, body []byte, err error) {
	_ = p.C.SetReadDeadline(time.Now().Add(Timeout))
	head := make([]byte, 9)
	if err := p.readFull(head[:2]); err != nil {
		return 0, nil, err
	}
	n := 2
	if head[0]&zmtp.FlagLong != 0 {
		if err := p.readFull(head[2:9]); err != nil {
			return 0, nil, err
		}
		n = 9
	}
	flags, size, _, err := zmtp.ParseFrameHeader(head[:n], 16<<20)
	if err != nil {
		return 0, nil, err
	}
	body = make([]byte, size)
	if err := p.readFull(body); err != nil {
		return 0, nil, err
	}
	return flags, body, nil
}

// ReadCommand reads the next frame and parses it as a command.
func (p *Peer) ReadCommand() (zmtp.Command, error) {
	flags, body, err := p.ReadFrame()
	if err != nil {
		return zmtp.Command{}, err
	}
	if flags&zmtp.FlagCommand == 0 {
		return zmtp.Command{}, errors.New("rawzmtp: expected a command, got a message frame")
	}
	return zmtp.ParseCommand(body)
}

// Expect reads the next command and checks its name.
func (p *Peer) Expect(name string) (zmtp.Command, error) {
	cmd, err := p.ReadCommand()
	if err != nil {
		return cmd, err
	}
	if cmd.Name != name {
		return cmd, fmt.Errorf("rawzmtp: got %s (%q), want %s", cmd.Name, cmd.Data, name)
	}
	return cmd, nil
}

// Closed waits for the peer to close the connection without sending anything more, and
// reports whether it did; a command or frame that arrives instead is returned as an error.
func (p *Peer) Closed() error {
	_ = p.C.SetReadDeadline(time.Now().Add(Timeout))
	b := make([]byte, 1)
	n, err := p.r.Read(b)
	if n > 0 {
		return fmt.Errorf("rawzmtp: the peer sent more (%#x...) instead of closing", b[0])
	}
	if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || isReset(err) {
		return nil
	}
	return err
}

func (p *Peer) readFull(b []byte) error {
	_ = p.C.SetReadDeadline(time.Now().Add(Timeout))
	_, err := io.ReadFull(p.r, b)
	return err
}

// Drain reads and discards whatever the peer sends until it closes the connection or a read
// fails (a deadline set on C included), and returns the error that ended it (io.EOF for a
// clean close).
func (p *Peer) Drain() error {
	_, err := io.Copy(io.Discard, p.r)
	if err == nil {
		err = io.EOF
	}
	return err
}
