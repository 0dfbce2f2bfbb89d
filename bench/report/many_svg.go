package report

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// Bar is one row of the many-peer chart: purezmq against libzmq on one metric of one cell.
type Bar struct {
	Group string // the kind's title (or its pinned group's)
	Label string // transport, N and metric
	// Ratio is purezmq/libzmq as measured; Better the same turned so that above 1 is purezmq
	// doing better (libzmq/purezmq for metrics where lower is better).
	Ratio, Better float64
	Inverted      bool
}

// ManyBars builds the chart's rows from the many-peer records: every metric of ManyKinds marked
// Chart that both purezmq and libzmq measured (median above zero on libzmq's side), in the
// tables' order; then, in a group of its own after each kind, the same of the pinned
// contenders (PinnedSuffix), pinned against pinned.
func ManyBars(recs []Record) []Bar {
	var bars []Bar
	for _, k := range ManyKinds {
		bars = append(bars, kindBars(recs, k, k.Title, Ours, Reference)...)
		bars = append(bars, kindBars(recs, k, k.Title+", each process on a processor of its own", Ours+PinnedSuffix, Reference+PinnedSuffix)...)
	}
	return bars
}

// kindBars is ManyBars's rows of kind k for the records of ours against ref, in group.
func kindBars(recs []Record, k ManyKind, group, ours, ref string) []Bar {
	type key struct {
		transport string
		peers     int
	}
	var keys []key
	for _, r := range recs {
		if kk, _, ok := ManyKindOf(r.Metric); ok && kk.Name == k.Name && IsMany(r) && !slices.Contains(keys, key{r.Transport, r.Peers}) {
			keys = append(keys, key{r.Transport, r.Peers})
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if a.transport != b.transport {
			return transportRank(a.transport) - transportRank(b.transport)
		}
		return a.peers - b.peers
	})
	var bars []Bar
	for _, kk := range keys {
		for _, m := range k.Metrics {
			if !m.Chart {
				continue
			}
			var o, r *Record
			for i := range recs {
				rec := &recs[i]
				if rec.Metric == m.Name && rec.Transport == kk.transport && rec.Peers == kk.peers && IsMany(*rec) {
					switch rec.Impl {
					case ours:
						o = rec
					case ref:
						r = rec
					}
				}
			}
			if o == nil || r == nil || !o.OK() || !r.OK() || r.Median <= 0 {
				continue
			}
			b := Bar{Group: group, Label: fmt.Sprintf("%s N=%d: %s", kk.transport, kk.peers, m.Label),
				Ratio: o.Median / r.Median, Inverted: m.LowerBetter}
			b.Better = b.Ratio
			if m.LowerBetter {
				b.Better = math.Inf(1)
				if b.Ratio > 0 {
					b.Better = 1 / b.Ratio
				}
			}
			bars = append(bars, b)
		}
	}
	return bars
}

// The many-peer chart's geometry.
const (
	barLabelW = 360.0 // the labels' column
	barPlotW  = 420.0
	barValueW = 150.0
	barRow    = 18.0
	barTop    = 78.0
	barSpan   = 4.0 // the axis runs from 2^-barSpan to 2^barSpan
)

