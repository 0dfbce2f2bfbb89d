package report

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// Point is one measurement on the chart: message size in bytes, throughput in MB/s.
type Point struct{ Size, MBPerS float64 }

// Series is one implementation's line in a panel.
type Series struct {
	Name   string
	Points []Point // in size order
}

// Panel is one transport's plot.
type Panel struct {
	Title  string
	Series []Series
}

// ThroughputPanels builds one panel per transport (tcp, ipc, inproc first) from the throughput
// records, one series per implementation in the order of impls, with the medians that
// succeeded.
func ThroughputPanels(recs []Record, impls []string) []Panel {
	var transports []string
	for _, r := range recs {
		if r.Metric == MsgsPerS && !slices.Contains(transports, r.Transport) {
			transports = append(transports, r.Transport)
		}
	}
	slices.SortStableFunc(transports, func(a, b string) int { return transportRank(a) - transportRank(b) })
	var panels []Panel
	for _, t := range transports {
		p := Panel{Title: t}
		for _, im := range impls {
			var pts []Point
			for _, r := range recs {
				if r.Metric == MsgsPerS && r.Transport == t && r.Impl == im && r.OK() {
					pts = append(pts, Point{float64(r.Size), r.MBPerS()})
				}
			}
			slices.SortFunc(pts, func(a, b Point) int { return cmp.Compare(a.Size, b.Size) })
			if len(pts) > 0 {
				p.Series = append(p.Series, Series{Name: im, Points: pts})
			}
		}
		panels = append(panels, p)
	}
	return panels
}

// palette gives implementations stable colours: the n-th name of the legend gets the n-th.
var palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"}

// Chart geometry, in SVG user units.
const (
	panelW, panelH = 300.0, 260.0
	padL, padR     = 34.0, 20.0 // around the panels
	padTop         = 56.0
	gap            = 16.0 // between panels
	plotL, plotR   = 44.0, 12.0
	plotT, plotB   = 26.0, 44.0 // inside a panel: title above, size labels below
	legendRow      = 20.0
	legendCols     = 4
)

