package stomp

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// Option configures Dial.
type Option func(*options)

type options struct {
	heartbeat time.Duration
	limits    Limits
	dialer    net.Dialer
}

// DefaultHeartbeat is how often each side asks the other to show life.
const DefaultHeartbeat = 10 * time.Second

// WithHeartbeat sets the heart-beat period both ways (default DefaultHeartbeat; 0 turns
// heart-beating off). The bridge sends something at least every d, asks the broker to do
// the same, and takes a broker silent for three of the broker's periods as a lost connection.
// RabbitMQ answers in whole seconds: asked for 100 ms, it sends and wants one every second.
func WithHeartbeat(d time.Duration) Option { return func(o *options) { o.heartbeat = d } }

// WithLimits sets the frame limits for what the broker sends (default DefaultLimits; a zero
// field keeps its default).
func WithLimits(l Limits) Option { return func(o *options) { o.limits = l } }

// target is a parsed stomp:// URL.
type target struct {
	addr, login, passcode, vhost string
}

// DefaultPort is STOMP's port, used when the URL has none.
const DefaultPort = "61613"

// parseURL reads stomp://user:pass@host:port/vhost: no path or "/" is the vhost "/",
// "/NAME" the vhost NAME (percent-escaped, so "/%2F" is "/" too).
func parseURL(s string) (target, error) {
	u, err := url.Parse(s)
	if err != nil {
		return target{}, fmt.Errorf("stomp: url: %w", err)
	}
	if u.Scheme != "stomp" || u.Host == "" {
		return target{}, fmt.Errorf("stomp: url %q: want stomp://user:pass@host:port/vhost", u.Redacted())
	}
	t := target{addr: u.Host, vhost: "/"}
	if u.Port() == "" {
		t.addr = net.JoinHostPort(u.Hostname(), DefaultPort)
	}
	if u.User != nil {
		t.login = u.User.Username()
		t.passcode, _ = u.User.Password()
	}
	if p := strings.TrimPrefix(u.Path, "/"); p != "" {
		t.vhost = p
	}
	return t, nil
}

// CheckURL reports whether url is one Dial can use, so that configuration is checked before
// anything dials (a Dialer reports a bad URL only when called, and is called again).
func CheckURL(url string) error {
	_, err := parseURL(url)
	return err
}
