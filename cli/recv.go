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

type recvFlags struct {
	exchangeFlags
	reply    string
	echo     bool
	replySet bool // --reply was given, if empty
	sepSet   bool // --sep was given: raw output joins frames with it
}

func newRecvCmd() *cobra.Command {
	var f recvFlags
	cmd := &cobra.Command{
		Use:   "recv [flags]",
		Short: "print the messages a socket receives (PULL by default)",
		Long: "recv opens one socket (-t, PULL by default), binds and connects it, and prints each " +
			"message it receives on stdout, one per line (-0: NUL-terminated), until -n COUNT " +
			"messages came or it is interrupted (SIGINT, SIGTERM), both a success (exit 0).\n\n" +
			"--format text prints the frames as they are, joined by --sep (default \"|\"); hex " +
			"prints each frame in lowercase hex, joined the same way; json prints one object per " +
			"message, {\"frames\":[...]}, a frame as a JSON string when it is valid UTF-8 and as " +
			"{\"base64\":\"...\"} when it is not, so no text is ever taken for base64; raw writes the " +
			"data frames byte for byte, with nothing between them (unless --sep is given) nor " +
			"after a message (unless -0). hex, json and raw are byte-exact for any data.\n\n" +
			"A ROUTER or STREAM shows who sent: the routing id first, as 0xHEX in text (what " +
			"zmq send --to takes), as hex in hex, as \"id\" (hex) in json; raw leaves it out.\n\n" +
			"A SUB subscribes to each --subscribe PREFIX, or to everything when none is given.\n\n" +
			"A REP must answer each request: --reply TEXT (cut into frames at --sep) or --echo " +
			"(the request itself). ROUTER, DEALER, PAIR and STREAM answer too when given either; a " +
			"ROUTER answers the peer that sent.\n\n" +
			"A STREAM is handled as a ROUTER: its peers are plain TCP connections, each shown by " +
			"its id; an empty message marks a connection opening or closing, and is not answered.",
		Example: "  zmq recv --bind tcp://*:5555\n" +
			"  zmq recv -t SUB -c tcp://127.0.0.1:5556 --subscribe weather. --format json\n" +
			"  zmq recv -t REP --bind tcp://*:5555 --reply ok\n" +
			"  zmq recv -t ROUTER --bind ipc:///tmp/r --echo --format hex\n" +
			"  zmq recv -b tcp://*:5555 -n 1 --format raw > message.bin",
		Args: positional(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.replySet, f.sepSet = cmd.Flags().Changed("reply"), cmd.Flags().Changed("sep")
			return runRecv(cmd.Context(), &f, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fs := cmd.Flags()
	f.register(fs, "PULL")
	fs.StringVar(&f.sep, "sep", defaultSep, "join frames with STR in text and hex output; cut --reply at it")
	fs.StringVar(&f.reply, "reply", "", "answer each message with TEXT (REP, ROUTER, DEALER, PAIR, STREAM)")
	fs.BoolVar(&f.echo, "echo", false, "answer each message with itself (REP, ROUTER, DEALER, PAIR, STREAM)")
	return cmd
}

// Recv runs `zmq recv`: print what one socket receives, and answer it if asked.
func Recv(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return execute(ctx, newRecvCmd(), args, stdin, stdout, stderr)
}

// plan checks the command line; the replier is nil when recv does not answer.
func (f *recvFlags) plan() (zmq.Type, outputFormat, *replier, error) {
	t, format, err := f.check("recv")
	if err != nil {
		return 0, 0, nil, err
	}
	switch t {
	case zmq.PUSH, zmq.PUB, zmq.REQ:
		return 0, 0, nil, usagef("recv: a %s cannot receive first; use zmq send", f.typeName)
	}
	replying := f.echo || f.replySet
	switch {
	case f.echo && f.replySet:
		return 0, 0, nil, usagef("recv: --reply and --echo are exclusive")
	case t == zmq.REP && !replying:
		return 0, 0, nil, usagef("recv: a REP must answer: give --reply TEXT or --echo")
	case replying && !canReply(t):
		return 0, 0, nil, usagef("recv: a %s cannot answer; --reply and --echo are for REP, ROUTER, DEALER, PAIR and STREAM", f.typeName)
	case !replying:
		return t, format, nil, nil
	}
	return t, format, &replier{t: t, echo: f.echo, reply: splitFrames([]byte(f.reply), f.sep)}, nil
}

func runRecv(ctx context.Context, f *recvFlags, stdout, stderr io.Writer) (err error) {
	t, format, rep, err := f.plan()
	if err != nil {
		return err
	}
	se := newSession()
	defer func() { err = errors.Join(err, se.close()) }()
	s, events, stop, err := f.open(se, t)
	if err != nil {
		return err
	}
	if err := f.subscribe(s, t); err != nil {
		return err
	}
	if err := f.waitPeers(ctx, events, stop); err != nil {
		return stopped(ctx, err)
	}
	out := newPrinter(stdout, format, f.sep, f.sepSet, f.nul)
	prog := newProgress(stderr)
	defer prog.done()
	start := time.Now()
	for n := 1; f.count == 0 || n <= f.count; n++ {
		if err := f.recvOne(ctx, s, t, out, rep, n); err != nil {
			return stopped(ctx, err)
		}
		if f.count >= progressFrom {
			prog.update("received %d/%d messages, %.0f msg/s", n, f.count, float64(n)/time.Since(start).Seconds())
		}
	}
	return nil
}

// recvOne receives, prints and, with a replier, answers message n; --timeout bounds the wait
// for it and for its answer to be taken.
func (f *recvFlags) recvOne(ctx context.Context, s *zmq.Socket, t zmq.Type, out *printer, rep *replier, n int) error {
	wctx, cancel := f.waitCtx(ctx)
	m, err := s.Recv(wctx)
	cancel()
	if err != nil {
		return f.timedOut(ctx, err, fmt.Sprintf("waiting for message %d", n))
	}
	var id []byte
	body := m.Frames
	if hasRoutingID(t) && len(body) > 0 {
		id, body = body[0], body[1:]
	}
	if err := out.print(id, body); err != nil {
		return fmt.Errorf("write stdout: %w", err)
	}
	if rep == nil || t == zmq.STREAM && len(body) == 1 && len(body[0]) == 0 {
		// A STREAM's empty message says a connection came or went; answering it with an
		// empty frame would close the connection.
		return nil
	}
	wctx, cancel = f.waitCtx(ctx)
	defer cancel()
	if err := s.SendCopy(wctx, zmq.NewMsg(rep.answer(id, body)...)); err != nil {
		return f.timedOut(ctx, err, fmt.Sprintf("answering message %d", n))
	}
	return nil
}

// stopped is recv's end when ctx ended (SIGINT, SIGTERM): a normal stop, not a failure.
func stopped(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}