// WriteManySVG draws bars as horizontal bars on a logarithmic axis centred on 1.0 (parity),
// purezmq doing better to the right whatever the metric, as a standalone SVG document. Ratios
// beyond the axis are drawn to its end with an arrow.
func WriteManySVG(w io.Writer, title, subtitle string, bars []Bar) error {
	for _, b := range bars {
		if math.IsNaN(b.Better) || b.Better < 0 || math.IsNaN(b.Ratio) {
			return fmt.Errorf("report: bar %q: ratio %v cannot go on a log scale", b.Label, b.Ratio)
		}
	}
	rows := 0
	for i, b := range bars {
		if i == 0 || bars[i-1].Group != b.Group {
			rows++ // the group's heading
		}
		rows++
	}
	width := 20 + barLabelW + barPlotW + barValueW
	height := barTop + float64(rows)*barRow + 40
	left, right := 10+barLabelW, 10+barLabelW+barPlotW
	xOf := func(v float64) float64 {
		l := math.Max(-barSpan, math.Min(barSpan, math.Log2(v)))
		return left + (l+barSpan)/(2*barSpan)*(right-left)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n")
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="11">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="10" y="20" font-size="15" font-weight="bold">%s</text>`+"\n", esc(title))
	fmt.Fprintf(&b, `<text x="10" y="38" fill="#555">%s</text>`+"\n", esc(subtitle))
	fmt.Fprintf(&b, `<text x="10" y="54" fill="#555">%s</text>`+"\n", esc("Bars: purezmq/libzmq, log scale; metrics marked ↓ (lower is better) drawn inverted (libzmq/purezmq), so right of 1.0 is purezmq better on every row."))
	bottom := barTop + float64(rows)*barRow
	// Axis: powers of two, 1.0 marked.
	for e := -barSpan; e <= barSpan; e++ {
		v := math.Pow(2, e)
		x := xOf(v)
		stroke, sw := "#ddd", 1.0
		if e == 0 {
			stroke, sw = "#333", 1.5
		}
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="%.1f"/>`+"\n", x, barTop-6, x, bottom, stroke, sw)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", x, bottom+14, esc(ratioLabel(v)))
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-weight="bold">1.0 = parity</text>`+"\n", xOf(1), barTop-10)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" fill="#555">← libzmq better</text>`+"\n", left, bottom+30)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end" fill="#555">purezmq better →</text>`+"\n", right, bottom+30)
	y := barTop
	for i, bar := range bars {
		if i == 0 || bars[i-1].Group != bar.Group {
			fmt.Fprintf(&b, `<text x="10" y="%.1f" font-weight="bold">%s</text>`+"\n", y+barRow*0.7, esc(bar.Group))
			y += barRow
		}
		label := bar.Label
		if bar.Inverted {
			label += " ↓"
		}
		fmt.Fprintf(&b, `<text x="22" y="%.1f">%s</text>`+"\n", y+barRow*0.7, esc(label))
		x0, x1 := xOf(1), xOf(bar.Better)
		fill := "#2ca02c"
		if bar.Better < 1 {
			fill = "#d62728"
		}
		lo, hi := math.Min(x0, x1), math.Max(x0, x1)
		value := fmt.Sprintf("%.2f×", bar.Ratio)
		if bar.Inverted {
			value = fmt.Sprintf("%.2f× (drawn %s)", bar.Ratio, ratioLabel(bar.Better))
		}
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s</title></rect>`+"\n",
			lo, y+3, math.Max(hi-lo, 1), barRow-6, fill, esc(bar.Group+", "+label+": purezmq/libzmq "+fmt.Sprintf("%.3f", bar.Ratio)))
		if math.Abs(math.Log2(bar.Better)) > barSpan {
			// Off the axis: an arrow at its end.
			dir := 1.0
			if bar.Better < 1 {
				dir = -1
			}
			fmt.Fprintf(&b, `<path d="M%.1f %.1f l%.1f %.1f l%.1f %.1f z" fill="%s"/>`+"\n", x1, y+1, dir*8, barRow/2-1, -dir*8, barRow/2-1, fill)
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f">%s</text>`+"\n", right+12, y+barRow*0.7, esc(value))
		y += barRow
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// ratioLabel writes an axis ratio: 1/16 … 1/2, 1, 2 … 16; others with two decimals.
func ratioLabel(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "∞"
	case v >= 1 && v == math.Trunc(v):
		return fmt.Sprintf("%.0f", v)
	case v > 0 && v < 1 && 1/v == math.Trunc(1/v):
		return fmt.Sprintf("1/%.0f", 1/v)
	}
	return fmt.Sprintf("%.2f", v)
}
