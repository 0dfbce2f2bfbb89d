package socket

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"testing"
	"testing/synctest"
	"unsafe"

	"github.com/purezmq/zmq/internal/pipe"
)

// TestSendListsCarveSmallOnly: small messages' lists are carved one after another from the
// socket's array, each capped at its length; a message over pipe.SmallListBytes, or with many
// frames, gets a list of its own and takes no place in the array (which would keep its big
// frames alive with its neighbours'). Copying (SendCopy) carves the same lists, and the copied
// frames, each capped at its length, are the socket's: a small message's carved from its slab
// one after another, a big one's elsewhere.
func TestSendListsCarveSmallOnly(t *testing.T) {
	small := pipe.Msg{[]byte("a")}
	cases := []struct {
		name   string
		msg    pipe.Msg
		carved bool
	}{
		{"one small frame", small, true},
		{"three small frames", pipe.Msg{{1}, {2}, {3}}, true},
		{"SmallListBytes", pipe.Msg{make([]byte, pipe.SmallListBytes)}, true},
		{"one byte more", pipe.Msg{make([]byte, pipe.SmallListBytes/2), make([]byte, pipe.SmallListBytes/2+1)}, false},
		{"many frames", make(pipe.Msg, pipe.SmallListFrames+1), false},
	}
	slot := unsafe.Sizeof([]byte(nil))
	for _, tc := range cases {
		for _, copyFrames := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/copy=%v", tc.name, copyFrames), func(t *testing.T) {
				var l sendLists
				before := l.own(small, copyFrames)
				m := l.own(tc.msg, copyFrames)
				after := l.own(small, copyFrames)
				if len(m) != len(tc.msg) || cap(m) != len(m) {
					t.Fatalf("list of len %d cap %d, want len and cap %d", len(m), cap(m), len(tc.msg))
				}
				for i := range m {
					same := len(m[i]) > 0 && &m[i][0] == &tc.msg[i][0]
					if !bytes.Equal(m[i], tc.msg[i]) || len(m[i]) > 0 && same == copyFrames || copyFrames && cap(m[i]) != len(m[i]) {
						t.Fatalf("frame %d: equal %v, the one given %v (cap %d)", i, bytes.Equal(m[i], tc.msg[i]), same, cap(m[i]))
					}
				}
				if copyFrames {
					end := uintptr(unsafe.Pointer(unsafe.SliceData(before[0]))) + uintptr(len(before[0]))
					carvedBytes := len(m[0]) > 0 && uintptr(unsafe.Pointer(&m[0][0])) == end
					if carvedBytes != tc.carved {
						t.Fatalf("frames copied next to the previous message's: %v, want %v", carvedBytes, tc.carved)
					}
				}
				if &m[0] == &tc.msg[0] {
					t.Fatal("the caller's list was kept")
				}
				at := func(x pipe.Msg) uintptr { return uintptr(unsafe.Pointer(&x[0])) }
				gotCarved := at(m) == at(before)+slot
				nextAfter := at(before) + slot
				if gotCarved {
					nextAfter += uintptr(len(m)) * slot
				}
				if gotCarved != tc.carved || at(after) != nextAfter {
					t.Fatalf("carved %v (the next small list at +%d), want carved %v", gotCarved, at(after)-at(before), tc.carved)
				}
			})
		}
	}
}

// TestPublisherListsGoToTheLog: a PUB whose connections share a log copies each message's list
// there (pipe.Log.Own), and carves none of its own; with one connection, which has no log, it
// carves as any socket does.
func TestPublisherListsGoToTheLog(t *testing.T) {
	for _, subs := range []int{1, 2} {
		t.Run(fmt.Sprintf("subscribers=%d", subs), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				o := DefaultOptions()
				o.Linger = 0
				s, err := New(NewContext(), PUB, o)
				if err != nil {
					t.Fatal(err)
				}
				var peers []net.Conn
				for range subs {
					peer, _ := rawSubscriber(t, s)
					peers = append(peers, peer)
				}
				defer func() {
					s.Close()
					for _, p := range peers {
						p.Close()
					}
					synctest.Wait()
				}()
				synctest.Wait() // attached, and subscribed to topic(0) on
				frames := [][]byte{topic(0), []byte("body")}
				for range 3 * sendListsLen {
					if err := s.Send(context.Background(), pipe.Msg{frames[0], frames[1]}); err != nil {
						t.Fatal(err)
					}
				}
				s.mu.Lock()
				carved := s.lists.free != nil
				s.mu.Unlock()
				if want := subs == 1; carved != want {
					t.Fatalf("with %d subscribers the socket carved lists of its own: %v, want %v", subs, carved, want)
				}
			})
		})
	}
}
