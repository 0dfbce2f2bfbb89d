package cli

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/bridge"
)

// testProtocols makes Dialers that are never dialled here: the configuration tests check what
// reaches the engine, not a broker.
func testProtocols(urls *[]string) map[string]dialFunc {
	dial := func(url string) (bridge.Dialer, error) {
		if strings.Contains(url, "bad") {
			return nil, errors.New("malformed url")
		}
		*urls = append(*urls, url)
		return func(context.Context) (bridge.Broker, error) { return nil, errors.New("not dialled in this test") }, nil
	}
	return map[string]dialFunc{"amqp091": dial, "stomp": dial}
}

const goodBridgeConfig = `
brokers:
  rabbit: {protocol: amqp091, url: "amqp://guest:guest@127.0.0.1:5672/"}
  st: {protocol: stomp, url: "stomp://guest:guest@127.0.0.1:61613/"}
routes:
  - name: in
    direction: to-broker
    broker: rabbit
    address: exchange/orders
    socket: {type: PULL, bind: ["tcp://127.0.0.1:5557"], options: {RCVHWM: 1000, LINGER: 0}}
    window: 50
    backoff: 250ms
  - name: out
    direction: from-broker
    broker: st
    address: /queue/work
    socket: {type: dealer, connect: ["tcp://127.0.0.1:5558"]}
    subject: false
    peer_ack: true
    ack_timeout: 5s
  - name: feed
    direction: to-broker
    broker: rabbit
    address: queue/feed
    socket: {type: SUB, connect: ["ipc:///tmp/feed"], subscribe: ["a", "b"]}
metrics: 127.0.0.1:9464
`

func TestBridgeConfig(t *testing.T) {
	cfg, err := parseBridgeConfig("good", []byte(goodBridgeConfig))
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	routes, err := cfg.routes(testProtocols(&urls))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Metrics != "127.0.0.1:9464" || len(routes) != 3 || len(urls) != 2 {
		t.Fatalf("metrics %q, %d routes, %d brokers dialled", cfg.Metrics, len(routes), len(urls))
	}
	in, out, feed := routes[0], routes[1], routes[2]
	if in.Name != "in" || in.Direction != bridge.ToBroker || in.Socket.Type != zmq.PULL || in.Address != "exchange/orders" ||
		in.Window != 50 || in.Backoff != 250*time.Millisecond || in.NoSubject || len(in.Socket.Options) != 2 ||
		in.Socket.Bind[0] != "tcp://127.0.0.1:5557" {
		t.Errorf("route in: %+v", in)
	}
	if out.Direction != bridge.FromBroker || out.Socket.Type != zmq.DEALER || !out.NoSubject || !out.PeerAck || out.AckTimeout != 5*time.Second ||
		out.Socket.Connect[0] != "tcp://127.0.0.1:5558" {
		t.Errorf("route out: %+v", out)
	}
	if feed.Socket.Type != zmq.SUB || strings.Join(feed.Socket.Subscribe, ",") != "a,b" {
		t.Errorf("route feed: %+v", feed)
	}
	// The options reach the socket the engine makes.
	s, err := zmq.NewSocket(in.Socket.Type, in.Socket.Options...)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, err := s.Option(zmq.OptRecvHWM); err != nil || v != 1000 {
		t.Errorf("RCVHWM = %v, %v; want 1000", v, err)
	}
}

func TestBridgeConfigErrors(t *testing.T) {
	route := func(fields string) string {
		return "brokers:\n  r: {protocol: amqp091, url: \"amqp://h/\"}\nroutes:\n  - " + fields + "\n"
	}
	base := "name: a, direction: to-broker, broker: r, address: q, socket: {type: PULL, bind: [\"tcp://127.0.0.1:1\"]}"
	with := func(repl ...string) string { return route("{" + strings.NewReplacer(repl...).Replace(base) + "}") }
	cases := []struct {
		name, text, want string
	}{
		{"no routes", "brokers: {}\n", "no routes"},
		{"unknown field", route("{" + base + ", colour: red}"), "colour"},
		{"not yaml", "routes: [", "bridge configuration"},
		{"bad direction", with("to-broker", "sideways"), "direction \"sideways\""},
		{"type for the other direction", with("PULL", "PUSH"), "takes a socket of type"},
		{"unknown type", with("PULL", "FUNNEL"), "unknown socket type"},
		{"unknown broker", with("broker: r", "broker: x"), "broker \"x\""},
		{"no address", with("address: q", "address: \"\""), "no address"},
		{"no endpoint", with("bind: [\"tcp://127.0.0.1:1\"]", "bind: []"), "neither binds nor connects"},
		{"peer_ack on PULL", route("{" + base + ", peer_ack: true}"), "peer_ack"},
		{"subscribe on PULL", with("type: PULL", "type: PULL, subscribe: [x]"), "subscribe"},
		{"window too big", route("{" + base + ", window: 100001}"), "window"},
		{"negative window", route("{" + base + ", window: -1}"), "window"},
		{"bad backoff", route("{" + base + ", backoff: soon}"), "backoff"},
		{"ack_timeout without peer_ack", route("{" + base + ", ack_timeout: 5s}"), "ack_timeout is for peer_ack"},
		{"bad ack_timeout", route("{" + base + ", ack_timeout: -1s}"), "ack_timeout"},
		{"unknown option", with("type: PULL", "type: PULL, options: {NOPE: 1}"), "option NOPE"},
		{"bad option value", with("type: PULL", "type: PULL, options: {RCVHWM: -5}"), "option RCVHWM"},
		{"duplicate name", "brokers:\n  r: {protocol: amqp091, url: \"amqp://h/\"}\nroutes:\n  - {" + base + "}\n  - {" + base + "}\n", "name of its own"},
		{"unknown protocol", strings.Replace(route("{"+base+"}"), "amqp091", "carrier-pigeon", 1), "protocol \"carrier-pigeon\""},
		{"bad url", strings.Replace(route("{"+base+"}"), "amqp://h/", "bad", 1), "malformed url"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var urls []string
			cfg, err := parseBridgeConfig(tc.name, []byte(tc.text))
			if err == nil {
				_, err = cfg.routes(testProtocols(&urls))
			}
			if !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want a usage error mentioning %q", err, tc.want)
			}
		})
	}
}

// FuzzBridgeConfig: any file gives routes or a usage error, never a panic.
func FuzzBridgeConfig(f *testing.F) {
	f.Add([]byte(goodBridgeConfig))
	f.Add([]byte("routes: [{name: a, direction: to-broker, broker: r, address: q, socket: {type: PULL, bind: [x]}}]"))
	f.Add([]byte("brokers: {r: {protocol: amqp091, url: u}}\nroutes: [{window: 7, socket: {options: {SNDHWM: 1}}}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var urls []string
		cfg, err := parseBridgeConfig("fuzz", data)
		if err == nil {
			_, err = cfg.routes(testProtocols(&urls))
		}
		if err != nil && !errors.Is(err, ErrUsage) {
			t.Fatalf("error %v is not a usage error", err)
		}
	})
}
