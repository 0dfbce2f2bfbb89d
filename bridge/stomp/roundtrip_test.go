package stomp

import (
	"reflect"
	"testing"

	"github.com/purezmq/zmq/bridge"
)

// TestRoundTrip: messages through RabbitMQ's destination kinds keep subject, binary body (NUL
// bytes, a multipart body), content type, id and headers that need STOMP's escapes.
func TestRoundTrip(t *testing.T) {
	b := rabbitMQ(t)
	q := queueName(t)
	cases := []struct {
		name, dest, source string
		subject            string
	}{
		{"queue", "/queue/" + q, "/queue/" + q, "s1"},
		{"amq queue", "/amq/queue/" + q, "/queue/" + q, "s2"},
		{"exchange with key", "/exchange/amq.direct/" + q, "/exchange/amq.direct/" + q, "s3"},
		{"exchange, subject as key", "/exchange/amq.direct", "/exchange/amq.direct/" + q + "%2Fk", q + "/k"},
		{"topic", "/topic/" + q + ".a", "/topic/" + q + ".*", "s4"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			br := connect(t, b.STOMPAddr())
			cons := subscribe(t, br, c.source, 10)
			want := []bridge.Message{
				{Subject: c.subject, Body: []byte("a\x00b\x00\n\x00"), ContentType: "application/octet-stream",
					ID: "id-1", Headers: map[string]string{"x-k:1": "v\\a\nb:c\r", "plain": "p"}},
				{Subject: c.subject, Body: bridge.EncodeMultipart([][]byte{{0}, nil, []byte("z")}),
					ContentType: bridge.MultipartType},
				{Subject: c.subject},
			}
			publish(t, br, c.dest, want...)
			for i, w := range want {
				d := receive(t, cons)
				got := d.Message()
				if w.ID == "" {
					if got.ID == "" {
						t.Errorf("message %d: no broker message-id", i)
					}
					got.ID = ""
				}
				if len(got.Body) == 0 {
					got.Body = nil
				}
				if !reflect.DeepEqual(got, w) {
					t.Errorf("message %d:\n got %+v\nwant %+v", i, got, w)
				}
				if err := d.Ack(testCtx(t)); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
