package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

// elements parses doc as XML and counts its elements by name; it fails on malformed XML.
func elements(t *testing.T, doc []byte) map[string]int {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	n := map[string]int{}
	root := ""
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("malformed XML: %v\n%s", err, doc)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if root == "" {
				root = se.Name.Local
			}
			n[se.Name.Local]++
		}
	}
	if root != "svg" {
		t.Fatalf("root element %q, want svg", root)
	}
	return n
}

func TestThroughputSVG(t *testing.T) {
	recs := []Record{
		NewRecord("libzmq", "tcp", MsgsPerS, 16, 0, []float64{2e6}, nil),
		NewRecord("libzmq", "tcp", MsgsPerS, 65536, 0, []float64{1e4}, nil),
		NewRecord("purezmq", "tcp", MsgsPerS, 16, 0, []float64{3e6}, nil),
		NewRecord("purezmq", "tcp", MsgsPerS, 256, 0, nil, []string{"failed"}), // left out
		NewRecord("purezmq", "tcp", MsgsPerS, 65536, 0, []float64{9e3}, nil),
		NewRecord("a<b>&\"c\"", "ipc", MsgsPerS, 4096, 0, []float64{5e4}, nil), // one point: no line
		NewRecord("libzmq", "inproc", MsgsPerS, 16, 0, []float64{5e6}, nil),
		NewRecord("libzmq", "tcp", LatencyUS, 16, 0, []float64{30}, nil), // not throughput
	}
	panels := ThroughputPanels(recs, []string{"libzmq", "purezmq", "a<b>&\"c\""})
	if len(panels) != 3 || panels[0].Title != "tcp" || panels[1].Title != "ipc" || panels[2].Title != "inproc" {
		t.Fatalf("panels %+v", panels)
	}
	if got := len(panels[0].Series[1].Points); got != 2 {
		t.Fatalf("purezmq tcp has %d points, want 2 (the failed cell left out)", got)
	}
	var buf bytes.Buffer
	if err := WriteThroughputSVG(&buf, "Throughput <tcp & ipc>", "median of 5 runs", panels); err != nil {
		t.Fatal(err)
	}
	n := elements(t, buf.Bytes())
	if n["polyline"] != 2 {
		t.Errorf("%d polylines, want 2 (libzmq and purezmq over tcp)", n["polyline"])
	}
	// Points: 2 + 2 + 1 + 1 in the panels, and one marker per legend entry (3).
	if n["circle"] != 9 {
		t.Errorf("%d circles, want 9", n["circle"])
	}
	for _, want := range []string{"Throughput &lt;tcp &amp; ipc&gt;", "message size", "MB/s (log scale)", "64 KiB"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("chart lacks %q", want)
		}
	}
	if strings.Contains(buf.String(), "NaN") || strings.Contains(buf.String(), "Inf") {
		t.Error("chart has a NaN or Inf coordinate")
	}
}

func TestThroughputSVGEdges(t *testing.T) {
	for _, tc := range []struct {
		name   string
		panels []Panel
		ok     bool
	}{
		{"no panels", nil, true},
		{"empty panel", []Panel{{Title: "tcp"}}, true},
		{"one value", []Panel{{Title: "tcp", Series: []Series{{Name: "x", Points: []Point{{16, 3}}}}}}, true},
		{"zero cannot go on a log scale", []Panel{{Title: "tcp", Series: []Series{{Name: "x", Points: []Point{{16, 0}}}}}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WriteThroughputSVG(&buf, "t", "s", tc.panels)
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
			if tc.ok {
				elements(t, buf.Bytes())
			}
		})
	}
}
