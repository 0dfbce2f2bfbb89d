package clitest

import (
	"fmt"
	"github.com/purezmq/zmq/interop/internal/proctest"
	"net"
	"strings"
	"syscall"
	"testing"
)

// pyProxyPush sends argv[2] messages from a PUSH connected to argv[1], with a second frame;
// pyProxySink receives them on a PULL connected to argv[1] and prints "ok" if they came whole and in
// order.
const (
	pyProxyPush = `import sys, zmq
ctx = zmq.Context()
s = ctx.socket(zmq.PUSH)
s.connect(sys.argv[1])
for i in range(int(sys.argv[2])):
    s.send_multipart([b"msg %d" % i, b"frame"])
s.close(linger=20000)
ctx.term()
print("sent", flush=True)
`
	pyProxySink = `import sys, zmq
ctx = zmq.Context()
s = ctx.socket(zmq.PULL)
s.rcvtimeo = 20000
s.connect(sys.argv[1])
for i in range(int(sys.argv[2])):
    m = s.recv_multipart()
    if m != [b"msg %d" % i, b"frame"]:
        print("message %d is %r" % (i, m), flush=True)
        sys.exit(1)
print("ok", flush=True)
`
)

func TestProxyStreamerPipeline(t *testing.T) {
	proctest.NeedPython(t)
	in, out := ipcEndpoint(t, "in"), ipcEndpoint(t, "out")
	const n = 2000
	proxy := startZmq(t, "proxy", "streamer", in, "@"+out, "--stats", "0")
	sink := proctest.StartPython(t, pyProxySink, out, fmt.Sprint(n))
	push := proctest.StartPython(t, pyProxyPush, in, fmt.Sprint(n))
	if l := sink.Line(); l != "ok" {
		t.Fatalf("sink: %s; stderr:\n%s", l, sink.Stderr())
	}
	sink.MustExit()
	push.MustExit()

	proxy.Signal(syscall.SIGINT)
	proxy.MustExit()
	size := 0
	for i := range n {
		size += len(fmt.Sprintf("msg %d", i)) + len("frame")
	}
	want := fmt.Sprintf("proxy stopped: frontend in %d msgs %d B, out 0 msgs 0 B; backend in 0 msgs 0 B, out %d msgs %d B", n, size, n, size)
	if got := strings.TrimSpace(proxy.Stderr()); got != want {
		t.Errorf("stderr %q\nwant %q", got, want)
	}
}

const (
	pyProxyWorker = `import sys, zmq
ctx = zmq.Context()
s = ctx.socket(zmq.REP)
s.connect(sys.argv[1])
while True:
    s.send(b"re: " + s.recv())
`
	pyProxyClients = `import sys, zmq
ctx = zmq.Context()
clients = [ctx.socket(zmq.REQ) for _ in range(3)]
for c in clients:
    c.rcvtimeo = 20000
    c.connect(sys.argv[1])
for i in range(50):
    for k, c in enumerate(clients):
        c.send(b"%d-%d" % (k, i))
    for k, c in enumerate(clients):
        r = c.recv()
        if r != b"re: %d-%d" % (k, i):
            print("client %d got %r" % (k, r), flush=True)
            sys.exit(1)
print("ok", flush=True)
`
)

func TestProxyQueue(t *testing.T) {
	proctest.NeedPython(t)
	front, back := ipcEndpoint(t, "front"), ipcEndpoint(t, "back")
	proxy := startZmq(t, "proxy", "queue", front, back, "--stats", "0")
	proctest.StartPython(t, pyProxyWorker, back)
	clients := proctest.StartPython(t, pyProxyClients, front)
	if l := clients.Line(); l != "ok" {
		t.Fatalf("clients: %s; stderr:\n%s", l, clients.Stderr())
	}
	clients.MustExit()
	proxy.Signal(syscall.SIGTERM)
	proxy.MustExit()
	if got := proxy.Stderr(); !strings.Contains(got, "proxy stopped: frontend in 150 msgs") ||
		!strings.Contains(got, "backend in 150 msgs") {
		t.Errorf("stderr %q, want 150 requests and 150 replies counted", got)
	}
}

