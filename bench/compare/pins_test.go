package compare

import (
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"testing"
)

// A pinned contender's sides run on a processor each: the command line runs the peer under
// taskset, and the program so started may run on that processor alone.
func TestPin(t *testing.T) {
	r := &runner{}
	path, args, err := r.wrap(same("purezmq"), 0, "/bin/peer", []string{"-role", "x"})
	if err != nil || path != "/bin/peer" || !slices.Equal(args, []string{"-role", "x"}) {
		t.Errorf("unpinned: %s %q %v, want the command as it was", path, args, err)
	}
	if _, _, err := r.wrap(pinned("purezmq"), 0, "/bin/peer", nil); !errors.Is(err, errNoPins) {
		t.Errorf("pinned without processors: %v, want errNoPins", err)
	}
	r.pins = &pins{cpus: [2]int{3, 5}, taskset: "/usr/bin/taskset"}
	path, args, err = r.wrap(pinned("libzmq"), 1, "/bin/dealer_rt", []string{"tcp://x", "64"})
	if err != nil || path != "/usr/bin/taskset" || !slices.Equal(args, []string{"-c", "5", "/bin/dealer_rt", "tcp://x", "64"}) {
		t.Errorf("pinned: %s %q %v", path, args, err)
	}

	p, err := findPins()
	if err != nil {
		t.Skip(err)
	}
	if p.cpus[0] == p.cpus[1] {
		t.Fatalf("both sides on processor %d", p.cpus[0])
	}
	if cpus, err := allowedCPUs(); err != nil || len(cpus) != runtime.NumCPU() || !slices.IsSorted(cpus) {
		t.Errorf("allowed processors %v (%v), want %d in order", cpus, err, runtime.NumCPU())
	}
	r.pins = p
	for side := range 2 {
		path, args, err := r.wrap(pinned("purezmq"), side, "/bin/cat", []string{"/proc/self/status"})
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(path, args...).Output()
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`(?m)^Cpus_allowed_list:\s*(\S+)$`).FindSubmatch(out)
		if m == nil || string(m[1]) != fmt.Sprint(p.cpus[side]) {
			t.Errorf("side %d runs on %q, want processor %d", side, m, p.cpus[side])
		}
	}
}
