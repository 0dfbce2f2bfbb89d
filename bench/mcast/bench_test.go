package mcast

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/zmq/internal/netnstest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var (
	enabled    = flag.Bool("mcast", false, "run the multicast benchmark (make bench-multicast; root, for the namespaces)")
	seconds    = flag.Int("mcast.seconds", 2, "seconds each PUB sends")
	runs       = flag.Int("mcast.runs", 3, "runs of each implementation per cell, alternating")
	rates      = flag.String("mcast.rate", "100000,1000000", "RATE in kbit/s, on both sides: each rate is a row")
	rcvbuf     = flag.Int("mcast.rcvbuf", 8<<20, "RCVBUF of the SUBs, bytes (0: the system's)")
	transports = flag.String("mcast.transports", "epgm,pgm,norm", "transports to measure")
	sizes      = flag.String("mcast.sizes", "100,8192", "message sizes, bytes")
	cross      = flag.Bool("mcast.cross", false, "also run purezmq's PUB to libzmq's SUB and libzmq's PUB to purezmq's SUB")
	out        = flag.String("mcast.out", "../out/multicast.md", "where to write the table too (empty: nowhere)")
)

const group = "239.192.1.1"

// TestBenchMulticast measures msg/s over each transport and size, libzmq's peers and
// purezmq's in turn in the same namespaces, and prints the table. Speed is reported, never
// asserted; a run that fails is listed under the table.
func TestBenchMulticast(t *testing.T) {
	if !*enabled {
		t.Skip("the multicast benchmark runs with -mcast (make bench-multicast)")
	}
	szs, rts := numbers(t, "sizes", *sizes), numbers(t, "rate", *rates)
	p := netnstest.NewPair(t)
	bins := buildPeers(t)
	port := 6000
	var cells []Cell
	for _, tr := range strings.Split(*transports, ",") {
		for _, cell := range cellsOf(szs, rts) {
			size, rate := cell[0], cell[1]
			c := Cell{Transport: tr, Size: size, Rate: rate, Runs: map[string][]Run{}}
			for r := range *runs {
				pairs := [][2]string{{"libzmq", "libzmq"}, {"purezmq", "purezmq"}}
				if *cross {
					pairs = append(pairs, [2]string{"purezmq", "libzmq"}, [2]string{"libzmq", "purezmq"})
				}
				// Rotated run by run, so that drift on the machine hits all alike.
				pairs = append(pairs[r%len(pairs):], pairs[:r%len(pairs)]...)
				for _, pr := range pairs {
					port++ // a group of its own: nothing heard from the run before
					run := measure(p, bins[pr[0]].pub, bins[pr[1]].sub, tr, size, rate, port)
					impl := pr[0]
					if pr[0] != pr[1] {
						impl = pr[0] + "→" + pr[1]
					}
					run.Impl = impl
					t.Logf("%s %d B at %d kbit/s %s: %.0f msg/s, %d of %d, CPU µs/msg PUB %.3f SUB %.3f %s", tr, size, rate, impl,
						run.MsgsPerS, run.Received, run.Sent, run.PubCPU, run.SubCPU, run.Err)
					c.Runs[impl] = append(c.Runs[impl], run)
				}
			}
			cells = append(cells, c)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Multicast over a veth pair between two network namespaces: RATE on both sides, "+
		"RCVBUF %d on the SUBs, each PUB sending for %d s, median of %d runs.\n\n", *rcvbuf, *seconds, *runs)
	Table(&b, cells)
	fmt.Print("\n" + b.String())
	if *out != "" {
		if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(*out, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// numbers parses a flag's comma-separated positive numbers.
func numbers(t *testing.T, name, list string) []int {
	var ns []int
	for _, s := range strings.Split(list, ",") {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			t.Fatalf("-mcast.%s: bad number %q", name, s)
		}
		ns = append(ns, n)
	}
	return ns
}

// cellsOf is every size at every rate, as {size, rate}.
func cellsOf(sizes, rates []int) [][2]int {
	var cs [][2]int
	for _, r := range rates {
		for _, s := range sizes {
			cs = append(cs, [2]int{s, r})
		}
	}
	return cs
}

// peerBins are an implementation's PUB and SUB commands.
type peerBins struct{ pub, sub []string }

// buildPeers compiles the libzmq peers (cc, as bench-compare's) and cmd/mcastpeer.
func buildPeers(t *testing.T) map[string]peerBins {
	dir := t.TempDir()
	cc := os.Getenv("CC")
	if cc == "" {
		cc = "cc"
	}
	for _, name := range []string{"mcast_pub", "mcast_sub"} {
		src := filepath.Join("..", "c", name+".c")
		if out, err := exec.Command(cc, "-O2", "-Wall", "-o", filepath.Join(dir, name), src, "-lzmq", "-lpthread").CombinedOutput(); err != nil {
			t.Fatalf("building %s (is libzmq3-dev installed?): %v\n%s", name, err, out)
		}
	}
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "mcastpeer"), "./cmd/mcastpeer")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building cmd/mcastpeer: %v\n%s", err, out)
	}
	return map[string]peerBins{
		"libzmq":  {pub: []string{filepath.Join(dir, "mcast_pub")}, sub: []string{filepath.Join(dir, "mcast_sub")}},
		"purezmq": {pub: []string{filepath.Join(dir, "mcastpeer"), "pub"}, sub: []string{filepath.Join(dir, "mcastpeer"), "sub"}},
	}
}

