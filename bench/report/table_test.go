package report

import (
	"strings"
	"testing"
)

var cols = []string{"libzmq", "purezmq", "pebbe", "mangos", "purezmq→libzmq"}

func tableRecords() []Record {
	return []Record{
		NewRecord("libzmq", "tcp", MsgsPerS, 16, 0, []float64{2e6, 2.2e6, 1.9e6}, nil),
		NewRecord("purezmq", "tcp", MsgsPerS, 16, 0, []float64{3e6, 3.1e6, 2.5e6}, nil),
		NewRecord("pebbe", "tcp", MsgsPerS, 16, 0, nil, []string{"run 1: x", "run 2: x"}),
		NewRecord("purezmq→libzmq", "tcp", MsgsPerS, 16, 0, []float64{950, 1010}, []string{"run 3: y"}),
		NewRecord("libzmq", "inproc", MsgsPerS, 4096, 0, []float64{45600}, nil),
		NewRecord("purezmq", "tcp", MsgsPerS, 65536, 0, []float64{8000}, nil),
		NewRecord("libzmq", "tcp", LatencyUS, 16, 0, []float64{40, 50, 60}, nil),
		NewRecord("purezmq", "tcp", LatencyUS, 16, 0, []float64{20, 30, 25}, nil),
	}
}

func TestTable(t *testing.T) {
	lines := strings.Split(strings.TrimSpace(Table(tableRecords(), MsgsPerS, cols, map[string]string{"mangos": "†"})), "\n")
	want := []string{
		// mangos has no record, so no column; the ratio comes right after purezmq.
		"| transport | size | libzmq | purezmq | purezmq/libzmq (>1: purezmq faster) | pebbe | purezmq→libzmq |",
		"| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
		"| tcp | 16 B | 2.00 M (1.90 M–2.20 M) | 3.00 M (2.50 M–3.10 M) | 1.50× | **failed** (2/2) | 980 (950–1010) ⚠ 1/3 failed |",
		"| tcp | 64 KiB | — | 8.00 k | — | — | — |",
		"| inproc | 4 KiB | 45.6 k | — | — | — | — |",
	}
	sameLines(t, lines, want)
}

func TestLatencyTable(t *testing.T) {
	got := Table(tableRecords(), LatencyUS, cols, nil)
	for _, want := range []string{
		"| transport | size | libzmq | purezmq | purezmq/libzmq latency (<1: purezmq faster) |",
		"| tcp | 16 B | 50.0 (40.0–60.0) | 25.0 (20.0–30.0) | 0.50× |",
	} {
		if !strings.Contains(got, want+"\n") {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if Table(nil, LatencyUS, cols, nil) != "" {
		t.Error("a table without records is not empty")
	}
}

func TestMBTable(t *testing.T) {
	got := MBTable(tableRecords(), cols, map[string]string{"pebbe": "*"})
	for _, want := range []string{
		"| transport | size | libzmq | purezmq | pebbe* | purezmq→libzmq |",
		"| tcp | 16 B | 32.0 | 48.0 | failed | 0.02 |",
		"| tcp | 64 KiB | — | 524 | — | — |",
	} {
		if !strings.Contains(got, want+"\n") {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{FormatSize(16), "16 B"},
		{FormatSize(1000), "1000 B"},
		{FormatSize(4096), "4 KiB"},
		{FormatSize(65536), "64 KiB"},
		{FormatSize(3 << 20), "3 MiB"},
		{formatRate(4.56e6, 4.56e6), "4.56 M"},
		{formatRate(4.56e6, 3.1e6), "3.10 M"},
		{formatRate(123456, 123456), "123 k"},
		{formatRate(123456, 99000), "99 k"}, // a cell's min and max keep its median's unit and decimals
		{formatRate(12.34, 12.34), "12.3"},
		{formatPlain(0.456, 0.456), "0.46"},
		{formatPlain(123.4, 123.4), "123"},
		{formatPlain(123.4, 98.7), "99"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// purezmq without Recycle gets its own ratio against libzmq, after its column.
func TestTableNoRecycle(t *testing.T) {
	recs := []Record{
		NewRecord("libzmq", "tcp", MsgsPerS, 65536, 0, []float64{10e3}, nil),
		NewRecord("purezmq", "tcp", MsgsPerS, 65536, 0, []float64{20e3}, nil),
		NewRecord(OursNoRecycle, "tcp", MsgsPerS, 65536, 0, []float64{9.7e3}, nil),
		NewRecord(OursNoRecycle, "ipc", MsgsPerS, 65536, 0, []float64{9e3}, nil),
	}
	lines := strings.Split(strings.TrimSpace(Table(recs, MsgsPerS, []string{"libzmq", "purezmq", OursNoRecycle, "pebbe"}, nil)), "\n")
	want := []string{
		"| transport | size | libzmq | purezmq | purezmq/libzmq (>1: purezmq faster) | purezmq (no Recycle) | purezmq (no Recycle)/libzmq (>1: purezmq faster) |",
		"| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
		"| tcp | 64 KiB | 10.0 k | 20.0 k | 2.00× | 9.70 k | 0.97× |",
		"| ipc | 64 KiB | — | — | — | 9.00 k | — |",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// sameLines fails t unless lines are want, line by line.
func sameLines(t *testing.T, lines, want []string) {
	t.Helper()
	if len(lines) != len(want) {
		t.Fatalf("got %d lines:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d:\n got %s\nwant %s", i, lines[i], want[i])
		}
	}
}
