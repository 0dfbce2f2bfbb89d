package compare

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/zmq/bench/report"
)

// fakePeer stands in for cmd/peer; FAKE_MODE says how it behaves.
const fakePeer = `#!/bin/sh
role=; size=0; hold=0; curve=0; norecycle=0
while [ $# -gt 0 ]; do
	case "$1" in -role) role=$2; shift;; -size) size=$2; shift;; -hold) hold=1;; -curve) curve=1;; -norecycle) norecycle=1;; esac
	shift
done
echo ready >&2
case "$FAKE_MODE/$role" in
norecycle/thr_recv) case "$norecycle" in 1) echo "{\"size\":$size,\"count\":10,\"elapsed_s\":0.25,\"msgs_per_s\":99}";; *) echo "recycling" >&2; exit 1;; esac;;
norecycle/thr_send) case "$norecycle" in 1) echo "the sender got -norecycle" >&2; exit 1;; esac;;
ok/thr_recv|ok/thr_inproc) echo "{\"size\":$size,\"count\":10,\"elapsed_s\":0.25,\"msgs_per_s\":1234.5}";;
ok/lat_req) echo "{\"size\":$size,\"count\":10,\"elapsed_s\":0.25,\"latency_us\":12.5}";;
ok/hs_req) case "$curve" in 1) echo "{\"size\":$size,\"count\":10,\"elapsed_s\":0.25,\"handshakes_per_s\":40}";; *) echo "hs_req: no -curve" >&2; exit 1;; esac;;
crash/thr_recv) echo "peer: message 3 of $size bytes is corrupted" >&2; exit 1;;
hang/thr_recv|lost/thr_recv|hang/dealer_rt) exec sleep 30;;
crash/dealer_rt) echo "peer: client 2 got the reply of client 1's request 7 for its request 7" >&2; exit 1;;
ok/router_echo|crash/router_echo) exit 0;;
hang/router_echo) exec sleep 30;;
esac
if [ $hold = 1 ]; then cat >/dev/null; fi
exit 0
`

func fakeRunner(t *testing.T, hold bool, timeout time.Duration) *runner {
	t.Helper()
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "peer"), []byte(fakePeer), 0o755); err != nil {
		t.Fatal(err)
	}
	return &runner{bin: bin, ipcDir: t.TempDir(), timeout: timeout, hold: hold}
}

func TestRun(t *testing.T) {
	thr := Cell{report.MsgsPerS, "ipc", 256}
	for _, tc := range []struct {
		name, mode string
		cell       Cell
		hold       bool
		want       float64
		wantErr    string
	}{
		{"throughput", "ok", thr, true, 1234.5, ""},
		{"throughput, not held", "ok", Cell{report.MsgsPerS, "tcp", 16}, false, 1234.5, ""},
		{"latency", "ok", Cell{report.LatencyUS, "tcp", 16}, true, 12.5, ""},
		{"handshakes", "ok", Cell{report.HandshakesPerS, CurveTransport, 16}, true, 40, ""},
		{"curve throughput", "ok", Cell{report.MsgsPerS, CurveTransport, 256}, true, 1234.5, ""},
		{"inproc", "ok", Cell{report.MsgsPerS, "inproc", 16}, true, 1234.5, ""},
		{"no Recycle", "norecycle", thr, true, 99, ""},
		{"receiver fails", "crash", thr, true, 0, "purezmq thr_recv: exit status 1: peer: message 3 of 256 bytes is corrupted"},
		{"receiver hangs", "hang", thr, true, 0, "timed out"},
		{"sender gone, receiver waits", "lost", thr, false, 0, "purezmq thr_send exited, and 200ms later the receiver had not got all messages"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("FAKE_MODE", tc.mode)
			r := fakeRunner(t, tc.hold, 2*time.Second)
			start := time.Now()
			c := same("purezmq")
			if tc.mode == "norecycle" {
				c = Contender{Name: report.OursNoRecycle, Client: "purezmq", Server: "purezmq", NoRecycle: true}
			}
			m, err := r.run(context.Background(), tc.cell, c, 10, 200*time.Millisecond)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				if tc.mode == "hang" && !errors.Is(err, errTimeout) {
					t.Fatalf("a hang is not errTimeout: %v", err)
				}
				if time.Since(start) > 5*time.Second {
					t.Fatalf("the failure took %v", time.Since(start))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Value != tc.want || m.Elapsed != 250*time.Millisecond {
				t.Fatalf("measurement %+v, want %v over 250ms", m, tc.want)
			}
		})
	}
}

func TestCommand(t *testing.T) {
	r := &runner{bin: "/b", hold: true}
	for _, tc := range []struct {
		impl, role string
		bind       bool
		curve      bool
		want       string
	}{
		{"libzmq", "thr_recv", true, false, "/b/thr_recv bind tcp://x 16 100"},
		{"libzmq", "thr_send", false, false, "/b/thr_send connect tcp://x 16 100 hold"},
		{"libzmq", "thr_inproc", true, false, "/b/thr_inproc tcp://x 16 100"},
		{"gozmq", "lat_rep", true, false, "/b/peer -impl gozmq -role lat_rep -mode bind -endpoint tcp://x -size 16 -count 100 -hold"},
		{"purezmq", "lat_req", false, false, "/b/peer -impl purezmq -role lat_req -mode connect -endpoint tcp://x -size 16 -count 100"},
		{"libzmq", "thr_send", false, true, "/b/thr_send connect tcp://x 16 100 hold curve"},
		{"libzmq", "hs_req", false, true, "/b/hs_req connect tcp://x 16 100 curve"},
		{"pebbe", "thr_recv", true, true, "/b/peer -impl pebbe -role thr_recv -mode bind -endpoint tcp://x -size 16 -count 100 -curve"},
		{"purezmq", "lat_rep", true, true, "/b/peer -impl purezmq -role lat_rep -mode bind -endpoint tcp://x -size 16 -count 100 -hold -curve"},
	} {
		path, args := r.command(tc.impl, tc.role, tc.bind, "tcp://x", 16, 100, tc.curve)
		if got := strings.Join(append([]string{path}, args...), " "); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
	}
}
