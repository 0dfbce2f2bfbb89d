package peer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/zmq/zmtp"
)

// runPair runs a many-peer server and client of purezmq in this process and returns their
// result lines (the client's stdin is held open until the server is done, as the driver does).
func runPair(t *testing.T, server, client, endpoint string, count, peers int, extra ...string) (srv, cli map[string]any) {
	t.Helper()
	return runSides(t, server, client, endpoint, count, peers, extra, extra)
}

// runSides is runPair with arguments of the server's (srvExtra) and the clients' own.
func runSides(t *testing.T, server, client, endpoint string, count, peers int, srvExtra, cliExtra []string) (srv, cli map[string]any) {
	t.Helper()
	args := func(role string, extra []string) []string {
		return append([]string{"-role", role, "-endpoint", endpoint, "-size", "64", "-count", fmt.Sprint(count), "-peers", fmt.Sprint(peers)}, extra...)
	}
	var srvOut, cliOut bytes.Buffer
	ready := &readyWriter{ch: make(chan struct{})}
	srvDone := make(chan error, 1)
	go func() { srvDone <- Main(args(server, srvExtra), nil, &srvOut, ready) }()
	select {
	case <-ready.ch:
	case err := <-srvDone:
		t.Fatalf("%s: %v", server, err)
	}
	holdR, holdW := io.Pipe()
	cliDone := make(chan error, 1)
	go func() { cliDone <- Main(append(args(client, cliExtra), "-hold"), holdR, &cliOut, io.Discard) }()
	var srvErr, cliErr error
	select {
	case srvErr = <-srvDone:
		holdW.Close()
		cliErr = <-cliDone
	case cliErr = <-cliDone:
		holdW.Close()
		srvErr = <-srvDone
	}
	if srvErr != nil || cliErr != nil {
		t.Fatalf("%s: %v; %s: %v", server, srvErr, client, cliErr)
	}
	parse := func(out bytes.Buffer) map[string]any {
		if out.Len() == 0 {
			return nil
		}
		var m map[string]any
		if err := json.Unmarshal(out.Bytes(), &m); err != nil {
			t.Fatalf("result %q: %v", out.String(), err)
		}
		return m
	}
	return parse(srvOut), parse(cliOut)
}

// readyWriter closes ch at the first "ready" written to it.
type readyWriter struct {
	ch   chan struct{}
	seen bool
}

func (w *readyWriter) Write(p []byte) (int, error) {
	if !w.seen && bytes.Contains(p, []byte("ready")) {
		w.seen = true
		close(w.ch)
	}
	return len(p), nil
}

func num(t *testing.T, m map[string]any, key string) float64 {
	t.Helper()
	v, ok := m[key].(float64)
	if !ok {
		t.Fatalf("no %s in %v", key, m)
	}
	return v
}

func freeTCP(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "tcp://" + l.Addr().String()
}

