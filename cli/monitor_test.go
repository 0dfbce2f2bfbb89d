package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
)

func TestParseEventNames(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want zmq.EventType
		ok   bool
	}{
		{nil, 0, true},
		{[]string{"HANDSHAKE_SUCCEEDED"}, zmq.EventHandshakeSucceeded, true},
		{[]string{"connected", "ZMQ_EVENT_DISCONNECTED"}, zmq.EventConnected | zmq.EventDisconnected, true},
		{[]string{"handshake_failed_auth"}, zmq.EventHandshakeFailedAuth, true},
		{[]string{"MONITOR_STOPPED"}, 0, false},
		{[]string{"ALL"}, 0, false},
		{[]string{"CONNECTED", "CONECTED"}, 0, false},
		{[]string{""}, 0, false},
	} {
		got, err := parseEventNames(tc.in)
		if tc.ok && (err != nil || got != tc.want) {
			t.Errorf("parseEventNames(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if !tc.ok && !errors.Is(err, ErrUsage) {
			t.Errorf("parseEventNames(%q) = %v, %v; want ErrUsage", tc.in, got, err)
		}
	}
}

func TestFormatEvent(t *testing.T) {
	at := time.Date(2026, 12, 6, 4, 5, 6, 789012000, time.UTC)
	for _, tc := range []struct {
		e          zmq.Event
		text, json string
	}{
		{
			zmq.Event{Type: zmq.EventConnectDelayed, Endpoint: "tcp://h:1"},
			"2026-12-06T04:05:06.789012Z CONNECT_DELAYED tcp://h:1",
			`{"time":"2026-12-06T04:05:06.789012Z","event":"CONNECT_DELAYED","endpoint":"tcp://h:1"}`,
		},
		{
			zmq.Event{Type: zmq.EventConnectRetried, Endpoint: "tcp://h:1", Value: 100, Err: errors.New(`refused "x"`)},
			`2026-12-06T04:05:06.789012Z CONNECT_RETRIED tcp://h:1 value=100 error="refused \"x\""`,
			`{"time":"2026-12-06T04:05:06.789012Z","event":"CONNECT_RETRIED","endpoint":"tcp://h:1","value":100,"error":"refused \"x\""}`,
		},
		{
			zmq.Event{Type: zmq.EventHandshakeSucceeded, Endpoint: "tcp://h:1", PeerAddr: "tcp://10.0.0.1:1", Dropped: 3},
			"2026-12-06T04:05:06.789012Z HANDSHAKE_SUCCEEDED tcp://h:1 peer=tcp://10.0.0.1:1 dropped=3",
			`{"time":"2026-12-06T04:05:06.789012Z","event":"HANDSHAKE_SUCCEEDED","endpoint":"tcp://h:1","peer":"tcp://10.0.0.1:1","dropped":3}`,
		},
	} {
		if got := formatEvent(at, tc.e); got != tc.text {
			t.Errorf("formatEvent(%v)\n = %s\nwant %s", tc.e, got, tc.text)
		}
		got := formatEventJSON(at, tc.e)
		if got != tc.json {
			t.Errorf("formatEventJSON(%v)\n = %s\nwant %s", tc.e, got, tc.json)
		}
		var back eventJSON
		if err := json.Unmarshal([]byte(got), &back); err != nil || back.Event != tc.e.Type.String() {
			t.Errorf("%s does not read back: %v %+v", got, err, back)
		}
	}
}

// monitorEventNames are the event names of monitor's output lines, text or json.
func monitorEventNames(t *testing.T, out string, jsonLines bool) []string {
	t.Helper()
	var names []string
	for line := range strings.Lines(out) {
		if jsonLines {
			var e eventJSON
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Fatalf("line %q: %v", line, err)
			}
			names = append(names, e.Event)
			continue
		}
		f := strings.Fields(line)
		if len(f) < 3 {
			t.Fatalf("line %q: want time, event and endpoint", line)
		}
		names = append(names, f[1])
	}
	return names
}

