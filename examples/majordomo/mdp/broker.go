package mdp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/purezmq/zmq"
)

// Broker routes MDP/0.2 requests from clients to the workers that registered their service,
// over one ROUTER socket for both sub-protocols (the spec allows either one socket or two).
// Its zero value is ready to use with the guide's defaults.
type Broker struct {
	Heartbeat  time.Duration // how often workers get a HEARTBEAT; default 2.5 s
	Liveness   int           // heartbeat intervals a worker may stay silent before it is dropped; default 3
	RequestTTL time.Duration // how long a request waits for a service with no worker; default 10 s
	MaxQueued  int           // requests waiting in all; beyond it new ones are dropped; default 10000
	MaxMsgSize int64         // the largest message accepted (MAXMSGSIZE); default 1 MiB
}

func (b Broker) withDefaults() Broker {
	if b.Heartbeat <= 0 {
		b.Heartbeat = 2500 * time.Millisecond
	}
	if b.Liveness <= 0 {
		b.Liveness = 3
	}
	if b.RequestTTL <= 0 {
		b.RequestTTL = 10 * time.Second
	}
	if b.MaxQueued <= 0 {
		b.MaxQueued = 10000
	}
	if b.MaxMsgSize <= 0 {
		b.MaxMsgSize = 1 << 20
	}
	return b
}

// Run binds a ROUTER to endpoint and brokers until ctx ends, then returns nil. It prints
// "ready ENDPOINT" once bound, then a line per worker that comes or goes and per message it
// drops.
func (b Broker) Run(ctx context.Context, endpoint string, out io.Writer) error {
	b = b.withDefaults()
	// MAXMSGSIZE: a broker faces peers it does not trust. LINGER 0: what is still queued for
	// peers when the broker stops is worthless to them, they retry.
	router, err := zmq.NewSocket(zmq.ROUTER, zmq.WithMaxMsgSize(b.MaxMsgSize), zmq.WithLinger(0))
	if err != nil {
		return err
	}
	defer router.Close()
	if err := router.Bind(endpoint); err != nil {
		return err
	}
	fmt.Fprintln(out, "ready", router.LastEndpoint())
	st := newBrokerState(b, router, out)
	nextBeat := time.Now().Add(b.Heartbeat)
	for {
		// Wait for a message, but no later than the next heartbeat.
		rctx, cancel := context.WithDeadline(ctx, nextBeat)
		msg, err := router.Recv(rctx)
		cancel()
		switch {
		case ctx.Err() != nil:
			return nil // stopped
		case err == nil:
			if err := st.handle(ctx, msg.Frames); err != nil {
				return err
			}
		case !errors.Is(err, zmq.ErrAgain):
			return err
		}
		if now := time.Now(); !now.Before(nextBeat) {
			if err := st.tick(ctx, now); err != nil {
				return err
			}
			nextBeat = now.Add(b.Heartbeat)
		}
	}
}

// handle takes one message from the ROUTER: [peer routing id, command frames...].
func (st *brokerState) handle(ctx context.Context, frames [][]byte) error {
	if len(frames) < 2 {
		st.logf("dropped: message of %d frames", len(frames))
		return nil
	}
	peer, cmd := string(frames[0]), frames[1:]
	switch string(cmd[0]) {
	case ClientHeader:
		m, err := ParseClient(cmd)
		if err != nil {
			st.logf("dropped: %v", err)
			return nil
		}
		return st.clientCommand(ctx, frames[0], m)
	case WorkerHeader:
		m, err := ParseWorker(cmd)
		if err != nil {
			// The spec: drop invalid messages and treat the peer as invalid.
			st.logf("dropped: %v", err)
			if w := st.workers[peer]; w != nil {
				st.deleteWorker(w, "invalid")
			}
			return nil
		}
		return st.workerCommand(ctx, peer, m)
	}
	st.logf("dropped: %v", malformed("header %q", cmd[0]))
	return nil
}

