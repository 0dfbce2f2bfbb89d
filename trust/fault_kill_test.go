package trust_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/internal/freeport"
)

// The child peer is this test binary run again with -test.run=TestHelperProcess and these
// variables set.
const (
	envRole = "PUREZMQ_TRUST_CHILD_ROLE" // which peer to be: rep, router, pair, push, pub
	envAddr = "PUREZMQ_TRUST_CHILD_ADDR" // the loopback address to bind
	envGen  = "PUREZMQ_TRUST_CHILD_GEN"  // which start this is, 1 or 2: it marks what it sends
)

// killCodec is the parent's and the child's: a constant seed, as the child is another process.
var killCodec = bounded(40, 2, 512)

// TestFaultKilledPeerRestarts kills a peer process with SIGKILL (no close, no goodbye: the
// kernel ends its connections) while traffic flows, starts it again on the same address, and
// checks that the survivor notices (monitor: DISCONNECTED), reconnects on its own, and that
// traffic resumes with the new process, every message intact and in order.
func TestFaultKilledPeerRestarts(t *testing.T) {
	for _, f := range []struct {
		role    string // the child's
		survive func(t *testing.T, g *group, s *zmq.Socket, gens *tally)
		typ     zmq.Type
		opts    []zmq.Option
	}{
		{"rep", surviveREQ, zmq.REQ, []zmq.Option{zmq.WithReqRelaxed(true), zmq.WithReqCorrelate(true)}},
		{"router", surviveEcho, zmq.DEALER, []zmq.Option{zmq.WithRoutingID([]byte("survivor"))}},
		{"pair", surviveEcho, zmq.PAIR, nil},
		{"push", surviveStream, zmq.PULL, nil},
		{"pub", surviveStream, zmq.SUB, nil},
	} {
		t.Run(f.role, func(t *testing.T) {
			addr := freePort(t)
			child := startChild(t, f.role, addr, 1)
			g := newGroup(t)
			s := newSocket(t, f.typ, f.opts...)
			ev := watch(t, s)
			if f.typ == zmq.SUB {
				if err := s.Subscribe(nil); err != nil {
					t.Fatal(err)
				}
			}
			connectTCP(t, s, addr)
			// gens counts what came from each start of the child: stream 1 for the first,
			// stream 2 for the second.
			gens := newTally(killCodec)
			f.survive(t, g, s, gens)
			gens.waitGot(t, 1, cutFlow, waitLong)
			child.kill(t)
			ev.waitFor(t, zmq.EventDisconnected, 1, waitLong)
			child = startChild(t, f.role, addr, 2)
			gens.waitGot(t, 2, cutFlow, waitLong)
			ev.waitFor(t, zmq.EventHandshakeSucceeded, 2, waitLong)
			g.stop()
			child.kill(t)
			// One connection to each start: what came from it came in order.
			for gen := 1; gen <= 2; gen++ {
				if st := gens.state(gen); st.runs != 1 {
					t.Errorf("from start %d: %v; want in order", gen, st)
				}
			}
			t.Logf("from the first start: %v; from the second: %v", gens.state(1), gens.state(2))
		})
	}
}

// surviveREQ asks and checks each answer; with REQ_RELAXED it asks again when no answer comes,
// so every request is answered once, whichever process answers it.
func surviveREQ(t *testing.T, g *group, req *zmq.Socket, gens *tally) {
	const retryAfter = 250 * time.Millisecond // a retry policy, not a wait for anything
	g.run(func(ctx context.Context) {
		for seq := int64(0); ; seq++ {
			for {
				if req.Send(ctx, zmq.NewMsg(killCodec.msg(0, seq)...)) != nil {
					return
				}
				rctx, cancel := context.WithTimeout(ctx, retryAfter)
				m, err := req.Recv(rctx)
				cancel()
				if err == nil {
					gens.echo(t, m.Frames, seq)
					break
				}
				if ctx.Err() != nil {
					return
				}
			}
		}
	})
}

// surviveEcho streams requests and checks the echoes; anything in flight when the peer died
// is lost, the rest comes back intact and in order.
func surviveEcho(t *testing.T, g *group, s *zmq.Socket, gens *tally) {
	sendStream(g, s, killCodec, 0, func(seq int64) {
		// At most a window ahead of the echoes, or a trickle while the peer is away.
		if seq >= cutHWM {
			gens.nextAny(seq-cutHWM, 2*time.Millisecond)
		}
	})
	g.run(func(ctx context.Context) {
		for {
			m, err := s.Recv(ctx)
			if err != nil {
				return
			}
			gens.echo(t, m.Frames, -1)
		}
	})
}

