package cli

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	zmq "github.com/purezmq/zmq"
)

// eventTypes are the events a monitor prints, by libzmq name (ZMQ_EVENT_ without its prefix).
// MONITOR_STOPPED is left out: it ends every monitor and is never printed.
var eventTypes = func() map[string]zmq.EventType {
	m := map[string]zmq.EventType{}
	for bit := zmq.EventConnected; bit <= zmq.EventHandshakeFailedAuth; bit <<= 1 {
		if bit != zmq.EventMonitorStopped {
			m[bit.String()] = bit
		}
	}
	return m
}()

// parseEventNames reads --until's names ("HANDSHAKE_SUCCEEDED", "handshake_succeeded" or
// "ZMQ_EVENT_HANDSHAKE_SUCCEEDED") into a mask; an unknown name is a usage error.
func parseEventNames(names []string) (zmq.EventType, error) {
	var mask zmq.EventType
	for _, n := range names {
		t, ok := eventTypes[strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(n)), "ZMQ_EVENT_")]
		if !ok {
			return 0, usagef("unknown event %q (want one of %s)", n, eventNameList())
		}
		mask |= t
	}
	return mask, nil
}

func eventNameList() string {
	var names []string
	for bit := zmq.EventConnected; bit <= zmq.EventHandshakeFailedAuth; bit <<= 1 {
		if bit != zmq.EventMonitorStopped {
			names = append(names, bit.String())
		}
	}
	return strings.Join(names, " ")
}

// timeLayout is RFC 3339 to the microsecond: events of one connect come within a millisecond.
const timeLayout = "2006-01-02T15:04:05.000000Z07:00"

// formatEvent is one event as a text line: time, name, endpoint, then what is known of peer,
// value (libzmq's: a retry interval in ms, a ZAP status, a protocol error code), error and
// events dropped so far.
func formatEvent(at time.Time, e zmq.Event) string {
	var b strings.Builder
	b.WriteString(at.Format(timeLayout))
	b.WriteString(" " + e.Type.String() + " " + e.Endpoint)
	if e.PeerAddr != "" {
		b.WriteString(" peer=" + e.PeerAddr)
	}
	if e.Value != 0 {
		b.WriteString(" value=" + strconv.Itoa(e.Value))
	}
	if e.Err != nil {
		b.WriteString(" error=" + strconv.Quote(e.Err.Error()))
	}
	if e.Dropped != 0 {
		b.WriteString(" dropped=" + strconv.FormatUint(e.Dropped, 10))
	}
	return b.String()
}

// eventJSON is an event as one JSON object, the fields named as formatEvent's.
type eventJSON struct {
	Time     string `json:"time"`
	Event    string `json:"event"`
	Endpoint string `json:"endpoint"`
	Peer     string `json:"peer,omitempty"`
	Value    int    `json:"value,omitempty"`
	Error    string `json:"error,omitempty"`
	Dropped  uint64 `json:"dropped,omitempty"`
}

func formatEventJSON(at time.Time, e zmq.Event) string {
	j := eventJSON{Time: at.Format(timeLayout), Event: e.Type.String(), Endpoint: e.Endpoint,
		Peer: e.PeerAddr, Value: e.Value, Dropped: e.Dropped}
	if e.Err != nil {
		j.Error = e.Err.Error()
	}
	b, _ := json.Marshal(j) // strings and numbers only: it cannot fail
	return string(b)
}
