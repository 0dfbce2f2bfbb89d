package clitest

import (
	"github.com/purezmq/zmq/interop/internal/proctest"
	"slices"
	"strings"
	"testing"
)

// pyMonitoredServer binds a ROUTER on a free loopback port, as a CURVE server with a fresh key pair if
// argv[1] is "curve", and prints the port and its public key (or "-"); then it serves until
// killed.
const pyMonitoredServer = `import sys, zmq
ctx = zmq.Context()
s = ctx.socket(zmq.ROUTER)
key = "-"
if sys.argv[1] == "curve":
    pub, sec = zmq.curve_keypair()
    s.curve_server = True
    s.curve_secretkey = sec
    s.curve_publickey = pub
    key = pub.decode()
port = s.bind_to_random_port("tcp://127.0.0.1")
print(port, key, flush=True)
while True:
    s.recv_multipart()
`

// startMonitoredServer starts pyMonitoredServer and returns its endpoint and public key.
func startMonitoredServer(t *testing.T, mechanism string) (endpoint, key string) {
	t.Helper()
	p := proctest.StartPython(t, pyMonitoredServer, mechanism)
	port, key, _ := strings.Cut(p.Line(), " ")
	return "tcp://127.0.0.1:" + port, key
}

// monitorEvents are the event names of monitor's text lines.
func monitorEvents(out []byte) []string {
	var names []string
	for _, l := range trimLines(out) {
		if f := strings.Fields(l); len(f) >= 3 {
			names = append(names, f[1])
		}
	}
	return names
}

func TestMonitorHandshakeWithPyzmq(t *testing.T) {
	proctest.NeedPython(t)
	ep, _ := startMonitoredServer(t, "null")
	r := runZmq(t, nil, "monitor", "--until", "HANDSHAKE_SUCCEEDED", "--timeout", "20s", ep)
	names := monitorEvents(r.stdout)
	if r.code != 0 || len(names) == 0 || names[len(names)-1] != "HANDSHAKE_SUCCEEDED" || !slices.Contains(names, "CONNECTED") {
		t.Errorf("exit %d, events %q, stderr %q; want 0 and CONNECTED ... HANDSHAKE_SUCCEEDED", r.code, names, r.stderr)
	}
}

func TestMonitorCurveWrongServerKey(t *testing.T) {
	proctest.NeedPython(t)
	ep, key := startMonitoredServer(t, "curve")
	right := runZmq(t, nil, "monitor", "--curve-serverkey", key, "--until", "HANDSHAKE_SUCCEEDED", "--timeout", "20s", ep)
	if right.code != 0 {
		t.Fatalf("with the right key: exit %d, stdout %q, stderr %q", right.code, right.stdout, right.stderr)
	}
	wrong := runZmq(t, nil, "keygen")
	wrongKey := strings.TrimPrefix(trimLines(wrong.stdout)[0], "public-key = ")
	failed := "HANDSHAKE_FAILED_NO_DETAIL,HANDSHAKE_FAILED_PROTOCOL,HANDSHAKE_FAILED_AUTH,HANDSHAKE_SUCCEEDED"
	r := runZmq(t, nil, "monitor", "--curve-serverkey", wrongKey, "--until", failed, "--timeout", "20s", ep)
	names := monitorEvents(r.stdout)
	if r.code != 0 || len(names) == 0 || !strings.HasPrefix(names[len(names)-1], "HANDSHAKE_FAILED_") {
		t.Errorf("with a wrong key: exit %d, events %q, stderr %q; want a handshake failure", r.code, names, r.stderr)
	}
}

func TestMonitorNobodyThere(t *testing.T) {
	ep := ipcEndpoint(t, "nobody")
	r := runZmq(t, nil, "monitor", "--until", "CONNECTED", "--timeout", "300ms", "-o", "RECONNECT_IVL=20ms", ep)
	if lines := trimLines(r.stderr); r.code != 1 || len(lines) != 1 || !strings.HasPrefix(lines[0], "zmq: timeout") {
		t.Errorf("exit %d, stderr %q; want 1 and one line about the timeout", r.code, r.stderr)
	}
	if names := monitorEvents(r.stdout); !slices.Contains(names, "CONNECT_RETRIED") {
		t.Errorf("events %q, want retries", names)
	}
}

func TestMonitorUsage(t *testing.T) {
	for _, args := range [][]string{
		{"monitor"},
		{"monitor", "--until", "NOSUCH", "tcp://127.0.0.1:1"},
		{"monitor", "-t", "RADIO", "tcp://127.0.0.1:1"},
		{"monitor", "--format", "xml", "tcp://127.0.0.1:1"},
		{"monitor", "nosuch://x"},
	} {
		r := runZmq(t, nil, args...)
		if lines := trimLines(r.stderr); r.code != 2 || len(lines) != 1 || !strings.HasPrefix(lines[0], "zmq: ") {
			t.Errorf("zmq %q: exit %d, stderr %q; want 2 and one line", args, r.code, r.stderr)
		}
	}
}
