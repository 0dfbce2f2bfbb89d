package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/purezmq/zmq"
)

// server binds the snapshot ROUTER, the update PUB and the collector PULL, and serves until
// ctx ends: it numbers each update a client pushes, stores it and publishes it; answers each
// snapshot request with every entry, then KTHXBAI with the current sequence number; and
// publishes a HUGZ heartbeat every hugz, which tells a client that its subscription works.
// It prints "ready SNAPSHOT UPDATES COLLECTOR" once bound, then "update SEQ KEY=VALUE" for
// each update and "snapshot of N entries at SEQ" for each snapshot.
func server(ctx context.Context, eps endpoints, hugz time.Duration, out io.Writer) error {
	if hugz <= 0 {
		return fmt.Errorf("heartbeat interval %v: want a positive one", hugz)
	}
	// ROUTER_MANDATORY makes a big snapshot wait at the client's HWM instead of losing
	// entries, and report a client gone as ErrHostUnreachable.
	snapshot, err := zmq.NewSocket(zmq.ROUTER, zmq.WithRouterMandatory(true), zmq.WithLinger(0))
	if err != nil {
		return err
	}
	defer snapshot.Close()
	publisher, err := zmq.NewSocket(zmq.PUB, zmq.WithLinger(0))
	if err != nil {
		return err
	}
	defer publisher.Close()
	collector, err := zmq.NewSocket(zmq.PULL)
	if err != nil {
		return err
	}
	defer collector.Close()
	for _, b := range []struct {
		s  *zmq.Socket
		ep string
	}{{snapshot, eps.snapshot}, {publisher, eps.updates}, {collector, eps.collector}} {
		if err := b.s.Bind(b.ep); err != nil {
			return err
		}
	}
	fmt.Fprintln(out, "ready", snapshot.LastEndpoint(), publisher.LastEndpoint(), collector.LastEndpoint())

	kv := map[string]kvmsg{}
	var seq uint64
	poller := zmq.NewPoller()
	poller.Add(snapshot, zmq.PollIn)
	poller.Add(collector, zmq.PollIn)
	// The poller's goroutine ends with this ctx, whichever way the server returns.
	pollCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	ready := poller.Channel(pollCtx)
	tick := time.NewTicker(hugz)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			if err := publisher.Send(ctx, kvmsg{key: heartbeat, seq: seq}.msg()); err != nil {
				return ended(ctx, err)
			}
		case r, ok := <-ready:
			if !ok {
				return ended(ctx, ctx.Err())
			}
			for _, p := range r.Polled {
				msg, err := p.Socket.Recv(ctx)
				if err != nil {
					return ended(ctx, err)
				}
				if p.Socket == collector {
					err = collect(ctx, msg, &seq, kv, publisher, out)
				} else {
					err = sendSnapshot(ctx, msg, seq, kv, snapshot, out)
				}
				if err != nil {
					return ended(ctx, err)
				}
			}
			r.Done()
		}
	}
}

// ended is a role's result for err: nil when ctx ended (stopped), else err.
func ended(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// collect numbers, stores and publishes an update a client pushed. A malformed one is
// reported and dropped: one bad client must not stop the server.
func collect(ctx context.Context, msg zmq.Msg, seq *uint64, kv map[string]kvmsg, publisher *zmq.Socket, out io.Writer) error {
	update, err := parseKV(msg.Frames)
	if err != nil {
		fmt.Fprintln(out, "dropped update:", err)
		return nil
	}
	*seq++
	update.seq = *seq
	kv[update.key] = update
	fmt.Fprintf(out, "update %d %s=%s\n", update.seq, update.key, update.value)
	return publisher.Send(ctx, update.msg())
}

// sendSnapshot answers a snapshot request, [routing id, "ICANHAZ?"], with every entry and
// KTHXBAI carrying seq, the sequence number of the last update the entries include.
func sendSnapshot(ctx context.Context, msg zmq.Msg, seq uint64, kv map[string]kvmsg, snapshot *zmq.Socket, out io.Writer) error {
	if len(msg.Frames) != 2 || string(msg.Frames[1]) != snapshotRequest {
		fmt.Fprintln(out, "dropped request:", msg)
		return nil
	}
	id := msg.Frames[0]
	for _, entry := range kv {
		if err := snapshot.Send(ctx, zmq.NewMsg(append([][]byte{id}, entry.frames()...)...)); err != nil {
			if errors.Is(err, zmq.ErrHostUnreachable) {
				return nil // the client left
			}
			return err
		}
	}
	end := kvmsg{key: snapshotEnd, seq: seq}
	if err := snapshot.Send(ctx, zmq.NewMsg(append([][]byte{id}, end.frames()...)...)); err != nil && !errors.Is(err, zmq.ErrHostUnreachable) {
		return err
	}
	fmt.Fprintf(out, "snapshot of %d entries at %d\n", len(kv), seq)
	return nil
}
