package mdp

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/purezmq/zmq"
)

// brokerState is what the broker knows: its services and workers. Only the broker's loop
// touches it.
type brokerState struct {
	cfg      Broker
	router   *zmq.Socket
	out      io.Writer
	services map[string]*service
	workers  map[string]*worker // by routing id
	queued   int                // requests waiting, in all services
}

// service is one service name: the requests waiting for it, and its idle workers, least
// recently used first.
type service struct {
	name     string
	requests []request
	waiting  []*worker
	workers  int // registered, idle or busy
}

type request struct {
	client []byte // the client's routing id
	body   [][]byte
	queued time.Time
}

type worker struct {
	id      string // routing id
	service *service
	expiry  time.Time // when it is dropped unless it sends something
	client  []byte    // the client whose request it is serving; nil when idle
}

func newBrokerState(cfg Broker, router *zmq.Socket, out io.Writer) *brokerState {
	return &brokerState{cfg: cfg, router: router, out: out,
		services: map[string]*service{}, workers: map[string]*worker{}}
}

func (st *brokerState) logf(format string, args ...any) {
	fmt.Fprintf(st.out, format+"\n", args...)
}

// expiry is how long a worker may stay silent.
func (st *brokerState) expiry() time.Duration {
	return time.Duration(st.cfg.Liveness) * st.cfg.Heartbeat
}

// isMMI reports a name in the broker's own namespace, which no worker may register.
func isMMI(name string) bool { return strings.HasPrefix(name, "mmi.") }

// service finds or creates the service named.
func (st *brokerState) service(name string) *service {
	svc := st.services[name]
	if svc == nil {
		svc = &service{name: name}
		st.services[name] = svc
	}
	return svc
}

// forgetIfIdle deletes a service that has neither workers nor requests, so that names sent by
// clients do not pile up.
func (st *brokerState) forgetIfIdle(svc *service) {
	if svc.workers == 0 && len(svc.requests) == 0 {
		delete(st.services, svc.name)
	}
}

func (st *brokerState) addWorker(ctx context.Context, peer, name string) error {
	svc := st.service(name)
	w := &worker{id: peer, service: svc, expiry: time.Now().Add(st.expiry())}
	st.workers[peer] = w
	svc.workers++
	svc.waiting = append(svc.waiting, w)
	st.logf("worker ready %s", name)
	return st.dispatch(ctx, svc)
}

// deleteWorker forgets w. A request it was serving is lost: the client's retry sends it again.
func (st *brokerState) deleteWorker(w *worker, why string) {
	delete(st.workers, w.id)
	svc := w.service
	svc.workers--
	svc.waiting = slices.DeleteFunc(svc.waiting, func(x *worker) bool { return x == w })
	st.logf("worker %s %s", why, svc.name)
	st.forgetIfIdle(svc)
}

// dispatch hands svc's waiting requests to its idle workers, oldest request to the least
// recently used worker.
func (st *brokerState) dispatch(ctx context.Context, svc *service) error {
	for len(svc.requests) > 0 && len(svc.waiting) > 0 {
		req, w := svc.requests[0], svc.waiting[0]
		svc.requests, svc.waiting = svc.requests[1:], svc.waiting[1:]
		st.queued--
		w.client = req.client
		m := WorkerMsg{Command: WorkerRequest, Client: req.client, Body: req.body}
		if err := st.send(ctx, []byte(w.id), m.Frames()); err != nil {
			return err
		}
	}
	return nil
}
