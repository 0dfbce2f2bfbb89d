package zmtp

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// rfc23ClientReady and rfc23ServerReady are the READY frames of the RFC 23
// worked example (DEALER client, ROUTER server).
var (
	rfc23ClientReady = append([]byte("\x04\x29\x05READY"), rfc23DealerMetadata...)
	rfc23ServerReady = []byte("\x04\x1c\x05READY\x0bSocket-Type\x00\x00\x00\x06ROUTER")
)

func TestAppendReadyRFC23(t *testing.T) {
	tests := []struct {
		name string
		md   Metadata
		want []byte
	}{
		{"client", Metadata{{PropSocketType, []byte("DEALER")}, {PropIdentity, []byte{}}}, rfc23ClientReady},
		{"server", Metadata{{PropSocketType, []byte("ROUTER")}}, rfc23ServerReady},
		{"noMetadata", nil, []byte("\x04\x06\x05READY")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AppendReady(nil, tt.md)
			if !bytes.Equal(got, tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			flags, size, n, err := ParseFrameHeader(got, -1)
			if err != nil || flags != FlagCommand || n+size != len(got) {
				t.Fatalf("header: %#x %d %d %v", flags, size, n, err)
			}
			c, err := ParseCommand(got[n:])
			if err != nil {
				t.Fatal(err)
			}
			md, err := ParseReady(c)
			if err != nil || !equalMetadata(md, tt.md) {
				t.Errorf("ParseReady = %q, %v; want %q", md, err, tt.md)
			}
		})
	}
}

func TestAppendReadyLong(t *testing.T) {
	md := Metadata{{PropSocketType, []byte("DEALER")}, {PropRoutingID, bytes.Repeat([]byte{'r'}, 255)}}
	b := AppendReady(nil, md)
	if b[0] != FlagCommand|FlagLong {
		t.Fatalf("flags = %#x, want long command", b[0])
	}
	flags, size, n, err := ParseFrameHeader(b, -1)
	if err != nil || flags != FlagCommand || n != 9 || size != len(b)-9 {
		t.Fatalf("header: %#x %d %d %v", flags, size, n, err)
	}
	c, err := ParseCommand(b[n:])
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseReady(c)
	if err != nil || !equalMetadata(got, md) {
		t.Errorf("ParseReady = %q, %v", got, err)
	}
}

