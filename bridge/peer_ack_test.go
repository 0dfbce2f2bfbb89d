package bridge

import (
	"context"
	"encoding/binary"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	zmq "github.com/purezmq/zmq"
)

// heldDelivery is a delivery whose Ack waits until the test lets it finish, as a broker's does
// while its acknowledgement is on the wire.
type heldDelivery struct {
	acking, release chan struct{}
}

func (d *heldDelivery) Message() Message { return Message{Body: []byte("m")} }

func (d *heldDelivery) Ack(ctx context.Context) error {
	close(d.acking)
	select {
	case <-d.release:
	case <-ctx.Done():
	}
	return nil
}

func (d *heldDelivery) Reject(context.Context, bool) error { return nil }

// TestPeerAckDrainWaitsForTheAck: a stopping route's drain returns only once the broker has the
// acknowledgement of each answered delivery, not when the answer is read: the route disconnects
// from the broker right after, and an acknowledgement still on its way is lost (the broker
// delivers the message again; TestPeerAck saw it as a message back in the queue).
func TestPeerAckDrainWaitsForTheAck(t *testing.T) {
	zc := zmq.NewContext()
	defer zc.Close()
	bridgeSide, err := zc.NewSocket(zmq.DEALER)
	if err != nil {
		t.Fatal(err)
	}
	defer bridgeSide.Close()
	peer, err := zc.NewSocket(zmq.DEALER)
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	if err := bridgeSide.Bind("inproc://peer-ack-drain"); err != nil {
		t.Fatal(err)
	}
	if err := peer.Connect("inproc://peer-ack-drain"); err != nil {
		t.Fatal(err)
	}
	x := newRunner(&Route{Name: "held", PeerAck: true, AckTimeout: time.Hour}, bridgeSide, NewMetrics(prometheus.NewRegistry()))
	acks := newPeerAcks(x)
	defer acks.close()
	ctx, cancel := context.WithCancel(context.Background())
	reading := make(chan struct{})
	go func() {
		defer close(reading)
		acks.read(ctx)
	}()
	defer func() {
		cancel()
		<-reading
	}()

	d := &heldDelivery{acking: make(chan struct{}), release: make(chan struct{})}
	x.m.pending.Inc()
	id, _ := acks.add(d, [][]byte{[]byte("m")})
	if err := peer.Send(ctx, zmq.NewMsg(binary.BigEndian.AppendUint64(nil, id))); err != nil {
		t.Fatal(err)
	}
	<-d.acking // the answer was read and the acknowledgement is under way
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		acks.drain(ctx)
	}()
	select {
	case <-drained:
		t.Fatal("drain returned while the acknowledgement was still on its way")
	case <-time.After(50 * time.Millisecond): // a negative: nothing may come in this while
	}
	close(d.release)
	<-drained
}
