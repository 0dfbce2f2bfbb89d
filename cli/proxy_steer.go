package cli

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	zmq "github.com/purezmq/zmq"
)

// stopWait is how long a stopping proxy may take to answer STATISTICS and TERMINATE. The
// library's proxy answers at once unless a peer left between its check that the other side can
// take a message and its Send, which then waits for a peer (as libzmq's would): after stopWait
// the proxy is cancelled, which drops that one message, as libzmq's proxy drops it when its
// context ends.
var stopWait = time.Second

// steer runs the proxy until ctx ends, printing its statistics every period, then asks for the
// final counts and terminates it. A proxy that fails on its own is an error.
func steer(ctx context.Context, period time.Duration, stderr io.Writer, client *zmq.Socket, run func(context.Context) error) error {
	alive, dead := context.WithCancel(context.Background())
	defer dead()
	done := make(chan error, 1)
	go func() {
		err := run(alive)
		dead()
		done <- err
	}()
	// waiting ends a wait for a reply when the proxy ends or we are told to stop.
	waiting, stopWaiting := context.WithCancel(ctx)
	defer stopWaiting()
	context.AfterFunc(alive, stopWaiting)

	var tick <-chan time.Time
	if period > 0 {
		t := time.NewTicker(period)
		defer t.Stop()
		tick = t.C
	}
	pending := false // a STATISTICS sent and not yet answered
	for ctx.Err() == nil {
		select {
		case err := <-done:
			return fmt.Errorf("proxy: %w", err)
		case <-ctx.Done():
		case <-tick:
			if err := client.Send(alive, zmq.NewMsg([]byte("STATISTICS"))); err != nil {
				return fmt.Errorf("proxy: %w", <-done)
			}
			pending = true
			m, err := client.Recv(waiting)
			if err != nil {
				if ctx.Err() != nil {
					break // stopping: the reply is read below
				}
				return fmt.Errorf("proxy: %w", <-done)
			}
			pending = false
			s, err := parseStatistics(m)
			if err != nil {
				return stopProxy(dead, done, err)
			}
			fmt.Fprintln(stderr, formatStats("proxy:", s))
		}
	}

	// STATISTICS then TERMINATE, so that the counts are those of the stop.
	for _, cmd := range []string{"STATISTICS", "TERMINATE"} {
		if cmd == "STATISTICS" && pending {
			continue
		}
		if err := client.Send(alive, zmq.NewMsg([]byte(cmd))); err != nil {
			return fmt.Errorf("proxy: %w", <-done)
		}
	}
	cancelled := false
	var err error
	select {
	case err = <-done:
	case <-time.After(stopWait):
		cancelled = true
		dead()
		err = <-done
	}
	if err != nil && !(cancelled && errors.Is(err, context.Canceled)) {
		return fmt.Errorf("proxy: %w", err)
	}
	// The proxy answered STATISTICS before it returned, if it did at all: a done context only
	// looks (ZMQ_DONTWAIT).
	m, err := client.Recv(alive)
	if err != nil {
		fmt.Fprintln(stderr, "proxy stopped: it gave no final counts")
		return nil
	}
	s, err := parseStatistics(m)
	if err != nil {
		return fmt.Errorf("proxy: %w", err)
	}
	fmt.Fprintln(stderr, formatStats("proxy stopped:", s))
	return nil
}

// stopProxy ends the proxy for a failure of ours.
func stopProxy(dead context.CancelFunc, done <-chan error, err error) error {
	dead()
	<-done
	return fmt.Errorf("proxy: %w", err)
}

// parseStatistics reads SteerableProxy's STATISTICS reply.
func parseStatistics(m zmq.Msg) ([8]uint64, error) {
	var s [8]uint64
	if len(m.Frames) != len(s) {
		return s, fmt.Errorf("STATISTICS replied %d frames, want %d", len(m.Frames), len(s))
	}
	for i, fr := range m.Frames {
		if len(fr) != 8 {
			return s, fmt.Errorf("STATISTICS frame %d has %d bytes, want 8", i, len(fr))
		}
		s[i] = binary.LittleEndian.Uint64(fr)
	}
	return s, nil
}

// formatStats is one statistics line: per socket, messages and bytes received and sent.
func formatStats(prefix string, s [8]uint64) string {
	return fmt.Sprintf("%s frontend in %d msgs %d B, out %d msgs %d B; backend in %d msgs %d B, out %d msgs %d B",
		prefix, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7])
}
