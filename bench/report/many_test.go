package report

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"
)

func manyRec(impl, transport, metric string, peers int, runs []float64, errs []string) Record {
	r := NewRecord(impl, transport, metric, 64, 1000, runs, errs)
	r.Peers = peers
	return r
}

func manyRecords() []Record {
	return []Record{
		manyRec("libzmq", "tcp", RTTPerS, 100, []float64{50e3, 53.6e3, 55e3}, nil),
		manyRec("purezmq", "tcp", RTTPerS, 100, []float64{90.4e3}, nil),
		manyRec("libzmq", "tcp", P99US, 100, []float64{3262}, nil),
		manyRec("purezmq", "tcp", P99US, 100, []float64{5239}, nil),
		manyRec("libzmq", "tcp", RTTFairness, 100, []float64{95.6}, nil),
		manyRec("purezmq", "tcp", RTTFairness, 100, nil, []string{"run 1: x"}),
		manyRec("libzmq", "ipc", RTTPerS, 10, []float64{40e3}, nil),
		manyRec("purezmq", "ipc", RTTPerS, 10, []float64{60e3}, nil),
		manyRec("libzmq", "tcp", RTTPerS, 10, []float64{30e3}, nil),
		manyRec("libzmq", "ipc", CPUNsPerMsgSub, 100, []float64{10}, nil),
		manyRec("purezmq", "ipc", CPUNsPerMsgSub, 100, []float64{150}, nil),
		manyRec("libzmq", "ipc", Drops, 100, []float64{0}, nil),
		manyRec("purezmq", "ipc", Drops, 100, []float64{123456}, nil),
		manyRec("libzmq", "ipc", FanInFairness, 10, []float64{47.9}, nil),
		manyRec("purezmq", "ipc", FanInFairness, 10, []float64{0}, nil),
		// Not many-peer: left out.
		NewRecord("libzmq", "tcp", MsgsPerS, 64, 0, []float64{1e6}, nil),
	}
}

func TestManyTable(t *testing.T) {
	router, _ := kindNamed(t, "router")
	lines := strings.Split(strings.TrimSpace(ManyTable(manyRecords(), router, []string{"libzmq", "pebbe", "purezmq"})), "\n")
	want := []string{
		"| transport | N | metric | libzmq | purezmq | purezmq/libzmq |",
		"| --- | ---: | --- | ---: | ---: | ---: |",
		"| tcp | 10 | round trips/s | 30.0 k | — | — |",
		"| tcp | 100 | round trips/s | 53.6 k (50.0 k–55.0 k) | 90.4 k | 1.69× |",
		"| tcp | 100 | p99 round trip ↓ | 3262 µs | 5239 µs | 1.61× |",
		"| tcp | 100 | fairness (slowest/fastest client) | 95.6 % | **failed** (1/1) | — |",
		"| ipc | 10 | round trips/s | 40.0 k | 60.0 k | 1.50× |",
	}
	sameLines(t, lines, want)
	pubsub, _ := kindNamed(t, "pubsub")
	got := ManyTable(manyRecords(), pubsub, []string{"libzmq", "purezmq"})
	for _, s := range []string{
		"| ipc | 100 | publisher CPU per msg per SUB (send loop) ↓ | 10.0 ns | 150 ns | 15.00× |",
		"| ipc | 100 | drops (count × N − delivered) ↓ | 0 | 123 k | — |",
	} {
		if !strings.Contains(got, s) {
			t.Errorf("fan-out table lacks %q:\n%s", s, got)
		}
	}
	if got := ManyTable(manyRecords()[:1], pubsub, []string{"libzmq"}); got != "" {
		t.Errorf("a kind without records has a table:\n%s", got)
	}
}