func TestAppendCommand(t *testing.T) {
	tests := []struct {
		name    string
		cmdName string
		data    []byte
		want    []byte
	}{
		{"noData", "HELLO", nil, []byte("\x04\x06\x05HELLO")},
		{"data", "JOIN", []byte("grp"), []byte("\x04\x08\x04JOINgrp")},
		{"long", "X", bytes.Repeat([]byte{'d'}, 255), append([]byte("\x06\x00\x00\x00\x00\x00\x00\x01\x01\x01X"), bytes.Repeat([]byte{'d'}, 255)...)},
		// 1+255-byte body: the header switches to long.
		{"nameTruncated", strings.Repeat("N", 256), nil, append([]byte("\x06\x00\x00\x00\x00\x00\x00\x01\x00\xff"), strings.Repeat("N", 255)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AppendCommand([]byte("pre"), tt.cmdName, tt.data)
			if want := append([]byte("pre"), tt.want...); !bytes.Equal(got, want) {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

func TestParseCommand(t *testing.T) {
	name255 := strings.Repeat("Z", 255)
	tests := []struct {
		name     string
		in       []byte
		wantName string
		wantData string
		wantErr  error
	}{
		{"ready", []byte("\x05READY"), CmdReady, "", nil},
		{"ping", []byte("\x04PING\x00\x0a"), CmdPing, "\x00\x0a", nil},
		{"subscribeEmpty", []byte("\x09SUBSCRIBE"), CmdSubscribe, "", nil},
		{"unknownName", []byte("\x07Unknownxyz"), "Unknown", "xyz", nil},
		{"name255", append([]byte{255}, name255...), name255, "", nil},
		{"binaryData", []byte("\x01A\x00\xff\x04"), "A", "\x00\xff\x04", nil},

		{"empty", nil, "", "", ErrMalformed},
		{"nameSizeZero", []byte("\x00READY"), "", "", ErrMalformed},
		{"nameSizeOnly", []byte("\x05"), "", "", ErrMalformed},
		{"namePastEnd", []byte("\x06READY"), "", "", ErrMalformed},
		{"nameSize255Short", []byte("\xffREADY"), "", "", ErrMalformed},
		{"digitInName", []byte("\x04PIN1"), "", "", ErrMalformed},
		{"nulInName", []byte("\x04PI\x00G"), "", "", ErrMalformed},
		{"dashInName", []byte("\x03A-B"), "", "", ErrMalformed},
		{"highByteInName", []byte("\x02A\xc1"), "", "", ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCommand(tt.in)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if c.Name != tt.wantName || string(c.Data) != tt.wantData {
				t.Errorf("got %q %q, want %q %q", c.Name, c.Data, tt.wantName, tt.wantData)
			}
			if cap(c.Data) != len(c.Data) {
				t.Errorf("Data capacity %d exceeds length %d", cap(c.Data), len(c.Data))
			}
		})
	}
}

// body strips the frame header from a frame produced by an Append function.
func body(t *testing.T, frame []byte) []byte {
	t.Helper()
	flags, size, n, err := ParseFrameHeader(frame, -1)
	if err != nil || flags != FlagCommand || n+size != len(frame) {
		t.Fatalf("bad command frame % x: %#x %d %d %v", frame, flags, size, n, err)
	}
	return frame[n:]
}

// cmd parses a command body, failing the test on error.
func cmd(t *testing.T, b []byte) Command {
	t.Helper()
	c, err := ParseCommand(b)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestReadyErrors(t *testing.T) {
	tests := []struct {
		name string
		c    Command
	}{
		{"wrongName", Command{CmdError, nil}},
		{"lowerName", Command{"ready", nil}},
		{"badMetadata", Command{CmdReady, []byte("\x00")}},
		{"truncatedMetadata", Command{CmdReady, rfc23DealerMetadata[:len(rfc23DealerMetadata)-1]}},
	}
	for _, tt := range tests {
		if _, err := ParseReady(tt.c); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err = %v, want ErrMalformed", tt.name, err)
		}
	}
}

func TestErrorCommand(t *testing.T) {
	if got, want := AppendError(nil, "denied"), []byte("\x04\x0d\x05ERROR\x06denied"); !bytes.Equal(got, want) {
		t.Errorf("AppendError = %q, want %q", got, want)
	}
	long := strings.Repeat("e", 300)
	tests := []struct {
		name    string
		c       Command
		want    string
		wantErr error
	}{
		{"ok", cmd(t, body(t, AppendError(nil, "denied"))), "denied", nil},
		{"empty", cmd(t, body(t, AppendError(nil, ""))), "", nil},
		{"truncated", cmd(t, body(t, AppendError(nil, long))), long[:255], nil},
		{"wrongName", Command{CmdReady, []byte("\x00")}, "", ErrMalformed},
		{"noSize", Command{CmdError, nil}, "", ErrMalformed},
		{"reasonShort", Command{CmdError, []byte("\x05abc")}, "", ErrMalformed},
		{"trailing", Command{CmdError, []byte("\x01abc")}, "", ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseError(tt.c)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("reason = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPingPong(t *testing.T) {
	if got, want := AppendPing(nil, 300, []byte("ctx")), []byte("\x04\x0a\x04PING\x01\x2cctx"); !bytes.Equal(got, want) {
		t.Errorf("AppendPing = %q, want %q", got, want)
	}
	if got, want := AppendPong(nil, []byte("ctx")), []byte("\x04\x08\x04PONGctx"); !bytes.Equal(got, want) {
		t.Errorf("AppendPong = %q, want %q", got, want)
	}
	ctx16 := []byte("0123456789abcdef")
	ctx17 := []byte("0123456789abcdefg")
	pingTests := []struct {
		name    string
		c       Command
		wantTTL uint16
		wantCtx string
		wantErr error
	}{
		{"ok", cmd(t, body(t, AppendPing(nil, 0xABCD, []byte("x")))), 0xABCD, "x", nil},
		{"noContext", cmd(t, body(t, AppendPing(nil, 0, nil))), 0, "", nil},
		{"ctx16", cmd(t, body(t, AppendPing(nil, 1, ctx16))), 1, string(ctx16), nil},
		{"ctxTruncated", cmd(t, body(t, AppendPing(nil, 1, ctx17))), 1, string(ctx16), nil},
		{"wrongName", Command{CmdPong, []byte{0, 0}}, 0, "", ErrMalformed},
		{"noTTL", Command{CmdPing, nil}, 0, "", ErrMalformed},
		{"halfTTL", Command{CmdPing, []byte{1}}, 0, "", ErrMalformed},
		{"ctx17", Command{CmdPing, append([]byte{0, 0}, ctx17...)}, 0, "", ErrMalformed},
	}
	for _, tt := range pingTests {
		t.Run("ping/"+tt.name, func(t *testing.T) {
			ttl, ctx, err := ParsePing(tt.c)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if ttl != tt.wantTTL || string(ctx) != tt.wantCtx {
				t.Errorf("got %d %q, want %d %q", ttl, ctx, tt.wantTTL, tt.wantCtx)
			}
		})
	}
	pongTests := []struct {
		name    string
		c       Command
		wantCtx string
		wantErr error
	}{
		{"ok", cmd(t, body(t, AppendPong(nil, []byte("abc")))), "abc", nil},
		{"empty", cmd(t, body(t, AppendPong(nil, nil))), "", nil},
		{"truncated", cmd(t, body(t, AppendPong(nil, ctx17))), string(ctx16), nil},
		{"wrongName", Command{CmdPing, nil}, "", ErrMalformed},
		{"ctx17", Command{CmdPong, ctx17}, "", ErrMalformed},
	}
	for _, tt := range pongTests {
		t.Run("pong/"+tt.name, func(t *testing.T) {
			ctx, err := ParsePong(tt.c)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if string(ctx) != tt.wantCtx {
				t.Errorf("got %q, want %q", ctx, tt.wantCtx)
			}
		})
	}
}

func TestSubscribeCancel(t *testing.T) {
	if got, want := AppendSubscribe(nil, []byte("A")), []byte("\x04\x0b\x09SUBSCRIBEA"); !bytes.Equal(got, want) {
		t.Errorf("AppendSubscribe = %q, want %q", got, want)
	}
	if got, want := AppendCancel(nil, nil), []byte("\x04\x07\x06CANCEL"); !bytes.Equal(got, want) {
		t.Errorf("AppendCancel = %q, want %q", got, want)
	}
	longTopic := bytes.Repeat([]byte{0}, 1000)
	tests := []struct {
		name    string
		frame   []byte
		parse   func(Command) ([]byte, error)
		want    []byte
		wantErr error
	}{
		{"sub", AppendSubscribe(nil, []byte("topic")), ParseSubscribe, []byte("topic"), nil},
		{"subEmpty", AppendSubscribe(nil, nil), ParseSubscribe, nil, nil},
		{"subLong", AppendSubscribe(nil, longTopic), ParseSubscribe, longTopic, nil},
		{"cancel", AppendCancel(nil, []byte("\x00\xff")), ParseCancel, []byte("\x00\xff"), nil},
		{"subAsCancel", AppendSubscribe(nil, []byte("t")), ParseCancel, nil, ErrMalformed},
		{"cancelAsSub", AppendCancel(nil, []byte("t")), ParseSubscribe, nil, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			topic, err := tt.parse(cmd(t, body(t, tt.frame)))
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if !bytes.Equal(topic, tt.want) {
				t.Errorf("topic = %q, want %q", topic, tt.want)
			}
		})
	}
}

func TestCommandNoAlloc(t *testing.T) {
	buf := make([]byte, 0, 64)
	allocs := testing.AllocsPerRun(100, func() {
		b := AppendPing(buf[:0], 10, []byte("ctx"))
		c, err := ParseCommand(b[2:])
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := ParsePing(c); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("PING encode/decode allocates %v times", allocs)
	}
}

func FuzzCommand(f *testing.F) {
	for _, frame := range [][]byte{
		rfc23ClientReady,
		AppendError(nil, "invalid socket type"),
		AppendPing(nil, 100, []byte("ctx")),
		AppendPong(nil, []byte("ctx")),
		AppendSubscribe(nil, []byte("topic")),
		AppendCancel(nil, nil),
		AppendCommand(nil, "HELLO", []byte{0, 1, 2}),
	} {
		_, _, n, _ := ParseFrameHeader(frame, -1)
		f.Add(frame[n:])
	}
	f.Add([]byte("\x00READY"))
	f.Add([]byte("\x04PIN1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCommand(data)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		frame := AppendCommand(nil, c.Name, c.Data)
		flags, size, n, err := ParseFrameHeader(frame, -1)
		if err != nil || flags != FlagCommand || n+size != len(frame) {
			t.Fatalf("re-encoded header: %#x %d %d %v", flags, size, n, err)
		}
		if !bytes.Equal(frame[n:], data) {
			t.Fatalf("re-encoded body %q, input %q", frame[n:], data)
		}
		c2, err := ParseCommand(frame[n:])
		if err != nil || c2.Name != c.Name || !bytes.Equal(c2.Data, c.Data) {
			t.Fatalf("round trip: %q %q %v; want %q %q", c2.Name, c2.Data, err, c.Name, c.Data)
		}
		checkTypedRoundTrip(t, c)
	})
}

// checkTypedRoundTrip decodes c with the matching typed parser and, if that
// succeeds, re-encodes and re-decodes the typed value.
func checkTypedRoundTrip(t *testing.T, c Command) {
	reparse := func(frame []byte) Command {
		t.Helper()
		_, _, n, err := ParseFrameHeader(frame, -1)
		if err != nil {
			t.Fatalf("typed re-encode header: %v", err)
		}
		c2, err := ParseCommand(frame[n:])
		if err != nil {
			t.Fatalf("typed re-encode body: %v", err)
		}
		return c2
	}
	switch c.Name {
	case CmdReady:
		md, err := ParseReady(c)
		if err != nil {
			return
		}
		md2, err := ParseReady(reparse(AppendReady(nil, md)))
		if err != nil || !equalMetadata(md, md2) {
			t.Fatalf("READY round trip: %q %v; want %q", md2, err, md)
		}
	case CmdError:
		r, err := ParseError(c)
		if err != nil {
			return
		}
		r2, err := ParseError(reparse(AppendError(nil, r)))
		if err != nil || r2 != r {
			t.Fatalf("ERROR round trip: %q %v; want %q", r2, err, r)
		}
	case CmdPing:
		ttl, ctx, err := ParsePing(c)
		if err != nil {
			return
		}
		ttl2, ctx2, err := ParsePing(reparse(AppendPing(nil, ttl, ctx)))
		if err != nil || ttl2 != ttl || !bytes.Equal(ctx2, ctx) {
			t.Fatalf("PING round trip: %d %q %v; want %d %q", ttl2, ctx2, err, ttl, ctx)
		}
	case CmdPong:
		ctx, err := ParsePong(c)
		if err != nil {
			return
		}
		ctx2, err := ParsePong(reparse(AppendPong(nil, ctx)))
		if err != nil || !bytes.Equal(ctx2, ctx) {
			t.Fatalf("PONG round trip: %q %v; want %q", ctx2, err, ctx)
		}
	case CmdSubscribe:
		topic, err := ParseSubscribe(c)
		if err != nil {
			t.Fatalf("SUBSCRIBE: %v", err)
		}
		topic2, err := ParseSubscribe(reparse(AppendSubscribe(nil, topic)))
		if err != nil || !bytes.Equal(topic2, topic) {
			t.Fatalf("SUBSCRIBE round trip: %q %v; want %q", topic2, err, topic)
		}
	case CmdCancel:
		topic, err := ParseCancel(c)
		if err != nil {
			t.Fatalf("CANCEL: %v", err)
		}
		topic2, err := ParseCancel(reparse(AppendCancel(nil, topic)))
		if err != nil || !bytes.Equal(topic2, topic) {
			t.Fatalf("CANCEL round trip: %q %v; want %q", topic2, err, topic)
		}
	}
}
