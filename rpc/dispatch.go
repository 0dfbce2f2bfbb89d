package rpc

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	zmq "github.com/purezmq/zmq"
)

// job is one accepted request.
type job struct {
	peer      []byte // the ROUTER's routing id of the caller's connection
	req       request
	codec     Codec
	invoke    invoker
	ctx       jobCtx      // the handler's
	key       callID      // in inflight, for a call
	cancelled atomic.Bool // by the caller's CANCEL: no reply
	dl        jobDelivery
	via       *proxyLink // the proxy it came through; nil: the ROUTER
	replied   bool       // a REPLY went back (to the proxy: that gave its credit back)
}

// callID names a call in flight: ids are the client's, so unique per connection only.
type callID struct {
	peer string
	id   uint64
}

// inflight are the calls a CANCEL may reach, from acceptance to the end of the handler.
type inflight struct {
	mu    sync.Mutex
	calls map[callID]*job
}

func (f *inflight) add(k callID, j *job) {
	f.mu.Lock()
	if f.calls == nil {
		f.calls = map[callID]*job{}
	}
	f.calls[k] = j
	f.mu.Unlock()
}

func (f *inflight) remove(k callID, j *job) {
	f.mu.Lock()
	if f.calls[k] == j {
		delete(f.calls, k)
	}
	f.mu.Unlock()
}

func (f *inflight) cancel(k callID) {
	f.mu.Lock()
	j := f.calls[k]
	f.mu.Unlock()
	if j != nil {
		j.stop()
	}
}

// callerGone cancels the calls of a caller whose connection ended: their replies can reach
// nobody (a caller that reconnects has another routing id), and their handlers would hold
// workers for nothing. An at-least-once call (an idempotency key) runs on: its caller will try
// again, and its result waits for that in the dedup store. The calls in flight are at most the
// pool's workers, so a scan is cheap.
func (f *inflight) callerGone(peer []byte) {
	var gone []*job
	f.mu.Lock()
	for k, j := range f.calls {
		if k.peer == string(peer) && j.dl.idem == "" {
			gone = append(gone, j)
		}
	}
	f.mu.Unlock()
	for _, j := range gone {
		j.stop()
	}
}

// stop ends j's handler's ctx and its reply: nobody is waiting for it.
func (j *job) stop() {
	j.cancelled.Store(true)
	j.ctx.cancel()
}

// serve is the loop of the pool's goroutines: receive a message, answer it or refuse it
// (garbage is dropped), and receive again, until ctx ends.
func (s *Server) serve(ctx context.Context) {
	for {
		m, err := s.sock.Recv(ctx)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, zmq.ErrClosed) {
				return
			}
			continue
		}
		if j := s.handle(m.Frames, nil); j != nil {
			s.work(j, s.pool.release)
		}
	}
}

// handle parses a message (from the ROUTER, or from a proxy: via) and answers what needs no
// handler; it returns the job of a request that took a slot of the pool.
func (s *Server) handle(frames [][]byte, via *proxyLink) *job {
	now := time.Now()
	if len(frames) < 2 {
		s.dropped.Add(1)
		return nil
	}
	peer := frames[0]
	if via == nil && len(frames) == 2 && len(frames[1]) == 0 {
		s.inflight.callerGone(peer) // ROUTER_NOTIFY: its connection ended
		return nil
	}
	req, err := parseRequest(frames[1:])
	if err != nil {
		s.dropped.Add(1)
		via.dropped(frames[1])
		return nil
	}
	if req.kind == kindCancel {
		s.inflight.cancel(callID{string(peer), req.id})
		return nil
	}
	dl, err := deliveryOf(&req)
	if err != nil {
		s.dropped.Add(1)
		via.dropped(frames[1])
		return nil
	}
	s.requests.Add(1)
	via.took()
	cd, _ := codecByID(req.codec) // parseRequest checked it
	if req.key != s.topicKey && req.key != s.serverKey {
		s.reject(peer, req, cd, newError(InvalidTarget, fmt.Sprintf("this server serves %s, not %s", s.target.Key(), req.key)), via)
		return nil
	}
	inv, e := lookup(s.methods, req.namespace, req.method, req.version)
	if e != nil {
		s.reject(peer, req, cd, e, via)
		return nil
	}
	switch s.pool.acquire() {
	case full:
		s.reject(peer, req, cd, newError(ResourceExhausted, fmt.Sprintf("all %d workers busy", s.cfg.workers)), via)
		return nil
	case closing:
		s.reject(peer, req, cd, newError(Unavailable, "server stopping"), via)
		return nil
	}
	j := &job{peer: peer, req: req, codec: cd, invoke: inv, dl: dl, via: via}
	var deadline time.Time
	if req.timeout > 0 {
		deadline = now.Add(req.timeout)
	}
	j.ctx.init(s.base, deadline)
	if req.kind == kindCall {
		j.key = callID{string(peer), req.id}
		s.inflight.add(j.key, j)
	}
	return j
}

