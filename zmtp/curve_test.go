package zmtp

import (
	"bytes"
	"errors"
	"testing"
)

// fill returns n bytes counting up from start, so misplaced fields show.
func curveFill(start byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = start + byte(i)
	}
	return b
}

func testCurveHello() CurveHello {
	h := CurveHello{Major: CurveMajor, Minor: CurveMinor}
	copy(h.ClientTransient[:], curveFill(0x10, 32))
	copy(h.Nonce[:], curveFill(0x80, 8))
	copy(h.Box[:], curveFill(0x90, 80))
	return h
}

func testCurveWelcome() CurveWelcome {
	var w CurveWelcome
	copy(w.Nonce[:], curveFill(0x20, 16))
	copy(w.Box[:], curveFill(0x40, 144))
	return w
}

func testCurveInitiate(boxLen int) CurveInitiate {
	var i CurveInitiate
	copy(i.Cookie[:], curveFill(0x30, 96))
	copy(i.Nonce[:], curveFill(0xa0, 8))
	i.Box = curveFill(0xb0, boxLen)
	return i
}

func testCurveReady(boxLen int) CurveReady {
	r := CurveReady{Box: curveFill(0x50, boxLen)}
	copy(r.Nonce[:], curveFill(0xc0, 8))
	return r
}

func testCurveMessage(boxLen int) CurveMessage {
	m := CurveMessage{Box: curveFill(0x60, boxLen)}
	copy(m.Nonce[:], curveFill(0xd0, 8))
	return m
}

// TestCurveLayouts checks each command against RFC 26's grammar: field
// order, offsets and the command sizes it states (which count the name).
func TestCurveLayouts(t *testing.T) {
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tests := []struct {
		name     string
		frame    []byte
		wantBody []byte
		wantSize int // RFC 26 command size
	}{
		{
			"hello", testCurveHello().Append(nil),
			cat([]byte("\x05HELLO\x01\x00"), make([]byte, 72), curveFill(0x10, 32), curveFill(0x80, 8), curveFill(0x90, 80)),
			200,
		},
		{
			"welcome", testCurveWelcome().Append(nil),
			cat([]byte("\x07WELCOME"), curveFill(0x20, 16), curveFill(0x40, 144)),
			168,
		},
		{
			"initiateMin", testCurveInitiate(144).Append(nil),
			cat([]byte("\x08INITIATE"), curveFill(0x30, 96), curveFill(0xa0, 8), curveFill(0xb0, 144)),
			257,
		},
		{
			"readyMin", testCurveReady(16).Append(nil),
			cat([]byte("\x05READY"), curveFill(0xc0, 8), curveFill(0x50, 16)),
			30,
		},
		{
			"messageMin", testCurveMessage(17).Append(nil),
			cat([]byte("\x07MESSAGE"), curveFill(0xd0, 8), curveFill(0x60, 17)),
			33,
		},
		{"errorMin", AppendError(nil, ""), []byte("\x05ERROR\x00"), 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := body(t, tt.frame)
			if len(b) != tt.wantSize {
				t.Errorf("command is %d bytes, RFC 26 says %d", len(b), tt.wantSize)
			}
			if !bytes.Equal(b, tt.wantBody) {
				t.Errorf("body\n% x\nwant\n% x", b, tt.wantBody)
			}
		})
	}
}

func TestCurveRoundTrip(t *testing.T) {
	h := testCurveHello()
	if got, err := ParseCurveHello(cmd(t, body(t, h.Append(nil)))); err != nil || got != h {
		t.Errorf("HELLO = %+v, %v", got, err)
	}
	// The version is data for the server to judge, not a parse error.
	h2 := h
	h2.Major, h2.Minor = 2, 7
	if got, err := ParseCurveHello(cmd(t, body(t, h2.Append(nil)))); err != nil || got != h2 {
		t.Errorf("HELLO 2.7 = %+v, %v", got, err)
	}

	w := testCurveWelcome()
	if got, err := ParseCurveWelcome(cmd(t, body(t, w.Append(nil)))); err != nil || got != w {
		t.Errorf("WELCOME = %+v, %v", got, err)
	}

	for _, n := range []int{144, 145, 400} { // 400: long frame header
		i := testCurveInitiate(n)
		got, err := ParseCurveInitiate(cmd(t, body(t, i.Append(nil))))
		if err != nil || got.Cookie != i.Cookie || got.Nonce != i.Nonce || !bytes.Equal(got.Box, i.Box) {
			t.Errorf("INITIATE box %d = %+v, %v", n, got, err)
		}
		if cap(got.Box) != len(got.Box) {
			t.Errorf("INITIATE box capacity %d exceeds length %d", cap(got.Box), len(got.Box))
		}
	}
	for _, n := range []int{16, 17, 300} {
		r := testCurveReady(n)
		got, err := ParseCurveReady(cmd(t, body(t, r.Append(nil))))
		if err != nil || got.Nonce != r.Nonce || !bytes.Equal(got.Box, r.Box) || cap(got.Box) != n {
			t.Errorf("READY box %d = %+v, %v", n, got, err)
		}
	}
	for _, n := range []int{17, 18, 70000} {
		m := testCurveMessage(n)
		got, err := ParseCurveMessage(cmd(t, body(t, m.Append(nil))))
		if err != nil || got.Nonce != m.Nonce || !bytes.Equal(got.Box, m.Box) || cap(got.Box) != n {
			t.Errorf("MESSAGE box %d: nonce %x, %d box bytes, %v", n, got.Nonce, len(got.Box), err)
		}
	}
}

