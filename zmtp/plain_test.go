package zmtp

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestPlainHello(t *testing.T) {
	got := AppendPlainHello([]byte("pre"), []byte("admin"), []byte("secret"))
	want := []byte("pre\x04\x13\x05HELLO\x05admin\x06secret")
	if !bytes.Equal(got, want) {
		t.Fatalf("AppendPlainHello = %q, want %q", got, want)
	}

	u255 := bytes.Repeat([]byte{'u'}, 255)
	p256 := bytes.Repeat([]byte{'p'}, 256)
	tests := []struct {
		name         string
		user, pass   []byte
		wantU, wantP []byte
	}{
		{"ok", []byte("admin"), []byte("secret"), []byte("admin"), []byte("secret")},
		{"empty", nil, nil, nil, nil},
		{"emptyUser", nil, []byte("pw"), nil, []byte("pw")},
		{"binary", []byte{0, 0xff}, []byte{'\n'}, []byte{0, 0xff}, []byte{'\n'}},
		{"max", u255, u255, u255, u255}, // 517-byte body: long frame header
		{"truncated", p256, p256, p256[:255], p256[:255]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cmd(t, body(t, AppendPlainHello(nil, tt.user, tt.pass)))
			u, p, err := ParsePlainHello(c)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(u, tt.wantU) || !bytes.Equal(p, tt.wantP) {
				t.Errorf("got %q %q, want %q %q", u, p, tt.wantU, tt.wantP)
			}
			if cap(u) != len(u) || cap(p) != len(p) {
				t.Errorf("capacities %d %d exceed lengths %d %d", cap(u), cap(p), len(u), len(p))
			}
		})
	}
}

func TestPlainHelloErrors(t *testing.T) {
	tests := []struct {
		name string
		c    Command
	}{
		{"wrongName", Command{CmdWelcome, []byte("\x00\x00")}},
		{"lowerName", Command{"hello", []byte("\x00\x00")}},
		{"noData", Command{CmdHello, nil}},
		{"userPastEnd", Command{CmdHello, []byte("\x05adm")}},
		{"noPasswordSize", Command{CmdHello, []byte("\x05admin")}},
		{"passwordShort", Command{CmdHello, []byte("\x05admin\x06secre")}},
		{"trailing", Command{CmdHello, []byte("\x05admin\x06secret!")}},
		{"userSize255Short", Command{CmdHello, append([]byte{255}, bytes.Repeat([]byte{'u'}, 254)...)}},
	}
	for _, tt := range tests {
		u, p, err := ParsePlainHello(tt.c)
		if !errors.Is(err, ErrMalformed) || u != nil || p != nil {
			t.Errorf("%s: got %q %q %v, want ErrMalformed", tt.name, u, p, err)
		}
	}
}

func TestPlainWelcome(t *testing.T) {
	if got, want := AppendPlainWelcome(nil), []byte("\x04\x08\x07WELCOME"); !bytes.Equal(got, want) {
		t.Fatalf("AppendPlainWelcome = %q, want %q", got, want)
	}
	if err := ParsePlainWelcome(cmd(t, body(t, AppendPlainWelcome(nil)))); err != nil {
		t.Errorf("ParsePlainWelcome: %v", err)
	}
	for _, c := range []Command{
		{CmdWelcome, []byte{0}},
		{CmdReady, nil},
		{"Welcome", nil},
	} {
		if err := ParsePlainWelcome(c); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParsePlainWelcome(%q %q) = %v, want ErrMalformed", c.Name, c.Data, err)
		}
	}
}

func TestPlainInitiate(t *testing.T) {
	md := Metadata{{PropSocketType, []byte("DEALER")}, {PropIdentity, []byte{}}}
	got := AppendPlainInitiate(nil, md)
	want := append([]byte("\x04\x2c\x08INITIATE"), rfc23DealerMetadata...)
	if !bytes.Equal(got, want) {
		t.Fatalf("AppendPlainInitiate = %q, want %q", got, want)
	}
	for _, tt := range []struct {
		name string
		md   Metadata
	}{
		{"rfc23", md},
		{"empty", nil},
		{"long", Metadata{{PropRoutingID, bytes.Repeat([]byte{'r'}, 255)}, {"X-" + strings.Repeat("n", 200), []byte{0}}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePlainInitiate(cmd(t, body(t, AppendPlainInitiate(nil, tt.md))))
			if err != nil || !equalMetadata(got, tt.md) {
				t.Errorf("ParsePlainInitiate = %q, %v; want %q", got, err, tt.md)
			}
		})
	}
	for _, c := range []Command{
		{CmdReady, rfc23DealerMetadata},
		{CmdInitiate, []byte("\x00")},
		{CmdInitiate, rfc23DealerMetadata[:len(rfc23DealerMetadata)-1]},
	} {
		if _, err := ParsePlainInitiate(c); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParsePlainInitiate(%q %q) = %v, want ErrMalformed", c.Name, c.Data, err)
		}
	}
}