// reject answers a call without running a handler; a cast only when it asked for an
// acknowledgement.
func (s *Server) reject(peer []byte, req request, cd Codec, e *Error, via *proxyLink) {
	s.rejected.Add(1)
	if answered(&req) {
		s.send(peer, req, e.Code, encodeError(cd, e), via)
		return
	}
	via.credit()
}

func (s *Server) send(peer []byte, req request, status Code, body []byte, via *proxyLink) {
	r := reply{header: header{kind: kindReply, codec: req.codec, status: status, id: req.id}, body: body}
	f := r.frames()
	if via != nil {
		via.reply(peer, f[0], f[1])
		return
	}
	// A caller gone since (ErrHostUnreachable) has nobody to tell.
	_ = s.sock.Send(s.base, zmq.NewMsg(peer, f[0], f[1]))
}

// sendJob sends j's REPLY (the original's, replayed from the dedup store, or an error).
func (s *Server) sendJob(j *job, req request, status Code, body []byte) {
	j.replied = true
	s.send(j.peer, req, status, body, j.via)
}

// work runs one job and answers it.
func (s *Server) work(j *job, release func()) {
	defer j.ctx.cancel()
	defer func() {
		if !j.replied {
			j.via.credit() // from a proxy: no REPLY to give its credit back
		}
	}()
	var body []byte
	var err error
	dup := false
	if d, ok := j.ctx.Deadline(); ok && !time.Now().Before(d) {
		err = context.DeadlineExceeded // expired before it could run (its timer may not have fired yet)
	} else if err = j.ctx.Err(); err == nil {
		if dup = s.dedupBegin(j); !dup {
			stop := s.keepAlive(j)
			body, err = s.run(j)
			stop()
		}
	} // else cancelled before it ran: the handler is not run
	if j.req.kind == kindCall {
		s.inflight.remove(j.key, j)
	}
	release()
	if dup {
		return // answered from the dedup store
	}
	status := OK
	if err != nil {
		e := s.errorOf(&j.ctx, err)
		status, body = e.Code, encodeError(j.codec, e)
	}
	if j.req.kind == kindCast {
		status, body = OK, nil // an acknowledgement, whatever the handler said
	}
	s.dedupEnd(j, status, body)
	if !answered(&j.req) || j.cancelled.Load() {
		return
	}
	s.sendJob(j, j.req, status, body)
}

// run calls the handler, turning a panic into Internal.
func (s *Server) run(j *job) (body []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = newError(Internal, fmt.Sprintf("handler %q panicked: %v", j.req.method, p))
		}
	}()
	return j.invoke(s.handlerCtx(j), j.codec, j.req.args)
}

// errorOf says what a handler's error (or the job's ctx error) means to the caller.
func (s *Server) errorOf(ctx context.Context, err error) *Error {
	var e *Error
	var re RemoteError
	switch {
	case errors.As(err, &e):
		return e
	case errors.As(err, &re):
		return &Error{Code: Remote, Message: re.Error(), Type: re.RemoteType(), Details: re.RemoteDetails()}
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		if s.base.Err() != nil {
			return newError(Unavailable, "server stopped")
		}
		return newError(CodeOf(err), err.Error())
	}
	return newError(Remote, err.Error())
}
