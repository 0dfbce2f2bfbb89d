package rpctest

import (
	"bytes"
	"encoding/binary"
	"testing"

	zmq "github.com/purezmq/zmq"
)

// hdr is a wire header with every field chosen, right or wrong.
func hdr(version, kind, codec, status byte, id, timeoutUS uint64) []byte {
	b := []byte{version, kind, codec, status}
	b = binary.BigEndian.AppendUint64(b, id)
	return binary.BigEndian.AppendUint64(b, timeoutUS)
}

// call is a well-formed CALL of echo with args "x", whose frames the cases below spoil.
func call(id uint64) [][]byte {
	return [][]byte{hdr(1, 1, 1, 0, id, 0), []byte(topicKey), {}, {}, []byte("echo"), []byte(`"x"`)}
}

func spoil(id uint64, f func(m [][]byte) [][]byte) [][]byte { return f(call(id)) }

// TestPythonServerDropsMalformed sends the Python server every kind of message WIRE.md's "Errors
// of form" lists: it must drop each without answering, and keep serving.
func TestPythonServerDropsMalformed(t *testing.T) {
	srv, endpoint := startPyServer(t, "py1")
	cases := []struct {
		name string
		msg  [][]byte
	}{
		{"empty-header", [][]byte{{}}},
		{"short-header", spoil(1, func(m [][]byte) [][]byte { m[0] = m[0][:19]; return m })},
		{"long-header", spoil(1, func(m [][]byte) [][]byte { m[0] = append(m[0], 0); return m })},
		{"version-2", spoil(1, func(m [][]byte) [][]byte { m[0][0] = 2; return m })},
		{"kind-0", spoil(1, func(m [][]byte) [][]byte { m[0][1] = 0; return m })},
		{"kind-5", spoil(1, func(m [][]byte) [][]byte { m[0][1] = 5; return m })},
		{"reply-kind", spoil(1, func(m [][]byte) [][]byte { m[0][1] = 4; return m[:2] })},
		{"codec-0", spoil(1, func(m [][]byte) [][]byte { m[0][2] = 0; return m })},
		{"codec-3", spoil(1, func(m [][]byte) [][]byte { m[0][2] = 3; return m })},
		{"status-in-request", spoil(1, func(m [][]byte) [][]byte { m[0][3] = 5; return m })},
		{"status-out-of-range", spoil(1, func(m [][]byte) [][]byte { m[0][3] = 11; return m })},
		{"five-frames", spoil(1, func(m [][]byte) [][]byte { return m[:5] })},
		{"eight-frames", spoil(1, func(m [][]byte) [][]byte { return append(m, []byte(`{}`), []byte(`{}`)) })},
		{"empty-key", spoil(1, func(m [][]byte) [][]byte { m[1] = nil; return m })},
		{"key-256-bytes", spoil(1, func(m [][]byte) [][]byte { m[1] = bytes.Repeat([]byte("k"), 256); return m })},
		{"namespace-not-utf8", spoil(1, func(m [][]byte) [][]byte { m[2] = []byte{0xff, 0xfe}; return m })},
		{"empty-method", spoil(1, func(m [][]byte) [][]byte { m[4] = nil; return m })},
		{"method-not-utf8", spoil(1, func(m [][]byte) [][]byte { m[4] = []byte{'e', 0xc3}; return m })},
		{"metadata-array", spoil(1, func(m [][]byte) [][]byte { return append(m, []byte(`["a"]`)) })},
		{"metadata-number-value", spoil(1, func(m [][]byte) [][]byte { return append(m, []byte(`{"a":1}`)) })},
		{"metadata-not-json", spoil(1, func(m [][]byte) [][]byte { return append(m, []byte(`{`)) })},
		{"cancel-with-body", [][]byte{hdr(1, 3, 1, 0, 1, 0), []byte("x")}},
	}
	ctx := ctxIO(t)
	d, err := zmq.NewSocket(zmq.DEALER)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Connect(endpoint); err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := d.Send(ctx, zmq.NewMsg(tc.msg...)); err != nil {
				t.Fatal(err)
			}
			l := srv.await(t, "dropped", func(l line) bool { return l.Event == "dropped" || l.Event == "replied" })
			if l.Event != "dropped" {
				t.Errorf("the server answered: %s", l.raw)
			}
		})
	}
	// Still serving; and nothing came back before this reply (the DEALER keeps order).
	if err := d.Send(ctx, zmq.NewMsg(call(99)...)); err != nil {
		t.Fatal(err)
	}
	m, err := d.Recv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Frames) != 2 || !bytes.Equal(m.Frames[0], hdr(1, 4, 1, 0, 99, 0)) || string(m.Frames[1]) != `"x"` {
		t.Fatalf("reply to the good call: %q", m.Frames)
	}
}
