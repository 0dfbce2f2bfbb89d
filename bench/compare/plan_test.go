package compare

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/zmq/bench/report"
)

func names(cs []Contender) []string {
	var n []string
	for _, c := range cs {
		n = append(n, c.Name)
	}
	return n
}

func TestPlan(t *testing.T) {
	cells := Plan([]string{"tcp", "ipc", "inproc"})
	if len(cells) != 3*4+3*2 {
		t.Fatalf("%d cells, want 18", len(cells))
	}
	if cells[0] != (Cell{report.MsgsPerS, "tcp", 16}) || cells[17] != (Cell{report.LatencyUS, "inproc", 4096}) {
		t.Fatalf("cells %v … %v", cells[0], cells[17])
	}
	for _, tc := range []struct {
		transport string
		impls     []string
		cross     bool
		want      string
	}{
		// Throughput over tcp and ipc has purezmq without Recycle too; inproc never recycles.
		{"tcp", allImpls, true, "libzmq purezmq purezmq (no Recycle) pebbe gozmq mangos purezmq→libzmq libzmq→purezmq"},
		{"ipc", allImpls, false, "libzmq purezmq purezmq (no Recycle) pebbe gozmq mangos"},
		{"inproc", allImpls, true, "libzmq purezmq pebbe gozmq mangos"},
		{"tcp", []string{"purezmq", "gozmq"}, true, "purezmq purezmq (no Recycle) gozmq"},
		{"tcp", []string{"libzmq", "gozmq"}, true, "libzmq gozmq"},
		{"tcp", []string{"purezmq", "libzmq"}, true, "libzmq purezmq purezmq (no Recycle) purezmq→libzmq libzmq→purezmq"},
	} {
		got := strings.Join(names(Contenders(Cell{report.MsgsPerS, tc.transport, 16}, tc.impls, tc.cross)), " ")
		if got != tc.want {
			t.Errorf("%s %v cross=%v: %s, want %s", tc.transport, tc.impls, tc.cross, got, tc.want)
		}
	}
	for _, cell := range []Cell{{report.LatencyUS, "tcp", 16}, {report.MsgsPerS, CurveTransport, 16}} {
		for _, c := range Contenders(cell, allImpls, true) {
			if c.NoRecycle {
				t.Errorf("%v has a no-Recycle contender", cell)
			}
		}
	}
	for _, c := range Contenders(Cell{report.MsgsPerS, "ipc", 16}, allImpls, false) {
		if c.NoRecycle != (c.Name == report.OursNoRecycle) || (c.NoRecycle && (c.Client != "purezmq" || c.Server != "purezmq")) {
			t.Errorf("contender %+v", c)
		}
	}
	// Under CURVE only those that speak it, the crosses included.
	if got, want := strings.Join(names(Contenders(Cell{report.HandshakesPerS, CurveTransport, 16}, allImpls, true)), " "),
		"libzmq purezmq pebbe purezmq→libzmq libzmq→purezmq"; got != want {
		t.Errorf("tcp+curve: %s, want %s", got, want)
	}
	c := cross("purezmq", "libzmq")
	if c.Client != "purezmq" || c.Server != "libzmq" {
		t.Errorf("purezmq→libzmq must send from purezmq: %+v", c)
	}
}

func TestPlanCurve(t *testing.T) {
	cells := Plan([]string{CurveTransport, "tcp"})
	var got []string
	for _, c := range cells {
		got = append(got, c.String())
	}
	want := []string{"tcp throughput 16 B", "tcp throughput 256 B", "tcp throughput 4 KiB", "tcp throughput 64 KiB",
		"tcp latency 16 B", "tcp latency 4 KiB",
		"tcp+curve throughput 16 B", "tcp+curve throughput 256 B", "tcp+curve throughput 4 KiB", "tcp+curve handshake rate"}
	if !slices.Equal(got, want) {
		t.Errorf("cells\n %q\nwant\n %q", got, want)
	}
	if IsCurve("tcp") || !IsCurve(CurveTransport) {
		t.Error("IsCurve")
	}
}

