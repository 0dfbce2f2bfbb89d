package mechanism

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/purezmq/zmq/zmtp"
)

// The handshake state machines under fuzzing, not only their codecs: a server or client runs
// against an honest peer whose commands the fuzzer edits in flight, or against a peer made of
// the fuzzer's bytes alone. Whatever arrives, a handshake returns (no panic, no hang), and it
// never succeeds where only forgery could make it succeed.

// wire is one direction of an in-memory connection: whole encoded frames, with edit applied to
// each frame on its way (the attacker in the middle).
type wire struct {
	frames chan []byte
	gone   chan struct{} // the writer's handshake has returned
}

func newWire() *wire { return &wire{frames: make(chan []byte, 8), gone: make(chan struct{})} }

var errPeerGone = errors.New("peer gone")

// fuzzTransport is one side's end: it writes to out and reads from in.
type fuzzTransport struct {
	in, out *wire
	edit    func(i int, frame []byte) []byte // the i-th frame this side writes, as it arrives
	sent    int
}

func (t *fuzzTransport) WriteCommand(frame []byte) error {
	f := bytes.Clone(frame)
	if t.edit != nil {
		f = t.edit(t.sent, f)
	}
	t.sent++
	if f == nil {
		return nil // dropped on the way
	}
	select {
	case t.out.frames <- f:
		return nil
	default:
		return errPeerGone // a peer that does not read; the handshake gives up
	}
}

func (t *fuzzTransport) ReadCommand() (zmtp.Command, error) {
	var f []byte
	select {
	case f = <-t.in.frames:
	case <-t.in.gone:
		select {
		case f = <-t.in.frames:
		default:
			return zmtp.Command{}, errPeerGone
		}
	}
	flags, size, n, err := zmtp.ParseFrameHeader(f, handshakeLimit)
	if err != nil {
		return zmtp.Command{}, err
	}
	if flags&zmtp.FlagCommand == 0 || n+size != len(f) {
		return zmtp.Command{}, errors.New("not one whole command frame")
	}
	return zmtp.ParseCommand(f[n:])
}

const handshakeLimit = 64 << 10

// edits turns fuzz data into in-flight edits of the peer's frames: each 4-byte group names a
// frame, an offset in its body and a byte to XOR there; a zero XOR byte cuts the frame short
// at the offset. (Headers are left alone: a flipped MORE bit on a command changes nothing a
// receiver must notice.) It reports through changed whether any frame came out different
// (two edits may cancel out).
func edits(data []byte, changed *bool) func(i int, frame []byte) []byte {
	return func(i int, frame []byte) []byte {
		_, size, n, err := zmtp.ParseFrameHeader(frame, -1)
		if err != nil || size == 0 {
			return frame
		}
		orig := bytes.Clone(frame)
		defer func() { *changed = *changed || !bytes.Equal(frame, orig) }()
		for d := data; len(d) >= 4; d = d[4:] {
			if int(d[0]%4) != i || len(frame) <= n {
				continue
			}
			at := n + (int(d[1])<<8|int(d[2]))%(len(frame)-n)
			if d[3] == 0 {
				frame = frame[:at]
			} else {
				frame[at] ^= d[3]
			}
		}
		return frame
	}
}

type outcome struct {
	res Result
	err error
}

// run runs both sides, the server with serverCfg and the client with clientCfg, and returns
// what each ended with. clientEdit and serverEdit change what each side sends.
func run(serverCfg, clientCfg Config, serverEdit, clientEdit func(int, []byte) []byte) (server, client outcome) {
	c2s, s2c := newWire(), newWire()
	done := make(chan outcome, 1)
	go func() {
		defer close(s2c.gone)
		res, err := Handshake(serverCfg, &fuzzTransport{in: c2s, out: s2c, edit: serverEdit}, zmtp.Metadata{{Name: "Socket-Type", Value: []byte("PULL")}})
		done <- outcome{res, err}
	}()
	func() {
		defer close(c2s.gone)
		res, err := Handshake(clientCfg, &fuzzTransport{in: s2c, out: c2s, edit: clientEdit}, zmtp.Metadata{{Name: "Socket-Type", Value: []byte("PUSH")}})
		client = outcome{res, err}
	}()
	return <-done, client
}

