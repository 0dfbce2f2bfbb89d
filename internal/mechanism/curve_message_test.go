package mechanism

import (
	"errors"
	"testing"

	"github.com/purezmq/zmq/zmtp"
)

// TestCurveMessageParse: a received frame opens only as a MESSAGE command of the right shape,
// and a frame that is not one fails with the code libzmq gives it, from PayloadLen and from
// OpenInto alike.
func TestCurveMessageParse(t *testing.T) {
	named := func(name string) func([]byte) []byte {
		return func(good []byte) []byte {
			return append(append([]byte{byte(len(name))}, name...), good[8:]...)
		}
	}
	tests := []struct {
		name string
		body func(good []byte) []byte // from a genuine sealed MESSAGE
		code ProtoCode                // 0: opens
	}{
		{"sealed", func(good []byte) []byte { return good }, 0},
		{"empty", func([]byte) []byte { return nil }, ProtoMalformedMessage},
		{"name only", func(good []byte) []byte { return good[:8] }, ProtoMalformedMessage},
		{"box one byte short", func(good []byte) []byte {
			return good[:1+len(zmtp.CmdMessage)+zmtp.CurveShortNonceSize+1+zmtp.CurveBoxOverhead-1]
		}, ProtoMalformedMessage},
		{"name size past the body", func([]byte) []byte { return []byte{200, 'M'} }, ProtoMalformedMessage},
		{"name not letters", named("MES5AGE"), ProtoMalformedMessage},
		{"another name", named("MESSAGF"), ProtoUnexpectedCommand},
		{"another command", named("HELLO"), ProtoUnexpectedCommand},
		{"a longer name", named("MESSAGES"), ProtoUnexpectedCommand},
		{"lower case", named("message"), ProtoUnexpectedCommand},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, s := codecPair(t)
			body := tc.body(frameBody(t, c.Seal(nil, 0, []byte("payload"))))
			n, err := s.PayloadLen(body)
			checkCode(t, "PayloadLen", err, tc.code)
			if err == nil && n != len("payload") {
				t.Fatalf("PayloadLen = %d, want %d", n, len("payload"))
			}
			dst := make([]byte, n)
			_, err = s.OpenInto(dst, body)
			checkCode(t, "OpenInto", err, tc.code)
			if err == nil && string(dst) != "payload" {
				t.Fatalf("opened %q", dst)
			}
		})
	}
}

func checkCode(t *testing.T, what string, err error, code ProtoCode) {
	t.Helper()
	if code == 0 {
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return
	}
	var pe *ProtocolError
	if !errors.As(err, &pe) || pe.Code != code {
		t.Fatalf("%s: %v, want code %#x", what, err, code)
	}
}

// BenchmarkCurveOpenSmall is one 16-byte frame opened as the engine opens it (PayloadLen, then
// OpenInto): the receiving side of CURVE's smallest messages.
func BenchmarkCurveOpenSmall(b *testing.B) {
	c, s := codecPair(b)
	const n = 4096
	bodies := make([][]byte, n)
	for i := range bodies {
		bodies[i] = frameBody(b, c.Seal(nil, 0, make([]byte, 16)))
	}
	dst := make([]byte, 16)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i == n {
			b.StopTimer()
			c, s = codecPair(b)
			for j := range bodies {
				bodies[j] = frameBody(b, c.Seal(bodies[j][:0], 0, make([]byte, 16)))
			}
			i = 0
			b.StartTimer()
		}
		body := bodies[i]
		i++
		m, err := s.PayloadLen(body)
		if err != nil || m != 16 {
			b.Fatal(m, err)
		}
		if _, err := s.OpenInto(dst, body); err != nil {
			b.Fatal(err)
		}
	}
}
