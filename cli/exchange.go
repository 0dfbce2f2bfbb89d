package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/spf13/pflag"
)

// ErrTimeout reports that --timeout expired: no message, peer, reply or awaited event came in
// time.
var ErrTimeout = errors.New("timeout")

// defaultLinger bounds how long closing waits to deliver what is still queued when no
// --timeout is given: long enough for a present peer to take it, short enough that an absent
// one does not hold the command.
const defaultLinger = 5 * time.Second

// progressFrom is the -n from which a terminal gets a progress line.
const progressFrom = 1000

// exchangeFlags are what zmq send and zmq recv share.
type exchangeFlags struct {
	sock       socketFlags
	typeName   string
	count      int
	timeout    time.Duration
	peers      int
	sep        string
	nul        bool
	format     string
	subscribes []string
}

func (f *exchangeFlags) register(fs *pflag.FlagSet, defaultType string) {
	fs.StringVarP(&f.typeName, "type", "t", defaultType, "socket TYPE: PAIR PUB SUB REQ REP DEALER ROUTER PULL PUSH XPUB XSUB STREAM")
	f.sock.register(fs)
	fs.IntVarP(&f.count, "count", "n", 0, "stop after COUNT messages")
	fs.DurationVar(&f.timeout, "timeout", 0, "fail (exit 1) when one wait takes longer than DURATION, e.g. 5s; default wait for ever")
	fs.IntVar(&f.peers, "peers", 0, "before the first message, wait until N peers have completed the handshake (tcp, ipc; inproc has none)")
	fs.BoolVarP(&f.nul, "null", "0", false, "messages end with NUL instead of a newline")
	fs.StringVar(&f.format, "format", "text", formatHelp)
	fs.StringArrayVar(&f.subscribes, "subscribe", nil, "SUB/XSUB: subscribe to messages starting with PREFIX (repeatable); a SUB given none gets everything")
}

// check validates what does not depend on the command and returns the socket type.
func (f *exchangeFlags) check(cmd string) (zmq.Type, outputFormat, error) {
	t, err := parseType(f.typeName)
	if err != nil {
		return 0, 0, err
	}
	format, err := parseFormat(f.format)
	if err != nil {
		return 0, 0, err
	}
	switch {
	case f.count < 0:
		return 0, 0, usagef("%s: -n %d: want a count of at least 1", cmd, f.count)
	case f.timeout < 0:
		return 0, 0, usagef("%s: --timeout %v: want a positive duration", cmd, f.timeout)
	case f.peers < 0:
		return 0, 0, usagef("%s: --peers %d: want a number of peers", cmd, f.peers)
	case len(f.subscribes) > 0 && t != zmq.SUB && t != zmq.XSUB:
		return 0, 0, usagef("%s: --subscribe needs -t SUB or XSUB, not %s", cmd, strings.ToUpper(f.typeName))
	}
	return t, format, nil
}

// open makes the socket with the command's defaults (LINGER, then extra), which -o overrides,
// and when --peers asks for it a monitor of completed handshakes, started before the first
// connection so that none is missed.
func (f *exchangeFlags) open(se *session, t zmq.Type, extra ...zmq.Option) (*zmq.Socket, <-chan zmq.Event, func(), error) {
	linger := defaultLinger
	if f.timeout > 0 {
		linger = f.timeout
	}
	var events <-chan zmq.Event
	stop := func() {}
	s, err := se.open(&f.sock, t, func(s *zmq.Socket) error {
		if err := s.SetOptions(append([]zmq.Option{zmq.WithLinger(linger)}, extra...)...); err != nil {
			return err
		}
		if f.peers > 0 {
			events, stop = s.Monitor(zmq.EventHandshakeSucceeded)
		}
		return nil
	})
	if err != nil {
		return nil, nil, nil, err
	}
	return s, events, stop, nil
}

// waitCtx is the context of one wait: ctx, bounded by --timeout when given.
func (f *exchangeFlags) waitCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	if f.timeout > 0 {
		return context.WithTimeout(ctx, f.timeout)
	}
	return context.WithCancel(ctx)
}

// timedOut turns a Send or Recv failure into "timeout after D ..." when --timeout expired
// (rather than ctx, the caller's, ending).
func (f *exchangeFlags) timedOut(ctx context.Context, err error, what string) error {
	if errors.Is(err, zmq.ErrAgain) && ctx.Err() == nil {
		return fmt.Errorf("%w after %v %s", ErrTimeout, f.timeout, what)
	}
	return err
}

// waitPeers waits until --peers handshakes have completed, then stops the monitor.
func (f *exchangeFlags) waitPeers(ctx context.Context, events <-chan zmq.Event, stop func()) error {
	defer stop()
	if f.peers == 0 {
		return nil
	}
	wctx, cancel := f.waitCtx(ctx)
	defer cancel()
	for n := 0; n < f.peers; {
		select {
		case ev, ok := <-events:
			if !ok {
				return errors.New("socket closed while waiting for peers")
			}
			if ev.Type == zmq.EventHandshakeSucceeded {
				n++
			}
		case <-wctx.Done():
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("%w after %v waiting for %d peers (%d came)", ErrTimeout, f.timeout, f.peers, n)
		}
	}
	return nil
}

// subscribe applies --subscribe; a SUB given none subscribes to everything, as a user
// watching a publisher expects (libzmq's SUB starts with no subscription at all).
func (f *exchangeFlags) subscribe(s *zmq.Socket, t zmq.Type) error {
	prefixes := f.subscribes
	if len(prefixes) == 0 && t == zmq.SUB {
		prefixes = []string{""}
	}
	for _, p := range prefixes {
		if err := s.Subscribe([]byte(p)); err != nil {
			return fmt.Errorf("subscribe %q: %w", p, err)
		}
	}
	return nil
}

// hasRoutingID reports whether messages of t carry the peer's routing id as first frame.
func hasRoutingID(t zmq.Type) bool { return t == zmq.ROUTER || t == zmq.STREAM }