type fuzzKeys struct{ spub, ssec, cpub, csec key }

func newFuzzKeys() fuzzKeys {
	var k fuzzKeys
	k.spub, k.ssec = keyPair()
	k.cpub, k.csec = keyPair()
	return k
}

// curveConfigs returns a server config that records which client key ZAP was asked about, and
// a client config.
func (k fuzzKeys) curveConfigs(asked *[][]byte) (server, client Config) {
	server = Config{Mechanism: Curve, Server: true, PublicKey: k.spub, SecretKey: k.ssec,
		Authorize: func(r ZAPRequest) (ZAPReply, error) {
			*asked = append(*asked, bytes.Clone(r.Credentials[0]))
			return ZAPReply{Status: "200", UserID: "u"}, nil
		}}
	client = Config{Mechanism: Curve, PublicKey: k.cpub, SecretKey: k.csec, ServerKey: k.spub}
	return server, client
}

func editSeeds(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 0, 40, 1})   // HELLO's box
	f.Add([]byte{1, 0, 100, 1})  // INITIATE's cookie
	f.Add([]byte{1, 0, 200, 0})  // INITIATE cut short
	f.Add([]byte{0, 0, 12, 0x1}) // the version
	f.Add([]byte{2, 0, 50, 0x80, 1, 1, 10, 7})
}

// FuzzCurveServerHandshake: the server against an honest client whose commands are edited in
// flight. Any edit must fail the handshake; untouched, it succeeds, and ZAP is asked only about
// the client's own key.
func FuzzCurveServerHandshake(f *testing.F) {
	editSeeds(f)
	k := newFuzzKeys()
	f.Fuzz(func(t *testing.T, data []byte) {
		var asked [][]byte
		scfg, ccfg := k.curveConfigs(&asked)
		changed := false
		server, _ := run(scfg, ccfg, nil, edits(data, &changed))
		switch {
		case changed && server.err == nil:
			t.Fatal("the server took a handshake whose client commands were altered")
		case !changed && server.err != nil:
			t.Fatalf("an untouched handshake failed: %v", server.err)
		}
		for _, a := range asked {
			if !bytes.Equal(a, k.cpub[:]) {
				t.Fatalf("ZAP was asked about key %x, not the client's", a)
			}
		}
	})
}

// FuzzCurveClientHandshake: the client against an honest server whose commands are edited in
// flight; any edit must fail it.
func FuzzCurveClientHandshake(f *testing.F) {
	editSeeds(f)
	k := newFuzzKeys()
	f.Fuzz(func(t *testing.T, data []byte) {
		var asked [][]byte
		scfg, ccfg := k.curveConfigs(&asked)
		changed := false
		_, client := run(scfg, ccfg, edits(data, &changed), nil)
		switch {
		case changed && client.err == nil:
			t.Fatal("the client took a handshake whose server commands were altered")
		case !changed && client.err != nil:
			t.Fatalf("an untouched handshake failed: %v", client.err)
		}
	})
}

// script is a peer made of fuzz data: frames of up to 255 bytes, each prefixed by its length,
// sent one per command the other side writes (and all at once first).
func script(data []byte) [][]byte {
	var frames [][]byte
	for len(data) > 0 {
		n := min(int(data[0]), len(data)-1)
		frames = append(frames, zmtp.AppendFrame(nil, zmtp.FlagCommand, data[1:1+n]))
		data = data[1+n:]
	}
	return frames
}

// runScript runs cfg's side against a scripted peer.
func runScript(cfg Config, data []byte) (Result, error) {
	in, out := newWire(), newWire()
	frames := script(data)
	for i := 0; i < len(frames) && i < cap(in.frames); i++ {
		in.frames <- frames[i]
	}
	close(in.gone)
	return Handshake(cfg, &fuzzTransport{in: in, out: out, edit: func(_ int, f []byte) []byte {
		select {
		case <-out.frames: // nobody reads: keep the way free
		default:
		}
		return f
	}}, zmtp.Metadata{{Name: "Socket-Type", Value: []byte("PAIR")}})
}