// Each many-peer pair of roles, purezmq with itself, a few peers and few messages: the results
// hold what the driver reads, consistent with the run.
func TestManyRoles(t *testing.T) {
	const peers = 3
	for _, tc := range []struct {
		name, impl, cliImpl, endpoint string
		srvArgs                       []string
	}{
		{"router", "purezmq", "purezmq", freeTCP(t), nil},
		{"router/gonet/tcp", GoNet, GoNet, freeTCP(t), nil},
		{"router/gonet/ipc", GoNet, GoNet, ipcEndpoint(t, "echo"), nil},
		{"router/goepoll/tcp", GoEpoll, GoNet, freeTCP(t), nil},
		{"router/goepoll/ipc", GoEpoll, GoNet, ipcEndpoint(t, "echo2"), nil},
		{"router/goepoll-zmtp/tcp", GoEpoll, "purezmq", freeTCP(t), []string{"-zmtp"}},
		{"router/goepoll-zmtp/ipc", GoEpoll, "purezmq", ipcEndpoint(t, "echo3"), []string{"-zmtp"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, cli := runSides(t, RouterEcho, DealerRT, tc.endpoint, 300, peers, append([]string{"-impl", tc.impl}, tc.srvArgs...), []string{"-impl", tc.cliImpl})
			// Every round trip of the window and the warm-up ones were echoed (the window's
			// last may overlap other clients' last requests, which are echoed too).
			if e := num(t, srv, "echoed"); e < 300+peers*dealerWarmup {
				t.Errorf("echoed %v, want at least %d", e, 300+peers*dealerWarmup)
			}
			// A client may make no round trip in so short a window when the others take the
			// processors first: the fewest is then 0, and printed.
			lo, hi := num(t, cli, "min_done"), num(t, cli, "max_done")
			if hi < 1 || lo > hi || lo+hi > 300 || num(t, cli, "count") != 300 || num(t, cli, "peers") != peers {
				t.Errorf("client result %v", cli)
			}
			if p50, p99 := num(t, cli, "p50_us"), num(t, cli, "p99_us"); p50 <= 0 || p99 < p50 || num(t, cli, "rtt_per_s") <= 0 {
				t.Errorf("client result %v", cli)
			}
			if f := num(t, cli, "fairness_pct"); f != 100*lo/hi {
				t.Errorf("fairness %v, want %v", f, 100*lo/hi)
			}
			if srv["impl"] != tc.impl || cli["impl"] != tc.cliImpl {
				t.Errorf("impl %v and %v, want %s and %s", srv["impl"], cli["impl"], tc.impl, tc.cliImpl)
			}
		})
	}
	t.Run("pubsub", func(t *testing.T) {
		pub, sub := runPair(t, XPubFan, SubFan, ipcEndpoint(t, "fan"), 500, peers)
		delivered, drops := num(t, sub, "delivered"), num(t, sub, "drops")
		if delivered < 1 || delivered+drops != 500*peers || num(t, sub, "delivered_per_s") <= 0 {
			t.Errorf("subscribers' result %v", sub)
		}
		if num(t, pub, "send_per_s") <= 0 || num(t, pub, "cpu_ns_per_msg_sub") <= 0 ||
			num(t, pub, "cpu_ns_per_msg_sub_drained") < num(t, pub, "cpu_ns_per_msg_sub") {
			t.Errorf("publisher's result %v", pub)
		}
	})
	for _, tc := range []struct{ name, impl, endpoint string }{
		{"pushpull", "purezmq", ipcEndpoint(t, "fanin")},
		{"pushpull/gonet/ipc", GoNet, ipcEndpoint(t, "fanin2")},
		{"pushpull/gonet/tcp", GoNet, freeTCP(t)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// 1000 is not a multiple of 3: each sender sends 333.
			pull, push := runPair(t, PullFair, PushFair, tc.endpoint, 1000, peers, "-impl", tc.impl)
			if push != nil {
				t.Errorf("the senders printed %v", push)
			}
			if num(t, pull, "count") != 999 || num(t, pull, "msgs_per_s") <= 0 || pull["impl"] != tc.impl {
				t.Errorf("receiver's result %v", pull)
			}
			if f := num(t, pull, "fairness_pct"); f < 0 || f > 100 {
				t.Errorf("fairness %v", f)
			}
		})
	}
}

