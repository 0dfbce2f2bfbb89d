package notify

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Priority is a notification's priority, oslo's seven.
type Priority uint8

// The priorities, in oslo's order.
const (
	Audit    Priority = iota + 1 // "audit"
	Debug                        // "debug"
	Info                         // "info"
	Warn                         // "warn" (oslo's WARN, also taken as "warning")
	Error                        // "error"
	Critical                     // "critical"
	Sample                       // "sample"
)

var priorityNames = [...]string{"", "audit", "debug", "info", "warn", "error", "critical", "sample"}

// Priorities lists every priority.
var Priorities = []Priority{Audit, Debug, Info, Warn, Error, Critical, Sample}

// String is the lower-case name that ends a topic: "info".
func (p Priority) String() string {
	if p < Audit || p > Sample {
		return fmt.Sprintf("priority(%d)", p)
	}
	return priorityNames[p]
}

// ParsePriority reads a priority in any case; "warning" is "warn", as oslo takes it.
func ParsePriority(s string) (Priority, error) {
	s = strings.ToLower(s)
	if s == "warning" {
		return Warn, nil
	}
	for p := Audit; p <= Sample; p++ {
		if priorityNames[p] == s {
			return p, nil
		}
	}
	return 0, fmt.Errorf("%w: priority %q", ErrInvalid, s)
}

var (
	// ErrInvalid reports a bad argument: a topic, priority, event type or option.
	ErrInvalid = errors.New("notify: invalid argument")
	// ErrMalformed reports a message that does not follow the wire format (WIRE.md); what
	// receives one drops and counts it.
	ErrMalformed = errors.New("notify: malformed message")
	// ErrClosed is returned after Stop.
	ErrClosed = errors.New("notify: closed")
)

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// Notification is one notification, with oslo.messaging's field names on the wire.
type Notification struct {
	MessageID   string `json:"message_id"`   // a random UUID, unique per notification
	PublisherID string `json:"publisher_id"` // who sent it: "compute.host1"
	EventType   string `json:"event_type"`   // what happened: "compute.instance.create.end"
	// Priority is upper-case on the wire, as oslo sends it: "INFO".
	Priority string          `json:"priority"`
	Payload  json.RawMessage `json:"payload"`   // any JSON value
	Time     string          `json:"timestamp"` // UTC, "2006-01-02 15:04:05.000000" as oslo's
	// Topic is the topic it was published on, "<topic>.<priority>"; not in the body.
	Topic string `json:"-"`
}

// TimeLayout is the timestamp's layout (Python's str() of a naive UTC datetime).
const TimeLayout = "2006-01-02 15:04:05.000000"

// Timestamp parses Time.
func (n *Notification) Timestamp() (time.Time, error) { return time.Parse(TimeLayout, n.Time) }

// Limits of what a notification carries.
const (
	maxName = 255 // bytes of a topic, publisher id, event type, pool name
	// DefaultMaxMessage bounds a notification's body (payload and fields), 1 MiB.
	DefaultMaxMessage = 1 << 20
)

// newMessageID is a random (version 4) UUID, as oslo's.
func newMessageID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand does not fail
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// checkName accepts 1–255 bytes of UTF-8 with no control bytes.
func checkName(what, s string) error {
	if s == "" || len(s) > maxName || !utf8.ValidString(s) {
		return fmt.Errorf("%w: %s %q: want 1-%d bytes of UTF-8", ErrInvalid, what, s, maxName)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] == 0x7f {
			return fmt.Errorf("%w: %s %q: control byte at %d", ErrInvalid, what, s, i)
		}
	}
	return nil
}

// checkTopic accepts a topic a notifier publishes to (without its priority): a name with no
// spaces.
func checkTopic(t string) error {
	if err := checkName("topic", t); err != nil {
		return err
	}
	if strings.ContainsRune(t, ' ') {
		return fmt.Errorf("%w: topic %q has a space", ErrInvalid, t)
	}
	return nil
}

// splitTopic reads "<topic>.<priority>" as it travels.
func splitTopic(full string) (string, Priority, error) {
	i := strings.LastIndexByte(full, '.')
	if i <= 0 {
		return "", 0, malformed("topic %q: want <topic>.<priority>", full)
	}
	if err := checkTopic(full[:i]); err != nil {
		return "", 0, malformed("%v", err)
	}
	p, err := ParsePriority(full[i+1:])
	if err != nil || full[i+1:] != p.String() {
		return "", 0, malformed("topic %q: unknown priority", full)
	}
	return full[:i], p, nil
}

// encodeBody is n's JSON body.
func encodeBody(n *Notification) ([]byte, error) {
	return json.Marshal(n)
}

// decodeNotification reads a notification from its topic frame and body, checking both: the
// fields a notification must have, with the priority its topic names.
func decodeNotification(topic, body []byte, maxBody int) (*Notification, error) {
	_, p, err := splitTopic(string(topic))
	if err != nil {
		return nil, err
	}
	if maxBody > 0 && len(body) > maxBody {
		return nil, malformed("body of %d bytes, over %d", len(body), maxBody)
	}
	d := json.NewDecoder(bytes.NewReader(body))
	var n Notification
	if err := d.Decode(&n); err != nil {
		return nil, malformed("body: %v", err)
	}
	if d.More() {
		return nil, malformed("body: data after the object")
	}
	if !strings.EqualFold(n.Priority, p.String()) && !(p == Warn && strings.EqualFold(n.Priority, "warning")) {
		return nil, malformed("priority %q on topic %q", n.Priority, topic)
	}
	if n.MessageID == "" || len(n.MessageID) > maxName || !utf8.ValidString(n.MessageID) {
		return nil, malformed("message_id %q", n.MessageID)
	}
	if len(n.PublisherID) > maxName || len(n.EventType) > maxName {
		return nil, malformed("publisher_id or event_type over %d bytes", maxName)
	}
	if len(n.Payload) == 0 {
		n.Payload = json.RawMessage("null")
	}
	n.Topic = string(topic)
	return &n, nil
}
