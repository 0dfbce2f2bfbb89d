package notify

import (
	"bytes"
	"strings"
	"testing"

	zmq "github.com/purezmq/zmq"
)

func rawSocket(t testing.TB, typ zmq.Type, connect string) *zmq.Socket {
	t.Helper()
	s, err := zmq.NewSocket(typ, zmq.WithLinger(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if connect != "" {
		if err := s.Connect(connect); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func send(t testing.TB, s *zmq.Socket, frames ...[]byte) {
	t.Helper()
	if err := s.Send(testCtx(t), zmq.NewMsg(frames...)); err != nil {
		t.Fatal(err)
	}
}

func recv(t testing.TB, s *zmq.Socket) [][]byte {
	t.Helper()
	m, err := s.Recv(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	return m.Frames
}

func hdr(k kind, status byte, id uint64) []byte {
	return header{kind: k, status: status, id: id}.marshal()
}

func badHeaders() [][]byte {
	h := hdr(kindReady, 0, 1)
	wrongVersion := bytes.Clone(h)
	wrongVersion[0] = 2
	wrongKind := bytes.Clone(h)
	wrongKind[1] = 4
	wrongCodec := bytes.Clone(h)
	wrongCodec[2] = 2
	return [][]byte{nil, []byte("x"), h[:19], append(bytes.Clone(h), 0), wrongVersion, wrongKind, wrongCodec}
}

// Garbage sent to a dispatcher, as a pool member would, is dropped and counted; the dispatcher
// goes on serving.
func TestDispatcherGarbage(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			w := memoryWorld(t, mode)
			n := w.notifier("p1")
			var d *dispatcher
			if w.hub {
				d = w.hubs[0].disp
			} else {
				d = n.disp
			}
			raw := rawSocket(t, zmq.DEALER, d.endpoint())
			cases := [][][]byte{}
			for _, h := range badHeaders() {
				cases = append(cases, [][]byte{h}, [][]byte{h, []byte("pool"), []byte("notifications.info")})
			}
			many := [][]byte{hdr(kindReady, 0, 1), []byte("pool")}
			for range maxTopics + 1 {
				many = append(many, []byte("t"))
			}
			cases = append(cases,
				[][]byte{hdr(kindNotify, 0, 1), []byte("notifications.info"), []byte("{}")}, // members do not notify
				[][]byte{hdr(kindAck, 0, 1), []byte("extra")},
				[][]byte{hdr(kindAck, 2, 1)},
				[][]byte{hdr(kindReady, 0, 1)},                                        // no pool
				[][]byte{hdr(kindReady, 0, 1), []byte("pool")},                        // no topics
				[][]byte{hdr(kindReady, 0, maxCredit+1), []byte("pool"), []byte("t")}, // credit too big
				[][]byte{hdr(kindReady, 0, 1), []byte(""), []byte("t")},
				[][]byte{hdr(kindReady, 0, 1), []byte("p\x01"), []byte("t")},
				[][]byte{hdr(kindReady, 0, 1), []byte("pool"), {0xff, 0xfe}},
				[][]byte{hdr(kindReady, 2, 1), []byte("pool"), []byte("t")},
				many,
			)
			for _, c := range cases {
				send(t, raw, c...)
			}
			// A READY after the garbage: its answer proves the garbage before it was read.
			send(t, raw, hdr(kindReady, statusJoin, 1), []byte("probe"), []byte("nothing."))
			if f := recv(t, raw); len(f) != 1 || !bytes.Equal(f[0], hdr(kindReady, 0, 0)) {
				t.Fatalf("answer to READY: %q", f)
			}
			st := statsOf(nil, d, nil)
			if st.Garbage != uint64(len(cases)) {
				t.Errorf("garbage counted %d, want %d", st.Garbage, len(cases))
			}
			// A late ACK is counted as such, not as garbage, and breaks nothing.
			send(t, raw, hdr(kindAck, statusHandled, 12345))
			send(t, raw, hdr(kindReady, statusLeave, 0), []byte("probe"))
			got := newTally(1)
			w.listener(got.handler(Handled), WithPool("after"))
			if err := n.Info(testCtx(t), "after.garbage", nil); err != nil {
				t.Fatal(err)
			}
			got.wait(t, "a pool member after the garbage")
		})
	}
}

// Garbage sent to a hub by a would-be notifier is dropped and counted; good notifications
// after it go through.
func TestHubGarbage(t *testing.T) {
	w := memoryWorld(t, "hub")
	h := w.hubs[0]
	got := newTally(1)
	w.listener(got.handler(Handled))
	raw := rawSocket(t, zmq.DEALER, h.Endpoints().In)
	good, err := encodeBody(&Notification{MessageID: newMessageID(), PublisherID: "raw", EventType: "e",
		Priority: "INFO", Payload: []byte("1"), Time: "2026-01-01 00:00:00.000000"})
	if err != nil {
		t.Fatal(err)
	}
	topic := []byte("notifications.info")
	cases := [][][]byte{
		{hdr(kindNotify, 0, 0)},
		{hdr(kindNotify, 0, 0), topic},
		{hdr(kindNotify, 0, 0), topic, good, good},
		{hdr(kindAck, 0, 0), topic, good},
		{hdr(kindNotify, 0, 0), []byte("notifications.loud"), good},
		{hdr(kindNotify, 0, 0), []byte("notifications"), good},
		{hdr(kindNotify, 0, 0), []byte(".info"), good},
		{hdr(kindNotify, 0, 0), []byte("notifications.error"), good}, // priority does not match
		{hdr(kindNotify, 0, 0), topic, []byte("{")},
		{hdr(kindNotify, 0, 0), topic, []byte(`{"priority":"INFO"}`)}, // no message_id
		{hdr(kindNotify, 0, 0), topic, append(bytes.Clone(good), " {}"...)},
		{hdr(kindNotify, 0, 0), topic, []byte(`{"message_id":"m","priority":"INFO","payload":1}` + strings.Repeat(" ", DefaultMaxMessage))},
	}
	for _, h := range badHeaders() {
		cases = append(cases, [][]byte{h, topic, good})
	}
	for _, c := range cases {
		send(t, raw, c...)
	}
	send(t, raw, hdr(kindNotify, 0, 0), topic, good)
	got.wait(t, "the good notification after the garbage")
	if st := h.Stats(); st.Garbage != uint64(len(cases)) || st.Received != 1 {
		t.Errorf("hub stats %+v: want %d garbage, 1 received", st, len(cases))
	}
}

// A listener drops and counts what a publisher or a dispatcher sends it that does not follow
// the wire, and goes on.
func TestListenerGarbage(t *testing.T) {
	good, err := encodeBody(&Notification{MessageID: newMessageID(), PublisherID: "raw", EventType: "e",
		Priority: "INFO", Payload: []byte("1"), Time: "2026-01-01 00:00:00.000000"})
	if err != nil {
		t.Fatal(err)
	}
	topic := []byte("notifications.info")
	t.Run("publisher", func(t *testing.T) {
		pub := rawSocket(t, zmq.XPUB, "")
		if err := pub.Bind("tcp://127.0.0.1:*"); err != nil {
			t.Fatal(err)
		}
		got := newTally(2)
		l, err := NewListener(got.handler(Handled), WithEndpoints(pub.LastEndpoint()), testBeat)
		if err != nil {
			t.Fatal(err)
		}
		started := make(chan error, 1)
		go func() { started <- l.Start(testCtx(t)) }()
		t.Cleanup(func() { stopOK(t, l.Stop) })
		// Play the publisher's part of the handshake by hand.
		for {
			f := recv(t, pub)
			if len(f) == 1 && len(f[0]) > 1 && f[0][0] == 1 && isWelcome(f[0][1:]) {
				send(t, pub, welcomeMsg(f[0][1:])...)
				break
			}
		}
		if err := <-started; err != nil {
			t.Fatal(err)
		}
		cases := [][][]byte{
			{topic},
			{topic, hdr(kindNotify, 0, 1)},
			{topic, hdr(kindAck, 0, 1), good},
			{topic, hdr(kindNotify, 0, 1), []byte("[]")},
			{topic, hdr(kindNotify, 0, 1), good, good},
		}
		for _, h := range badHeaders() {
			cases = append(cases, [][]byte{topic, h, good})
		}
		for _, c := range cases {
			send(t, pub, c...)
		}
		// The good one twice: its one worker counts the first handled before it takes the
		// second, so once the handler has the second the stats have the first.
		send(t, pub, topic, hdr(kindNotify, 0, 0), good)
		send(t, pub, topic, hdr(kindNotify, 0, 0), good)
		got.wait(t, "the good notifications")
		if s := l.Stats(); s.Garbage != uint64(len(cases)) || s.Handled < 1 {
			t.Errorf("stats %+v: want %d garbage, the good one handled", s, len(cases))
		}
	})
	t.Run("dispatcher", func(t *testing.T) {
		router := rawSocket(t, zmq.ROUTER, "")
		if err := router.Bind("tcp://127.0.0.1:*"); err != nil {
			t.Fatal(err)
		}
		got := newTally(1)
		l, err := NewListener(got.handler(Handled), WithEndpoints(router.LastEndpoint()), WithPool("p"), testBeat)
		if err != nil {
			t.Fatal(err)
		}
		started := make(chan error, 1)
		go func() { started <- l.Start(testCtx(t)) }()
		t.Cleanup(func() { stopOK(t, l.Stop) })
		f := recv(t, router) // its READY
		id := f[0]
		send(t, router, id, hdr(kindReady, 0, 0))
		if err := <-started; err != nil {
			t.Fatal(err)
		}
		cases := [][][]byte{
			{id, hdr(kindNotify, 0, 7)},
			{id, hdr(kindAck, 0, 7)},
			{id, hdr(kindNotify, 0, 8), topic, []byte("not json")}, // acknowledged: nobody can handle it
		}
		for _, h := range badHeaders() {
			cases = append(cases, [][]byte{id, h, topic, good})
		}
		for _, c := range cases {
			send(t, router, c...)
		}
		send(t, router, id, hdr(kindNotify, 0, 9), topic, good)
		got.wait(t, "the good notification")
		// The ACKs come back in order: 8 (the undecodable one), then 9; heartbeats between.
		var acks []uint64
		for len(acks) < 2 {
			f := recv(t, router)
			if h, err := parseHeader(f[1]); err == nil && h.kind == kindAck {
				acks = append(acks, h.id)
			}
		}
		if acks[0] != 8 || acks[1] != 9 {
			t.Errorf("acks %v, want [8 9]", acks)
		}
		if s := l.Stats(); s.Garbage != uint64(len(cases)) || s.Handled != 1 {
			t.Errorf("stats %+v: want %d garbage, 1 handled", s, len(cases))
		}
	})
}