func TestMonitorUntilHandshake(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			ep := "ipc://" + filepath.Join(t.TempDir(), "server")
			server, err := zmq.NewSocket(zmq.ROUTER, zmq.WithLinger(0))
			if err != nil {
				t.Fatal(err)
			}
			defer server.Close()
			if err := server.Bind(ep); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			var out, errOut bytes.Buffer
			if err := Run(ctx, []string{"monitor", "--format", format, "--until", "HANDSHAKE_SUCCEEDED", ep}, nil, &out, &errOut); err != nil {
				t.Fatalf("monitor: %v", err)
			}
			names := monitorEventNames(t, out.String(), format == "json")
			if len(names) < 2 || names[0] != "CONNECTED" || names[len(names)-1] != "HANDSHAKE_SUCCEEDED" {
				t.Errorf("events %q, want CONNECTED first and HANDSHAKE_SUCCEEDED last", names)
			}
		})
	}
}

func TestMonitorNothingThere(t *testing.T) {
	ep := "ipc://" + filepath.Join(t.TempDir(), "nobody")
	ctx := context.Background()
	var out, errOut bytes.Buffer
	err := Run(ctx, []string{"monitor", "--until", "connected", "--timeout", "300ms", "-o", "RECONNECT_IVL=10ms", ep}, nil, &out, &errOut)
	if !errors.Is(err, ErrTimeout) || errors.Is(err, ErrUsage) {
		t.Fatalf("monitor --until with nobody there = %v; want a timeout", err)
	}
	names := monitorEventNames(t, out.String(), false)
	if len(names) == 0 || !strings.Contains(out.String(), "CONNECT_RETRIED") {
		t.Errorf("events %q, want CONNECT_RETRIED among them", names)
	}

	out.Reset()
	if err := Run(ctx, []string{"monitor", "-n", "3", "-o", "RECONNECT_IVL=10ms", ep}, nil, &out, &errOut); err != nil {
		t.Fatalf("monitor -n 3: %v", err)
	}
	if names := monitorEventNames(t, out.String(), false); len(names) != 3 {
		t.Errorf("-n 3 printed %q", names)
	}

	out.Reset()
	if err := Run(ctx, []string{"monitor", "--timeout", "50ms", ep}, nil, &out, &errOut); err != nil {
		t.Errorf("monitor --timeout alone = %v, want nil", err)
	}
	out.Reset()
	err = Run(ctx, []string{"monitor", "-n", "1000000", "--timeout", "50ms", ep}, nil, &out, &errOut)
	if !errors.Is(err, ErrTimeout) {
		t.Errorf("monitor -n 1000000 --timeout 50ms = %v, want a timeout", err)
	}
}

func TestMonitorStopsWithContext(t *testing.T) {
	ep := "ipc://" + filepath.Join(t.TempDir(), "nobody")
	stdout, stderr := newLinesOut(), newLinesOut()
	wait := runInBackground(t, []string{"monitor", ep}, stdout, stderr)
	select { // it runs
	case <-stdout.lines:
	case <-time.After(time.Minute):
		t.Fatal("monitor printed no event in a minute")
	}
	if err := wait(); err != nil {
		t.Fatalf("monitor after its context ended = %v, want nil", err)
	}
}

func TestMonitorUsage(t *testing.T) {
	for _, args := range [][]string{
		{"monitor"},
		{"monitor", "--until", "NOSUCH", "tcp://127.0.0.1:1"},
		{"monitor", "-t", "RADIO", "tcp://127.0.0.1:1"},
		{"monitor", "--format", "xml", "tcp://127.0.0.1:1"},
		{"monitor", "-n", "-1", "tcp://127.0.0.1:1"},
		{"monitor", "--timeout", "-1s", "tcp://127.0.0.1:1"},
		{"monitor", "nosuch://x"},
		{"monitor", "-o", "NOSUCH=1", "tcp://127.0.0.1:1"},
		{"monitor", "--curve-server", "tcp://127.0.0.1:1"},
	} {
		var out, errOut bytes.Buffer
		if err := Run(context.Background(), args, nil, &out, &errOut); !errors.Is(err, ErrUsage) {
			t.Errorf("Run(%q) = %v, want ErrUsage", args, err)
		}
	}
}
