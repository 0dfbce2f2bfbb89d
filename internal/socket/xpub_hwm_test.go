package socket

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"testing"
	"testing/synctest"

	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/zmtp"
)

// Subscriptions an XPUB hands its application (XPUB_VERBOSE, XPUB_MANUAL) queue like any
// inbound message: within RCVHWM, the connection waiting (and so its peer) while the
// application's queue is full, and none dropped. A PUB, which has no such queue, takes them
// all as they come. These tests run in a synctest bubble over net.Pipe, so "everything that
// can happen has happened" is synctest.Wait.

const (
	floodHWM  = 10
	floodSubs = 5000 // 80 KB of SUBSCRIBE commands: more than a read buffer holds
)

func topic(i int) []byte { return fmt.Appendf(nil, "t%05d", i) }

// rawSubscriber serves s over net.Pipe with a raw ZMTP peer that completes a NULL handshake as
// a SUB, reads and discards all s writes, and then sends floodSubs SUBSCRIBE commands. done is
// closed when all have been written. Closing the returned conn ends it all.
func rawSubscriber(t *testing.T, s *Socket) (peer net.Conn, done <-chan struct{}) {
	t.Helper()
	server, client := net.Pipe()
	go func() { _ = s.serve(server, "pipe", s.opts(), nil, nil) }()
	go func() { _, _ = io.Copy(io.Discard, client) }()
	var flood []byte
	flood = zmtp.Greeting{Major: 3, Minor: 1, Mechanism: "NULL"}.Append(flood)
	flood = zmtp.AppendReady(flood, zmtp.Metadata{{Name: zmtp.PropSocketType, Value: []byte("SUB")}})
	for i := range floodSubs {
		flood = zmtp.AppendSubscribe(flood, topic(i))
	}
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		_, _ = client.Write(flood)
	}()
	return client, wrote
}

func isDone(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

func TestXPubSubscriptionsHonourRcvHWM(t *testing.T) {
	for _, mode := range []string{"verbose", "manual"} {
		t.Run(mode, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				o := DefaultOptions()
				o.RecvHWM, o.Linger = floodHWM, 0
				o.XPubVerbose, o.XPubManual = mode == "verbose", mode == "manual"
				s, err := New(NewContext(), XPUB, o)
				if err != nil {
					t.Fatal(err)
				}
				peer, wrote := rawSubscriber(t, s)
				defer func() {
					s.Close()
					peer.Close()
					synctest.Wait()
				}()
				synctest.Wait() // the application has read nothing yet
				if n := s.inbox.Len(); n > floodHWM {
					t.Fatalf("the application's queue holds %d subscriptions, RCVHWM is %d", n, floodHWM)
				}
				if isDone(wrote) {
					t.Fatal("the peer wrote its whole flood: the connection kept reading past RCVHWM")
				}
				for i := range floodSubs { // every request reaches the application, in order
					m, _, err := s.Recv(context.Background())
					if err != nil {
						t.Fatalf("Recv %d: %v", i, err)
					}
					if want := append([]byte{1}, topic(i)...); len(m) != 1 || !bytes.Equal(m[0], want) {
						t.Fatalf("message %d is %q, want %q", i, m, want)
					}
					if n := s.inbox.Len(); n > floodHWM {
						t.Fatalf("after %d Recvs the queue holds %d, RCVHWM is %d", i+1, n, floodHWM)
					}
				}
				synctest.Wait()
				if !isDone(wrote) {
					t.Fatal("the peer's flood is still not written once the application read it all")
				}
			})
		})
	}
}

// TestPubTakesSubscriptionsAsTheyCome: a PUB's RCVHWM does not hold subscriptions back.
func TestPubTakesSubscriptionsAsTheyCome(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := DefaultOptions()
		o.RecvHWM, o.Linger = floodHWM, 0
		s, err := New(NewContext(), PUB, o)
		if err != nil {
			t.Fatal(err)
		}
		peer, wrote := rawSubscriber(t, s)
		defer func() {
			s.Close()
			peer.Close()
			synctest.Wait()
		}()
		synctest.Wait()
		if !isDone(wrote) {
			t.Fatal("a PUB stopped reading subscriptions")
		}
		s.mu.Lock()
		matched := s.pat.(*xpub).subs.matches(topic(floodSubs - 1))
		s.mu.Unlock()
		if !matched {
			t.Fatal("the last subscription is not applied")
		}
	})
}

// TestInprocXSubSubscriptionsWait: over inproc, an XSUB's Send of a subscription waits while
// the XPUB_VERBOSE peer's queue is full, and every one arrives once the application reads.
func TestInprocXSubSubscriptionsWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := NewContext()
		po := DefaultOptions()
		po.RecvHWM, po.Linger, po.XPubVerbose = floodHWM, 0, true
		xp, err := New(ctx, XPUB, po)
		if err != nil {
			t.Fatal(err)
		}
		so := DefaultOptions()
		so.SendHWM, so.Linger = floodHWM, 0
		xs, err := New(ctx, XSUB, so)
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			xs.Close()
			xp.Close()
		}()
		if err := xp.Bind("inproc://subs"); err != nil {
			t.Fatal(err)
		}
		if err := xs.Connect("inproc://subs"); err != nil {
			t.Fatal(err)
		}
		const subs = 200
		sent := make(chan error, 1)
		go func() {
			for i := range subs {
				if err := xs.Send(context.Background(), pipe.Msg{append([]byte{1}, topic(i)...)}); err != nil {
					sent <- err
					return
				}
			}
			sent <- nil
		}()
		synctest.Wait()
		if n, credit := xp.inbox.Len(), 2*floodHWM; n > credit {
			t.Fatalf("the XPUB's queue holds %d subscriptions, its inproc credit is %d", n, credit)
		}
		for i := range subs {
			m, _, err := xp.Recv(context.Background())
			if err != nil {
				t.Fatalf("Recv %d: %v", i, err)
			}
			if want := append([]byte{1}, topic(i)...); len(m) != 1 || !bytes.Equal(m[0], want) {
				t.Fatalf("message %d is %q, want %q", i, m, want)
			}
		}
		if err := <-sent; err != nil {
			t.Fatalf("XSUB Send: %v", err)
		}
	})
}
