package mdp

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// quiet is a heartbeat no test waits for, so that workers never expire by accident.
const quiet = time.Hour

// expect fails the test unless got is want (as frames).
func expect(t *testing.T, got [][]byte, want ...string) {
	t.Helper()
	if !reflect.DeepEqual(normal(got), normal(frames(want...))) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// TestBrokerRoutes: a request sent before any worker registered waits; then requests go to the
// service's workers, the least recently used first, and their PARTIAL and FINAL replies go back
// to the client that asked, under the service's name.
func TestBrokerRoutes(t *testing.T) {
	ep, out := startBroker(t, Broker{Heartbeat: quiet})
	cli := dealer(t, ep)
	send(t, cli, frames("MDPC02", "\x01", "echo", "one")...)
	// The mmi reply shows the broker has taken the request before it (one connection keeps order).
	send(t, cli, frames("MDPC02", "\x01", "mmi.service", "echo")...)
	expect(t, recv(t, cli), "MDPC02", "\x03", "mmi.service", "404")

	a, b := dealer(t, ep), dealer(t, ep)
	send(t, a, frames("MDPW02", "\x01", "echo")...)
	out.Expect(t, "worker ready echo")
	req := recv(t, a) // the waiting request
	if len(req) != 5 || string(req[1]) != "\x02" || string(req[4]) != "one" {
		t.Fatalf("worker a got %q, want the REQUEST of one", req)
	}
	client := string(req[2])
	send(t, b, frames("MDPW02", "\x01", "echo")...)
	out.Expect(t, "worker ready echo")

	send(t, a, frames("MDPW02", "\x03", client, "", "partial")...)
	expect(t, recv(t, cli), "MDPC02", "\x02", "echo", "partial")
	send(t, a, frames("MDPW02", "\x04", client, "", "final", "two frames")...)
	expect(t, recv(t, cli), "MDPC02", "\x03", "echo", "final", "two frames")

	// b has waited longest now.
	send(t, cli, frames("MDPC02", "\x01", "echo", "two")...)
	expect(t, recv(t, b), "MDPW02", "\x02", client, "", "two")
	send(t, cli, frames("MDPC02", "\x01", "echo", "three")...)
	expect(t, recv(t, a), "MDPW02", "\x02", client, "", "three")

	send(t, cli, frames("MDPC02", "\x01", "mmi.service", "echo")...)
	expect(t, recv(t, cli), "MDPC02", "\x03", "mmi.service", "200")
	send(t, cli, frames("MDPC02", "\x01", "mmi.workers", "echo")...)
	expect(t, recv(t, cli), "MDPC02", "\x03", "mmi.workers", "501")
}

// TestBrokerDropsMalformed: messages that are not MDP/0.2 are dropped, each with a line, and
// the broker goes on serving; a registered worker that sends one is forgotten.
func TestBrokerDropsMalformed(t *testing.T) {
	ep, out := startBroker(t, Broker{Heartbeat: quiet})
	hostile := dealer(t, ep)
	for _, m := range [][][]byte{
		frames(""),
		frames("hello"),
		frames("MDPC01", "\x01", "echo", "hi"), // MDP/0.1
		frames("", "MDPC01", "echo", "hi"),     // MDP/0.1 with REQ's delimiter
		frames("MDPC02", "\x01", "echo"),       // no body
		frames("MDPC02", "\x09", "echo", "x"),
		frames("MDPC02", "\x01", "bad\x00name", "x"),
		frames("MDPW02"),
		frames("MDPW02", "\x01"),
		frames("MDPW02", "\x02", "c", "no delimiter", "x"),
		frames("MDPW02", "\x05", "extra"),
	} {
		send(t, hostile, m...)
		if line := out.Next(t); len(line) < 8 || line[:8] != "dropped:" {
			t.Fatalf("for %q the broker printed %q, want dropped: ...", m, line)
		}
	}
	w := dealer(t, ep)
	send(t, w, frames("MDPW02", "\x01", "echo")...)
	out.Expect(t, "worker ready echo")
	send(t, w, frames("MDPW02", "\x04", "", "", "x")...) // empty client address
	out.Expect(t, "dropped: mdp: malformed command: client address of 0 bytes, want 1 to 255")
	out.Expect(t, "worker invalid echo")

	cli := dealer(t, ep)
	send(t, cli, frames("MDPC02", "\x01", "mmi.service", "echo")...)
	expect(t, recv(t, cli), "MDPC02", "\x03", "mmi.service", "404")
}

// TestBrokerDisconnectsUnexpected: a valid command the dialogue does not expect gets a
// DISCONNECT, and the worker that sent it is forgotten.
func TestBrokerDisconnectsUnexpected(t *testing.T) {
	cases := []struct {
		name  string
		ready bool     // the worker registers echo first
		send  []string // then sends this
		lines []string // the broker prints these
	}{
		{"heartbeat before ready", false, []string{"MDPW02", "\x05"}, nil},
		{"final before ready", false, []string{"MDPW02", "\x04", "c", "", "x"}, nil},
		{"mmi service", false, []string{"MDPW02", "\x01", "mmi.service"}, nil},
		{"second ready", true, []string{"MDPW02", "\x01", "echo"}, []string{"worker disconnected by the broker echo"}},
		{"final without request", true, []string{"MDPW02", "\x04", "c", "", "x"}, []string{"worker disconnected by the broker echo"}},
		{"request from a worker", true, []string{"MDPW02", "\x02", "c", "", "x"}, []string{"worker disconnected by the broker echo"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ep, out := startBroker(t, Broker{Heartbeat: quiet})
			w := dealer(t, ep)
			if tc.ready {
				send(t, w, frames("MDPW02", "\x01", "echo")...)
				out.Expect(t, "worker ready echo")
			}
			send(t, w, frames(tc.send...)...)
			expect(t, recv(t, w), "MDPW02", "\x06")
			if line := out.Next(t); !strings.HasPrefix(line, "disconnect worker: unexpected command") {
				t.Fatalf("broker printed %q", line)
			}
			for _, l := range tc.lines {
				out.Expect(t, l)
			}
			cli := dealer(t, ep)
			send(t, cli, frames("MDPC02", "\x01", "mmi.service", "echo")...)
			expect(t, recv(t, cli), "MDPC02", "\x03", "mmi.service", "404")
		})
	}
}

// TestBrokerHeartbeats: the broker heartbeats a registered worker, keeps it while it
// heartbeats back, and forgets it once it has been silent for Liveness heartbeats; a worker
// that says DISCONNECT is forgotten at once.
func TestBrokerHeartbeats(t *testing.T) {
	ep, out := startBroker(t, Broker{Heartbeat: 25 * time.Millisecond, Liveness: 4})
	w := dealer(t, ep)
	send(t, w, frames("MDPW02", "\x01", "echo")...)
	out.Expect(t, "worker ready echo")
	for range 5 {
		expect(t, recv(t, w), "MDPW02", "\x05")
		send(t, w, frames("MDPW02", "\x05")...)
	}
	out.Expect(t, "worker expired echo") // now that it is silent

	w2 := dealer(t, ep)
	send(t, w2, frames("MDPW02", "\x01", "echo")...)
	out.Expect(t, "worker ready echo")
	send(t, w2, frames("MDPW02", "\x06")...)
	out.Expect(t, "worker disconnected echo")
}

// TestBrokerRequestTTL: a request for a service nobody offers is dropped after RequestTTL, so
// a worker that comes later does not get it.
func TestBrokerRequestTTL(t *testing.T) {
	ep, out := startBroker(t, Broker{Heartbeat: 10 * time.Millisecond, RequestTTL: 20 * time.Millisecond})
	cli := dealer(t, ep)
	send(t, cli, frames("MDPC02", "\x01", "late", "stale")...)
	out.Expect(t, "expired: request for late")
	w := dealer(t, ep)
	send(t, w, frames("MDPW02", "\x01", "late")...)
	out.Expect(t, "worker ready late")
	send(t, cli, frames("MDPC02", "\x01", "late", "fresh")...)
	got := recv(t, w)
	for string(got[1]) == "\x05" { // heartbeats
		got = recv(t, w)
	}
	if string(got[4]) != "fresh" {
		t.Fatalf("worker got %q, want the fresh request only", got)
	}
}
