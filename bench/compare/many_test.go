package compare

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/purezmq/zmq/bench/peer"
	"github.com/purezmq/zmq/bench/report"
)

func TestManyPlan(t *testing.T) {
	cells := ManyPlan([]string{"tcp", "inproc", "ipc"}, []int{10, 100})
	var got []string
	for _, c := range cells {
		got = append(got, c.String())
	}
	want := []string{
		"tcp ROUTER echo (N DEALERs) N=10", "tcp ROUTER echo (N DEALERs) N=100",
		"ipc ROUTER echo (N DEALERs) N=10", "ipc ROUTER echo (N DEALERs) N=100",
		"tcp PUB fan-out (N SUBs) N=10", "tcp PUB fan-out (N SUBs) N=100",
		"ipc PUB fan-out (N SUBs) N=10", "ipc PUB fan-out (N SUBs) N=100",
		"tcp N PUSH → one PULL N=10", "tcp N PUSH → one PULL N=100",
		"ipc N PUSH → one PULL N=10", "ipc N PUSH → one PULL N=100",
	}
	if !slices.Equal(got, want) {
		t.Errorf("cells\n %q\nwant\n %q", got, want)
	}
	if cells := ManyPlan([]string{"inproc"}, []int{10}); len(cells) != 0 {
		t.Errorf("inproc has many-peer cells: %v", cells)
	}
	// The ROUTER echo's epoll floor is Linux's, with its clients and with purezmq's.
	epoll, epollCol := "", ""
	if runtime.GOOS == "linux" {
		epoll = " Go epoll server, no ZeroMQ Go epoll server, purezmq clients"
		epollCol = ",Go epoll server, no ZeroMQ,Go epoll server, purezmq clients"
	}
	for _, tc := range []struct {
		impls                  []string
		kind                   string
		cross, pinned, oneProc bool
		want                   string
	}{
		{allImpls, "router", false, false, false, "libzmq purezmq Go net, no ZeroMQ" + epoll},
		{allImpls, "router", true, false, false, "libzmq purezmq purezmq→libzmq libzmq→purezmq Go net, no ZeroMQ" + epoll},
		{allImpls, "router", false, true, false, "libzmq purezmq libzmq pinned purezmq pinned Go net, no ZeroMQ" + epoll},
		{allImpls, "router", true, true, false, "libzmq purezmq purezmq→libzmq libzmq→purezmq libzmq pinned purezmq pinned Go net, no ZeroMQ" + epoll},
		{allImpls, "router", false, false, true, "libzmq purezmq purezmq GOMAXPROCS=1 Go net, no ZeroMQ" + epoll},
		{allImpls, "pushpull", true, true, true, "libzmq purezmq purezmq→libzmq libzmq→purezmq Go net, no ZeroMQ"},
		{allImpls, "pushpull", false, false, false, "libzmq purezmq Go net, no ZeroMQ"},
		{allImpls, "pubsub", true, true, false, "libzmq purezmq purezmq (Send)"},
		{allImpls, "pubsub", true, true, true, "libzmq purezmq purezmq GOMAXPROCS=1 purezmq (Send)"},
		{[]string{"purezmq"}, "pubsub", true, true, true, "purezmq"},
		{[]string{"purezmq", "pebbe"}, "router", true, true, true, "purezmq"},
		{[]string{"gozmq"}, "router", true, true, true, ""},
	} {
		if got := strings.Join(names(ManyContenders(tc.impls, tc.kind, tc.cross, tc.pinned, tc.oneProc)), " "); got != tc.want {
			t.Errorf("%v %s cross=%v pinned=%v oneProc=%v: %q, want %q", tc.impls, tc.kind, tc.cross, tc.pinned, tc.oneProc, got, tc.want)
		}
	}
	if got, want := strings.Join(ManyColumns(), ","), "libzmq,purezmq,purezmq→libzmq,libzmq→purezmq,libzmq pinned,purezmq pinned,purezmq GOMAXPROCS=1,Go net, no ZeroMQ"+epollCol+",purezmq (Send)"; got != want {
		t.Errorf("columns %s, want %s", got, want)
	}
	if goNet != peer.GoNet || goEpoll != peer.GoEpoll {
		t.Errorf("the floors' -impl %q and %q, cmd/peer's %q and %q", goNet, goEpoll, peer.GoNet, peer.GoEpoll)
	}
	for _, k := range report.ManyKinds {
		if _, ok := manyRoles[k.Name]; !ok {
			t.Errorf("kind %s has no roles", k.Name)
		}
	}
}

