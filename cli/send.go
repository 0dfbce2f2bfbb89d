package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/spf13/cobra"
)

type sendFlags struct {
	exchangeFlags
	raw     bool
	in      string
	to      string
	replies bool
}

func newSendCmd() *cobra.Command {
	var f sendFlags
	cmd := &cobra.Command{
		Use:   "send [flags] [MESSAGE...]",
		Short: "send messages from the arguments or stdin (PUSH by default)",
		Long: "send opens one socket (-t, PUSH by default), binds and connects it, and sends each " +
			"MESSAGE argument as one message; with none it reads stdin: one message per line (only " +
			"the \"\\n\" is removed), NUL-terminated messages with -0, or all of stdin as one message " +
			"with --raw. --sep cuts each message into frames; --in hex reads each frame as hex.\n\n" +
			"-n COUNT sends a single message (one argument, or --raw) COUNT times, or at most COUNT " +
			"lines of stdin. A REQ waits for the reply to each message and prints it (--format); a " +
			"DEALER or PAIR does so with --replies. A ROUTER or STREAM sends to the peer --to names " +
			"(text, or 0xHEX as zmq recv prints it); it sets ROUTER_MANDATORY, so that an unknown " +
			"peer fails instead of dropping the message (-o ROUTER_MANDATORY=0 drops).\n\n" +
			"--peers N waits for N peers to complete the handshake before the first send, and a PUB " +
			"also for N subscriptions (it is an XPUB on the wire then): the way to not lose the " +
			"first messages to subscribers still connecting.\n\n" +
			"At the end, what is still queued is delivered for up to LINGER: --timeout when given, " +
			"else 5s (-o LINGER=... overrides).",
		Example: "  zmq send --connect tcp://127.0.0.1:5555 hello world\n" +
			"  seq 1000 | zmq send -c ipc:///tmp/jobs\n" +
			"  zmq send -t REQ -c tcp://127.0.0.1:5555 --timeout 5s ping\n" +
			"  zmq send -t PUB --bind tcp://*:5556 --peers 1 --sep '|' 'topic|payload'\n" +
			"  zmq send -t ROUTER --bind tcp://*:5557 --peers 1 --to 0x0080000001 work\n" +
			"  zmq send --raw -c tcp://127.0.0.1:5555 < image.png",
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSend(cmd.Context(), &f, args, cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fs := cmd.Flags()
	f.register(fs, "PUSH")
	fs.Lookup("count").Usage = "send the single MESSAGE (or --raw stdin) COUNT times, or at most COUNT messages of stdin"
	fs.StringVar(&f.sep, "sep", "", "cut each message into frames at STR, e.g. --sep '|' 'a|b' is two frames")
	fs.BoolVar(&f.raw, "raw", false, "send all of stdin as one message, byte for byte")
	fs.StringVar(&f.in, "in", "text", "input frames: text, or hex (\"0x\" prefix and spaces allowed)")
	fs.StringVar(&f.to, "to", "", "ROUTER/STREAM: the peer's routing ID, as text or 0xHEX")
	fs.BoolVar(&f.replies, "replies", false, "DEALER/PAIR: wait for one reply per message and print it (REQ always does)")
	return cmd
}

// Send runs `zmq send`: messages from the arguments or stdin, sent on one socket.
func Send(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return execute(ctx, newSendCmd(), args, stdin, stdout, stderr)
}

// sendPlan is a checked send command line.
type sendPlan struct {
	t       zmq.Type
	format  outputFormat
	to      []byte
	replies bool
	hexIn   bool
	next    func() ([]byte, error) // the messages, io.EOF after the last
}

func (f *sendFlags) plan(args []string, stdin io.Reader) (*sendPlan, error) {
	t, format, err := f.check("send")
	if err != nil {
		return nil, err
	}
	p := &sendPlan{t: t, format: format, replies: t == zmq.REQ || f.replies}
	switch t {
	case zmq.PULL, zmq.SUB, zmq.REP:
		return nil, usagef("send: a %s cannot send first; use zmq recv", f.typeName)
	}
	if f.replies && t != zmq.DEALER && t != zmq.PAIR {
		return nil, usagef("send: --replies is for DEALER and PAIR (REQ always waits for replies)")
	}
	switch {
	case hasRoutingID(t) && f.to == "":
		return nil, usagef("send: a %s needs --to ID, the peer to send to", f.typeName)
	case hasRoutingID(t):
		if p.to, err = parseID(f.to); err != nil {
			return nil, err
		}
	case f.to != "":
		return nil, usagef("send: --to is for ROUTER and STREAM, not %s", f.typeName)
	}
	switch f.in {
	case "text":
	case "hex":
		p.hexIn = true
	default:
		return nil, usagef("send: --in %q: want text or hex", f.in)
	}
	if f.nul && f.raw {
		return nil, usagef("send: -0 and --raw are exclusive")
	}
	if len(args) > 0 && (f.nul || f.raw) {
		return nil, usagef("send: -0 and --raw read stdin; give no MESSAGE arguments with them")
	}
	if f.count > 0 && len(args) > 1 {
		return nil, usagef("send: -n repeats a single message; %d were given", len(args))
	}
	if p.hexIn { // arguments are checked before anything is sent; stdin as it comes
		for _, a := range args {
			if _, err := decodeFrames(splitFrames([]byte(a), f.sep)); err != nil {
				return nil, err
			}
		}
	}
	p.next = f.source(args, stdin)
	return p, nil
}

// source yields the messages: the arguments, or stdin cut as -0/--raw say, with a single one
// repeated -n times.
func (f *sendFlags) source(args []string, stdin io.Reader) func() ([]byte, error) {
	var one func() ([]byte, error)
	if len(args) > 0 {
		i := 0
		one = func() ([]byte, error) {
			if i == len(args) {
				return nil, io.EOF
			}
			i++
			return []byte(args[i-1]), nil
		}
	} else {
		mode := inputLines
		switch {
		case f.nul:
			mode = inputNUL
		case f.raw:
			mode = inputRaw
		}
		one = newMessageReader(stdin, mode).next
	}
	if f.count == 0 {
		return one
	}
	repeat := len(args) == 1 || f.raw
	var msg []byte
	sent := 0
	return func() ([]byte, error) {
		if sent == f.count {
			return nil, io.EOF
		}
		if !repeat || sent == 0 {
			m, err := one()
			if err != nil {
				return nil, err
			}
			msg = m
		}
		sent++
		return msg, nil
	}
}

func runSend(ctx context.Context, f *sendFlags, args []string, stdin io.Reader, stdout, stderr io.Writer) (err error) {
	p, err := f.plan(args, stdin)
	if err != nil {
		return err
	}
	var extra []zmq.Option
	openType := p.t
	switch {
	case p.t == zmq.ROUTER:
		extra = append(extra, zmq.WithRouterMandatory(true))
	case p.t == zmq.PUB && f.peers > 0:
		// A SUB's subscription arrives after its handshake, so a PUB sending at once could
		// still drop the first messages. An XPUB sends the same, and shows the
		// subscriptions (each one, with VERBOSE) that say the peers are ready.
		openType = zmq.XPUB
		extra = append(extra, zmq.WithXPubVerbose(true))
	}
	se := newSession()
	defer func() { err = errors.Join(err, se.close()) }()
	s, events, stop, err := f.open(se, openType, extra...)
	if err != nil {
		return err
	}
	if err := f.subscribe(s, p.t); err != nil {
		return err
	}
	if err := f.waitPeers(ctx, events, stop); err != nil {
		return interrupted(ctx, err, 0)
	}
	if openType != p.t {
		if err := f.waitSubscriptions(ctx, s); err != nil {
			return interrupted(ctx, err, 0)
		}
	}
	outSep := f.sep
	if outSep == "" {
		outSep = defaultSep
	}
	out := newPrinter(stdout, p.format, outSep, f.sep != "", f.nul)
	prog := newProgress(stderr)
	defer prog.done()
	start := time.Now()
	for n := 1; ; n++ {
		msg, err := p.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read stdin: %w", err)
		}
		frames := splitFrames(msg, f.sep)
		if p.hexIn {
			if frames, err = decodeFrames(frames); err != nil {
				return err
			}
		}
		if p.to != nil {
			frames = append([][]byte{p.to}, frames...)
		}
		if err := f.sendOne(ctx, s, zmq.NewMsg(frames...), n); err != nil {
			return interrupted(ctx, err, n-1)
		}
		if p.replies {
			if err := f.printReply(ctx, s, out, n); err != nil {
				return interrupted(ctx, err, n)
			}
		}
		if f.count >= progressFrom {
			prog.update("sent %d/%d messages, %.0f msg/s", n, f.count, float64(n)/time.Since(start).Seconds())
		}
	}
}

func (f *sendFlags) sendOne(ctx context.Context, s *zmq.Socket, m zmq.Msg, n int) error {
	wctx, cancel := f.waitCtx(ctx)
	defer cancel()
	if err := s.SendCopy(wctx, m); err != nil {
		if errors.Is(err, zmq.ErrHostUnreachable) {
			return fmt.Errorf("message %d: no peer with routing id --to %s (--peers N waits for peers to connect)", n, f.to)
		}
		return f.timedOut(ctx, err, fmt.Sprintf("sending message %d (no peer took it)", n))
	}
	return nil
}

func (f *sendFlags) printReply(ctx context.Context, s *zmq.Socket, out *printer, n int) error {
	wctx, cancel := f.waitCtx(ctx)
	defer cancel()
	m, err := s.Recv(wctx)
	if err != nil {
		return f.timedOut(ctx, err, fmt.Sprintf("waiting for the reply to message %d", n))
	}
	return out.print(nil, m.Frames)
}

// waitSubscriptions waits for --peers subscriptions on the XPUB standing in for a PUB. A peer
// subscribing to several prefixes counts several times: the wait is for at least that many.
func (f *sendFlags) waitSubscriptions(ctx context.Context, s *zmq.Socket) error {
	wctx, cancel := f.waitCtx(ctx)
	defer cancel()
	for n := 0; n < f.peers; {
		m, err := s.Recv(wctx)
		if err != nil {
			return f.timedOut(ctx, err, fmt.Sprintf("waiting for the subscriptions of %d peers (%d came)", f.peers, n))
		}
		if len(m.Frames) > 0 && len(m.Frames[0]) > 0 && m.Frames[0][0] == 1 {
			n++
		}
	}
	return nil
}

// interrupted says how far a send got when ctx (SIGINT, SIGTERM) stopped it.
func interrupted(ctx context.Context, err error, sent int) error {
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted after %d messages", sent)
	}
	return err
}
