package rpc

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	zmq "github.com/purezmq/zmq"
)

// jobDelivery is what a request's metadata asks of the server.
type jobDelivery struct {
	idem    string        // idempotency key: dedup
	token   string        // this server's claim of idem, once claimed
	monitor time.Duration // call monitor: PROGRESS every third of it
}

// serverDelivery is a server's dedup store, made on first use.
type serverDelivery struct {
	once          sync.Once
	store         DedupStore
	window, lease time.Duration
	replays       atomic.Uint64 // duplicates answered from the store
}

// storeTimeout bounds one operation of the dedup store: a store that cannot answer in this
// time is down, and the request is answered Unavailable, to be retried.
const storeTimeout = 2 * time.Second

func (s *Server) dedup() *serverDelivery {
	d := &s.dl
	d.once.Do(func() {
		cfg := &s.cfg.dl
		d.store, d.window, d.lease = NewMemoryDedup(DefaultDedupEntries, DefaultDedupBytes), DefaultDedupWindow, DefaultDedupLease
		if cfg.dedupSet {
			d.store, d.window = cfg.dedup, cfg.window
		}
		if cfg.leaseSet {
			d.lease = cfg.lease
		}
	})
	return d
}

// deliveryOf reads the delivery metadata of a request; malformed values make it malformed.
func deliveryOf(req *request) (jobDelivery, error) {
	var d jobDelivery
	if k, ok := req.meta[metaIdemKey]; ok {
		if err := checkIdemKey(k); err != nil {
			return d, err
		}
		d.idem = k
	}
	if v, ok := req.meta[metaCallMonitor]; ok {
		m, err := parseCallMonitor(v)
		if err != nil {
			return d, err
		}
		d.monitor = m
	}
	return d, nil
}

// answered: a call, or a cast that asks for an acknowledgement (an idempotency key and an id).
func answered(req *request) bool {
	return req.kind == kindCall || req.kind == kindCast && req.id != 0 && req.meta[metaIdemKey] != ""
}

// dedupKey is a request's key in the store: the caller's key, within the topic.
func (s *Server) dedupKey(j *job) string { return s.topicKey + "/" + j.dl.idem }

// dedupBegin claims an at-least-once request's key before its handler runs. true: the request
// is answered already — a duplicate (its cached reply replayed, or Unavailable while the
// first runs, for the caller to retry later), or the store failed (Unavailable).
func (s *Server) dedupBegin(j *job) bool {
	if j.dl.idem == "" {
		return false
	}
	d := s.dedup()
	if d.store == nil {
		return false
	}
	token := newIdemKey()
	ctx, cancel := context.WithTimeout(s.base, storeTimeout)
	e, err := d.store.Claim(ctx, s.dedupKey(j), token, d.lease)
	cancel()
	var fail *Error
	switch {
	case err != nil:
		fail = newError(Unavailable, "dedup store: "+err.Error())
	case e.State == DedupNew:
		j.dl.token = token
		return false
	case e.State == DedupRunning:
		fail = &Error{Code: Unavailable, Message: "a duplicate of this request is running", Details: map[string]string{"reason": "duplicate-running"}}
	default:
		d.replays.Add(1)
		if len(e.Reply) >= 2 && answered(&j.req) {
			req := j.req
			req.codec = e.Reply[0] // the first's, which a retry of the same call shares
			s.sendJob(j, req, Code(e.Reply[1]), e.Reply[2:])
		}
		return true
	}
	if answered(&j.req) {
		s.sendJob(j, j.req, fail.Code, encodeError(j.codec, fail))
	}
	return true
}

// dedupEnd stores the reply of a claimed request for its retries; an Unavailable one (the
// server stopping), or a cancelled one, frees the key instead, so that a retry runs it again.
func (s *Server) dedupEnd(j *job, status Code, body []byte) {
	if j.dl.token == "" {
		return
	}
	d := s.dedup()
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	if status == Unavailable || j.cancelled.Load() {
		_ = d.store.Release(ctx, s.dedupKey(j), j.dl.token)
		return
	}
	cached := append([]byte{j.req.codec, byte(status)}, body...)
	// A claim lost meanwhile (this server was silent past its lease) is another server's now.
	_ = d.store.Complete(ctx, s.dedupKey(j), j.dl.token, cached, d.window)
}

// keepAlive sends the call monitor's PROGRESS and refreshes the dedup claim while j's handler
// runs; the func returned stops it.
func (s *Server) keepAlive(j *job) func() {
	mon := j.dl.monitor
	if !answered(&j.req) {
		mon = 0
	}
	if mon == 0 && j.dl.token == "" {
		return func() {}
	}
	d := s.dedup()
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		var progress, refresh <-chan time.Time
		if mon > 0 {
			t := time.NewTicker(mon / 3)
			defer t.Stop()
			progress = t.C
		}
		if j.dl.token != "" {
			t := time.NewTicker(d.lease / 3)
			defer t.Stop()
			refresh = t.C
		}
		for {
			select {
			case <-stop:
				return
			case <-progress:
				s.sendProgress(j)
			case <-refresh:
				ctx, cancel := context.WithTimeout(s.base, storeTimeout)
				if err := d.store.Refresh(ctx, s.dedupKey(j), j.dl.token, d.lease); errors.Is(err, ErrClaimLost) {
					refresh = nil
				}
				cancel()
			}
		}
	}()
	return func() {
		close(stop)
		<-done
	}
}

// sendProgress tells j's caller that its handler still runs.
func (s *Server) sendProgress(j *job) {
	if j.via != nil {
		j.via.send(j.peer, progressFrames(j.req.codec, j.req.id))
		return
	}
	_ = s.sock.Send(s.base, zmq.NewMsg(j.peer, progressFrames(j.req.codec, j.req.id)))
}