// surviveStream receives what the child sends.
func surviveStream(t *testing.T, g *group, s *zmq.Socket, gens *tally) {
	receive(t, g, s, gens)
}

// echo checks an echo (the request, then a frame naming the child's start) and counts the
// request under that start's stream; want, unless -1, is the sequence number it must carry.
func (ta *tally) echo(t *testing.T, m [][]byte, want int64) {
	if len(m) < 2 || len(m[len(m)-1]) != 1 {
		t.Errorf("an echo without its generation frame: %d frames", len(m))
		return
	}
	gen := int(m[len(m)-1][0])
	h, err := ta.c.check(m[:len(m)-1])
	if err != nil || h.stream != 0 || want >= 0 && h.seq != want {
		t.Errorf("echo from start %d: stream %d seq %d (want %d): %v", gen, h.stream, h.seq, want, err)
		return
	}
	// Re-badge the request as the child's stream, so the tally checks order per start.
	if err := ta.see(ta.c.msg(gen, h.seq)); err != nil {
		t.Errorf("echo from start %d: %v", gen, err)
	}
}

// nextAny waits until either start's stream has gone past seq, or d has passed.
func (ta *tally) nextAny(seq int64, d time.Duration) {
	ta.mu.Lock()
	changed := ta.changed
	past := false
	for _, st := range ta.streams {
		past = past || st.next > seq
	}
	ta.mu.Unlock()
	if past {
		return
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-changed:
	case <-tm.C:
	}
}

// freePort is a loopback address whose port is free and below the ephemeral range
// (internal/freeport): while the child is down, the socket's reconnects must not be given the
// port as their own (a connection to itself), nor may anything else take it before the child's
// next start binds it again.
func freePort(t *testing.T) string {
	t.Helper()
	ports, err := freeport.Pick(1)
	if err != nil {
		t.Fatal(err)
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0]))
}

// child is a running child peer.
type child struct {
	cmd   *exec.Cmd
	stdin io.Closer
	once  sync.Once
}

// startChild runs the child peer and returns once it has bound addr.
func startChild(t *testing.T, role, addr string, gen int) *child {
	t.Helper()
	cmd, stdin, stdout := startTest(t, "TestHelperProcess", envRole+"="+role, envAddr+"="+addr, envGen+"="+strconv.Itoa(gen))
	c := &child{cmd: cmd, stdin: stdin}
	t.Cleanup(func() { c.kill(t) })
	line, err := stdout.ReadString('\n')
	if line != "ready\n" {
		t.Fatalf("child %s (start %d): %q, %v; want ready", role, gen, line, err)
	}
	return c
}

// kill sends SIGKILL and reaps the child.
func (c *child) kill(t *testing.T) {
	c.once.Do(func() {
		if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Errorf("SIGKILL: %v", err)
		}
		err := c.cmd.Wait()
		if ws, ok := c.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Errorf("the child ended with %v, not by SIGKILL", err)
		}
		c.stdin.Close()
	})
}

// TestHelperProcess is the child peer; run by itself it does nothing.
func TestHelperProcess(t *testing.T) {
	role := os.Getenv(envRole)
	if role == "" {
		return
	}
	gen, _ := strconv.Atoi(os.Getenv(envGen))
	if err := runChild(role, os.Getenv(envAddr), byte(gen)); err != nil {
		fmt.Fprintf(os.Stderr, "child %s: %v\n", role, err)
		os.Exit(2)
	}
	os.Exit(0)
}

// runChild binds addr as the role says, says "ready", and serves until killed; it exits on
// its own when its parent goes (stdin closes), so no child outlives a failed test run.
func runChild(role, addr string, gen byte) error {
	go func() {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	typ := map[string]zmq.Type{"rep": zmq.REP, "router": zmq.ROUTER, "pair": zmq.PAIR, "push": zmq.PUSH, "pub": zmq.PUB}[role]
	s, err := zmq.NewSocket(typ, zmq.WithLinger(0))
	if err != nil {
		return err
	}
	if err := s.Bind("tcp://" + addr); err != nil {
		return err
	}
	fmt.Println("ready")
	ctx := context.Background()
	switch role {
	case "push", "pub":
		tick := time.NewTicker(time.Millisecond) // PUB never blocks: a steady rate instead
		for seq := int64(0); ; seq++ {
			if role == "pub" {
				<-tick.C
			}
			if err := s.Send(ctx, zmq.NewMsg(killCodec.msg(int(gen), seq)...)); err != nil {
				return err
			}
		}
	default: // echo, with a frame naming this start
		for {
			m, err := s.Recv(ctx)
			if err != nil {
				return err
			}
			if err := s.Send(ctx, zmq.NewMsg(append(m.Frames, []byte{gen})...)); err != nil {
				return err
			}
		}
	}
}
