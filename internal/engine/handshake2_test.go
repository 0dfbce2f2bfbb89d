package engine

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/purezmq/zmq/internal/mechanism"
	"github.com/purezmq/zmq/zmtp"
)

// greeting2 is a ZMTP 2.0 peer's whole greeting (RFC 15): signature, revision, socket type,
// identity frame.
func greeting2(socketType byte, id []byte) []byte {
	b := []byte{0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f, zmtp.Revision2}
	return zmtp.AppendGreeting2Tail(b, socketType, id)
}

// TestHandshake2 plays a ZMTP 2.0 peer: the handshake downgrades, learns the peer's type and
// identity, and sends what libzmq sends: the signature with our identity's frame size, major
// version 3, then our socket-type byte and identity frame.
func TestHandshake2(t *testing.T) {
	tests := []struct {
		ours, theirs string
		ourNum       byte
		ourID, id    []byte
	}{
		{"REP", "DEALER", 4, nil, []byte("d-1")},
		{"ROUTER", "REQ", 6, []byte("r"), nil},
		{"DEALER", "ROUTER", 5, bytes.Repeat([]byte{'x'}, 255), []byte{0}},
		{"XPUB", "SUB", 9, nil, nil},
		{"SUB", "XPUB", 2, nil, nil},
		{"XSUB", "PUB", 10, nil, nil},
		{"PUSH", "PULL", 8, nil, nil},
		{"PAIR", "PAIR", 0, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.ours+"-"+tt.theirs, func(t *testing.T) {
			c := cfg(tt.ours)
			c.Identity = tt.ourID
			raw, done := rawPeer(t, c)
			num, _ := zmtp.SocketTypeNumber2(tt.theirs)
			if _, err := raw.Write(greeting2(num, tt.id)); err != nil {
				t.Fatal(err)
			}
			r := wait(t, done)
			if r.err != nil {
				t.Fatalf("handshake: %v", r.err)
			}
			if r.peer.SocketType != tt.theirs || !bytes.Equal(r.peer.Identity, tt.id) || r.peer.Minor != 0 || !r.c.v2 {
				t.Fatalf("peer %+v, v2 %v; want %s with identity %q", r.peer, r.c.v2, tt.theirs, tt.id)
			}
			want := append(zmtp.AppendSignature(nil, len(tt.ourID)), 3)
			want = zmtp.AppendGreeting2Tail(want, tt.ourNum, tt.ourID)
			got := make([]byte, len(want))
			if _, err := io.ReadFull(raw, got); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("we sent %x, want %x", got, want)
			}
		})
	}
}

// TestHandshake2Refused: a socket that authenticates refuses the downgrade, as libzmq does
// whenever ZAP would be involved; a socket type ZMTP 2.0 predates cannot downgrade.
func TestHandshake2Refused(t *testing.T) {
	tests := []struct {
		name string
		sec  mechanism.Config
		typ  string
		want error
	}{
		{"plainServer", mechanism.Config{Mechanism: mechanism.Plain, Server: true}, "PULL", ErrDowngrade},
		{"plainClient", mechanism.Config{Mechanism: mechanism.Plain}, "PULL", ErrDowngrade},
		{"curveServer", mechanism.Config{Mechanism: mechanism.Curve, Server: true}, "PULL", ErrDowngrade},
		{"nullZAPDomain", mechanism.Config{Domain: "global"}, "PULL", ErrDowngrade},
		{"client", mechanism.Config{}, "CLIENT", ErrSocketType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cfg(tt.typ)
			c.Security = tt.sec
			raw, done := rawPeer(t, c)
			if _, err := raw.Write(greeting2(8, nil)); err != nil {
				t.Fatal(err)
			}
			r := wait(t, done)
			if !errors.Is(r.err, tt.want) || !errors.Is(r.err, ErrHandshake) {
				t.Fatalf("got %v, want %v", r.err, tt.want)
			}
			if tt.want == ErrDowngrade && !errors.Is(r.err, ErrProtocol) {
				t.Fatalf("%v does not match ErrProtocol", r.err)
			}
		})
	}
}

// TestDecode2 runs the decoder as a ZMTP 2.0 connection does: messages of short and LONG
// frames come through; a frame with the COMMAND bit, reserved in 2.0, ends the connection.
func TestDecode2(t *testing.T) {
	big := bytes.Repeat([]byte{9}, 100<<10)
	data := zmtp.AppendFrame(nil, zmtp.FlagMore, []byte("a"))
	data = zmtp.AppendFrame(data, zmtp.FlagMore, big)
	data = zmtp.AppendFrame(data, 0, []byte("z"))
	data = zmtp.AppendFrame(data, 0, []byte("\x01topic"))
	data = append(data, zmtp.AppendPing(nil, 1, nil)...)
	data = zmtp.AppendFrame(data, 0, []byte("after"))
	sink, err := decodeAll(data, nil, Config{MaxMsgSize: -1}, true)
	if !errors.Is(err, ErrProtocol) || !errors.Is(err, errCommand2) {
		t.Fatalf("decoding ended with %v, want the COMMAND bit refused", err)
	}
	if len(sink.msgs) != 2 || len(sink.msgs[0]) != 3 || !bytes.Equal(sink.msgs[0][1], big) ||
		string(sink.msgs[0][2]) != "z" || string(sink.msgs[1][0]) != "\x01topic" {
		t.Fatalf("delivered %d messages, want [a big z] and [\\x01topic]", len(sink.msgs))
	}
}

// TestDecode2BigBodyGrows: on a ZMTP 2.0 connection too, a body declared huge costs memory as
// its bytes arrive, not as declared (body.go).
func TestDecode2BigBodyGrows(t *testing.T) {
	const sent = 100 << 10
	data := append(zmtp.AppendFrameHeader(nil, 0, 1<<30), make([]byte, sent)...)
	c := newConn(&chunkConn{data: data}, Config{MaxMsgSize: -1})
	c.v2 = true
	c.dec.sink = &collectSink{}
	var err error
	for err == nil {
		if err = c.decode(false); err == nil {
			err = c.readMore()
		}
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("decoding ended with %v", err)
	}
	if len(c.dec.big) != sent || cap(c.dec.big) > 4*sent {
		t.Fatalf("holding %d bytes in %d of room for %d sent of a 1 GiB body", len(c.dec.big), cap(c.dec.big), sent)
	}
}
