package cli

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/bridge"
)

// bridgeFile is the configuration of `zmq bridge`, a YAML file:
//
//	brokers:
//	  rabbit: {protocol: amqp091, url: "amqp://guest:guest@127.0.0.1:5672/"}
//	routes:
//	  - name: orders
//	    direction: to-broker            # or from-broker
//	    broker: rabbit
//	    address: exchange/orders        # the protocol's address syntax
//	    socket: {type: PULL, bind: ["tcp://*:5557"], options: {RCVHWM: 1000}}
//	    subject: true                   # frame 0 is the subject (the default)
//	    window: 100                     # confirmations/acknowledgements pending at most
//	    peer_ack: false                 # from-broker DEALER: acknowledge on the peer's answer
//	    backoff: 100ms                  # first wait before dialling the broker again
//	    ack_timeout: 30s                # peer_ack: requeue a delivery not answered by then
//	metrics: 127.0.0.1:9464             # optional: Prometheus metrics at /metrics
type bridgeFile struct {
	Brokers map[string]bridgeBroker `yaml:"brokers"`
	Routes  []bridgeRoute           `yaml:"routes"`
	Metrics string                  `yaml:"metrics"`
}

type bridgeBroker struct {
	Protocol string `yaml:"protocol"`
	URL      string `yaml:"url"`
}

type bridgeRoute struct {
	Name       string       `yaml:"name"`
	Direction  string       `yaml:"direction"`
	Broker     string       `yaml:"broker"`
	Address    string       `yaml:"address"`
	Socket     bridgeSocket `yaml:"socket"`
	Subject    *bool        `yaml:"subject"`
	Window     int          `yaml:"window"`
	PeerAck    bool         `yaml:"peer_ack"`
	Backoff    string       `yaml:"backoff"`
	AckTimeout string       `yaml:"ack_timeout"`
}

type bridgeSocket struct {
	Type      string            `yaml:"type"`
	Bind      []string          `yaml:"bind"`
	Connect   []string          `yaml:"connect"`
	Options   map[string]string `yaml:"options"`
	Subscribe []string          `yaml:"subscribe"`
}

// maxWindow bounds a route's window: each pending message is memory the bridge holds.
const maxWindow = 100_000

// maxConfig bounds the configuration file read.
const maxConfig = 1 << 20

// dialFunc makes the Dialer of a broker from its URL; one per protocol name.
type dialFunc func(url string) (bridge.Dialer, error)

// loadBridgeConfig reads and checks the configuration at path; every error is ErrUsage and
// names what is wrong and where.
func loadBridgeConfig(path string) (*bridgeFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usagef("bridge configuration: %v", err)
	}
	defer f.Close()
	var buf bytes.Buffer
	if n, err := buf.ReadFrom(f); err != nil {
		return nil, usagef("bridge configuration %s: %v", path, err)
	} else if n > maxConfig {
		return nil, usagef("bridge configuration %s: larger than %d bytes", path, maxConfig)
	}
	return parseBridgeConfig(path, buf.Bytes())
}

func parseBridgeConfig(name string, data []byte) (*bridgeFile, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var cfg bridgeFile
	if err := dec.Decode(&cfg); err != nil {
		return nil, usagef("bridge configuration %s: %v", name, err)
	}
	if len(cfg.Routes) == 0 {
		return nil, usagef("bridge configuration %s: no routes", name)
	}
	return &cfg, nil
}

// routes turns the configuration into the engine's routes, with a Dialer per broker made by
// its protocol's dialFunc. Socket options are checked by making a socket with them.
func (cfg *bridgeFile) routes(protocols map[string]dialFunc) ([]bridge.Route, error) {
	dialers := map[string]bridge.Dialer{}
	for _, name := range slices.Sorted(maps.Keys(cfg.Brokers)) {
		b := cfg.Brokers[name]
		dial, ok := protocols[b.Protocol]
		if !ok {
			return nil, usagef("broker %q: protocol %q (want one of %s)", name, b.Protocol, protocolNames(protocols))
		}
		d, err := dial(b.URL)
		if err != nil {
			return nil, usagef("broker %q: %v", name, err)
		}
		dialers[name] = d
	}
	seen := map[string]bool{}
	var out []bridge.Route
	for i, r := range cfg.Routes {
		where := fmt.Sprintf("route %d (%q)", i+1, r.Name)
		if r.Name == "" || seen[r.Name] {
			return nil, usagef("%s: a route needs a name of its own", where)
		}
		seen[r.Name] = true
		route, err := r.route(dialers)
		if err != nil {
			return nil, usagef("%s: %v", where, err)
		}
		out = append(out, route)
	}
	return out, nil
}

