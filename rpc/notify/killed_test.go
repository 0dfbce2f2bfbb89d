package notify

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/purezmq/zmq/rpc/internal/childtest"
	"github.com/purezmq/zmq/rpc/registry/redisreg"
)

// memberProcessEnv makes the test binary a pool member (see memberProcess) for the tests that
// kill one; its value is the Redis registry's transport URL, then " hub" to go through hubs.
const memberProcessEnv = "PUREZMQ_NOTIFY_TEST_MEMBER"

// memberProcess joins pool "q" through the Redis registry and prints "ready". Each
// notification it receives it announces ("holding ID"), then waits for a line on stdin to handle
// it ("handled ID"). It runs until its stdin closes or it is killed.
func memberProcess() int {
	url, mode, _ := strings.Cut(os.Getenv(memberProcessEnv), " ")
	reg, err := redisreg.Open(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer reg.Close()
	tokens, eof := make(chan struct{}), make(chan struct{})
	go func() {
		s := bufio.NewScanner(os.Stdin)
		for s.Scan() {
			select {
			case tokens <- struct{}{}:
			case <-eof:
			}
		}
		close(eof)
		close(tokens)
	}()
	opts := []Option{WithRegistry(reg), WithPool("q"), WithWorkers(4), testBeat}
	if mode == "hub" {
		opts = append(opts, WithHub())
	}
	var mu sync.Mutex
	l, err := NewListener(func(_ context.Context, n *Notification) Result {
		mu.Lock()
		fmt.Println("holding " + n.MessageID)
		mu.Unlock()
		if _, ok := <-tokens; !ok {
			return Requeue // stopping
		}
		mu.Lock()
		fmt.Println("handled " + n.MessageID)
		mu.Unlock()
		return Handled
	}, opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := l.Start(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	mu.Lock()
	fmt.Println("ready")
	mu.Unlock()
	<-eof
	_ = l.Stop(ctx)
	return 0
}

// startMember starts a pool member process (memberProcess) and waits for its "ready".
func startMember(t *testing.T, url string, hub bool) *childtest.Child {
	t.Helper()
	if hub {
		url += " hub"
	}
	c := childtest.Start(t, "member process", memberProcessEnv+"="+url)
	c.Expect(t, "ready")
	return c
}

// A pool member in another process, SIGKILLed mid-flood while it holds its credit's worth of
// notifications: what it took and never acknowledged goes to the other member once its
// heartbeats stop, so every notification is handled, once. Redis discovery, direct and through
// a hub.
//
// The kill waits until the member holds a full credit of notifications it has not handled:
// the dispatcher sends one only for an acknowledgement it has received, so then every
// notification the member handled is acknowledged, and exactly its credit is handed over.
// Killed any earlier, the member may have handled notifications whose acknowledgements never
// got out; those are handed over too (and handled twice) but only once its heartbeats stop,
// after the survivor may already have handled all the rest — a count taken then is a race.
func TestMemberProcessKilled(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			const total, killAt, credit = 1000, 50, 4
			w := redisWorld(t, mode)
			n := w.notifier("p1")
			var mu sync.Mutex
			handled := map[string]int{}
			complete := make(chan struct{})
			count := func(id string) {
				mu.Lock()
				defer mu.Unlock()
				handled[id]++
				if len(handled) == total && handled[id] == 1 {
					close(complete)
				}
			}
			killed := make(chan struct{})
			// The survivor holds what it takes until the kill, so the flood is still on then.
			w.listener(func(hctx context.Context, x *Notification) Result {
				select {
				case <-killed:
				case <-hctx.Done(): // the test failed and stops
					return Handled
				}
				count(x.MessageID)
				return Handled
			}, WithPool("q"), WithWorkers(credit))
			child := startMember(t, w.url, w.hub)
			ctx := testCtx(t)
			for i := range total {
				if err := n.Info(ctx, "flood", map[string]int{"n": i}); err != nil {
					t.Fatal(err)
				}
			}
			// The member handles killAt notifications, then holds the next ones (its credit)
			// waiting for a word from us, and is killed.
			if _, err := io.WriteString(child.Input, strings.Repeat("go\n", killAt)); err != nil {
				t.Fatal(err)
			}
			held := map[string]bool{}
			for k := 0; k < killAt || len(held) < credit; {
				line := child.Next(t)
				if id, ok := strings.CutPrefix(line, "holding "); ok {
					held[id] = true
				} else if id, ok := strings.CutPrefix(line, "handled "); ok {
					delete(held, id)
					count(id)
					k++
				}
			}
			if err := child.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			for _, l := range child.Rest() { // what it printed before it died
				if id, ok := strings.CutPrefix(l, "handled "); ok {
					count(id)
				}
			}
			close(killed)
			select {
			case <-complete:
			case <-ctx.Done():
				mu.Lock()
				t.Fatalf("%d of %d notifications handled", len(handled), total)
			}
			mu.Lock()
			defer mu.Unlock()
			twice := 0
			for _, k := range handled {
				twice += k - 1
			}
			st := n.Stats()
			if w.hub {
				st = w.hubs[0].Stats()
			}
			t.Logf("%s: %d notifications, all handled; %d handed over from the killed member, %d handled twice",
				mode, total, st.Redelivered, twice)
			if twice != 0 {
				t.Errorf("%d handled twice; the killed member handled nothing it had not acknowledged", twice)
			}
			for id := range held {
				if handled[id] != 1 {
					t.Errorf("%s, held by the killed member, handled %d times", id, handled[id])
				}
			}
			if st.Redelivered != credit {
				t.Errorf("%d handed over from the killed member, want its credit %d: %+v", st.Redelivered, credit, st)
			}
		})
	}
}