// WriteThroughputSVG draws panels side by side with a shared logarithmic MB/s axis and a shared
// legend, as a standalone SVG document.
func WriteThroughputSVG(w io.Writer, title, subtitle string, panels []Panel) error {
	var names []string
	minX, maxX := math.Inf(1), math.Inf(-1)
	for _, p := range panels {
		for _, s := range p.Series {
			if !slices.Contains(names, s.Name) {
				names = append(names, s.Name)
			}
			for _, pt := range s.Points {
				if pt.MBPerS <= 0 || pt.Size <= 0 || math.IsNaN(pt.MBPerS) || math.IsInf(pt.MBPerS, 0) {
					return fmt.Errorf("report: %s %s: point %+v cannot go on a log scale", p.Title, s.Name, pt)
				}
				minX, maxX = math.Min(minX, pt.Size), math.Max(maxX, pt.Size)
			}
		}
	}
	if len(names) == 0 { // nothing measured: an empty but valid chart
		minX, maxX = 1, 2
	}
	if maxX <= minX {
		maxX = minX * 2
	}
	color := map[string]string{}
	for i, n := range names {
		color[n] = palette[i%len(palette)]
	}

	npanels := max(len(panels), 1)
	legendRows := (len(names) + legendCols - 1) / legendCols
	width := padL + padR + float64(npanels)*panelW + float64(npanels-1)*gap
	height := padTop + panelH + 24 + float64(legendRows)*legendRow + 12

	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n")
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="11">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%.1f" y="20" font-size="15" font-weight="bold">%s</text>`+"\n", padL, esc(title))
	fmt.Fprintf(&b, `<text x="%.1f" y="38" fill="#555">%s</text>`+"\n", padL, esc(subtitle))
	// The y axis label, once, left of the first panel.
	yMid := padTop + plotT + (panelH-plotT-plotB)/2
	fmt.Fprintf(&b, `<text transform="translate(18 %.1f) rotate(-90)" text-anchor="middle">%s</text>`+"\n", yMid, esc("throughput, MB/s (log scale)"))

	for i, p := range panels {
		// Each panel has its own decades: inproc, which copies nothing, would flatten the others.
		decLo, decHi := p.decades()
		x0 := padL + float64(i)*(panelW+gap)
		left, right := x0+plotL, x0+panelW-plotR
		top, bottom := padTop+plotT, padTop+panelH-plotB
		xOf := func(size float64) float64 {
			return left + (math.Log2(size)-math.Log2(minX))/(math.Log2(maxX)-math.Log2(minX))*(right-left)
		}
		yOf := func(v float64) float64 {
			return bottom - (math.Log10(v)-decLo)/(decHi-decLo)*(bottom-top)
		}
		fmt.Fprintf(&b, `<g>`+"\n")
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="13" font-weight="bold">%s</text>`+"\n", (left+right)/2, padTop+14, esc(p.Title))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" stroke="#999"/>`+"\n", left, top, right-left, bottom-top)
		// Decades, with faint lines at 2× and 5×.
		for d := decLo; d <= decHi; d++ {
			v := math.Pow(10, d)
			y := yOf(v)
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ccc"/>`+"\n", left, y, right, y)
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`+"\n", left-4, y, esc(axisNumber(v)))
			for _, m := range []float64{2, 5} {
				if d < decHi {
					ym := yOf(v * m)
					fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#eee"/>`+"\n", left, ym, right, ym)
				}
			}
		}
		// Size ticks at the sizes measured.
		var sizes []float64
		for _, s := range p.Series {
			for _, pt := range s.Points {
				if !slices.Contains(sizes, pt.Size) {
					sizes = append(sizes, pt.Size)
				}
			}
		}
		slices.Sort(sizes)
		for _, sz := range sizes {
			x := xOf(sz)
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#999"/>`+"\n", x, bottom, x, bottom+4)
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", x, bottom+16, esc(FormatSize(int(sz))))
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#555">message size</text>`+"\n", (left+right)/2, bottom+32)
		for _, s := range p.Series {
			c := color[s.Name]
			dash := ""
			if strings.Contains(s.Name, "→") { // cross runs: dashed
				dash = ` stroke-dasharray="5 3"`
			}
			var pts []string
			for _, pt := range s.Points {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", xOf(pt.Size), yOf(pt.MBPerS)))
			}
			if len(pts) > 1 {
				fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s><title>%s</title></polyline>`+"\n", strings.Join(pts, " "), c, dash, esc(s.Name))
			}
			for _, pt := range s.Points {
				fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s</title></circle>`+"\n", xOf(pt.Size), yOf(pt.MBPerS), c,
					esc(fmt.Sprintf("%s %s %s: %s MB/s", s.Name, p.Title, FormatSize(int(pt.Size)), sig3(pt.MBPerS))))
			}
		}
		fmt.Fprintf(&b, `</g>`+"\n")
	}

	// Legend, below the panels.
	ly := padTop + panelH + 20
	colW := (width - padL - padR) / legendCols
	for i, n := range names {
		x := padL + float64(i%legendCols)*colW
		y := ly + float64(i/legendCols)*legendRow
		dash := ""
		if strings.Contains(n, "→") {
			dash = ` stroke-dasharray="5 3"`
		}
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2"%s/>`+"\n", x, y, x+24, y, color[n], dash)
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>`+"\n", x+12, y, color[n])
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" dominant-baseline="middle">%s</text>`+"\n", x+30, y, esc(n))
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// decades is the range of powers of ten that holds the panel's points.
func (p Panel) decades() (lo, hi float64) {
	least, most := math.Inf(1), math.Inf(-1)
	for _, s := range p.Series {
		for _, pt := range s.Points {
			least, most = math.Min(least, pt.MBPerS), math.Max(most, pt.MBPerS)
		}
	}
	if math.IsInf(least, 1) {
		return 0, 1
	}
	lo, hi = math.Floor(math.Log10(least)), math.Ceil(math.Log10(most))
	if hi <= lo {
		hi = lo + 1
	}
	return lo, hi
}

// axisNumber writes a decade for the axis: 0.01, 0.1, 1, 10, 100, 1000, 10k.
func axisNumber(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.0fM", v/1e6)
	case v >= 1e4:
		return fmt.Sprintf("%.0fk", v/1e3)
	case v >= 1:
		return fmt.Sprintf("%.0f", v)
	}
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.6f", v), "0"), ".")
}

func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
