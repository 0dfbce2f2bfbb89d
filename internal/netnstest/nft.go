package netnstest

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// runTimeout bounds each command Run runs, and waitTimeout each wait of WaitDropped and
// Proc.Kill (a variable for the test of the bound).
const runTimeout = time.Minute

var waitTimeout = time.Minute

// Match is which packets an nftables rule of Blackhole takes.
type Match struct {
	expr []string // nft's words for it
}

// UDP matches UDP datagrams to port (epgm://, norm://).
func UDP(port int) Match { return Match{[]string{"udp", "dport", strconv.Itoa(port)}} }

// IPProtocol matches IP packets of protocol proto, whatever their ports.
func IPProtocol(proto int) Match { return Match{[]string{"ip", "protocol", strconv.Itoa(proto)}} }

// PGM matches raw PGM (pgm://): IP protocol 113, which has no ports.
var PGM = IPProtocol(113)

func (m Match) String() string { return strings.Join(m.expr, " ") }

func needNft(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("nft"); err != nil {
		t.Skip("needs nft (nftables) to drop packets")
	}
}

// Loss drops percent of the packets ns receives: UDP to port, or with raw true IP protocol
// 113 (PGM). nftables does it (numgen random), since netem is not in every kernel; it skips t
// when nft is missing.
func (ns NS) Loss(t testing.TB, port, percent int, raw bool) {
	t.Helper()
	needNft(t)
	m := UDP(port)
	if raw {
		m = PGM
	}
	ns.Run(t, "nft", "add", "table", "inet", "purezmq_loss")
	ns.Run(t, "nft", "add", "chain", "inet", "purezmq_loss", "in", "{ type filter hook input priority 0; }")
	// Not what ns sends itself and hears back through multicast loop.
	match := append(append([]string(nil), m.expr...), "ip", "saddr", "!=", ns.Addr.String())
	rule := append([]string{"add", "rule", "inet", "purezmq_loss", "in"}, match...)
	ns.Run(t, "nft", append(rule, "counter")...)
	ns.Run(t, "nft", append(rule, "numgen", "random", "mod", "100", "<", strconv.Itoa(percent), "counter", "drop")...)
}

// LossCount is what Loss's rules counted: "dropped D of N packets".
func (ns NS) LossCount(t testing.TB) string {
	t.Helper()
	seen, dropped := ns.counters(t, "purezmq_loss")
	if seen < 0 {
		return "? packets"
	}
	return "dropped " + strconv.Itoa(dropped) + " of " + strconv.Itoa(seen) + " packets"
}

// Blackhole drops every packet m matches that ns receives, until the returned function
// lifts it.
func (ns NS) Blackhole(t testing.TB, m Match) (lift func()) {
	t.Helper()
	needNft(t)
	ns.Run(t, "nft", "add", "table", "inet", "purezmq_hole")
	ns.Run(t, "nft", "add", "chain", "inet", "purezmq_hole", "in", "{ type filter hook input priority 0; }")
	ns.Run(t, "nft", append(append([]string{"add", "rule", "inet", "purezmq_hole", "in"}, m.expr...), "counter", "drop")...)
	return func() { ns.Run(t, "nft", "delete", "table", "inet", "purezmq_hole") }
}

// WaitDropped waits until the dropping rules of table (Blackhole's "purezmq_hole", Loss's
// "purezmq_loss") in ns have dropped n packets, and fails t if they have not within a minute
// (the traffic they wait for may have stopped).
func (ns NS) WaitDropped(t testing.TB, table string, n int) {
	t.Helper()
	deadline := time.NewTimer(waitTimeout)
	defer deadline.Stop()
	// An nftables counter sends no event: polling it is the only way to see it move.
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		_, dropped := ns.counters(t, table)
		if dropped >= n {
			return
		}
		select {
		case <-tick.C:
		case <-deadline.C:
			t.Fatalf("waited %v for table %s in %s to drop %d packets: it dropped %d", waitTimeout, table, ns.Name, n, dropped)
		}
	}
}

// counters reads table's rules: the packets counted by a rule that only counts (seen, -1 when
// none does) and those dropped by the rules that drop.
func (ns NS) counters(t testing.TB, table string) (seen, dropped int) {
	t.Helper()
	seen = -1
	for _, line := range strings.Split(ns.Run(t, "nft", "list", "table", "inet", table), "\n") {
		_, after, ok := strings.Cut(line, "counter packets ")
		if !ok {
			continue
		}
		c, rest, _ := strings.Cut(after, " ")
		k, err := strconv.Atoi(c)
		if err != nil {
			t.Fatalf("nft counter %q in %s: %v", line, table, err)
		}
		if strings.HasSuffix(strings.TrimSpace(rest), "drop") {
			dropped += k
		} else {
			seen = max(seen, 0) + k
		}
	}
	return seen, dropped
}
