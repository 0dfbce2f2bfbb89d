package notify

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzDecodeNotification: whatever a topic frame and a body hold, the decoder returns a
// notification or ErrMalformed, never panics; what it accepts encodes and decodes back to
// the same notification.
func FuzzDecodeNotification(f *testing.F) {
	for _, p := range Priorities {
		body, _ := encodeBody(&Notification{MessageID: newMessageID(), PublisherID: "compute.host1",
			EventType: "compute.instance.create.end", Priority: upper(p), Payload: json.RawMessage(`{"id":42,"name":"vm"}`),
			Time: "2026-12-06 08:00:00.123456"})
		f.Add([]byte("notifications."+p.String()), body)
	}
	f.Add([]byte("notifications.warn"), []byte(`{"message_id":"x","priority":"WARNING"}`))
	f.Add([]byte("x.info"), []byte(`{"message_id":"x","priority":"info","payload":null} `))
	f.Add([]byte("x.info"), []byte(`{"message_id":"x","priority":"INFO"}{}`))
	f.Fuzz(func(t *testing.T, topic, body []byte) {
		n, err := decodeNotification(topic, body, DefaultMaxMessage)
		if err != nil {
			if n != nil {
				t.Fatal("a notification and an error")
			}
			return
		}
		again, err := encodeBody(n)
		if err != nil {
			t.Fatalf("accepted %q but cannot encode it: %v", body, err)
		}
		n2, err := decodeNotification(topic, again, 0)
		if err != nil {
			t.Fatalf("re-encoded %q does not decode: %v", again, err)
		}
		if n2.MessageID != n.MessageID || n2.Priority != n.Priority || n2.EventType != n.EventType ||
			n2.PublisherID != n.PublisherID || n2.Time != n.Time || n2.Topic != n.Topic {
			t.Fatalf("round trip: %+v became %+v", n, n2)
		}
		var a, b any
		if json.Unmarshal(n.Payload, &a) != nil || json.Unmarshal(n2.Payload, &b) != nil {
			t.Fatalf("payloads %s / %s", n.Payload, n2.Payload)
		}
	})
}

// FuzzParseFrames: the header and READY decoders accept what their encoders make and refuse
// the rest with ErrMalformed, never a panic.
func FuzzParseFrames(f *testing.F) {
	f.Add(header{kind: kindNotify, id: 7, aux: 9}.marshal(), []byte("pool"), []byte("notifications.info"))
	f.Add(header{kind: kindReady, id: 4}.marshal(), []byte("pool"), []byte("notifications.info"))
	f.Add(header{kind: kindReady, status: statusLeave}.marshal(), []byte("pool"), []byte(nil))
	f.Add(header{kind: kindAck, status: statusRequeue, id: 1}.marshal(), []byte(nil), []byte(nil))
	f.Fuzz(func(t *testing.T, h, pool, topic []byte) {
		hd, err := parseHeader(h)
		if err != nil {
			return
		}
		if !bytes.Equal(hd.marshal(), h) {
			t.Fatalf("header %x parsed as %+v, marshals to %x", h, hd, hd.marshal())
		}
		if hd.kind != kindReady {
			return
		}
		rest := [][]byte{pool}
		if len(topic) > 0 {
			rest = append(rest, topic)
		}
		r, err := parseReady(hd, rest)
		if err != nil {
			return
		}
		f2 := r.frames()
		h2, err := parseHeader(f2[0])
		if err != nil {
			t.Fatal(err)
		}
		r2, err := parseReady(h2, f2[1:])
		if err != nil || r2.pool != r.pool || r2.credit != r.credit || r2.leave != r.leave || len(r2.topics) != len(r.topics) {
			t.Fatalf("READY %+v round trip: %+v, %v", r, r2, err)
		}
	})
}