func scriptSeeds(f *testing.F, cmds ...[]byte) {
	f.Add([]byte{})
	var all []byte
	for _, c := range cmds {
		_, size, n, _ := zmtp.ParseFrameHeader(c, -1)
		body := c[n : n+size]
		if len(body) > 255 {
			body = body[:255]
		}
		all = append(append(all, byte(len(body))), body...)
		f.Add(bytes.Clone(all))
	}
}

// FuzzCurveServerScript: a CURVE server against bytes alone. Without the keys no bytes can
// make it succeed.
func FuzzCurveServerScript(f *testing.F) {
	k := newFuzzKeys()
	var h zmtp.CurveHello
	h.Major = 1
	rand.Read(h.Box[:])
	scriptSeeds(f, h.Append(nil), zmtp.AppendCommand(nil, "INITIATE", make([]byte, 250)))
	f.Fuzz(func(t *testing.T, data []byte) {
		var asked [][]byte
		scfg, _ := k.curveConfigs(&asked)
		if _, err := runScript(scfg, data); err == nil {
			t.Fatal("a CURVE server took a handshake from bytes alone")
		}
		if len(asked) > 0 {
			t.Fatal("ZAP was asked about a client that proved nothing")
		}
	})
}

// FuzzCurveClientScript: a CURVE client against bytes alone.
func FuzzCurveClientScript(f *testing.F) {
	k := newFuzzKeys()
	scriptSeeds(f, zmtp.CurveWelcome{}.Append(nil), zmtp.AppendCommand(nil, "READY", make([]byte, 40)))
	f.Fuzz(func(t *testing.T, data []byte) {
		var asked [][]byte
		_, ccfg := k.curveConfigs(&asked)
		if _, err := runScript(ccfg, data); err == nil {
			t.Fatal("a CURVE client took a handshake from bytes alone")
		}
	})
}

// FuzzPlainServerScript: a PLAIN server against bytes alone succeeds only with the credentials
// its handler accepts, and never panics on what it parses.
func FuzzPlainServerScript(f *testing.F) {
	scriptSeeds(f, zmtp.AppendPlainHello(nil, []byte("admin"), []byte("secret")),
		zmtp.AppendPlainInitiate(nil, zmtp.Metadata{{Name: "Socket-Type", Value: []byte("PAIR")}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg := Config{Mechanism: Plain, Server: true, Authorize: func(r ZAPRequest) (ZAPReply, error) {
			if string(r.Credentials[0]) == "admin" && string(r.Credentials[1]) == "secret" {
				return ZAPReply{Status: "200", UserID: "admin"}, nil
			}
			return ZAPReply{Status: "400"}, nil
		}}
		res, err := runScript(cfg, data)
		if err == nil && res.UserID != "admin" {
			t.Fatalf("a PLAIN server let in user %q", res.UserID)
		}
	})
}

// firstCommands parses the scripted peer's first frames as commands, "" where one is not.
func firstCommands(data []byte, n int) []string {
	names := make([]string, n)
	for i, f := range script(data) {
		if i == n {
			break
		}
		if cmd, err := zmtp.ParseCommand(f[2:]); err == nil {
			names[i] = cmd.Name
		}
	}
	return names
}

// FuzzNullScript: NULL against bytes alone succeeds only on a READY.
func FuzzNullScript(f *testing.F) {
	scriptSeeds(f, zmtp.AppendReady(nil, zmtp.Metadata{{Name: "Socket-Type", Value: []byte("PAIR")}}),
		zmtp.AppendError(nil, "400"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := runScript(Config{}, data); err == nil && firstCommands(data, 1)[0] != zmtp.CmdReady {
			t.Fatal("NULL took a handshake without a READY")
		}
	})
}

// FuzzPlainClientScript: a PLAIN client against bytes alone succeeds only on WELCOME, READY.
func FuzzPlainClientScript(f *testing.F) {
	scriptSeeds(f, zmtp.AppendPlainWelcome(nil), zmtp.AppendReady(nil, nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := runScript(Config{Mechanism: Plain, Username: []byte("u"), Password: []byte("p")}, data)
		if got := firstCommands(data, 2); err == nil && (got[0] != zmtp.CmdWelcome || got[1] != zmtp.CmdReady) {
			t.Fatalf("a PLAIN client took a handshake of %q", got)
		}
	})
}