// The pinned contenders' bars come in a group of their own after their kind's, pinned against
// pinned; a pinned record without its pinned partner gives none.
func TestManyBarsPinned(t *testing.T) {
	recs := append(manyRecords(),
		manyRec("libzmq pinned", "tcp", P99US, 100, []float64{4000}, nil),
		manyRec("purezmq pinned", "tcp", P99US, 100, []float64{3000}, nil),
		manyRec("purezmq pinned", "tcp", RTTPerS, 100, []float64{60e3}, nil),
	)
	var got []string
	for _, b := range ManyBars(recs) {
		got = append(got, b.Group+": "+b.Label+fmt.Sprintf(" %.2f", b.Ratio))
	}
	want := []string{
		"ROUTER echo (N DEALERs): tcp N=100: round trips/s 1.69",
		"ROUTER echo (N DEALERs): tcp N=100: p99 round trip 1.61",
		"ROUTER echo (N DEALERs): ipc N=10: round trips/s 1.50",
		"ROUTER echo (N DEALERs), each process on a processor of its own: tcp N=100: p99 round trip 0.75",
		"PUB fan-out (N SUBs): ipc N=100: publisher CPU per msg per SUB (send loop) 15.00",
		"N PUSH → one PULL: ipc N=10: fairness at half-way (fewest/most) 0.00",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("bars\n %q\nwant\n %q", got, want)
	}
}

// Pinned contenders get a ratio column of their own, pinned against pinned; a pinned record
// is never compared with an unpinned one.
func TestManyTablePinned(t *testing.T) {
	router, _ := kindNamed(t, "router")
	recs := append(manyRecords()[:4],
		manyRec("libzmq pinned", "tcp", P99US, 100, []float64{4000}, nil),
		manyRec("purezmq pinned", "tcp", P99US, 100, []float64{3000}, nil),
		manyRec("purezmq pinned", "tcp", RTTPerS, 100, []float64{60e3}, nil),
	)
	lines := strings.Split(strings.TrimSpace(ManyTable(recs, router, []string{"libzmq", "purezmq", "libzmq pinned", "purezmq pinned"})), "\n")
	want := []string{
		"| transport | N | metric | libzmq | purezmq | libzmq pinned | purezmq pinned | purezmq/libzmq | purezmq pinned/libzmq pinned |",
		"| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
		"| tcp | 100 | round trips/s | 53.6 k (50.0 k–55.0 k) | 90.4 k | — | 60.0 k | 1.69× | — |",
		"| tcp | 100 | p99 round trip ↓ | 3262 µs | 5239 µs | 4000 µs | 3000 µs | 1.61× | 0.75× |",
	}
	sameLines(t, lines, want)
	// Pinned alone: only its own ratio.
	head := strings.SplitN(ManyTable(recs[4:], router, []string{"libzmq", "purezmq", "libzmq pinned", "purezmq pinned"}), "\n", 2)[0]
	if want := "| transport | N | metric | libzmq pinned | purezmq pinned | purezmq pinned/libzmq pinned |"; head != want {
		t.Errorf("header %s, want %s", head, want)
	}
}

// purezmq with GOMAXPROCS=1 gets a ratio column of its own, against libzmq as it ran.
func TestManyTableOneProc(t *testing.T) {
	router, _ := kindNamed(t, "router")
	recs := append(manyRecords()[:4],
		manyRec("purezmq GOMAXPROCS=1", "tcp", P99US, 100, []float64{3000}, nil),
	)
	lines := strings.Split(strings.TrimSpace(ManyTable(recs, router, []string{"libzmq", "purezmq", "purezmq GOMAXPROCS=1"})), "\n")
	want := []string{
		"| transport | N | metric | libzmq | purezmq | purezmq GOMAXPROCS=1 | purezmq/libzmq | purezmq GOMAXPROCS=1/libzmq |",
		"| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
		"| tcp | 100 | round trips/s | 53.6 k (50.0 k–55.0 k) | 90.4 k | — | 1.69× | — |",
		"| tcp | 100 | p99 round trip ↓ | 3262 µs | 5239 µs | 3000 µs | 1.61× | 0.92× |",
	}
	sameLines(t, lines, want)
}

func kindNamed(t *testing.T, name string) (ManyKind, bool) {
	t.Helper()
	for _, k := range ManyKinds {
		if k.Name == name {
			return k, true
		}
	}
	t.Fatalf("no kind %s", name)
	return ManyKind{}, false
}

