package compare

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/purezmq/zmq/bench/report"
)

// manyResult is the part of a many-peer role's JSON line the driver reads.
type manyResult struct {
	Role          string   `json:"role"`
	Size          int      `json:"size"`
	Count         int      `json:"count"`
	Peers         int      `json:"peers"`
	ElapsedS      float64  `json:"elapsed_s"`
	RTTPerS       float64  `json:"rtt_per_s"`
	P50US         float64  `json:"p50_us"`
	P99US         float64  `json:"p99_us"`
	FairnessPct   *float64 `json:"fairness_pct"`
	SendPerS      float64  `json:"send_per_s"`
	CPUNs         float64  `json:"cpu_ns_per_msg_sub"`
	CPUNsDrained  float64  `json:"cpu_ns_per_msg_sub_drained"`
	Delivered     int      `json:"delivered"`
	DeliveredPerS float64  `json:"delivered_per_s"`
	Drops         *int     `json:"drops"`
	MsgsPerS      float64  `json:"msgs_per_s"`
	line          string   // as printed, for errors
}

// readMany reads p's last JSON line.
func readMany(p *proc) (manyResult, error) {
	var res manyResult
	found := false
	for _, line := range strings.Split(p.stdout.String(), "\n") {
		if strings.HasPrefix(line, "{") {
			res = manyResult{line: line}
			if err := json.Unmarshal([]byte(line), &res); err != nil {
				return res, fmt.Errorf("%s: result %q: %w", p.name, line, err)
			}
			found = true
		}
	}
	if !found {
		return res, fmt.Errorf("%s: printed no result line (stdout %q)", p.name, p.stdout.String())
	}
	return res, nil
}

var errImplausible = errors.New("implausible result")

// parseMany reads the results of a many-peer run into its kind's metrics, checking they are
// the run's and plausible.
func parseMany(cell ManyCell, count int, server, client *proc) (ManyMeasurement, error) {
	positive := func(vs ...float64) bool {
		for _, v := range vs {
			if !(v > 0) || math.IsInf(v, 0) {
				return false
			}
		}
		return true
	}
	read := func(p *proc) (manyResult, error) {
		res, err := readMany(p)
		if err != nil {
			return res, err
		}
		if res.Size != manySize || res.Peers != cell.Peers || !positive(res.ElapsedS) {
			return res, fmt.Errorf("%s: %w %s for %v", p.name, errImplausible, res.line, cell)
		}
		return res, nil
	}
	pct := func(p *float64) bool { return p != nil && *p >= 0 && *p <= 100 }
	var m ManyMeasurement
	switch cell.Kind {
	case "router":
		res, err := read(client)
		if err != nil {
			return m, err
		}
		if res.Count != count || !positive(res.RTTPerS, res.P50US, res.P99US) || res.P99US < res.P50US || !pct(res.FairnessPct) {
			return m, fmt.Errorf("%s: %w %s for count %d", client.name, errImplausible, res.line, count)
		}
		m.Values = map[string]float64{report.RTTPerS: res.RTTPerS, report.P50US: res.P50US, report.P99US: res.P99US, report.RTTFairness: *res.FairnessPct}
		m.Elapsed = time.Duration(res.ElapsedS * float64(time.Second))
	case "pubsub":
		pub, err := read(server)
		if err != nil {
			return m, err
		}
		sub, err := read(client)
		if err != nil {
			return m, err
		}
		copies := count * cell.Peers
		if pub.Count != count || !positive(pub.SendPerS, pub.CPUNs, pub.CPUNsDrained) {
			return m, fmt.Errorf("%s: %w %s for count %d", server.name, errImplausible, pub.line, count)
		}
		if sub.Count != count || sub.Drops == nil || sub.Delivered < 1 || sub.Delivered+*sub.Drops != copies || !positive(sub.DeliveredPerS) {
			return m, fmt.Errorf("%s: %w %s for count %d (delivered + drops must be %d)", client.name, errImplausible, sub.line, count, copies)
		}
		m.Values = map[string]float64{report.DeliveredPerS: sub.DeliveredPerS, report.SendPerS: pub.SendPerS,
			report.CPUNsPerMsgSub: pub.CPUNs, report.CPUNsDrained: pub.CPUNsDrained,
			report.CPUNsPerCopy: pub.CPUNsDrained * float64(copies) / float64(sub.Delivered),
			report.Drops:        float64(*sub.Drops), report.DropsPct: 100 * float64(*sub.Drops) / float64(copies)}
		m.Elapsed = time.Duration(sub.ElapsedS * float64(time.Second))
	case "pushpull":
		res, err := read(server)
		if err != nil {
			return m, err
		}
		if res.Count != count/cell.Peers*cell.Peers || !positive(res.MsgsPerS) || !pct(res.FairnessPct) {
			return m, fmt.Errorf("%s: %w %s for count %d", server.name, errImplausible, res.line, count)
		}
		m.Values = map[string]float64{report.FanInPerS: res.MsgsPerS, report.FanInFairness: *res.FairnessPct}
		m.Elapsed = time.Duration(res.ElapsedS * float64(time.Second))
	}
	return m, nil
}
