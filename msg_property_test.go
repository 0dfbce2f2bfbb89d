package zmq_test

import (
	"fmt"
	"os"
	"testing"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/internal/rawzmtp"
	"github.com/purezmq/zmq/zmtp"
)

// propertyCase is one zmq_msg_gets name and what it must give; absent when want is "-".
type propertyCase struct{ name, want string }

const absent = "-"

func checkPropertyTable(t *testing.T, m zmq.Msg, cases []propertyCase) {
	t.Helper()
	for _, c := range cases {
		got, ok := m.Property(c.name)
		switch {
		case c.want == absent && ok:
			t.Errorf("Property(%q) = %q, want none", c.name, got)
		case c.want != absent && (!ok || got != c.want):
			t.Errorf("Property(%q) = %q, %v; want %q", c.name, got, ok, c.want)
		}
	}
}

// TestMsgProperty: the names zmq_msg_gets documents, in any case, from a purezmq DEALER: the
// socket type and routing id it announced (under either name), the peer address as libzmq
// gives it, its METADATA, no User-Id without ZAP, and nothing over inproc, as in libzmq.
func TestMsgProperty(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		router := newSocket(t, zmq.ROUTER)
		dealer := newSocket(t, zmq.DEALER, zmq.WithRoutingID([]byte("dlr")), zmq.WithMetadata("X-Foo", "bar"))
		link(t, tr, router, dealer)
		sendString(t, dealer, "hi")
		m := expectRecvString(t, router, "dlr", "hi")
		want := map[string]map[string]string{
			"tcp":    {"type": "DEALER", "id": "dlr", "addr": "127.0.0.1", "x": "bar"},
			"ipc":    {"type": "DEALER", "id": "dlr", "addr": fmt.Sprintf("localhost:%d:%d:%d", os.Getuid(), os.Getgid(), os.Getpid()), "x": "bar"},
			"inproc": {"type": absent, "id": absent, "addr": absent, "x": absent},
		}[tr.name]
		checkPropertyTable(t, m, []propertyCase{
			{"Socket-Type", want["type"]}, {"socket-type", want["type"]},
			{"Routing-Id", want["id"]}, {"ROUTING-ID", want["id"]},
			{"Identity", want["id"]}, {"identity", want["id"]},
			{"Peer-Address", want["addr"]}, {"peer-address", want["addr"]},
			{"X-Foo", want["x"]}, {"x-foo", want["x"]},
			{"User-Id", absent}, {"Foo", absent},
		})
	})
}

// TestMsgPropertyPeerMetadata: a peer's other READY properties (the X- ones of ZMQ_METADATA)
// are read by their names, and a routing id announced under the new name "Routing-Id" is found
// under the old one too.
func TestMsgPropertyPeerMetadata(t *testing.T) {
	for _, tr := range transports {
		if tr.name == "inproc" {
			continue // a raw peer needs a wire
		}
		t.Run(tr.name, func(t *testing.T) {
			pull := newSocket(t, zmq.PULL)
			ep := bind(t, pull, tr.wildcard())
			p, err := rawzmtp.Dial(ep)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			if _, err := p.Greet("NULL", false); err != nil {
				t.Fatal(err)
			}
			md := zmtp.Metadata{
				{Name: zmtp.PropSocketType, Value: []byte("PUSH")},
				{Name: zmtp.PropRoutingID, Value: []byte("new-name")},
				{Name: "X-Foo", Value: []byte("bar")},
				{Name: "x-empty", Value: nil},
			}
			if err := p.Write(zmtp.AppendReady(nil, md)); err != nil {
				t.Fatal(err)
			}
			if _, err := p.Expect(zmtp.CmdReady); err != nil {
				t.Fatal(err)
			}
			if err := p.WriteFrame(0, []byte("hi")); err != nil {
				t.Fatal(err)
			}
			m := expectRecvString(t, pull, "hi")
			checkPropertyTable(t, m, []propertyCase{
				{"Socket-Type", "PUSH"},
				{"Routing-Id", "new-name"}, {"Identity", "new-name"},
				{"X-Foo", "bar"}, {"x-foo", "bar"}, {"X-Empty", ""},
				{"Foo", absent}, {"User-Id", absent},
			})
		})
	}
}
