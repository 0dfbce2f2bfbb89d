package stomp

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/purezmq/zmq/bridge"
)

// address is a RabbitMQ STOMP destination: kind is "exchange", "queue", "amq/queue" or
// "topic"; key is set only for an exchange destination that names its routing key.
type address struct {
	kind, name, key string
	hasKey          bool
}

func parseAddress(s string) (address, error) {
	var a address
	rest, ok := "", false
	for _, kind := range []string{"amq/queue", "queue", "topic", "exchange"} {
		if rest, ok = strings.CutPrefix(s, "/"+kind+"/"); ok {
			a.kind = kind
			break
		}
	}
	if !ok {
		return a, fmt.Errorf("stomp: address %q: want /exchange/NAME[/KEY], /queue/NAME, /amq/queue/NAME or /topic/KEY", s)
	}
	a.name = rest
	if a.kind == "exchange" {
		a.name, a.key, a.hasKey = strings.Cut(rest, "/")
	}
	if a.kind != "exchange" && strings.Contains(a.name, "/") {
		return a, fmt.Errorf("stomp: address %q: a '/' in a name is written %%2F", s)
	}
	if a.name == "" {
		return a, fmt.Errorf("stomp: address %q names nothing", s)
	}
	return a, nil
}

// destination is where m goes: a keyless exchange destination takes m's Subject as its
// routing key, escaped as RabbitMQ reads destinations (%XX for '/', '%' and non-ASCII bytes).
func (a address) destination(m *bridge.Message, raw string) string {
	if a.kind == "exchange" && !a.hasKey {
		return raw + "/" + escapeKey(m.Subject)
	}
	return raw
}

func escapeKey(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '/' || c == '%' || c >= 0x80 || c < 0x20 {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// keyOf is the routing key in a MESSAGE's destination ("/exchange/NAME/KEY", "/topic/KEY"),
// for messages that have no subject header (published over AMQP, say).
func keyOf(dest string) string {
	var key string
	if k, ok := strings.CutPrefix(dest, "/topic/"); ok {
		key = k
	} else if r, ok := strings.CutPrefix(dest, "/exchange/"); ok {
		_, key, _ = strings.Cut(r, "/")
	}
	if k, err := url.PathUnescape(key); err == nil {
		return k
	}
	return key
}

// frameHeaders are the headers that belong to the frame (STOMP's or RabbitMQ's), not to the
// message: not sent from Message.Headers, not passed back in them.
var frameHeaders = map[string]bool{
	"destination": true, "content-length": true, "content-type": true, "subject": true,
	"receipt": true, "receipt-id": true, "transaction": true, "persistent": true,
	"message-id": true, "amqp-message-id": true, "subscription": true, "ack": true,
	"redelivered": true,
}

// sendFrame is the SEND for m; persistent, as RabbitMQ sends the RECEIPT of a persistent
// message only once it is confirmed (stored).
func sendFrame(dest string, m *bridge.Message) (*Frame, error) {
	f := &Frame{Command: "SEND", Body: m.Body}
	f.Add("destination", dest)
	f.Add("persistent", "true")
	if m.ContentType != "" {
		f.Add("content-type", m.ContentType)
	}
	if m.Subject != "" {
		f.Add("subject", m.Subject)
	}
	if m.ID != "" {
		f.Add("amqp-message-id", m.ID) // RabbitMQ forbids message-id on SEND
	}
	for _, k := range sortedKeys(m.Headers) {
		if frameHeaders[k] {
			return nil, fmt.Errorf("%w: header %q is the frame's own", bridge.ErrMalformed, k)
		}
		f.Add(k, m.Headers[k])
	}
	return f, nil
}

// message maps a MESSAGE frame.
func message(f *Frame) bridge.Message {
	m := bridge.Message{Body: f.Body}
	m.ContentType, _ = f.Get("content-type")
	var ok bool
	if m.Subject, ok = f.Get("subject"); !ok {
		dest, _ := f.Get("destination")
		m.Subject = keyOf(dest)
	}
	if m.ID, ok = f.Get("amqp-message-id"); !ok {
		m.ID, _ = f.Get("message-id")
	}
	for _, h := range f.Headers {
		if frameHeaders[h.Key] {
			continue
		}
		if m.Headers == nil {
			m.Headers = map[string]string{}
		}
		if _, dup := m.Headers[h.Key]; !dup { // the first counts
			m.Headers[h.Key] = h.Value
		}
	}
	return m
}
