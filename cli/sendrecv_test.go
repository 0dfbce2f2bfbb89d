package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/curve"
	"github.com/purezmq/zmq/internal/freeport"
)

// testCtx bounds a test, so that one that goes wrong fails instead of hanging.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func ipcEP(t *testing.T) string { return "ipc://" + filepath.Join(t.TempDir(), "s") }

// lockedBuffer is stdout shared by a running command and the test, which is told of each write.
type lockedBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes chan struct{}
}

func newLockedBuffer() *lockedBuffer { return &lockedBuffer{writes: make(chan struct{}, 1024)} }

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case b.writes <- struct{}{}:
	default:
	}
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// running is a command run in the background.
type running struct {
	out  *lockedBuffer
	err  error
	done chan struct{}
}

func goRun(ctx context.Context, fn func(context.Context, []string, io.Reader, io.Writer, io.Writer) error, stdin string, args ...string) *running {
	r := &running{out: newLockedBuffer(), done: make(chan struct{})}
	go func() {
		defer close(r.done)
		var errOut bytes.Buffer
		r.err = fn(ctx, args, strings.NewReader(stdin), r.out, &errOut)
	}()
	return r
}

// wait returns the command's stdout, failing the test if the command failed.
func (r *running) wait(t *testing.T) string {
	t.Helper()
	<-r.done
	if r.err != nil {
		t.Fatalf("command failed: %v", r.err)
	}
	return r.out.String()
}

func runCmd(t *testing.T, ctx context.Context, fn func(context.Context, []string, io.Reader, io.Writer, io.Writer) error, stdin string, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := fn(ctx, args, strings.NewReader(stdin), &out, &errOut); err != nil {
		t.Fatalf("%q: %v", args, err)
	}
	return out.String()
}

func TestPushPullLinesAndFrames(t *testing.T) {
	ctx := testCtx(t)
	for _, ep := range []string{ipcEP(t), "tcp://127.0.0.1:" + freePort(t)} {
		t.Run(strings.SplitN(ep, ":", 2)[0], func(t *testing.T) {
			recv := goRun(ctx, Recv, "", "--connect", ep, "-n", "4", "--format", "json")
			runCmd(t, ctx, Send, "a|b\n\nplain\n|x|\n", "--bind", ep, "--sep", "|", "--peers", "1")
			got := strings.Split(strings.TrimSuffix(recv.wait(t), "\n"), "\n")
			want := []string{`{"frames":["a","b"]}`, `{"frames":[""]}`, `{"frames":["plain"]}`, `{"frames":["","x",""]}`}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("recv printed %q, want %q", got, want)
			}
		})
	}
}

// freePort is a loopback tcp port that is free and below the ephemeral range
// (internal/freeport): no other socket is handed it before the command binds it.
func freePort(t *testing.T) string {
	ports, err := freeport.Pick(1)
	if err != nil {
		t.Fatal(err)
	}
	return strconv.Itoa(ports[0])
}

func TestBinaryByteExact(t *testing.T) {
	ctx := testCtx(t)
	var all []byte
	for b := 0; b < 256; b++ {
		all = append(all, byte(b))
	}
	for _, format := range []string{"raw", "hex", "json"} {
		t.Run(format, func(t *testing.T) {
			ep := ipcEP(t)
			recv := goRun(ctx, Recv, "", "--bind", ep, "-n", "1", "--format", format)
			runCmd(t, ctx, Send, string(all), "--connect", ep, "--raw")
			out := recv.wait(t)
			var got []byte
			switch format {
			case "raw":
				got = []byte(out)
			case "hex":
				var err error
				if got, err = parseHex(strings.TrimSuffix(out, "\n")); err != nil {
					t.Fatal(err)
				}
			case "json":
				frames := decodeJSONFrames(t, []byte(out))
				if len(frames) != 1 {
					t.Fatalf("%d frames: %s", len(frames), out)
				}
				got = frames[0]
			}
			if !bytes.Equal(got, all) {
				t.Errorf("received %x, sent %x", got, all)
			}
		})
	}
}

func TestHexInput(t *testing.T) {
	ctx := testCtx(t)
	ep := ipcEP(t)
	recv := goRun(ctx, Recv, "", "--bind", ep, "-n", "1", "--format", "hex", "--sep", " ")
	runCmd(t, ctx, Send, "", "--connect", ep, "--in", "hex", "--sep", ",", "00ff,0x41,")
	if got := recv.wait(t); got != "00ff 41 \n" {
		t.Errorf("recv printed %q", got)
	}
}

