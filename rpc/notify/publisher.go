package notify

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"sync"
	"sync/atomic"

	zmq "github.com/purezmq/zmq"
)

// publisher is the XPUB listeners outside pools subscribe to. It answers their welcome
// subscriptions (the handshake) and numbers its notifications per topic, so that a listener
// sees what it lost.
type publisher struct {
	sock   *zmq.Socket
	stream uint64 // random per publisher: a restart starts new sequences
	done   chan struct{}

	mu  sync.Mutex
	seq map[string]uint64 // topic → last sequence sent

	sent, welcomes, garbage atomic.Uint64
}

// maxSeqTopics bounds the topics numbered; a hub fed endless topic names stops numbering new
// ones (sequence 0: not numbered) rather than grow.
const maxSeqTopics = 4096

func newPublisher(zc *zmq.Context, bind string, hwm int, extra []zmq.Option) (*publisher, error) {
	opts := append([]zmq.Option{zmq.WithSendHWM(hwm), zmq.WithLinger(0), zmq.WithMaxMsgSize(1024)}, extra...)
	s, err := zc.NewSocket(zmq.XPUB, opts...)
	if err != nil {
		return nil, err
	}
	if err := s.Bind(bind); err != nil {
		_ = s.Close()
		return nil, err
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	p := &publisher{sock: s, stream: binary.BigEndian.Uint64(b[:]) | 1, seq: map[string]uint64{}, done: make(chan struct{})}
	go p.welcome()
	return p, nil
}

func (p *publisher) endpoint() string { return p.sock.LastEndpoint() }

// welcome reads the subscriptions and answers each welcome one. Subscriptions of one
// connection are applied in order, so the listener's real ones are in place by then.
func (p *publisher) welcome() {
	defer close(p.done)
	for {
		m, err := p.sock.Recv(context.Background())
		if err != nil {
			if errors.Is(err, zmq.ErrClosed) {
				return
			}
			continue
		}
		f := m.Frames
		if len(f) == 1 && len(f[0]) > 0 && f[0][0] == 1 && isWelcome(f[0][1:]) {
			p.welcomes.Add(1)
			_ = p.sock.Send(doneCtx, zmq.NewMsg(welcomeMsg(f[0][1:])...))
			continue
		}
		if len(f) != 1 || len(f[0]) == 0 || f[0][0] > 1 {
			p.garbage.Add(1) // an XPUB passes on a subscriber's other messages
		}
	}
}

// publish sends [topic, header, body] to the subscribers of topic; a subscriber at its HWM
// loses its copy (and sees the gap in the sequence).
func (p *publisher) publish(topic string, body []byte) {
	p.mu.Lock()
	seq, ok := p.seq[topic]
	if ok || len(p.seq) < maxSeqTopics {
		seq++
		p.seq[topic] = seq
	}
	h := header{kind: kindNotify, id: seq, aux: p.stream}.marshal()
	// Under the lock, so that the sequence goes out in order.
	_ = p.sock.Send(doneCtx, zmq.NewMsg([]byte(topic), h, body))
	p.mu.Unlock()
	p.sent.Add(1)
}

func (p *publisher) close() {
	_ = p.sock.Close()
	<-p.done
}

// doneCtx makes a Send non-blocking: XPUB drops at a subscriber's HWM anyway.
var doneCtx = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()
