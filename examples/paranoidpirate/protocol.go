package main

import (
	"fmt"
	"time"
)

// The control frames between queue and worker, the guide's: a worker sends ready once per
// connection; both sides send heartbeats. Anything else from a worker is [client, "", reply],
// and from the queue [client, "", request].
const (
	frameReady     = "\x01"
	frameHeartbeat = "\x02"
)

// heartbeat is the rhythm both sides keep: a heartbeat every interval, and a peer silent for
// liveness intervals counts as dead.
type heartbeat struct {
	interval time.Duration
	liveness int
}

// deadAfter is how long a silent peer counts as alive.
func (h heartbeat) deadAfter() time.Duration { return time.Duration(h.liveness) * h.interval }

func (h heartbeat) check() error {
	if h.interval <= 0 || h.liveness < 1 {
		return fmt.Errorf("want a positive heartbeat interval and liveness, have %v and %d", h.interval, h.liveness)
	}
	return nil
}
