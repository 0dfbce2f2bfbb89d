package zmtp

import (
	"bytes"
	"errors"
	"testing"
)

// TestAppendSignature: the padding is an 8-byte big-endian identity frame size, flags byte
// included (RFC 15), which 3.x peers ignore (CheckSignature).
func TestAppendSignature(t *testing.T) {
	for _, tt := range []struct {
		idLen int
		want  []byte
	}{
		{0, []byte{0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f}},
		{5, []byte{0xff, 0, 0, 0, 0, 0, 0, 0, 6, 0x7f}},
		{255, []byte{0xff, 0, 0, 0, 0, 0, 0, 1, 0, 0x7f}},
	} {
		got := AppendSignature([]byte("x"), tt.idLen)
		if !bytes.Equal(got, append([]byte("x"), tt.want...)) {
			t.Errorf("idLen %d: %x, want %x", tt.idLen, got[1:], tt.want)
		}
		if major, err := CheckSignature(append(got[1:], 3)); err != nil || major != 3 {
			t.Errorf("idLen %d: CheckSignature: %d, %v", tt.idLen, major, err)
		}
	}
}

// TestAppendTail: the signature, the major version and the tail are the whole greeting.
func TestAppendTail(t *testing.T) {
	for _, g := range []Greeting{
		{Major: 3, Minor: 1, Mechanism: MechanismNull},
		{Major: 3, Minor: 0, Mechanism: MechanismCurve, AsServer: true},
	} {
		whole := g.Append(nil)
		tail := g.AppendTail([]byte("x"))
		if string(tail[0]) != "x" || !bytes.Equal(tail[1:], whole[SignatureSize:]) {
			t.Errorf("%+v: tail %x, want %x", g, tail[1:], whole[SignatureSize:])
		}
	}
}

// TestSocketType2: RFC 15's numbering for 0 to 8 and libzmq's (zmq.h) for XPUB and XSUB, in
// both directions; nothing past 10, and no number for the types ZMTP 2.0 predates.
func TestSocketType2(t *testing.T) {
	libzmq := map[string]byte{ // zmq.h
		"PAIR": 0, "PUB": 1, "SUB": 2, "REQ": 3, "REP": 4, "DEALER": 5, "ROUTER": 6,
		"PULL": 7, "PUSH": 8, "XPUB": 9, "XSUB": 10,
	}
	for name, n := range libzmq {
		if got, ok := SocketType2(n); !ok || got != name {
			t.Errorf("SocketType2(%d) = %q, %v; want %s", n, got, ok, name)
		}
		if got, ok := SocketTypeNumber2(name); !ok || got != n {
			t.Errorf("SocketTypeNumber2(%s) = %d, %v; want %d", name, got, ok, n)
		}
	}
	for _, n := range []byte{11, 12, 255} {
		if name, ok := SocketType2(n); ok {
			t.Errorf("SocketType2(%d) = %q", n, name)
		}
	}
	for _, name := range []string{"STREAM", "CLIENT", "SERVER", "RADIO", "DISH", "PEER", "pub", ""} {
		if n, ok := SocketTypeNumber2(name); ok {
			t.Errorf("SocketTypeNumber2(%q) = %d", name, n)
		}
	}
}

func TestParseIdentity2(t *testing.T) {
	long := func(n int) []byte {
		b := []byte{FlagLong, 0, 0, 0, 0, 0, 0, byte(n >> 8), byte(n)}
		return append(b, bytes.Repeat([]byte{'i'}, n)...)
	}
	tests := []struct {
		name   string
		in     []byte
		id     string
		n      int
		wantEr error
	}{
		{"empty", []byte{0, 0}, "", 2, nil},
		{"short", []byte{0, 2, 'a', 'b', 'm'}, "ab", 4, nil},
		{"long", long(3), "iii", 12, nil},
		{"long255", long(255), string(bytes.Repeat([]byte{'i'}, 255)), 264, nil},
		{"nothing", nil, "", 0, ErrNeedMore},
		{"header", []byte{0}, "", 0, ErrNeedMore},
		{"body", []byte{0, 3, 'a'}, "", 0, ErrNeedMore},
		{"more", []byte{FlagMore, 0}, "", 0, ErrMalformed},
		{"command", []byte{FlagCommand, 0}, "", 0, ErrMalformed},
		{"reserved", []byte{0x80, 0}, "", 0, ErrMalformed},
		{"long256", long(256), "", 0, ErrMsgTooLarge},
		{"huge", []byte{FlagLong, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, "", 0, ErrMsgTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, n, err := ParseIdentity2(tt.in)
			if tt.wantEr != nil {
				if !errors.Is(err, tt.wantEr) {
					t.Fatalf("err %v, want %v", err, tt.wantEr)
				}
				return
			}
			if err != nil || string(id) != tt.id || n != tt.n {
				t.Fatalf("got %q, %d, %v; want %q, %d", id, n, err, tt.id, tt.n)
			}
		})
	}
}

// FuzzParseIdentity2: any input parses or fails cleanly, and what parses re-encodes to what
// was taken (in the short form, which a LONG header of the same size is equivalent to).
func FuzzParseIdentity2(f *testing.F) {
	f.Add(AppendGreeting2Tail(nil, 5, []byte("id"))[1:])
	f.Add([]byte{FlagLong, 0, 0, 0, 0, 0, 0, 0, 1, 'x'})
	f.Add([]byte{FlagMore, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		id, n, err := ParseIdentity2(b)
		if err != nil {
			return
		}
		if n > len(b) || len(id) > 255 {
			t.Fatalf("took %d of %d bytes, identity of %d", n, len(b), len(id))
		}
		again, m, err := ParseIdentity2(AppendFrame(nil, 0, id))
		if err != nil || !bytes.Equal(again, id) || m != 2+len(id) {
			t.Fatalf("round trip: %q, %d, %v; want %q", again, m, err, id)
		}
	})
}