func (r bridgeRoute) route(dialers map[string]bridge.Dialer) (bridge.Route, error) {
	out := bridge.Route{Name: r.Name, Address: r.Address, Window: r.Window, PeerAck: r.PeerAck}
	var wantTypes []zmq.Type
	switch r.Direction {
	case "to-broker":
		out.Direction, wantTypes = bridge.ToBroker, []zmq.Type{zmq.PULL, zmq.SUB, zmq.ROUTER}
	case "from-broker":
		out.Direction, wantTypes = bridge.FromBroker, []zmq.Type{zmq.PUSH, zmq.PUB, zmq.DEALER}
	default:
		return out, fmt.Errorf("direction %q (want to-broker or from-broker)", r.Direction)
	}
	var ok bool
	if out.Broker, ok = dialers[r.Broker]; !ok {
		return out, fmt.Errorf("broker %q is not among the brokers", r.Broker)
	}
	if r.Address == "" {
		return out, errors.New("no address")
	}
	t, err := parseType(r.Socket.Type)
	if err != nil {
		return out, err
	}
	if !slices.Contains(wantTypes, t) {
		return out, fmt.Errorf("a %s route takes a socket of type %v, not %v", r.Direction, wantTypes, t)
	}
	if r.PeerAck && (out.Direction != bridge.FromBroker || t != zmq.DEALER) {
		return out, errors.New("peer_ack is for from-broker DEALER routes")
	}
	if len(r.Socket.Subscribe) > 0 && t != zmq.SUB {
		return out, errors.New("subscribe is for SUB sockets")
	}
	if len(r.Socket.Bind)+len(r.Socket.Connect) == 0 {
		return out, errors.New("the socket neither binds nor connects")
	}
	if r.Window < 0 || r.Window > maxWindow {
		return out, fmt.Errorf("window %d (want 0 for the default, up to %d)", r.Window, maxWindow)
	}
	if r.Subject != nil {
		out.NoSubject = !*r.Subject
	}
	if out.Backoff, err = positiveDuration("backoff", r.Backoff); err != nil {
		return out, err
	}
	if out.AckTimeout, err = positiveDuration("ack_timeout", r.AckTimeout); err != nil {
		return out, err
	}
	if r.AckTimeout != "" && !r.PeerAck {
		return out, errors.New("ack_timeout is for peer_ack routes")
	}
	opts, err := socketOptions(t, r.Socket.Options)
	if err != nil {
		return out, err
	}
	out.Socket = bridge.SocketConfig{Type: t, Bind: r.Socket.Bind, Connect: r.Socket.Connect,
		Options: opts, Subscribe: r.Socket.Subscribe}
	return out, nil
}

// socketOptions reads options by libzmq name, each value as the first typed reading the
// library takes for it (as -o does), checked on a scratch socket of type t.
func socketOptions(t zmq.Type, named map[string]string) ([]zmq.Option, error) {
	zc := zmq.NewContext()
	defer zc.Close()
	var opts []zmq.Option
	for _, name := range slices.Sorted(maps.Keys(named)) {
		text := named[name]
		id, ok := zmq.LookupOption(name)
		if !ok {
			return nil, fmt.Errorf("option %s: unknown (libzmq names, e.g. SNDHWM, LINGER)", name)
		}
		var first error
		var chosen zmq.Option
		for _, v := range optionValues(text) {
			o := zmq.WithOption(id, v)
			s, err := zc.NewSocket(t, o)
			if err == nil {
				s.Close()
				chosen = o
				break
			}
			if first == nil {
				first = err
			}
		}
		if chosen == nil {
			return nil, fmt.Errorf("option %s=%s: %v", name, text, first)
		}
		opts = append(opts, chosen)
	}
	return opts, nil
}

// positiveDuration reads an optional duration field: "" is 0 (the engine's default).
func positiveDuration(field, text string) (time.Duration, error) {
	if text == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(text)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s %q: want a positive duration such as 100ms", field, text)
	}
	return d, nil
}

func protocolNames(protocols map[string]dialFunc) string {
	return strings.Join(slices.Sorted(maps.Keys(protocols)), ", ")
}
