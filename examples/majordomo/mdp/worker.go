package mdp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/purezmq/zmq"
)

// Handler serves one request: it may send PARTIAL replies through partial, and returns the
// FINAL reply's body (one frame or more). An error from it ends the worker's Run.
type Handler func(ctx context.Context, body [][]byte, partial func(body ...[]byte) error) ([][]byte, error)

// Worker is the MDP/Worker API: it registers one service with a broker and serves its
// requests one at a time, heartbeating both ways, and starts over on a new socket when the
// broker goes silent or disconnects it. Its zero durations take the guide's defaults.
type Worker struct {
	Endpoint  string        // the broker
	Service   string        // the service it offers
	Heartbeat time.Duration // how often it sends a HEARTBEAT; default 2.5 s, as the broker's
	Liveness  int           // heartbeat intervals the broker may stay silent; default 3
	Reconnect time.Duration // the wait before starting over; default 2.5 s
	Max       int           // requests served before Run returns; 0 for no end
	Log       io.Writer     // a line per connection and per message dropped; nil for none
}

// Run serves requests with h until ctx ends or it has served Max (then it sends DISCONNECT and
// returns nil), or h fails. A handler that runs longer than Liveness heartbeats gets the worker dropped by the
// broker, which hears nothing meanwhile.
func (w Worker) Run(ctx context.Context, h Handler) error {
	if err := checkService([]byte(w.Service)); err != nil {
		return err
	}
	if w.Heartbeat <= 0 {
		w.Heartbeat = 2500 * time.Millisecond
	}
	if w.Liveness <= 0 {
		w.Liveness = 3
	}
	if w.Reconnect <= 0 {
		w.Reconnect = 2500 * time.Millisecond
	}
	if w.Log == nil {
		w.Log = io.Discard
	}
	served := 0
	for {
		if err := w.session(ctx, h, &served); err != nil || ctx.Err() != nil {
			return err
		}
		if w.Max > 0 && served >= w.Max {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(w.Reconnect):
		}
	}
}

// partingLinger bounds how long a session's socket lingers after it closes, for its parting
// DISCONNECT: a connected broker takes that at once, and one that is not connected will
// expire the worker anyway. (It was a heartbeat, which a worker with a long one, or one whose
// broker never came, kept running long after Run returned.)
const partingLinger = 100 * time.Millisecond

// session is one connection to the broker, from READY until the broker is lost (nil: start
// over), ctx ends or Max requests are served (nil), or something fails for good (the error).
func (w Worker) session(ctx context.Context, h Handler, served *int) error {
	sock, err := zmq.NewSocket(zmq.DEALER, zmq.WithLinger(min(w.Heartbeat, partingLinger)))
	if err != nil {
		return err
	}
	defer sock.Close()
	if err := sock.Connect(w.Endpoint); err != nil {
		return err
	}
	fmt.Fprintln(w.Log, "connecting", w.Endpoint)
	silence := time.Duration(w.Liveness) * w.Heartbeat
	heard := time.Now() // the broker's last sign of life
	send := func(m WorkerMsg) error {
		sctx, cancel := context.WithDeadline(ctx, heard.Add(silence))
		defer cancel()
		return sock.Send(sctx, zmq.NewMsg(m.Frames()...))
	}
	if err := send(WorkerMsg{Command: Ready, Service: w.Service}); err != nil {
		return w.ended(ctx, sock, err)
	}
	nextBeat := time.Now().Add(w.Heartbeat)
	for {
		wake := nextBeat
		if lost := heard.Add(silence); lost.Before(wake) {
			wake = lost
		}
		rctx, cancel := context.WithDeadline(ctx, wake)
		msg, err := sock.Recv(rctx)
		cancel()
		if ctx.Err() != nil || (err != nil && !errors.Is(err, zmq.ErrAgain)) {
			return w.ended(ctx, sock, err)
		}
		var m WorkerMsg
		if err == nil {
			if m, err = ParseWorker(msg.Frames); err != nil {
				// Not a sign of life: a peer sending junk must not keep the worker waiting.
				fmt.Fprintln(w.Log, "dropped:", err)
			}
		}
		if err == nil {
			heard = time.Now()
			switch m.Command {
			case Disconnect:
				fmt.Fprintln(w.Log, "disconnected by the broker")
				return nil
			case WorkerRequest:
				if err := w.serve(ctx, h, m, send); err != nil {
					return w.ended(ctx, sock, err)
				}
				if *served++; w.Max > 0 && *served >= w.Max {
					return w.disconnect(sock)
				}
				nextBeat = time.Now().Add(w.Heartbeat) // the reply was a sign of life
			case Heartbeat:
			default:
				fmt.Fprintln(w.Log, "dropped: unexpected command", m.Command)
			}
		}
		now := time.Now()
		if now.Sub(heard) >= silence {
			return w.lost(sock)
		}
		if !now.Before(nextBeat) {
			if err := send(WorkerMsg{Command: Heartbeat}); err != nil {
				return w.ended(ctx, sock, err)
			}
			nextBeat = now.Add(w.Heartbeat)
		}
	}
}

// serve runs h on one REQUEST and sends its replies.
func (w Worker) serve(ctx context.Context, h Handler, req WorkerMsg, send func(WorkerMsg) error) error {
	partial := func(body ...[]byte) error {
		return send(WorkerMsg{Command: WorkerPartial, Client: req.Client, Body: body})
	}
	final, err := h(ctx, req.Body, partial)
	if err != nil {
		return err
	}
	if len(final) == 0 {
		return malformed("a FINAL reply needs a body of one frame or more")
	}
	return send(WorkerMsg{Command: WorkerFinal, Client: req.Client, Body: final})
}

// ended sorts out how a session ended on err: ctx done (send DISCONNECT, nil), the broker not
// taking messages (nil: start over), or a real failure.
func (w Worker) ended(ctx context.Context, sock *zmq.Socket, err error) error {
	if ctx.Err() != nil {
		return w.disconnect(sock)
	}
	if errors.Is(err, zmq.ErrAgain) {
		return w.lost(sock)
	}
	return err
}

// lost ends a session whose broker went silent (nil: start over). What the socket still holds
// (heartbeats, a READY) is stale: dropped with the socket rather than lingering, or it would
// reach whatever broker binds the endpoint next from a worker that broker never met.
func (w Worker) lost(sock *zmq.Socket) error {
	fmt.Fprintln(w.Log, "broker lost")
	_ = sock.SetOptions(zmq.WithLinger(0))
	return nil
}

// disconnect tells the broker this worker is leaving, waiting at most a heartbeat for the
// socket to take the message (the broker forgets a silent worker anyway).
func (w Worker) disconnect(sock *zmq.Socket) error {
	ctx, cancel := context.WithTimeout(context.Background(), w.Heartbeat)
	defer cancel()
	sock.Send(ctx, zmq.NewMsg(WorkerMsg{Command: Disconnect}.Frames()...))
	return nil
}
