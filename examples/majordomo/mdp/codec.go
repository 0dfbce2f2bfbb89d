package mdp

import (
	"errors"
	"fmt"
)

// The protocol headers, frame 0 of every command: MDP/Client and MDP/Worker version 0.2.
const (
	ClientHeader = "MDPC02"
	WorkerHeader = "MDPW02"
)

// Command is frame 1 of a command, one byte.
type Command byte

// MDP/Client commands.
const (
	Request Command = 1 // client → broker
	Partial Command = 2 // broker → client: one of several replies
	Final   Command = 3 // broker → client: the last reply
)

// MDP/Worker commands.
const (
	Ready         Command = 1 // worker → broker: the service it offers
	WorkerRequest Command = 2 // broker → worker
	WorkerPartial Command = 3 // worker → broker
	WorkerFinal   Command = 4 // worker → broker
	Heartbeat     Command = 5 // both ways
	Disconnect    Command = 6 // both ways
)

// MaxServiceName bounds a service name; the spec only says "printable string", and a bound
// keeps a hostile peer from filling the broker with huge names.
const MaxServiceName = 255

// ErrMalformed is a message that is not a valid MDP/0.2 command. Peers drop such messages.
var ErrMalformed = errors.New("mdp: malformed command")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// ClientMsg is an MDP/Client command: REQUEST, PARTIAL or FINAL, each naming a service and
// carrying a body of one frame or more.
type ClientMsg struct {
	Command Command
	Service string
	Body    [][]byte
}

// Frames encodes m for a DEALER (a ROUTER sending it puts the client's routing id first).
func (m ClientMsg) Frames() [][]byte {
	return append([][]byte{[]byte(ClientHeader), {byte(m.Command)}, []byte(m.Service)}, m.Body...)
}

// ParseClient decodes an MDP/Client command (without a ROUTER's routing id). The frames are
// not copied.
func ParseClient(frames [][]byte) (ClientMsg, error) {
	if len(frames) < 4 {
		return ClientMsg{}, malformed("client command of %d frames, want 4 or more", len(frames))
	}
	if string(frames[0]) != ClientHeader {
		return ClientMsg{}, malformed("header %q, want %q", frames[0], ClientHeader)
	}
	cmd, err := command(frames[1], Request, Final)
	if err != nil {
		return ClientMsg{}, err
	}
	if err := checkService(frames[2]); err != nil {
		return ClientMsg{}, err
	}
	return ClientMsg{Command: cmd, Service: string(frames[2]), Body: frames[3:]}, nil
}

// WorkerMsg is an MDP/Worker command. Service is set for READY only; Client (the routing id
// of the client a request came from) and Body for REQUEST, PARTIAL and FINAL only.
type WorkerMsg struct {
	Command Command
	Service string
	Client  []byte
	Body    [][]byte
}

// Frames encodes m for a DEALER (a ROUTER sending it puts the worker's routing id first).
func (m WorkerMsg) Frames() [][]byte {
	f := [][]byte{[]byte(WorkerHeader), {byte(m.Command)}}
	switch m.Command {
	case Ready:
		f = append(f, []byte(m.Service))
	case WorkerRequest, WorkerPartial, WorkerFinal:
		f = append(append(f, m.Client, nil), m.Body...)
	}
	return f
}

// ParseWorker decodes an MDP/Worker command (without a ROUTER's routing id). The frames are
// not copied.
func ParseWorker(frames [][]byte) (WorkerMsg, error) {
	if len(frames) < 2 {
		return WorkerMsg{}, malformed("worker command of %d frames, want 2 or more", len(frames))
	}
	if string(frames[0]) != WorkerHeader {
		return WorkerMsg{}, malformed("header %q, want %q", frames[0], WorkerHeader)
	}
	cmd, err := command(frames[1], Ready, Disconnect)
	if err != nil {
		return WorkerMsg{}, err
	}
	m := WorkerMsg{Command: cmd}
	switch cmd {
	case Ready:
		if len(frames) != 3 {
			return WorkerMsg{}, malformed("READY of %d frames, want 3", len(frames))
		}
		if err := checkService(frames[2]); err != nil {
			return WorkerMsg{}, err
		}
		m.Service = string(frames[2])
	case WorkerRequest, WorkerPartial, WorkerFinal:
		// Precisely one client address, then the empty delimiter, then a body.
		if len(frames) < 5 {
			return WorkerMsg{}, malformed("command %d of %d frames, want 5 or more", cmd, len(frames))
		}
		if len(frames[2]) == 0 || len(frames[2]) > 255 {
			return WorkerMsg{}, malformed("client address of %d bytes, want 1 to 255", len(frames[2]))
		}
		if len(frames[3]) != 0 {
			return WorkerMsg{}, malformed("no empty delimiter after the client address")
		}
		m.Client, m.Body = frames[2], frames[4:]
	default: // HEARTBEAT, DISCONNECT
		if len(frames) != 2 {
			return WorkerMsg{}, malformed("command %d of %d frames, want 2", cmd, len(frames))
		}
	}
	return m, nil
}

// command reads a one-byte command in [lo, hi].
func command(f []byte, lo, hi Command) (Command, error) {
	if len(f) != 1 || Command(f[0]) < lo || Command(f[0]) > hi {
		return 0, malformed("command frame %q", f)
	}
	return Command(f[0]), nil
}

// checkService accepts a printable ASCII service name of 1 to MaxServiceName bytes.
func checkService(f []byte) error {
	if len(f) == 0 || len(f) > MaxServiceName {
		return malformed("service name of %d bytes, want 1 to %d", len(f), MaxServiceName)
	}
	for _, c := range f {
		if c < 0x20 || c > 0x7e {
			return malformed("service name %q is not printable", f)
		}
	}
	return nil
}

// CheckService reports whether name can be a service name: printable ASCII, 1 to
// MaxServiceName bytes.
func CheckService(name string) error { return checkService([]byte(name)) }
