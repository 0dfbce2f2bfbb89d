package interop

import (
	"testing"
	"time"

	zmq4 "github.com/pebbe/zmq4"
	"github.com/purezmq/zmq"
)

// TestHeartbeat has libzmq PING a purezmq peer every 10 ms and drop the connection if nothing
// comes back within 50 ms: purezmq's PONGs must keep it up, over an idle connection that then
// still carries messages.
func TestHeartbeat(t *testing.T) {
	for _, tr := range transports {
		t.Run("ROUTER-DEALER/"+tr+"/pure-binds", func(t *testing.T) {
			ps := newPure(t, zmq.ROUTER)
			ctx := newLibCtx(t)
			ls := newLib(t, ctx, zmq.DEALER)
			for _, err := range []error{
				ls.SetIdentity("libzmq-dealer"),
				ls.SetHeartbeatIvl(10 * time.Millisecond),
				ls.SetHeartbeatTimeout(50 * time.Millisecond),
			} {
				if err != nil {
					t.Fatal(err)
				}
			}
			mon := newMonitor(t, ctx, ls)
			if err := ls.Connect(pureBind(t, ps, bindAddr(t, tr))); err != nil {
				t.Fatal(err)
			}
			mon.await(t, zmq4.EVENT_HANDSHAKE_SUCCEEDED)
			mon.none(t, zmq4.EVENT_DISCONNECTED) // idle for 20 heartbeats
			dealer, router := end{peer: libPeer{ls}, id: []byte("libzmq-dealer")}, end{peer: purePeer{ps}}
			dealerRouter(t, dealer, router, [][]byte{[]byte("still there")})
		})
	}
}
