package zmq_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	zmq "github.com/purezmq/zmq"
)

// TestSendKeepsNoFrameList: Send keeps the frames it is given, not the caller's list of them,
// so a caller may refill one list for every message; and the list a receiver gets is its own
// (appending to it touches no other message). SendCopy keeps neither, so a caller may also
// refill one buffer per frame for every message. Small messages, whose lists (and copies) the
// socket carves from shared storage, and bigger ones (over 1 KiB, or of many frames) with
// storage of their own; one peer and two subscribers sharing each message (a publisher's log).
func TestSendKeepsNoFrameList(t *testing.T) {
	cases := []struct {
		name   string
		frames int
		size   int // bytes a frame
	}{
		{"one small frame", 1, 10},
		{"three small frames", 3, 10},
		{"one big frame", 1, 5000},
		{"three frames, big together", 3, 600},
		{"many small frames", 12, 10},
	}
	const count = 200 // more than one carved array's worth
	forEachTransport(t, func(t *testing.T, tr transport) {
		for _, tc := range cases {
			for _, copying := range []bool{false, true} {
				name := tc.name
				if copying {
					name += ", SendCopy"
				}
				t.Run(name, func(t *testing.T) {
					payload := func(i, f int) []byte {
						return bytes.Repeat([]byte{byte(i), byte(f)}, tc.size/2)
					}
					// checkAll receives the count messages; first, when not nil, is the first of them.
					checkAll := func(t *testing.T, s *zmq.Socket, first *zmq.Msg) {
						t.Helper()
						var prev zmq.Msg
						for i := range count {
							var m zmq.Msg
							if i == 0 && first != nil {
								m = *first
							} else {
								m = recvWithin(t, s, waitLong)
							}
							if len(m.Frames) != tc.frames {
								t.Fatalf("message %d has %d frames, want %d", i, len(m.Frames), tc.frames)
							}
							for f, got := range m.Frames {
								if !bytes.Equal(got, payload(i, f)) {
									t.Fatalf("message %d frame %d is %.4x..., want %.4x...", i, f, got, payload(i, f))
								}
							}
							if prev.Frames != nil {
								_ = append(prev.Frames, []byte("appended")) // must not reach m
								if !bytes.Equal(m.Frames[len(m.Frames)-1], payload(i, len(m.Frames)-1)) {
									t.Fatalf("appending to message %d's list changed message %d", i-1, i)
								}
							}
							prev = m
						}
					}
					send := func(s *zmq.Socket) {
						list := make([][]byte, tc.frames) // one list, refilled for every message
						bufs := make([][]byte, tc.frames) // SendCopy: one buffer a frame, too
						for f := range bufs {
							bufs[f] = make([]byte, tc.size/2*2)
						}
						for i := range count {
							var err error
							if copying {
								for f := range list {
									list[f] = bufs[f]
									copy(bufs[f], payload(i, f))
								}
								err = s.SendCopy(context.Background(), zmq.Msg{Frames: list})
							} else {
								for f := range list {
									list[f] = payload(i, f)
								}
								err = s.Send(context.Background(), zmq.Msg{Frames: list})
							}
							if err != nil {
								t.Fatalf("Send %d: %v", i, err)
							}
						}
						clear(list)
						for _, b := range bufs {
							for j := range b {
								b[j] = 0xee
							}
						}
					}

					t.Run("PUSH to PULL", func(t *testing.T) {
						push, pull := newSocket(t, zmq.PUSH), newSocket(t, zmq.PULL)
						link(t, tr, pull, push)
						send(push)
						checkAll(t, pull, nil)
					})
					t.Run("PUB to two SUBs", func(t *testing.T) {
						pub := newSocket(t, zmq.PUB)
						ep := bind(t, pub, tr.wildcard())
						subs := []*zmq.Socket{newSocket(t, zmq.SUB), newSocket(t, zmq.SUB)}
						for i, s := range subs {
							subscribe(t, s, "", fmt.Sprint(i, "sync"))
							connect(t, s, ep)
							syncSub(t, pub, s, fmt.Sprint(i, "sync"))
						}
						send(pub)
						for _, s := range subs {
							m := recvWithin(t, s, waitLong)
							for isSync(m) { // what is left of the syncing comes first
								m = recvWithin(t, s, waitLong)
							}
							checkAll(t, s, &m)
						}
					})
				})
			}
		}
	})
}

// TestSendCopyErrors: SendCopy fails as Send does, and changes nothing by failing (a Send right
// after it fails the same way): no frame, a closed socket, REQ out of turn, ROUTER_MANDATORY to
// an unknown peer, a done ctx with no peer.
func TestSendCopyErrors(t *testing.T) {
	done, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		name string
		open func(t *testing.T) *zmq.Socket
		ctx  context.Context
		msg  zmq.Msg
		want error
	}{
		{"no frame", func(t *testing.T) *zmq.Socket { return newSocket(t, zmq.PUSH) }, context.Background(), zmq.Msg{}, zmq.ErrInvalid},
		{"closed", func(t *testing.T) *zmq.Socket {
			s := newSocket(t, zmq.PUSH)
			s.Close()
			return s
		}, context.Background(), zmq.NewMsgString("x"), zmq.ErrClosed},
		{"REQ out of turn", func(t *testing.T) *zmq.Socket {
			req, rep := newSocket(t, zmq.REQ), newSocket(t, zmq.REP)
			link(t, transports[0], rep, req)
			if err := req.SendCopy(context.Background(), zmq.NewMsgString("first")); err != nil {
				t.Fatal(err)
			}
			return req
		}, context.Background(), zmq.NewMsgString("second"), zmq.ErrState},
		{"ROUTER_MANDATORY, unknown peer", func(t *testing.T) *zmq.Socket {
			return newSocket(t, zmq.ROUTER, zmq.WithRouterMandatory(true))
		}, context.Background(), zmq.NewMsgString("nobody", "x"), zmq.ErrHostUnreachable},
		{"done ctx, no peer", func(t *testing.T) *zmq.Socket { return newSocket(t, zmq.PUSH) }, done, zmq.NewMsgString("x"), zmq.ErrAgain},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.open(t)
			if err := s.SendCopy(tc.ctx, tc.msg); !errors.Is(err, tc.want) {
				t.Fatalf("SendCopy: %v, want %v", err, tc.want)
			}
			if err := s.Send(tc.ctx, tc.msg); !errors.Is(err, tc.want) {
				t.Fatalf("Send after it: %v, want %v as well", err, tc.want)
			}
		})
	}
}