// pyProxyForwarder publishes on an XPUB connected to argv[1] (so it sees the subscriptions that
// came upstream), subscribes to "a" on argv[2] and to everything on the capture argv[3].
const pyProxyForwarder = `import sys, zmq
ctx = zmq.Context()
pub = ctx.socket(zmq.XPUB)
pub.connect(sys.argv[1])
sub = ctx.socket(zmq.SUB)
sub.connect(sys.argv[2])
sub.subscribe(b"a")
cap = ctx.socket(zmq.SUB)
cap.connect(sys.argv[3])
cap.subscribe(b"")
pub.rcvtimeo = 20000
if pub.recv() != b"\x01a":
    sys.exit("the publisher did not get the subscription")
# The capture socket may join late: publish until both have something, reading what comes
# (unread, the warm-ups would fill the queues and the end be dropped at their HWM, as PUB does).
poller = zmq.Poller()
poller.register(sub, zmq.POLLIN)
poller.register(cap, zmq.POLLIN)
seen = set()
for i in range(2000):
    pub.send(b"a warmup")
    for s, _ in poller.poll(10):
        seen.add(s)
        while s.poll(0):
            m = s.recv()
            if m.startswith(b"b"):
                sys.exit("got %r" % m)
    if seen == {sub, cap}:
        break
else:
    sys.exit("nothing arrived")
pub.send(b"b not asked for")
pub.send(b"a end")
for s, name in ((sub, "sub"), (cap, "capture")):
    s.rcvtimeo = 20000
    while True:
        m = s.recv()
        if m.startswith(b"b"):
            sys.exit("%s got %r" % (name, m))
        if m == b"a end":
            break
print("ok", flush=True)
`

func TestProxyForwarderWithCapture(t *testing.T) {
	proctest.NeedPython(t)
	front, back, capture := ipcEndpoint(t, "front"), ipcEndpoint(t, "back"), ipcEndpoint(t, "capture")
	proxy := startZmq(t, "proxy", "forwarder", front, back, "--capture", capture, "--stats", "0")
	peers := proctest.StartPython(t, pyProxyForwarder, front, back, capture)
	if l := peers.Line(); l != "ok" {
		t.Fatalf("peers: %s; stderr:\n%s", l, peers.Stderr())
	}
	peers.MustExit()
	proxy.Signal(syscall.SIGINT)
	proxy.MustExit()
	if got := proxy.Stderr(); !strings.HasPrefix(got, "proxy stopped: ") {
		t.Errorf("stderr %q, want the final counts", got)
	}
}

// TestProxyRefusals: a busy address is a runtime failure (1), a command line that cannot be
// understood a usage error (2), each with one line on stderr.
func TestProxyRefusals(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	ipc := ipcEndpoint(t, "x")
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"proxy", "queue", "tcp://" + busy.Addr().String(), ipc}, 1},
		{[]string{"proxy", "relay", ipc, ipc + "2"}, 2},
		{[]string{"proxy", "streamer", ipc}, 2},
		{[]string{"proxy", "streamer", "nosuch://x", ipc}, 2},
		{[]string{"proxy", "streamer", ipc, "@"}, 2},
		{[]string{"proxy", "streamer", ipc, ipc + "2", "--stats", "-1s"}, 2},
		{[]string{"proxy", "streamer", ipc, ipc + "2", "-o", "NOSUCH=1"}, 2},
	} {
		r := runZmq(t, nil, tc.args...)
		if lines := trimLines(r.stderr); r.code != tc.code || len(lines) != 1 || !strings.HasPrefix(lines[0], "zmq: ") {
			t.Errorf("zmq %q: exit %d, stderr %q; want %d and one line", tc.args, r.code, r.stderr, tc.code)
		}
	}
}

// TestProxyStopsWhileStuck: a streamer with no worker holds the message it took; SIGINT still
// stops it, with exit status 0 and the final counts.
func TestProxyStopsWhileStuck(t *testing.T) {
	proctest.NeedPython(t)
	in := ipcEndpoint(t, "in")
	proxy := startZmq(t, "proxy", "streamer", in, ipcEndpoint(t, "out"), "--stats", "1ms")
	proctest.StartPython(t, pyProxyPush, in, "1").MustExit()
	proxy.Signal(syscall.SIGINT)
	proxy.MustExit()
	lines := trimLines([]byte(proxy.Stderr()))
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "proxy stopped: ") {
		t.Errorf("last line %q, want the final counts", last)
	}
}
