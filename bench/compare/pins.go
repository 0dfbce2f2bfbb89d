package compare

import (
	"errors"
	"fmt"
	"os/exec"
)

// pins are the two processors a pinned contender's sides run on, one each, and the taskset
// program that puts them there.
type pins struct {
	cpus    [2]int
	taskset string
}

var errNoPins = errors.New("compare: a pinned run needs two processors and taskset (util-linux)")

// findPins returns the first two processors this process may run on and taskset's path, or
// an error saying which is missing.
func findPins() (*pins, error) {
	cpus, err := allowedCPUs()
	if err != nil {
		return nil, err
	}
	if len(cpus) < 2 {
		return nil, fmt.Errorf("%w: %d processor(s) allowed", errNoPins, len(cpus))
	}
	path, err := exec.LookPath("taskset")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errNoPins, err)
	}
	return &pins{cpus: [2]int{cpus[0], cpus[1]}, taskset: path}, nil
}
