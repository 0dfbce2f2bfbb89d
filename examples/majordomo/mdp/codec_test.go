package mdp

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func frames(f ...string) [][]byte {
	b := make([][]byte, len(f))
	for i, s := range f {
		b[i] = []byte(s)
	}
	return b
}

// TestParseClient: every well-formed MDP/Client command decodes and encodes back to the same
// frames; every malformed one is ErrMalformed.
func TestParseClient(t *testing.T) {
	good := []struct {
		name   string
		frames [][]byte
		want   ClientMsg
	}{
		{"request", frames("MDPC02", "\x01", "echo", "hi"), ClientMsg{Request, "echo", frames("hi")}},
		{"partial", frames("MDPC02", "\x02", "echo", "a", ""), ClientMsg{Partial, "echo", frames("a", "")}},
		{"final", frames("MDPC02", "\x03", "mmi.service", "200"), ClientMsg{Final, "mmi.service", frames("200")}},
		{"empty body frame", frames("MDPC02", "\x01", "s", ""), ClientMsg{Request, "s", frames("")}},
	}
	for _, tc := range good {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseClient(tc.frames)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			if back := got.Frames(); !reflect.DeepEqual(back, tc.frames) {
				t.Fatalf("encoded %q, want %q", back, tc.frames)
			}
		})
	}
	bad := []struct {
		name   string
		frames [][]byte
	}{
		{"nothing", nil},
		{"no body", frames("MDPC02", "\x01", "echo")},
		{"MDP/0.1 header", frames("MDPC01", "\x01", "echo", "hi")},
		{"worker header", frames("MDPW02", "\x01", "echo", "hi")},
		{"command 0", frames("MDPC02", "\x00", "echo", "hi")},
		{"command 4", frames("MDPC02", "\x04", "echo", "hi")},
		{"two-byte command", frames("MDPC02", "\x01\x01", "echo", "hi")},
		{"empty command", frames("MDPC02", "", "echo", "hi")},
		{"empty service", frames("MDPC02", "\x01", "", "hi")},
		{"service with a newline", frames("MDPC02", "\x01", "ec\nho", "hi")},
		{"service not ASCII", frames("MDPC02", "\x01", "\xff", "hi")},
		{"service too long", frames("MDPC02", "\x01", strings.Repeat("s", MaxServiceName+1), "hi")},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if m, err := ParseClient(tc.frames); !errors.Is(err, ErrMalformed) {
				t.Fatalf("got %+v, %v; want ErrMalformed", m, err)
			}
		})
	}
}

// TestParseWorker: as TestParseClient, for MDP/Worker commands.
func TestParseWorker(t *testing.T) {
	good := []struct {
		name   string
		frames [][]byte
		want   WorkerMsg
	}{
		{"ready", frames("MDPW02", "\x01", "echo"), WorkerMsg{Command: Ready, Service: "echo"}},
		{"request", frames("MDPW02", "\x02", "\x00k\x8bEg", "", "hi"),
			WorkerMsg{Command: WorkerRequest, Client: []byte("\x00k\x8bEg"), Body: frames("hi")}},
		{"partial", frames("MDPW02", "\x03", "c", "", "a", "b"),
			WorkerMsg{Command: WorkerPartial, Client: []byte("c"), Body: frames("a", "b")}},
		{"final", frames("MDPW02", "\x04", "c", "", ""),
			WorkerMsg{Command: WorkerFinal, Client: []byte("c"), Body: frames("")}},
		{"heartbeat", frames("MDPW02", "\x05"), WorkerMsg{Command: Heartbeat}},
		{"disconnect", frames("MDPW02", "\x06"), WorkerMsg{Command: Disconnect}},
	}
	for _, tc := range good {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseWorker(tc.frames)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			if back := got.Frames(); !reflect.DeepEqual(normal(back), normal(tc.frames)) {
				t.Fatalf("encoded %q, want %q", back, tc.frames)
			}
		})
	}
	bad := []struct {
		name   string
		frames [][]byte
	}{
		{"nothing", nil},
		{"header only", frames("MDPW02")},
		{"MDP/0.1 header", frames("MDPW01", "\x05")},
		{"MDP/0.1 layout", frames("", "MDPW01", "\x05")},
		{"client header", frames("MDPC02", "\x05")},
		{"command 0", frames("MDPW02", "\x00")},
		{"command 7", frames("MDPW02", "\x07")},
		{"ready without service", frames("MDPW02", "\x01")},
		{"ready with a body", frames("MDPW02", "\x01", "echo", "x")},
		{"ready, empty service", frames("MDPW02", "\x01", "")},
		{"request without body", frames("MDPW02", "\x02", "c", "")},
		{"final without delimiter", frames("MDPW02", "\x04", "c", "x", "body")},
		{"final, empty client", frames("MDPW02", "\x04", "", "", "body")},
		{"final, client too long", frames("MDPW02", "\x04", strings.Repeat("c", 256), "", "body")},
		{"heartbeat with a body", frames("MDPW02", "\x05", "x")},
		{"disconnect with a body", frames("MDPW02", "\x06", "")},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if m, err := ParseWorker(tc.frames); !errors.Is(err, ErrMalformed) {
				t.Fatalf("got %+v, %v; want ErrMalformed", m, err)
			}
		})
	}
}

// normal makes nil and empty frames compare equal.
func normal(f [][]byte) [][]byte {
	out := make([][]byte, len(f))
	for i, b := range f {
		out[i] = append([]byte{}, b...)
	}
	return out
}

// split makes frames of fuzz input: a 0xFF byte ends a frame.
func split(data []byte) [][]byte { return bytes.Split(data, []byte{0xff}) }

// FuzzParse: no input panics either decoder, and whatever decodes encodes back to frames that
// decode to the same command.
func FuzzParse(f *testing.F) {
	for _, seed := range [][][]byte{
		frames("MDPC02", "\x01", "echo", "hi"), frames("MDPC02", "\x03", "s", ""),
		frames("MDPW02", "\x01", "echo"), frames("MDPW02", "\x02", "c", "", "x"), frames("MDPW02", "\x05"),
	} {
		f.Add(bytes.Join(seed, []byte{0xff}))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in := split(data)
		if m, err := ParseClient(in); err == nil {
			again, err := ParseClient(m.Frames())
			if err != nil || !reflect.DeepEqual(again, m) {
				t.Fatalf("client %+v re-decoded as %+v, %v", m, again, err)
			}
		}
		if m, err := ParseWorker(in); err == nil {
			again, err := ParseWorker(m.Frames())
			if err != nil || !reflect.DeepEqual(normalW(again), normalW(m)) {
				t.Fatalf("worker %+v re-decoded as %+v, %v", m, again, err)
			}
		}
	})
}

func normalW(m WorkerMsg) WorkerMsg {
	m.Body = normal(m.Body)
	return m
}