func TestReqRep(t *testing.T) {
	for _, tc := range []struct {
		name              string
		repFlags, reqWant string
		reqBinds          bool
	}{
		{"reply, REP binds", "--reply=ok", "ok\nok\n", false},
		{"reply, REQ binds", "--reply=ok", "ok\nok\n", true},
		{"reply in frames", "--reply=ok|2", "ok|2\nok|2\n", false},
		{"echo", "--echo", "one|1\ntwo\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testCtx(t)
			ep := ipcEP(t)
			repEP, reqEP := "--bind="+ep, "--connect="+ep
			if tc.reqBinds {
				repEP, reqEP = "--connect="+ep, "--bind="+ep
			}
			rep := goRun(ctx, Recv, "", "-t", "REP", repEP, "-n", "2", tc.repFlags)
			got := runCmd(t, ctx, Send, "", "-t", "REQ", reqEP, "--timeout", "20s", "--sep", "|", "one|1", "two")
			if got != tc.reqWant {
				t.Errorf("REQ printed %q, want %q", got, tc.reqWant)
			}
			if got := rep.wait(t); got != "one|1\ntwo\n" {
				t.Errorf("REP printed %q", got)
			}
		})
	}
}

func TestRouterIDRoundTrip(t *testing.T) {
	ctx := testCtx(t)
	ep := ipcEP(t)
	// recv's ROUTER shows the DEALER's id and echoes to it.
	router := goRun(ctx, Recv, "", "-t", "ROUTER", "--bind", ep, "-n", "1", "--echo")
	got := runCmd(t, ctx, Send, "", "-t", "DEALER", "-o", "ROUTING_ID=peer1", "--connect", ep, "--replies", "--sep", "|", "a|b")
	if got != "a|b\n" {
		t.Errorf("DEALER got back %q", got)
	}
	if got := router.wait(t); got != "0x7065657231|a|b\n" {
		t.Errorf("ROUTER printed %q", got)
	}
	// send's ROUTER reaches a DEALER by its id, as text and as hex.
	for _, to := range []string{"peer2", "0x7065657232"} {
		ep := ipcEP(t)
		dealer := goRun(ctx, Recv, "", "-t", "DEALER", "-o", "ROUTING_ID=peer2", "--connect", ep, "-n", "1")
		runCmd(t, ctx, Send, "", "-t", "ROUTER", "--bind", ep, "--peers", "1", "--to", to, "hi")
		if got := dealer.wait(t); got != "hi\n" {
			t.Errorf("--to %s: DEALER printed %q", to, got)
		}
	}
}

func TestRouterRepliesToREQ(t *testing.T) {
	ctx := testCtx(t)
	ep := ipcEP(t)
	router := goRun(ctx, Recv, "", "-t", "ROUTER", "--bind", ep, "-n", "1", "--reply", "ok", "--format", "json")
	if got := runCmd(t, ctx, Send, "", "-t", "REQ", "-o", "ROUTING_ID=r", "--connect", ep, "q"); got != "ok\n" {
		t.Errorf("REQ got %q", got)
	}
	if got := router.wait(t); got != `{"id":"72","frames":["","q"]}`+"\n" {
		t.Errorf("ROUTER printed %q", got)
	}
}

func TestSubscribeFilters(t *testing.T) {
	ctx := testCtx(t)
	ep := ipcEP(t)
	pub, err := zmq.NewSocket(zmq.PUB)
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	if err := pub.Bind(ep); err != nil {
		t.Fatal(err)
	}
	sub := goRun(ctx, Recv, "", "-t", "SUB", "--connect", ep, "--subscribe", "a", "--subscribe", "c", "-n", "6")
	// The publisher repeats until the subscriber has what it needs: whenever its
	// subscriptions arrive, it sees a, b and c messages in turn after that.
	for i := 0; ; i++ {
		select {
		case <-sub.done:
		default:
			topic := string(rune('a' + i%3))
			if err := pub.Send(ctx, zmq.NewMsgString(topic+fmt.Sprint(i))); err != nil {
				t.Fatal(err)
			}
			continue
		}
		break
	}
	for _, line := range strings.Split(strings.TrimSuffix(sub.wait(t), "\n"), "\n") {
		if line[0] != 'a' && line[0] != 'c' {
			t.Errorf("SUB printed %q, which it did not subscribe to", line)
		}
	}
}

func TestPubPeersWaitsForSubscriptions(t *testing.T) {
	ctx := testCtx(t)
	ep := ipcEP(t)
	sub := goRun(ctx, Recv, "", "-t", "SUB", "--connect", ep, "--subscribe", "a", "-n", "2")
	runCmd(t, ctx, Send, "", "-t", "PUB", "--bind", ep, "--peers", "1", "b1", "a1", "b2", "a2")
	if got := sub.wait(t); got != "a1\na2\n" {
		t.Errorf("SUB printed %q", got)
	}
}

