package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/purezmq/zmq"
)

// clientConfig is what a client does besides following the map.
type clientConfig struct {
	n     int           // updates it sends
	ivl   time.Duration // pause between them
	keys  int           // its updates set keys "key-0" to "key-<keys-1>", at random
	until uint64        // the sequence number at which it prints the map and ends; 0: never
	name  string        // its updates' values are "NAME:I"
}

// client follows the server's map: it subscribes to updates, waits for the first message (an
// update or a HUGZ) so that it knows its subscription is in place, takes a snapshot, then
// applies every update numbered after the snapshot. Meanwhile it pushes cfg.n updates of its
// own, which it applies only when the server publishes them back, numbered, like anyone's. It
// prints "snapshot of N entries at SEQ", and once it has applied cfg.until, the map: "map at
// SEQ, N entries" and N lines "KEY=VALUE" in key order.
func client(ctx context.Context, eps endpoints, cfg clientConfig, out io.Writer) error {
	if cfg.n > 0 && cfg.keys < 1 {
		return fmt.Errorf("%d keys: want at least 1", cfg.keys)
	}
	if cfg.n > 0 && cfg.ivl <= 0 {
		return fmt.Errorf("interval %v: want a positive one", cfg.ivl)
	}
	sub, err := zmq.NewSocket(zmq.SUB)
	if err != nil {
		return err
	}
	defer sub.Close()
	if err := sub.Subscribe(nil); err != nil {
		return err
	}
	if err := sub.Connect(eps.updates); err != nil {
		return err
	}
	// A SUB connects, and its subscription reaches the PUB, in the background: updates
	// published before that are lost to it. Once it has received a message every later one
	// comes, so the snapshot is taken after that.
	first, err := sub.Recv(ctx)
	if err != nil {
		return ended(ctx, err)
	}
	kv, seq, err := getSnapshot(ctx, eps.snapshot)
	if err != nil {
		return ended(ctx, err)
	}
	fmt.Fprintf(out, "snapshot of %d entries at %d\n", len(kv), seq)

	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel() // stops the updates before waiting for them
	pushErr := make(chan error, 1)
	wg.Go(func() { pushErr <- pushUpdates(ctx, eps.collector, cfg) })

	for msg := first; ; {
		update, err := parseKV(msg.Frames)
		if err != nil {
			return fmt.Errorf("from the server: %w", err)
		}
		switch {
		case update.key == heartbeat:
			if update.seq > seq {
				return fmt.Errorf("updates %d to %d lost", seq+1, update.seq)
			}
		case update.seq <= seq:
			// The snapshot holds it already.
		case update.seq > seq+1:
			return fmt.Errorf("updates %d to %d lost", seq+1, update.seq-1)
		default:
			kv[update.key] = update
			seq = update.seq
		}
		if cfg.until > 0 && seq >= cfg.until {
			printMap(out, kv, seq)
			return nil
		}
		select {
		case err := <-pushErr:
			if err != nil {
				return ended(ctx, err)
			}
		default:
		}
		if msg, err = sub.Recv(ctx); err != nil {
			return ended(ctx, err)
		}
	}
}

// getSnapshot asks the server for the map and the sequence number it is at.
func getSnapshot(ctx context.Context, endpoint string) (map[string]kvmsg, uint64, error) {
	dealer, err := zmq.NewSocket(zmq.DEALER, zmq.WithLinger(0))
	if err != nil {
		return nil, 0, err
	}
	defer dealer.Close()
	if err := dealer.Connect(endpoint); err != nil {
		return nil, 0, err
	}
	if err := dealer.Send(ctx, zmq.NewMsgString(snapshotRequest)); err != nil {
		return nil, 0, err
	}
	kv := map[string]kvmsg{}
	for {
		msg, err := dealer.Recv(ctx)
		if err != nil {
			return nil, 0, err
		}
		entry, err := parseKV(msg.Frames)
		if err != nil {
			return nil, 0, fmt.Errorf("snapshot from the server: %w", err)
		}
		if entry.key == snapshotEnd {
			return kv, entry.seq, nil
		}
		kv[entry.key] = entry
	}
}

// pushUpdates sends cfg.n updates to the server's collector, one every cfg.ivl.
func pushUpdates(ctx context.Context, endpoint string, cfg clientConfig) error {
	push, err := zmq.NewSocket(zmq.PUSH)
	if err != nil {
		return err
	}
	defer push.Close()
	if err := push.Connect(endpoint); err != nil {
		return err
	}
	tick := time.NewTicker(cfg.ivl)
	defer tick.Stop()
	for i := range cfg.n {
		update := kvmsg{key: fmt.Sprintf("key-%d", rand.IntN(cfg.keys)), value: fmt.Appendf(nil, "%s:%d", cfg.name, i)}
		if err := push.Send(ctx, update.msg()); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return nil
}

// printMap prints the map in key order.
func printMap(out io.Writer, kv map[string]kvmsg, seq uint64) {
	fmt.Fprintf(out, "map at %d, %d entries\n", seq, len(kv))
	for _, key := range slices.Sorted(maps.Keys(kv)) {
		fmt.Fprintf(out, "%s=%s\n", key, kv[key].value)
	}
}