func TestParsePeers(t *testing.T) {
	if got, err := parsePeers(" 10,100,10 "); err != nil || !slices.Equal(got, []int{10, 100}) {
		t.Fatalf("%v, %v", got, err)
	}
	for _, bad := range []string{"", "0", "x", "10,20000", "-3"} {
		if _, err := parsePeers(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestManyCounts(t *testing.T) {
	router := ManyCell{"router", "tcp", 10}
	fan := ManyCell{"pubsub", "tcp", 100}
	push := ManyCell{"pushpull", "ipc", 100}
	for _, tc := range []struct {
		name      string
		got, want int
	}{
		{"30 k round trips/s for 0.5 s", manyScaled(router, 3000, 100*time.Millisecond, 500*time.Millisecond), 15_000},
		{"at least 100 round trips", manyScaled(router, 1000, 10*time.Second, 500*time.Millisecond), 100},
		{"fan-out capped by copies", manyScaled(ManyCell{"pubsub", "tcp", 10}, 1000, time.Microsecond, time.Second), 5_000_000},
		{"fan-out cap, never below the floor", manyScaled(fan, 1000, time.Microsecond, time.Second), 2_000_000},
		{"fan-out floor", fanoutMin(fan), 2_000_000},
		{"fan-out: the larger count", fanoutCount(fan, []int{1_800_000, 1_900_000}), 2_000_000},
		{"fan-out: the larger count above the floor", fanoutCount(ManyCell{"pubsub", "ipc", 10}, []int{3_000_000, 2_500_000}), 3_000_000},
		{"fan-out: at most 4 × the smaller", fanoutCount(ManyCell{"pubsub", "ipc", 10}, []int{4_000_000, 600_000}), 2_400_000},
		{"fan-out: at least the floor", fanoutCount(fan, []int{2000, 3000}), 2_000_000},
		{"fan-out: capped", fanoutCount(ManyCell{"pubsub", "tcp", 10}, []int{9_000_000, 9_000_000}), 5_000_000},
		{"fan-out: no calibration", fanoutCount(fan, nil), 2_000_000},
		{"10 per sender", manyScaled(push, 5000, 10*time.Second, 500*time.Millisecond), 1000},
		{"no time measured", manyScaled(push, 5000, 0, time.Second), 5000},
		{"pilot, 20 per sender", manyPilot(push), 5000},
		{"pilot, 20 per sender of many", manyPilot(ManyCell{"pushpull", "tcp", 1000}), 20_000},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, tc.got, tc.want)
		}
	}
}

func TestManyCommand(t *testing.T) {
	r := &runner{bin: "/b", hold: true}
	for _, tc := range []struct {
		impl, role string
		want       string
	}{
		{"libzmq", "router_echo", "/b/router_echo tcp://x 64 500 10"},
		{"libzmq", "push_fair", "/b/push_fair tcp://x 64 500 10 hold"},
		{"purezmq", "dealer_rt", "/b/peer -impl purezmq -role dealer_rt -endpoint tcp://x -size 64 -count 500 -peers 10"},
		{"purezmq", "push_fair", "/b/peer -impl purezmq -role push_fair -endpoint tcp://x -size 64 -count 500 -peers 10 -hold"},
	} {
		path, args := r.manyCommand(tc.impl, tc.role, "tcp://x", 500, 10)
		if got := strings.Join(append([]string{path}, args...), " "); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
	}
}

// parseMany takes what it needs from the peers' lines and refuses what cannot be the run's.
func TestParseMany(t *testing.T) {
	out := func(s string) *proc { p := &proc{name: "p"}; p.stdout.WriteString(s); return p }
	router := ManyCell{"router", "tcp", 3}
	fan := ManyCell{"pubsub", "ipc", 3}
	fanin := ManyCell{"pushpull", "ipc", 3}
	const (
		rt   = `{"size":64,"count":100,"peers":3,"elapsed_s":0.5,"rtt_per_s":200,"p50_us":10,"p99_us":30,"fairness_pct":90}`
		pub  = `{"size":64,"count":100,"peers":3,"elapsed_s":0.1,"send_per_s":1000,"cpu_ns_per_msg_sub":50,"cpu_ns_per_msg_sub_drained":60}`
		sub  = `{"size":64,"count":100,"peers":3,"elapsed_s":0.2,"delivered":240,"delivered_per_s":1200,"drops":60}`
		pull = `{"size":64,"count":99,"peers":3,"elapsed_s":0.25,"msgs_per_s":396,"fairness_pct":0}`
	)
	for _, tc := range []struct {
		name           string
		cell           ManyCell
		server, client string
		want           map[string]float64
	}{
		{"router", router, "", "ready\n" + rt + "\n", map[string]float64{report.RTTPerS: 200, report.P50US: 10, report.P99US: 30, report.RTTFairness: 90}},
		{"pubsub", fan, pub, sub, map[string]float64{report.DeliveredPerS: 1200, report.SendPerS: 1000, report.CPUNsPerMsgSub: 50,
			report.CPUNsDrained: 60, report.CPUNsPerCopy: 75, report.Drops: 60, report.DropsPct: 20}},
		{"pushpull, unfair", fanin, pull, "", map[string]float64{report.FanInPerS: 396, report.FanInFairness: 0}},
		{"router, no fairness", router, "", strings.Replace(rt, `,"fairness_pct":90`, "", 1), nil},
		{"router, p99 below p50", router, "", strings.Replace(rt, `"p99_us":30`, `"p99_us":5`, 1), nil},
		{"router, other count", router, "", strings.Replace(rt, `"count":100`, `"count":10`, 1), nil},
		{"router, other N", router, "", strings.Replace(rt, `"peers":3`, `"peers":30`, 1), nil},
		{"router, no line", router, "", "ready\n", nil},
		{"pubsub, copies do not add up", fan, pub, strings.Replace(sub, `"drops":60`, `"drops":61`, 1), nil},
		{"pubsub, nothing delivered", fan, pub, strings.Replace(sub, `"delivered":240`, `"delivered":0`, 1), nil},
		{"pubsub, no drops field", fan, pub, strings.Replace(sub, `,"drops":60`, "", 1), nil},
		{"pubsub, publisher's line missing", fan, "", sub, nil},
		{"pushpull, fairness above 100", fanin, strings.Replace(pull, `"fairness_pct":0`, `"fairness_pct":101`, 1), "", nil},
		{"pushpull, other total", fanin, strings.Replace(pull, `"count":99`, `"count":100`, 1), "", nil},
	} {
		m, err := parseMany(tc.cell, 100, out(tc.server), out(tc.client))
		if tc.want == nil {
			if err == nil {
				t.Errorf("%s: accepted %v", tc.name, m.Values)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if len(m.Values) != len(tc.want) || m.Elapsed <= 0 {
			t.Errorf("%s: %v over %v, want %v", tc.name, m.Values, m.Elapsed, tc.want)
		}
		for k, v := range tc.want {
			if m.Values[k] != v {
				t.Errorf("%s: %s = %v, want %v", tc.name, k, m.Values[k], v)
			}
		}
		kind, _ := manyKind(tc.cell.Kind)
		for _, mt := range kind.Metrics {
			if _, ok := m.Values[mt.Name]; !ok {
				t.Errorf("%s: no %s", tc.name, mt.Name)
			}
		}
	}
}

// realRunner is a runner over the real peers: the libzmq ones built from ../c with cc, and this
// test binary standing in for cmd/peer (TestMain).
func realRunner(t *testing.T, roles ...string) *runner {
	t.Helper()
	if _, err := exec.LookPath("cc"); err != nil {
		t.Skip("no C compiler")
	}
	if _, err := os.Stat("/usr/include/zmq.h"); err != nil {
		t.Skip("no libzmq headers")
	}
	bin := t.TempDir()
	errs := make([]error, len(roles))
	var wg sync.WaitGroup
	for i, role := range roles {
		wg.Go(func() {
			out, err := exec.Command("cc", "-O2", "-Wall", "-o", filepath.Join(bin, role), filepath.Join("..", "c", role+".c"), "-lzmq", "-lpthread").CombinedOutput()
			if err != nil {
				errs[i] = fmt.Errorf("building %s: %v\n%s", role, err, out)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\n" + testPeerEnv + "=1 exec '" + self + "' \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "peer"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	r := &runner{bin: bin, ipcDir: t.TempDir(), timeout: 20 * time.Second, hold: true}
	r.pins, _ = findPins() // without two processors or taskset, no pinned contenders
	return r
}

// Each kind's roles really run, each implementation with itself and, for the crossed kinds,
// with the other, with 3 peers and few messages: a broken peer fails here.
func TestRunManyReal(t *testing.T) {
	var roles []string
	for _, k := range report.ManyKinds {
		roles = append(roles, manyRoles[k.Name][0], manyRoles[k.Name][1])
	}
	r := realRunner(t, roles...)
	for _, k := range report.ManyKinds {
		for _, c := range ManyContenders(manyImpls, k.Name, true, r.pins != nil, true) {
			for _, transport := range []string{"tcp", "ipc"} {
				cell := ManyCell{k.Name, transport, 3}
				t.Run(cell.Kind+"/"+c.Name+"/"+transport, func(t *testing.T) {
					m, err := r.runMany(context.Background(), cell, c, 600, 5*time.Second)
					if err != nil {
						t.Fatal(err)
					}
					for _, mt := range k.Metrics {
						if _, ok := m.Values[mt.Name]; !ok {
							t.Errorf("no %s in %v", mt.Name, m.Values)
						}
					}
				})
			}
		}
	}
	// measureMany gives one record per metric, with the cell's N, and the fan-out's
	// contenders one count.
	t.Run("measureMany", func(t *testing.T) {
		cell := ManyCell{"pubsub", "ipc", 2}
		cs := ManyContenders(manyImpls, cell.Kind, true, true, false) // with purezmq (Send)
		recs := measureMany(context.Background(), r, cell, cs, 1, 20*time.Millisecond)
		kind, _ := manyKind("pubsub")
		if len(recs) != len(cs)*len(kind.Metrics) {
			t.Fatalf("%d records, want %d", len(recs), len(cs)*len(kind.Metrics))
		}
		for _, rec := range recs {
			if !rec.OK() || rec.Peers != 2 || rec.Size != manySize || rec.Count != recs[0].Count || rec.Count < fanoutMin(cell) {
				t.Errorf("record %+v", rec)
			}
		}
	})
}

// A peer that fails, or hangs, fails the run with what it said.
func TestRunManyFails(t *testing.T) {
	r := fakeRunner(t, true, 2*time.Second)
	for _, tc := range []struct {
		mode string
		want string
	}{
		{"crash", "purezmq dealer_rt: exit status 1: peer: client 2 got the reply of client 1"},
		{"hang", "timed out"},
	} {
		t.Setenv("FAKE_MODE", tc.mode)
		_, err := r.runMany(context.Background(), ManyCell{"router", "ipc", 3}, same("purezmq"), 100, time.Second)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.mode, err, tc.want)
		}
		if tc.mode == "hang" && !errors.Is(err, errTimeout) {
			t.Errorf("a hang is not errTimeout: %v", err)
		}
	}
}

// A refused result says what the peer printed.
func TestParseManyError(t *testing.T) {
	p := &proc{name: "purezmq sub_fan"}
	p.stdout.WriteString(`{"size":64,"count":100,"peers":3,"elapsed_s":0.2,"delivered":240,"delivered_per_s":1200,"drops":61}` + "\n")
	pub := &proc{name: "purezmq xpub_fan"}
	pub.stdout.WriteString(`{"size":64,"count":100,"peers":3,"elapsed_s":0.1,"send_per_s":1000,"cpu_ns_per_msg_sub":50,"cpu_ns_per_msg_sub_drained":60}`)
	_, err := parseMany(ManyCell{"pubsub", "tcp", 3}, 100, pub, p)
	if !errors.Is(err, errImplausible) || !strings.Contains(err.Error(), `"drops":61}`) || !strings.Contains(err.Error(), "must be 300") {
		t.Errorf("error %v", err)
	}
}
