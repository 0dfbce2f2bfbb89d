package parked

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func blockHere(c chan struct{}) {
	select {
	case <-c:
	case <-time.After(time.Hour):
	}
}

func TestParked(t *testing.T) {
	c := make(chan struct{})
	id := make(chan uint64)
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		id <- ID()
		blockHere(c)
	}()
	g := <-id
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := All(ctx, Where{"parked.blockHere", Select}, g); err != nil {
		t.Fatal(err)
	}
	if got := Blocked(Where{"parked.blockHere", IOWait}); got[g] {
		t.Fatal("a goroutine in select counted as in a read")
	}
	close(c)
	<-exited
	if got := Blocked(Where{"parked.blockHere", Select}); len(got) != 0 {
		t.Fatalf("goroutines %v that have returned counted as blocked", got)
	}
}