// measure runs one PUB in p.A and one SUB in p.B over tr, and returns what they said; a failure
// is the run's Err.
func measure(p *netnstest.Pair, pubBin, subBin []string, tr string, size, rate, port int) Run {
	run := Run{Transport: tr, Size: size}
	ep := func(ns netnstest.NS) string { return fmt.Sprintf("%s://%s;%s:%d", tr, ns.Addr, group, port) }
	d := time.Duration(*seconds) * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), d+2*time.Minute)
	defer cancel()
	fail := func(err error) Run { run.Err = err.Error(); return run }
	idle := 3000
	sub, err := p.B.Start(ctx, subBin[0], append(subBin[1:], ep(p.B), strconv.Itoa(size),
		strconv.Itoa(rate), strconv.Itoa(*rcvbuf), strconv.Itoa(idle))...)
	if err != nil {
		return fail(err)
	}
	defer sub.Stop(10 * time.Second)
	if _, err := sub.Expect("ready", 10*time.Second); err != nil {
		return fail(err)
	}
	pub, err := p.A.Start(ctx, pubBin[0], append(pubBin[1:], ep(p.A), strconv.Itoa(size),
		strconv.Itoa(*seconds), strconv.Itoa(rate))...)
	if err != nil {
		return fail(err)
	}
	defer pub.Stop(10 * time.Second)
	if _, err := pub.Expect("ready", 10*time.Second); err != nil {
		return fail(err)
	}
	if _, err := sub.Expect("joined", 10*time.Second); err != nil {
		return fail(err)
	}
	if err := pub.Send("go"); err != nil {
		return fail(err)
	}
	var pr, sr Result
	// What the PUB's HWM (1000) holds when the time is up drains at RATE.
	drain := time.Duration(float64(1000*size*8) / float64(rate*1000) * float64(time.Second))
	line, err := pub.Expect("{", d+drain+20*time.Second)
	if err == nil {
		err = json.Unmarshal([]byte(line), &pr)
	}
	if err != nil {
		return fail(err)
	}
	run.Sent, run.PubCPU = pr.Sent, pr.CPUPerMsg
	line, err = sub.Expect("{", drain+20*time.Second)
	if err == nil {
		err = json.Unmarshal([]byte(line), &sr)
	}
	if err != nil {
		return fail(err)
	}
	run.Received, run.MsgsPerS, run.SubCPU = sr.Received, sr.MsgsPerS, sr.CPUPerMsg
	if !sr.Ended {
		return fail(fmt.Errorf("the SUB heard nothing for %d ms before \"end\", after %d of %d messages", idle, sr.Received, pr.Sent))
	}
	if sr.Received < 2 {
		return fail(fmt.Errorf("the SUB received %d messages", sr.Received))
	}
	return run
}
