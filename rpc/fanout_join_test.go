package rpc

import (
	"context"
	"fmt"
	"testing"

	"github.com/purezmq/zmq/rpc/internal/redistest"
	"github.com/purezmq/zmq/rpc/registry/redisreg"
)

// A fanout cast sent after a server's Start returned reaches that server, though the client's
// Watch of the registry (a Redis poll every second) has not seen it yet: a fanout asks the
// registry first. Each round a new server joins and a cast follows at once.
func TestFanoutReachesJustJoined(t *testing.T) {
	rs := redistest.Start(t)
	reg, err := redisreg.Open(rs.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	ctx := testCtx(t)
	target := Target{Topic: "joiners"}
	got := make(chan string, 64)
	join := func(name string) {
		t.Helper()
		tg := target
		tg.Server = name
		startServer(t, tg, func(s *Server) {
			if err := Handle(s, "hello", func(_ context.Context, round int) (struct{}, error) {
				got <- fmt.Sprintf("%s/%d", name, round)
				return struct{}{}, nil
			}); err != nil {
				t.Fatal(err)
			}
		}, WithRegistry(reg))
	}
	join("s0")
	cl, err := NewClient(target, WithRegistry(reg), WithFanout())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	const rounds = 8
	for round := 1; round <= rounds; round++ {
		name := fmt.Sprintf("s%d", round)
		join(name) // registered in Redis when it returns
		if err := cl.Cast(ctx, "hello", round); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		// Every server there is gets the round's cast, the one that just joined included.
		want := map[string]bool{}
		for i := 0; i <= round; i++ {
			want[fmt.Sprintf("s%d/%d", i, round)] = true
		}
		for len(want) > 0 {
			select {
			case g := <-got:
				if !want[g] {
					t.Fatalf("round %d: unexpected %s", round, g)
				}
				delete(want, g)
			case <-ctx.Done():
				t.Fatalf("round %d: never reached %v", round, want)
			}
		}
	}
}