func TestRotate(t *testing.T) {
	cs := Contenders(Cell{Transport: "inproc"}, []string{"libzmq", "purezmq", "pebbe"}, false)
	for r, want := range []string{"libzmq purezmq pebbe", "purezmq pebbe libzmq", "pebbe libzmq purezmq", "libzmq purezmq pebbe"} {
		if got := strings.Join(names(rotate(cs, r)), " "); got != want {
			t.Errorf("round %d: %s, want %s", r, got, want)
		}
	}
	if got := names(cs); !slices.Equal(got, []string{"libzmq", "purezmq", "pebbe"}) {
		t.Errorf("rotate changed its input: %v", got)
	}
}

func TestCounts(t *testing.T) {
	thr16 := Cell{report.MsgsPerS, "tcp", 16}
	thr64k := Cell{report.MsgsPerS, "tcp", 65536}
	lat := Cell{report.LatencyUS, "tcp", 16}
	hs := Cell{report.HandshakesPerS, CurveTransport, 16}
	for _, tc := range []struct {
		name string
		got  int
		want int
	}{
		{"pilot 16 B", pilotCount(thr16), 20_000},
		{"pilot 64 KiB", pilotCount(thr64k), 305},
		{"pilot latency", pilotCount(lat), 500},
		{"2 M msg/s for 0.5 s", scaledCount(thr16, 2e6, 500*time.Millisecond), 1_000_000},
		{"capped", scaledCount(thr16, 1e12, time.Second), 20_000_000},
		{"at least 100", scaledCount(thr64k, 10, 500*time.Millisecond), 100},
		{"25 µs one way = 50 µs round trips", scaledCount(lat, 25, 500*time.Millisecond), 10_000},
		{"pilot handshakes", pilotCount(hs), 50},
		{"400 handshakes/s for 0.5 s", scaledCount(hs, 400, 500*time.Millisecond), 200},
		{"slow handshakes, at least the pilot", scaledCount(hs, 10, 500*time.Millisecond), 50},
		{"handshakes capped", scaledCount(hs, 1e6, time.Second), 10_000},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, tc.got, tc.want)
		}
	}
}

func TestParseList(t *testing.T) {
	if got, err := parseList("transports", "tcp+curve", []string{"tcp", CurveTransport}); err != nil || !slices.Equal(got, []string{CurveTransport}) {
		t.Fatalf("%v, %v", got, err)
	}
	got, err := parseList("impls", " purezmq,libzmq,purezmq ,", allImpls)
	if err != nil || !slices.Equal(got, []string{"purezmq", "libzmq"}) {
		t.Fatalf("%v, %v", got, err)
	}
	for _, bad := range []string{"", ",", "purezmq,zeromq"} {
		if _, err := parseList("impls", bad, allImpls); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParts(t *testing.T) {
	all := []string{"tcp", "ipc", "inproc"}
	for _, tc := range []struct {
		name             string
		groups           []string
		transports       []string
		curve, many, mem bool
		wantPair         string
		wantMany         int
		wantMem          bool
	}{
		{"default", cellGroups, all, true, true, true, "tcp ipc inproc tcp+curve", 12, true},
		{"-curve=false -connmem=false", cellGroups, all, false, true, false, "tcp ipc inproc", 12, false},
		{"-manypeer=false", cellGroups, all, true, false, true, "tcp ipc inproc tcp+curve", 0, true},
		{"-cells manypeer", []string{"manypeer"}, all, true, true, true, "", 12, false},
		{"-cells manypeer -transports ipc", []string{"manypeer"}, []string{"ipc"}, true, true, true, "", 6, false},
		{"-cells curve", []string{"curve"}, all, true, true, true, "tcp+curve", 0, false},
		{"-cells pair -transports tcp,tcp+curve (as before)", []string{"pair"}, []string{"tcp", CurveTransport}, true, true, true, "tcp tcp+curve", 0, false},
		{"-cells pair,manypeer -transports inproc", []string{"pair", "manypeer"}, []string{"inproc"}, true, true, true, "inproc", 0, false},
	} {
		pair, many, mem := parts(tc.groups, tc.transports, []int{10, 100}, tc.curve, tc.many, tc.mem)
		if got := strings.Join(pair, " "); got != tc.wantPair || len(many) != tc.wantMany || mem != tc.wantMem {
			t.Errorf("%s: pair %q, %d many-peer cells, connmem %v; want %q, %d, %v", tc.name, got, len(many), mem, tc.wantPair, tc.wantMany, tc.wantMem)
		}
	}
}