func TestManyRejects(t *testing.T) {
	for _, args := range [][]string{
		{"-impl", "pebbe", "-role", DealerRT, "-endpoint", "tcp://127.0.0.1:1"},
		{"-role", DealerRT, "-endpoint", "tcp://127.0.0.1:1", "-curve"},
		{"-role", DealerRT, "-endpoint", "tcp://127.0.0.1:1", "-size", "11"},
		{"-role", DealerRT, "-endpoint", "tcp://127.0.0.1:1", "-peers", "0"},
		{"-role", PushFair, "-endpoint", "tcp://127.0.0.1:1", "-peers", "10", "-count", "9"},
		{"-impl", GoNet, "-role", SubFan, "-endpoint", "tcp://127.0.0.1:1"},
		{"-impl", GoNet, "-role", XPubFan, "-endpoint", "tcp://127.0.0.1:1"},
		{"-impl", GoNet, "-role", PushFair, "-endpoint", "tcp://127.0.0.1:1", "-peers", "10", "-count", "9"},
		{"-impl", GoNet, "-role", ThrRecv, "-endpoint", "tcp://127.0.0.1:1"},
		{"-impl", GoNet, "-role", RouterEcho, "-endpoint", "inproc://x"},
		{"-impl", GoNet, "-role", DealerRT, "-endpoint", "udp://127.0.0.1:1"},
		{"-impl", GoEpoll, "-role", DealerRT, "-endpoint", "tcp://127.0.0.1:1"},
		{"-impl", GoEpoll, "-role", PullFair, "-endpoint", "tcp://127.0.0.1:1"},
		{"-impl", GoEpoll, "-role", ThrRecv, "-endpoint", "tcp://127.0.0.1:1"},
		{"-impl", GoEpoll, "-role", RouterEcho, "-endpoint", "inproc://x"},
		{"-impl", GoEpoll, "-role", RouterEcho, "-endpoint", "tcp://localhost:1"},
		{"-impl", GoNet, "-role", RouterEcho, "-endpoint", "tcp://127.0.0.1:1", "-zmtp"},
		{"-impl", GoEpoll, "-role", DealerRT, "-endpoint", "tcp://127.0.0.1:1", "-zmtp"},
		{"-role", RouterEcho, "-endpoint", "tcp://127.0.0.1:1", "-zmtp"},
	} {
		if err := Main(args, nil, io.Discard, io.Discard); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

// A payload's stamp and pattern are checked: a wrong byte, a wrong size, a wrong stamp.
func TestUnstamp(t *testing.T) {
	m := &many{pat: Pattern(64)}
	good := m.stamped(7, 1<<40)
	if idx, seq, err := m.unstamp(good, true); err != nil || idx != 7 || seq != 1<<40 {
		t.Fatalf("unstamp = %d, %d, %v", idx, seq, err)
	}
	bad := slices.Clone(good)
	bad[30] ^= 1
	if _, _, err := m.unstamp(bad, true); !errors.Is(err, errCorrupt) {
		t.Errorf("a flipped byte: %v", err)
	}
	if _, _, err := m.unstamp(bad, false); err != nil {
		t.Errorf("a flipped byte in the middle needs the full check, got %v", err)
	}
	bad[63] ^= 1
	if _, _, err := m.unstamp(bad, false); !errors.Is(err, errCorrupt) {
		t.Errorf("a flipped last byte: %v", err)
	}
	if _, _, err := m.unstamp(good[:63], false); err == nil {
		t.Error("a short message passed")
	}
	if p := percentile([]time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 50); p != 5 {
		t.Errorf("p50 of 1..10 = %v", p)
	}
	if p := percentile([]time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 99); p != 10 {
		t.Errorf("p99 of 1..10 = %v", p)
	}
}

func ipcEndpoint(t *testing.T, name string) string {
	return "ipc://" + filepath.Join(t.TempDir(), name)
}

// The floor's receivers check what they get as the library's do: a sender's message lost,
// repeated or reordered, a request echoed to the wrong client, a message cut short, each
// fails the run with its reason.
func TestGoNetChecks(t *testing.T) {
	m := &many{pat: Pattern(64)}
	for _, tc := range []struct {
		name, impl, role string
		zmtp             bool     // the server speaks ZMTP (-zmtp)
		send             [][]byte // written on one plain connection, which then closes
		want             string
	}{
		{"a message lost", GoNet, PullFair, false, [][]byte{m.stamped(0, 0), m.stamped(0, 2)}, "lost, repeated, reordered"},
		{"a message repeated", GoNet, PullFair, false, [][]byte{m.stamped(0, 0), m.stamped(0, 0)}, "lost, repeated, reordered"},
		{"another sender's", GoNet, PullFair, false, [][]byte{m.stamped(0, 0), m.stamped(1, 1)}, "lost, repeated, reordered"},
		{"a corrupted byte", GoNet, PullFair, false, [][]byte{append(m.stamped(0, 0)[:63:63], 0)}, "corrupted"},
		{"cut short", GoNet, PullFair, false, [][]byte{m.stamped(0, 0), m.stamped(0, 1)[:30]}, "unexpected EOF"},
		{"an echo cut short", GoNet, RouterEcho, false, [][]byte{m.stamped(0, 0)[:30]}, "unexpected EOF"},
		{"an epoll echo cut short", GoEpoll, RouterEcho, false, [][]byte{m.stamped(0, 0)[:30]}, "ended in a request (30 of 64 bytes)"},
		// GoEpoll with -zmtp reads ZMTP and tells what it will not answer.
		{"zmtp: no greeting", GoEpoll, RouterEcho, true, [][]byte{m.stamped(0, 0)}, "a client's greeting"},
		{"zmtp: PLAIN", GoEpoll, RouterEcho, true, [][]byte{greeting("PLAIN")}, "NULL only"},
		{"zmtp: no READY", GoEpoll, RouterEcho, true, [][]byte{greeting("NULL"), zmtp.AppendFrame(nil, 0, m.stamped(0, 0))}, "not a command"},
		{"zmtp: another command", GoEpoll, RouterEcho, true, [][]byte{greeting("NULL"), zmtp.AppendCommand(nil, "PING", nil)}, "a client's READY"},
		{"zmtp: a request of another size", GoEpoll, RouterEcho, true, [][]byte{greeting("NULL"), dealerReady, zmtp.AppendFrame(nil, 0, m.stamped(0, 0)[:20])}, "want one-frame requests of 64"},
		{"zmtp: a request of two frames", GoEpoll, RouterEcho, true, [][]byte{greeting("NULL"), dealerReady, zmtp.AppendFrame(nil, zmtp.FlagMore, m.stamped(0, 0))}, "want one-frame requests of 64"},
		{"zmtp: a command after READY", GoEpoll, RouterEcho, true, [][]byte{greeting("NULL"), dealerReady, zmtp.AppendCommand(nil, "PING", make([]byte, 59))}, "want one-frame requests of 64"},
		{"zmtp: a frame too big", GoEpoll, RouterEcho, true, [][]byte{greeting("NULL"), dealerReady, zmtp.AppendFrameHeader(nil, 0, 1<<20)}, "a request"},
		{"zmtp: cut short in the greeting", GoEpoll, RouterEcho, true, [][]byte{greeting("NULL")[:30]}, "ended 30 bytes into a frame or its handshake"},
		{"zmtp: cut short in a request", GoEpoll, RouterEcho, true, [][]byte{greeting("NULL"), dealerReady, zmtp.AppendFrame(nil, 0, m.stamped(0, 0))[:40]}, "ended 40 bytes into a frame or its handshake"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ep := freeTCP(t)
			ready := &readyWriter{ch: make(chan struct{})}
			done := make(chan error, 1)
			args := []string{"-impl", tc.impl, "-role", tc.role, "-endpoint", ep, "-size", "64", "-count", "4", "-peers", "1"}
			if tc.zmtp {
				args = append(args, "-zmtp")
			}
			go func() { done <- Main(args, nil, io.Discard, ready) }()
			select {
			case <-ready.ch:
			case err := <-done:
				t.Fatal(err)
			}
			c, err := net.Dial("tcp", ep[len("tcp://"):])
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range tc.send {
				if _, err := c.Write(b); err != nil {
					t.Fatal(err)
				}
			}
			if tc.zmtp { // read the server's greeting and READY: closing with them unread resets the connection
				if _, err := io.ReadFull(c, make([]byte, len(zmtpServerHello))); err != nil {
					t.Fatal(err)
				}
			}
			c.Close()
			err = <-done
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v, want an error saying %q", err, tc.want)
			}
		})
	}
}

// greeting is a ZMTP 3.1 client's greeting asking for mechanism.
func greeting(mechanism string) []byte {
	return zmtp.Greeting{Major: 3, Minor: 1, Mechanism: mechanism}.Append(nil)
}

// dealerReady is a DEALER's READY.
var dealerReady = zmtp.AppendReady(nil, zmtp.Metadata{{Name: "Socket-Type", Value: []byte("DEALER")}})