func TestCurveParseErrors(t *testing.T) {
	helloData := body(t, testCurveHello().Append(nil))[6:]
	badPad := bytes.Clone(helloData)
	badPad[2+71] = 1
	welcomeData := body(t, testCurveWelcome().Append(nil))[8:]
	initiateData := body(t, testCurveInitiate(144).Append(nil))[9:]
	readyData := body(t, testCurveReady(16).Append(nil))[6:]
	messageData := body(t, testCurveMessage(17).Append(nil))[8:]

	tests := []struct {
		name  string
		parse func(Command) error
		c     Command
	}{
		{"helloName", errCurveHello, Command{CmdWelcome, helloData}},
		{"helloEmpty", errCurveHello, Command{CmdHello, nil}},
		{"helloShort", errCurveHello, Command{CmdHello, helloData[:193]}},
		{"helloLong", errCurveHello, Command{CmdHello, append(bytes.Clone(helloData), 0)}},
		{"helloPlain", errCurveHello, Command{CmdHello, []byte("\x05admin\x06secret")}},
		{"helloPadding", errCurveHello, Command{CmdHello, badPad}},
		{"welcomeName", errCurveWelcome, Command{CmdHello, welcomeData}},
		{"welcomeEmpty", errCurveWelcome, Command{CmdWelcome, nil}}, // PLAIN's WELCOME
		{"welcomeShort", errCurveWelcome, Command{CmdWelcome, welcomeData[:159]}},
		{"welcomeLong", errCurveWelcome, Command{CmdWelcome, append(bytes.Clone(welcomeData), 0)}},
		{"initiateName", errCurveInitiate, Command{CmdReady, initiateData}},
		{"initiateShort", errCurveInitiate, Command{CmdInitiate, initiateData[:247]}},
		{"initiateNoBox", errCurveInitiate, Command{CmdInitiate, initiateData[:104]}},
		{"initiateMetadata", errCurveInitiate, Command{CmdInitiate, rfc23DealerMetadata}}, // PLAIN's INITIATE
		{"readyName", errCurveReady, Command{CmdMessage, readyData}},
		{"readyShort", errCurveReady, Command{CmdReady, readyData[:23]}},
		{"readyNullMetadata", errCurveReady, Command{CmdReady, []byte("\x0bSocket-Type\x00\x00\x00\x06ROUTE")}},
		{"messageName", errCurveMessage, Command{CmdReady, messageData}},
		{"messageShort", errCurveMessage, Command{CmdMessage, messageData[:24]}},
		{"messageEmpty", errCurveMessage, Command{CmdMessage, nil}},
	}
	for _, tt := range tests {
		if err := tt.parse(tt.c); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err = %v, want ErrMalformed", tt.name, err)
		}
	}
}

func errCurveHello(c Command) error    { _, err := ParseCurveHello(c); return err }
func errCurveWelcome(c Command) error  { _, err := ParseCurveWelcome(c); return err }
func errCurveInitiate(c Command) error { _, err := ParseCurveInitiate(c); return err }
func errCurveReady(c Command) error    { _, err := ParseCurveReady(c); return err }
func errCurveMessage(c Command) error  { _, err := ParseCurveMessage(c); return err }

func TestCurveConstants(t *testing.T) {
	for _, p := range []string{CurveNonceHello, CurveNonceInitiate, CurveNonceReady, CurveNonceMessageClient, CurveNonceMessageServer} {
		if len(p)+CurveShortNonceSize != 24 {
			t.Errorf("short-nonce prefix %q is %d bytes, want 16", p, len(p))
		}
	}
	for _, p := range []string{CurveNonceWelcome, CurveNonceCookie, CurveNonceVouch} {
		if len(p)+CurveLongNonceSize != 24 {
			t.Errorf("long-nonce prefix %q is %d bytes, want 8", p, len(p))
		}
	}
	if CurveCookieSize != 96 || CurveVouchSize != 96 || curveWelcomeBoxSize != 144 || curveInitiateMinBox != 144 {
		t.Error("cookie, vouch or box sizes disagree with RFC 26")
	}
}