// Every metric belongs to one kind, and the chart's lower-is-better metrics are inverted.
func TestManyKinds(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range ManyKinds {
		for _, m := range k.Metrics {
			if seen[m.Name] {
				t.Errorf("metric %s twice", m.Name)
			}
			seen[m.Name] = true
			if kk, mm, ok := ManyKindOf(m.Name); !ok || kk.Name != k.Name || mm != m {
				t.Errorf("ManyKindOf(%s) = %v, %v", m.Name, kk.Name, ok)
			}
		}
	}
	for _, m := range []string{MsgsPerS, LatencyUS, HandshakesPerS} {
		if _, _, ok := ManyKindOf(m); ok {
			t.Errorf("%s is a many-peer metric", m)
		}
	}
}

func TestManyBars(t *testing.T) {
	bars := ManyBars(manyRecords())
	var got []string
	for _, b := range bars {
		got = append(got, b.Label)
	}
	// In the tables' order; the failed fairness, libzmq's lone tcp N=10, and the metrics not
	// charted (drops) are left out.
	want := []string{
		"tcp N=100: round trips/s", "tcp N=100: p99 round trip",
		"ipc N=10: round trips/s",
		"ipc N=100: publisher CPU per msg per SUB (send loop)",
		"ipc N=10: fairness at half-way (fewest/most)",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("bars\n %q\nwant\n %q", got, want)
	}
	for i, tc := range []struct {
		ratio, better float64
		inverted      bool
	}{
		{90.4 / 53.6, 90.4 / 53.6, false},
		{5239.0 / 3262, 3262.0 / 5239, true},
		{1.5, 1.5, false},
		{15, 1.0 / 15, true},
		{0, 0, false},
	} {
		b := bars[i]
		if math.Abs(b.Ratio-tc.ratio) > 1e-9 || math.Abs(b.Better-tc.better) > 1e-9 || b.Inverted != tc.inverted {
			t.Errorf("bar %s: %+v, want ratio %v better %v inverted %v", b.Label, b, tc.ratio, tc.better, tc.inverted)
		}
	}
	if bars[0].Group != "ROUTER echo (N DEALERs)" || bars[4].Group != "N PUSH → one PULL" {
		t.Errorf("groups %q, %q", bars[0].Group, bars[4].Group)
	}
}

func TestManySVG(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteManySVG(&buf, "many <peers>", "medians", ManyBars(manyRecords())); err != nil {
		t.Fatal(err)
	}
	n := elements(t, buf.Bytes())
	// A bar per row, an arrow for the fairness of 0 (off the axis), one heading per group.
	if n["rect"] != 1+5 || n["path"] != 1 {
		t.Errorf("elements %v", n)
	}
	doc := buf.String()
	for _, s := range []string{"many &lt;peers&gt;", "1.0 = parity", "purezmq better →", "← libzmq better",
		"tcp N=100: p99 round trip ↓", "1.61× (drawn 0.62)", "1.69×", "ROUTER echo (N DEALERs)", "PUB fan-out (N SUBs)", ">1/16<", ">16<"} {
		if !strings.Contains(doc, s) {
			t.Errorf("chart lacks %q", s)
		}
	}
	// The worse p99 is drawn left of 1.0, in red; the better rate right of it, in green.
	if !strings.Contains(doc, `fill="#d62728"><title>ROUTER echo (N DEALERs), tcp N=100: p99 round trip ↓`) ||
		!strings.Contains(doc, `fill="#2ca02c"><title>ROUTER echo (N DEALERs), tcp N=100: round trips/s`) {
		t.Errorf("colours:\n%s", doc)
	}
	if err := WriteManySVG(&buf, "t", "s", []Bar{{Label: "x", Ratio: math.NaN(), Better: math.NaN()}}); err == nil {
		t.Error("a NaN ratio was drawn")
	}
	buf.Reset()
	if err := WriteManySVG(&buf, "empty", "", nil); err != nil {
		t.Fatal(err)
	}
	elements(t, buf.Bytes())
}
