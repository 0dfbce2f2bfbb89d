package report

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"testing"
)

func TestSummarize(t *testing.T) {
	for _, tc := range []struct {
		name string
		vals []float64
		want Summary
		ok   bool
	}{
		{"none", nil, Summary{}, false},
		{"one", []float64{7}, Summary{7, 7, 7}, true},
		{"odd, unsorted", []float64{5, 1, 3}, Summary{3, 1, 5}, true},
		{"even: mean of the middle two", []float64{4, 1, 3, 10}, Summary{3.5, 1, 10}, true},
		{"ties", []float64{2, 2, 2, 9, 1}, Summary{2, 1, 9}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := slices.Clone(tc.vals)
			got, ok := Summarize(tc.vals)
			if ok != tc.ok || got != tc.want {
				t.Fatalf("Summarize(%v) = %+v, %v; want %+v, %v", tc.vals, got, ok, tc.want, tc.ok)
			}
			if !slices.Equal(in, tc.vals) {
				t.Fatalf("Summarize reordered its input: %v", tc.vals)
			}
		})
	}
}

func TestNewRecord(t *testing.T) {
	r := NewRecord("purezmq", "tcp", MsgsPerS, 256, 1000, []float64{3e6, 1e6, 2e6}, []string{"run 4: boom"})
	if r.Median != 2e6 || r.Min != 1e6 || r.Max != 3e6 || r.Failed != 1 || !r.OK() || r.Count != 1000 {
		t.Fatalf("record %+v", r)
	}
	if !slices.Equal(r.Runs, []float64{3e6, 1e6, 2e6}) {
		t.Fatalf("runs not kept in run order: %v", r.Runs)
	}
	if got := r.MBPerS(); got != 2e6*256/1e6 {
		t.Fatalf("MBPerS = %v", got)
	}
	failed := NewRecord("gozmq", "inproc", MsgsPerS, 4096, 300, nil, []string{"a", "b"})
	if failed.OK() || failed.Runs == nil || failed.Median != 0 || failed.Failed != 2 {
		t.Fatalf("all-failed record %+v", failed)
	}
}

// The record format is what other tools read: its field names are fixed.
func TestRecordJSON(t *testing.T) {
	recs := []Record{
		NewRecord("libzmq", "ipc", LatencyUS, 16, 5000, []float64{50.5, 49.5}, nil),
		NewRecord("purezmq→libzmq", "tcp", MsgsPerS, 65536, 2000, nil, []string{"run 1: timed out"}),
	}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, recs); err != nil {
		t.Fatal(err)
	}
	var raw []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &raw); err != nil {
		t.Fatalf("not a JSON array of objects: %v\n%s", err, buf.String())
	}
	for _, key := range []string{"impl", "transport", "metric", "size", "median", "min", "max", "runs"} {
		if _, ok := raw[0][key]; !ok {
			t.Errorf("record lacks %q: %v", key, raw[0])
		}
	}
	if raw[0]["metric"] != "latency_us" || raw[1]["metric"] != "msgs_per_s" || raw[1]["impl"] != "purezmq→libzmq" {
		t.Errorf("records %v", raw)
	}
	if runs, ok := raw[1]["runs"].([]any); !ok || len(runs) != 0 {
		t.Errorf("a cell without successful runs must have runs: [], has %v", raw[1]["runs"])
	}
	back, err := ReadJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != 2 || back[0].Median != 50 || back[1].Errors[0] != "run 1: timed out" {
		t.Fatalf("round trip: %+v", back)
	}
	if err := WriteJSON(&buf, []Record{{Impl: "x", Median: math.NaN(), Runs: []float64{}}}); err == nil {
		t.Fatal("NaN was written")
	}
}
