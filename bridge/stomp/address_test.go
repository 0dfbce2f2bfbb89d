package stomp

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/purezmq/zmq/bridge"
)

func TestParseURL(t *testing.T) {
	cases := []struct {
		url  string
		want target
		bad  bool
	}{
		{url: "stomp://u:p@h:1/", want: target{addr: "h:1", login: "u", passcode: "p", vhost: "/"}},
		{url: "stomp://u:p@h:1", want: target{addr: "h:1", login: "u", passcode: "p", vhost: "/"}},
		{url: "stomp://h", want: target{addr: "h:61613", vhost: "/"}},
		{url: "stomp://u:p%40ss@h:1/%2F", want: target{addr: "h:1", login: "u", passcode: "p@ss", vhost: "/"}},
		{url: "stomp://u@127.0.0.1:2/prod", want: target{addr: "127.0.0.1:2", login: "u", vhost: "prod"}},
		{url: "amqp://h:1/", bad: true},
		{url: "stomp:///x", bad: true},
		{url: "stomp://h:1/%zz", bad: true},
	}
	for _, c := range cases {
		got, err := parseURL(c.url)
		if (CheckURL(c.url) != nil) != c.bad {
			t.Errorf("CheckURL(%q): %v", c.url, CheckURL(c.url))
		}
		if c.bad {
			if err == nil {
				t.Errorf("%s: %+v, want an error", c.url, got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s: %+v, %v; want %+v", c.url, got, err, c.want)
		}
	}
}

func TestDestination(t *testing.T) {
	cases := []struct {
		addr, subject, want string
	}{
		{"/exchange/x/k", "s", "/exchange/x/k"},
		{"/exchange/x", "a.b", "/exchange/x/a.b"},
		{"/exchange/x", "a/b%c\xc3\xa9\n", "/exchange/x/a%2Fb%25c%C3%A9%0A"},
		{"/queue/q", "s", "/queue/q"},
		{"/amq/queue/q", "s", "/amq/queue/q"},
		{"/topic/t.*", "s", "/topic/t.*"},
	}
	for _, c := range cases {
		a, err := parseAddress(c.addr)
		if err != nil {
			t.Fatal(err)
		}
		m := bridge.Message{Subject: c.subject}
		if got := a.destination(&m, c.addr); got != c.want {
			t.Errorf("%s with %q: %q, want %q", c.addr, c.subject, got, c.want)
		}
	}
}

// TestMessageMapping: a MESSAGE frame maps to a Message (subject from the header, else the
// destination's routing key; the publisher's id before the broker's; the frame's own headers
// left out, the first of a repeated one kept), and a Message to its SEND.
func TestMessageMapping(t *testing.T) {
	cases := []struct {
		name string
		f    Frame
		want bridge.Message
	}{
		{"all", Frame{Command: "MESSAGE", Headers: []Header{
			{"destination", "/exchange/x/k"}, {"subject", "s"}, {"message-id", "T_1"}, {"amqp-message-id", "id"},
			{"content-type", "text/plain"}, {"subscription", "s1"}, {"ack", "a"}, {"redelivered", "true"},
			{"persistent", "true"}, {"h", "1"}, {"h", "2"}}, Body: []byte("b")},
			bridge.Message{Subject: "s", ID: "id", ContentType: "text/plain", Headers: map[string]string{"h": "1"}, Body: []byte("b")}},
		{"key from an exchange destination", Frame{Command: "MESSAGE", Headers: []Header{
			{"destination", "/exchange/x/a%2Fb"}, {"message-id", "T_1"}}},
			bridge.Message{Subject: "a/b", ID: "T_1"}},
		{"key from a topic", Frame{Command: "MESSAGE", Headers: []Header{{"destination", "/topic/a.b"}}},
			bridge.Message{Subject: "a.b"}},
		{"no key from a queue", Frame{Command: "MESSAGE", Headers: []Header{{"destination", "/queue/q"}}},
			bridge.Message{}},
	}
	for _, c := range cases {
		if got := message(&c.f); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
	}
	m := bridge.Message{Subject: "s", ID: "id", ContentType: "c", Headers: map[string]string{"b": "2", "a": "1"}, Body: []byte("x")}
	f, err := sendFrame("/queue/q", &m)
	if err != nil {
		t.Fatal(err)
	}
	want := []Header{{"destination", "/queue/q"}, {"persistent", "true"}, {"content-type", "c"},
		{"subject", "s"}, {"amqp-message-id", "id"}, {"a", "1"}, {"b", "2"}}
	if !reflect.DeepEqual(f.Headers, want) || string(f.Body) != "x" {
		t.Errorf("SEND %+v, want headers %+v", f, want)
	}
	for h := range frameHeaders {
		m := bridge.Message{Headers: map[string]string{h: "x"}}
		if _, err := sendFrame("/queue/q", &m); !errors.Is(err, bridge.ErrMalformed) {
			t.Errorf("header %q: %v, want ErrMalformed", h, err)
		}
	}
}

func TestBeatPeriod(t *testing.T) {
	cases := map[string]time.Duration{
		"0": 0, "1000": time.Second, "": 0, "-5": 0, "x": 0, "99999999999999999999": 0,
		"9223372036854775807": maxBeat, "3600001": maxBeat,
	}
	for in, want := range cases {
		if got := beatPeriod(in); got != want {
			t.Errorf("beatPeriod(%q) = %v, want %v", in, got, want)
		}
	}
}