func TestCountRepeats(t *testing.T) {
	ctx := testCtx(t)
	ep := ipcEP(t)
	recv := goRun(ctx, Recv, "", "--bind", ep, "-n", "5")
	runCmd(t, ctx, Send, "", "--connect", ep, "-n", "5", "same")
	if got := recv.wait(t); got != strings.Repeat("same\n", 5) {
		t.Errorf("recv printed %q", got)
	}
}

func TestCurve(t *testing.T) {
	ctx := testCtx(t)
	ep := ipcEP(t)
	server, err := curve.NewCertificate(nil)
	if err != nil {
		t.Fatal(err)
	}
	recv := goRun(ctx, Recv, "", "--bind", ep, "-n", "1", "--curve-server", "--curve-secret", server.Secret.Z85())
	runCmd(t, ctx, Send, "", "--connect", ep, "--curve-serverkey", server.Public.Z85(), "secret")
	if got := recv.wait(t); got != "secret\n" {
		t.Errorf("recv printed %q", got)
	}
}

func TestTimeouts(t *testing.T) {
	ctx := testCtx(t)
	for _, tc := range []struct {
		name string
		fn   func(context.Context, []string, io.Reader, io.Writer, io.Writer) error
		args []string
	}{
		{"recv waits for a message", Recv, []string{"--bind", ipcEP(t)}},
		{"send finds no peer", Send, []string{"--bind", ipcEP(t), "x"}},
		{"REQ gets no reply", Send, []string{"-t", "REQ", "--connect", ipcEP(t), "x"}},
		{"no peer comes", Send, []string{"--bind", ipcEP(t), "--peers", "1", "x"}},
		{"REP waits for a request", Recv, []string{"-t", "REP", "--bind", ipcEP(t), "--reply", "x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			args := append(tc.args, "--timeout", "50ms")
			if err := tc.fn(ctx, args, strings.NewReader(""), &out, &errOut); !errors.Is(err, ErrTimeout) {
				t.Errorf("%q: %v, want ErrTimeout", args, err)
			}
		})
	}
}

func TestRecvStopsWhenInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(testCtx(t))
	ep := ipcEP(t)
	recv := goRun(ctx, Recv, "", "--bind", ep)
	runCmd(t, testCtx(t), Send, "", "--connect", ep, "one")
	<-recv.out.writes // the message is printed: recv is past its start
	cancel()
	if got := recv.wait(t); got != "one\n" {
		t.Errorf("recv printed %q", got)
	}
}

func TestProgressOnTerminal(t *testing.T) {
	ctx := testCtx(t)
	ep := ipcEP(t)
	defer func(f func(io.Writer) bool) { isTerminal = f }(isTerminal)
	isTerminal = func(io.Writer) bool { return true }
	var recvErr lockedBuffer
	done := make(chan error, 1)
	var out bytes.Buffer
	go func() {
		done <- Recv(ctx, []string{"--bind", ep, "-n", "1000"}, nil, &out, &recvErr)
	}()
	var sendErr bytes.Buffer
	if err := Send(ctx, []string{"--connect", ep, "-n", "1000", "m"}, nil, io.Discard, &sendErr); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "m\n"); n != 1000 {
		t.Errorf("recv printed %d messages", n)
	}
	if !strings.Contains(recvErr.String(), "received 1/1000 messages") || !strings.Contains(sendErr.String(), "sent 1/1000 messages") {
		t.Errorf("no progress line: recv %q, send %q", recvErr.String(), sendErr.String())
	}
}

func TestStreamShowsTheConnection(t *testing.T) {
	ctx := testCtx(t)
	port := freePort(t)
	recv := goRun(ctx, Recv, "", "-t", "STREAM", "--bind", "tcp://127.0.0.1:"+port, "-n", "2", "--format", "json", "--echo")
	var conn net.Conn
	for conn == nil {
		// The bind happens in the background; a refused dial means it has not yet.
		c, err := net.Dial("tcp", "127.0.0.1:"+port)
		if err == nil {
			conn = c
		} else if ctx.Err() != nil {
			t.Fatal(err)
		}
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("hi")); err != nil {
		t.Fatal(err)
	}
	echo := make([]byte, 2)
	if _, err := io.ReadFull(conn, echo); err != nil || string(echo) != "hi" {
		t.Errorf("echo %q, %v", echo, err)
	}
	lines := strings.Split(strings.TrimSuffix(recv.wait(t), "\n"), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], `"frames":[""]}`) || !strings.HasSuffix(lines[1], `"frames":["hi"]}`) || lines[0][:17] != lines[1][:17] {
		t.Errorf("recv printed %q, want the connection then its data, with one id", lines)
	}
}