// TestPlainReady pins that PLAIN's READY is the NULL handshake's READY.
func TestPlainReady(t *testing.T) {
	md := Metadata{{PropSocketType, []byte("ROUTER")}}
	got, err := ParseReady(cmd(t, body(t, AppendReady(nil, md))))
	if err != nil || !equalMetadata(got, md) {
		t.Errorf("ParseReady = %q, %v", got, err)
	}
}

// plainSeeds are encoder outputs (command bodies) for FuzzPlainCommands.
func plainSeeds() [][]byte {
	return [][]byte{
		AppendPlainHello(nil, []byte("admin"), []byte("secret")),
		AppendPlainHello(nil, nil, nil),
		AppendPlainWelcome(nil),
		AppendPlainInitiate(nil, Metadata{{PropSocketType, []byte("DEALER")}, {PropIdentity, nil}}),
		AppendReady(nil, Metadata{{PropSocketType, []byte("ROUTER")}}),
		AppendError(nil, "Invalid username or password"),
	}
}

// mechCommand parses a frame produced by an Append function.
func mechCommand(t *testing.T, frame []byte) Command {
	t.Helper()
	_, _, n, err := ParseFrameHeader(frame, -1)
	if err != nil {
		t.Fatalf("re-encoded header: %v", err)
	}
	c, err := ParseCommand(frame[n:])
	if err != nil {
		t.Fatalf("re-encoded body: %v", err)
	}
	return c
}

// mechBody returns the body of a frame, to compare with fuzz input.
func mechBody(t *testing.T, frame []byte) []byte {
	t.Helper()
	_, _, n, err := ParseFrameHeader(frame, -1)
	if err != nil {
		t.Fatalf("re-encoded header: %v", err)
	}
	return frame[n:]
}

func FuzzPlainCommands(f *testing.F) {
	for _, frame := range plainSeeds() {
		_, _, n, _ := ParseFrameHeader(frame, -1)
		f.Add(frame[n:])
	}
	f.Add([]byte("\x05HELLO\x05admin\x06secre"))
	f.Add([]byte("\x07WELCOME\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCommand(data)
		if err != nil {
			return
		}
		var frame []byte
		switch c.Name {
		case CmdHello:
			u, p, err := ParsePlainHello(c)
			if err != nil {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("error %v is not ErrMalformed", err)
				}
				return
			}
			frame = AppendPlainHello(nil, u, p)
			u2, p2, err := ParsePlainHello(mechCommand(t, frame))
			if err != nil || !bytes.Equal(u, u2) || !bytes.Equal(p, p2) {
				t.Fatalf("HELLO round trip: %q %q %v; want %q %q", u2, p2, err, u, p)
			}
		case CmdWelcome:
			if err := ParsePlainWelcome(c); err != nil {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("error %v is not ErrMalformed", err)
				}
				return
			}
			frame = AppendPlainWelcome(nil)
			if err := ParsePlainWelcome(mechCommand(t, frame)); err != nil {
				t.Fatalf("WELCOME round trip: %v", err)
			}
		case CmdInitiate:
			md, err := ParsePlainInitiate(c)
			if err != nil {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("error %v is not ErrMalformed", err)
				}
				return
			}
			frame = AppendPlainInitiate(nil, md)
			md2, err := ParsePlainInitiate(mechCommand(t, frame))
			if err != nil || !equalMetadata(md, md2) {
				t.Fatalf("INITIATE round trip: %q %v; want %q", md2, err, md)
			}
		default:
			return
		}
		// Every PLAIN command has exactly one encoding.
		if got := mechBody(t, frame); !bytes.Equal(got, data) {
			t.Fatalf("re-encoded %q, input %q", got, data)
		}
	})
}

func TestParseLibzmqPlainError(t *testing.T) {
	// The bytes libzmq 4.3.4's PLAIN server sends for a ZAP status 400.
	cmd, ok := ParseLibzmqPlainError([]byte("\x5eRROR\x03400"))
	if !ok || cmd.Name != CmdError {
		t.Fatalf("got %+v, %v; want an ERROR", cmd, ok)
	}
	if reason, err := ParseError(cmd); err != nil || reason != "400" {
		t.Fatalf("reason %q, %v; want 400", reason, err)
	}
	for _, body := range [][]byte{nil, []byte("\x5eRRO"), []byte("\x05ERROR\x03400"), []byte("\x5eREADY")} {
		if _, ok := ParseLibzmqPlainError(body); ok {
			t.Errorf("%q read as libzmq's ERROR", body)
		}
	}
}