// clientCommand queues a client's REQUEST for its service, or answers it at once for the
// broker's own mmi.* services.
func (st *brokerState) clientCommand(ctx context.Context, client []byte, m ClientMsg) error {
	if m.Command != Request {
		st.logf("dropped: client command %d", m.Command)
		return nil
	}
	if isMMI(m.Service) {
		reply := ClientMsg{Command: Final, Service: m.Service, Body: [][]byte{[]byte(st.mmi(m))}}
		return st.send(ctx, client, reply.Frames())
	}
	if st.queued >= st.cfg.MaxQueued {
		st.logf("dropped: request for %s, %d requests queued", m.Service, st.queued)
		return nil
	}
	svc := st.service(m.Service)
	svc.requests = append(svc.requests, request{client: client, body: m.Body, queued: time.Now()})
	st.queued++
	return st.dispatch(ctx, svc)
}

// mmi answers the Majordomo Management Interface (spec 8/MMI): "200" when the service named in
// the body has a worker, "404" when not, and "501" for any other mmi.* service.
func (st *brokerState) mmi(m ClientMsg) string {
	if m.Service != "mmi.service" {
		return "501"
	}
	if svc := st.services[string(m.Body[0])]; svc != nil && svc.workers > 0 {
		return "200"
	}
	return "404"
}

// workerCommand is one valid command from a worker: a READY registers it, a PARTIAL or FINAL
// goes back to the client it answers, a HEARTBEAT only shows it is alive. A valid command the
// dialogue does not expect now gets a DISCONNECT, as the spec requires.
func (st *brokerState) workerCommand(ctx context.Context, peer string, m WorkerMsg) error {
	w := st.workers[peer]
	if w != nil {
		w.expiry = time.Now().Add(st.expiry())
	}
	switch {
	case m.Command == Disconnect:
		if w != nil {
			st.deleteWorker(w, "disconnected")
		}
		return nil
	case m.Command == Ready && w == nil && !isMMI(m.Service):
		return st.addWorker(ctx, peer, m.Service)
	case m.Command == Heartbeat && w != nil:
		return nil
	case (m.Command == WorkerPartial || m.Command == WorkerFinal) && w != nil && w.client != nil &&
		string(m.Client) == string(w.client):
		cmd := Partial
		if m.Command == WorkerFinal {
			cmd = Final
		}
		reply := ClientMsg{Command: cmd, Service: w.service.name, Body: m.Body}
		if err := st.send(ctx, w.client, reply.Frames()); err != nil {
			return err
		}
		if cmd == Final {
			w.client = nil
			w.service.waiting = append(w.service.waiting, w)
			return st.dispatch(ctx, w.service)
		}
		return nil
	}
	st.logf("disconnect worker: unexpected command %d", m.Command)
	if w != nil {
		st.deleteWorker(w, "disconnected by the broker")
	}
	return st.send(ctx, []byte(peer), WorkerMsg{Command: Disconnect}.Frames())
}

// tick runs every heartbeat interval: it forgets workers that stayed silent too long, sends
// the others a HEARTBEAT, and drops requests that waited too long for a service with no worker.
func (st *brokerState) tick(ctx context.Context, now time.Time) error {
	for _, w := range st.workers {
		if now.After(w.expiry) {
			st.deleteWorker(w, "expired")
			continue
		}
		if err := st.send(ctx, []byte(w.id), WorkerMsg{Command: Heartbeat}.Frames()); err != nil {
			return err
		}
	}
	for _, svc := range st.services {
		if svc.workers > 0 {
			continue
		}
		for len(svc.requests) > 0 && now.Sub(svc.requests[0].queued) > st.cfg.RequestTTL {
			svc.requests = svc.requests[1:]
			st.queued--
			st.logf("expired: request for %s", svc.name)
		}
		st.forgetIfIdle(svc)
	}
	return nil
}

// send sends frames to the peer with routing id to. A ROUTER drops messages for peers that
// are gone or full rather than blocking, so only a broken socket fails here.
func (st *brokerState) send(ctx context.Context, to []byte, frames [][]byte) error {
	err := st.router.Send(ctx, zmq.NewMsg(append([][]byte{to}, frames...)...))
	if ctx.Err() != nil {
		return nil
	}
	return err
}