func TestCurveMessageHeader(t *testing.T) {
	m := testCurveMessage(300)
	got := append(AppendCurveMessageHeader([]byte("pre"), m.Nonce, len(m.Box)), m.Box...)
	if want := m.Append([]byte("pre")); !bytes.Equal(got, want) {
		t.Errorf("header + box = % x\nwant % x", got, want)
	}
}

func TestCurveMessageNoAlloc(t *testing.T) {
	m := testCurveMessage(64)
	buf := make([]byte, 0, 128)
	allocs := testing.AllocsPerRun(100, func() {
		b := m.Append(buf[:0])
		_, _, n, err := ParseFrameHeader(b, -1)
		if err != nil {
			t.Fatal(err)
		}
		// The engine matches the name itself; ParseCommand interns only
		// the NULL and ZMTP 3.1 names.
		c := Command{Name: CmdMessage, Data: b[n+8:]}
		if _, err := ParseCurveMessage(c); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("MESSAGE encode/decode allocates %v times", allocs)
	}
}

// curveSeeds are encoder outputs (frames) for FuzzCurveCommands.
func curveSeeds() [][]byte {
	return [][]byte{
		testCurveHello().Append(nil),
		testCurveWelcome().Append(nil),
		testCurveInitiate(144).Append(nil),
		testCurveInitiate(200).Append(nil),
		testCurveReady(16).Append(nil),
		testCurveReady(40).Append(nil),
		testCurveMessage(17).Append(nil),
		testCurveMessage(100).Append(nil),
		AppendError(nil, "Invalid client key"),
	}
}

func FuzzCurveCommands(f *testing.F) {
	for _, frame := range curveSeeds() {
		_, _, n, _ := ParseFrameHeader(frame, -1)
		f.Add(frame[n:])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCommand(data)
		if fm, ok := CurveMessageFrame(data); ok {
			// The in-place read takes only what the parser takes, and reads it the same.
			m, err2 := ParseCurveMessage(c)
			if err != nil || err2 != nil || m.Nonce != fm.Nonce || !bytes.Equal(m.Box, fm.Box) || cap(fm.Box) != len(fm.Box) {
				t.Fatalf("CurveMessageFrame read %+v where the parser gives %+v, %v, %v", fm, m, err, err2)
			}
		} else if err == nil && c.Name == CmdMessage {
			if _, err := ParseCurveMessage(c); err == nil {
				t.Fatal("CurveMessageFrame refused a MESSAGE the parser reads")
			}
		}
		if err != nil {
			return
		}
		var frame []byte
		check := func(err error) bool {
			if err != nil && !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return err == nil
		}
		switch c.Name {
		case CmdHello:
			h, err := ParseCurveHello(c)
			if !check(err) {
				return
			}
			frame = h.Append(nil)
			if h2, err := ParseCurveHello(mechCommand(t, frame)); err != nil || h2 != h {
				t.Fatalf("HELLO round trip: %+v %v; want %+v", h2, err, h)
			}
		case CmdWelcome:
			w, err := ParseCurveWelcome(c)
			if !check(err) {
				return
			}
			frame = w.Append(nil)
			if w2, err := ParseCurveWelcome(mechCommand(t, frame)); err != nil || w2 != w {
				t.Fatalf("WELCOME round trip: %+v %v; want %+v", w2, err, w)
			}
		case CmdInitiate:
			i, err := ParseCurveInitiate(c)
			if !check(err) {
				return
			}
			frame = i.Append(nil)
			i2, err := ParseCurveInitiate(mechCommand(t, frame))
			if err != nil || i2.Cookie != i.Cookie || i2.Nonce != i.Nonce || !bytes.Equal(i2.Box, i.Box) {
				t.Fatalf("INITIATE round trip: %+v %v; want %+v", i2, err, i)
			}
		case CmdReady:
			r, err := ParseCurveReady(c)
			if !check(err) {
				return
			}
			frame = r.Append(nil)
			r2, err := ParseCurveReady(mechCommand(t, frame))
			if err != nil || r2.Nonce != r.Nonce || !bytes.Equal(r2.Box, r.Box) {
				t.Fatalf("READY round trip: %+v %v; want %+v", r2, err, r)
			}
		case CmdMessage:
			m, err := ParseCurveMessage(c)
			if !check(err) {
				return
			}
			frame = m.Append(nil)
			m2, err := ParseCurveMessage(mechCommand(t, frame))
			if err != nil || m2.Nonce != m.Nonce || !bytes.Equal(m2.Box, m.Box) {
				t.Fatalf("MESSAGE round trip: %+v %v; want %+v", m2, err, m)
			}
		default:
			return
		}
		// Every CURVE command has exactly one encoding (HELLO's padding
		// must be zero), so the input comes back byte for byte.
		if got := mechBody(t, frame); !bytes.Equal(got, data) {
			t.Fatalf("re-encoded % x\ninput % x", got, data)
		}
	})
}
