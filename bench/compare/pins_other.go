//go:build !linux

package compare

import "fmt"

func allowedCPUs() ([]int, error) {
	return nil, fmt.Errorf("%w: processor affinity is Linux's here", errNoPins)
}
