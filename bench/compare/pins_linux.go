package compare

import "golang.org/x/sys/unix"

// allowedCPUs lists the processors this process may run on, in order.
func allowedCPUs() ([]int, error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return nil, err
	}
	var cpus []int
	for i, n := 0, set.Count(); len(cpus) < n; i++ { // the n set are all below the set's size
		if set.IsSet(i) {
			cpus = append(cpus, i)
		}
	}
	return cpus, nil
}
