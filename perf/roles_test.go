package perf

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	pat := Pattern(300)
	if pat[0] != 0 || pat[250] != 250 || pat[251] != 0 || pat[299] != 48 {
		t.Fatalf("pattern %v…", pat[:8])
	}
	bad := bytes.Clone(pat)
	bad[150] ^= 1
	for _, tc := range []struct {
		name string
		b    []byte
		full bool
		want string // "" for no error
	}{
		{"good", pat, true, ""},
		{"short", pat[:299], false, "has 299 bytes, want 300"},
		{"middle byte, cheap check", bad, false, ""},
		{"middle byte, full check", bad, true, "corrupted"},
		{"empty", nil, true, "has 0 bytes"},
	} {
		err := check(tc.b, pat, 7, tc.full)
		if (err == nil) != (tc.want == "") || err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if err := check(nil, nil, 0, true); err != nil {
		t.Errorf("empty message of size 0: %v", err)
	}
}

// script is a Conn that receives the messages it holds, then fails, and records what is sent.
type script struct {
	in   [][]byte
	sent [][]byte
}

var errEnd = errors.New("end of script")

func (s *script) Recv() ([]byte, error) {
	if len(s.in) == 0 {
		return nil, errEnd
	}
	b := s.in[0]
	s.in = s.in[1:]
	return b, nil
}

func (s *script) Send(b []byte) error { s.sent = append(s.sent, b); return nil }

// TestSizedLoops: what libzmq's local_thr and local_lat check is the size, not the payload.
func TestSizedLoops(t *testing.T) {
	junk := bytes.Repeat([]byte{0xff}, 10) // not Pattern(10): as libzmq's remote_thr may send
	for _, tc := range []struct {
		name  string
		in    [][]byte
		count int
		want  error // nil, errEnd, or ErrSize
	}{
		{"any payload of the size", [][]byte{junk, junk, make([]byte, 10)}, 3, nil},
		{"one", [][]byte{junk}, 1, nil},
		{"short message", [][]byte{junk, junk[:9]}, 2, ErrSize},
		{"long message", [][]byte{append(junk, 1)}, 1, ErrSize},
		{"fewer than count", [][]byte{junk}, 2, errEnd},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ReceiveSized(&script{in: tc.in}, 10, tc.count)
			checkSized(t, "ReceiveSized", err, tc.want)
			if err == nil && d < 0 {
				t.Errorf("ReceiveSized took %v", d)
			}
			c := &script{in: tc.in}
			checkSized(t, "EchoSized", EchoSized(c, 10, tc.count), tc.want)
			if tc.want == nil && len(c.sent) != tc.count {
				t.Errorf("EchoSized answered %d of %d", len(c.sent), tc.count)
			}
		})
	}
	if err := Echo(&script{in: [][]byte{junk, nil}}, 2); err != nil {
		t.Errorf("Echo of any size: %v", err)
	}
}

func checkSized(t *testing.T, name string, err, want error) {
	t.Helper()
	if (err == nil) != (want == nil) || want != nil && !errors.Is(err, want) {
		t.Errorf("%s: %v, want %v", name, err, want)
	}
}
