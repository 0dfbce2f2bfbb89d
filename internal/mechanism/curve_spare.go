package mechanism

import "sync"

// A CURVE handshake is a chain of X25519s, each side waiting for the other's answer before its
// next one. Two links of the chain do not depend on the peer at all: the client's transient key
// pair with its HELLO key (C' and C'<->S, for the server key it was configured with), and the
// server's transient key pair. Both are made ahead, off the chain: a handshake takes the spare
// made for it, if any, and once its own X25519s are done has the next one made by a goroutine,
// while it waits for the peer's last word. A program that connects again, or to many peers,
// finds one ready. A spare is taken out before use, so no transient key serves two connections;
// one dropped is wiped.

const spareKeysMax = 16 // server keys with a client spare; more and the spares start afresh

// helloSpare is a client's transient key pair with its HELLO key for one server key.
type helloSpare struct {
	pub   key
	sec   secret
	hello key // C'<->S: HELLO's box and WELCOME's
}

// wipe forgets the spare's keys (crypto/ecdh keeps its own copy of the secret, out of reach).
func (h *helloSpare) wipe() {
	h.sec = nil
	wipe(h.hello[:])
}

type spareKeys struct {
	mu         sync.Mutex
	server     *helloSpare // a server transient pair (hello unused)
	serverBusy bool
	client     map[key]*helloSpare // by server public key
	clientBusy map[key]bool

	refills sync.WaitGroup // tests wait for the refills to end
}

var spares = spareKeys{client: map[key]*helloSpare{}, clientBusy: map[key]bool{}}

// serverTransient returns a transient key pair for a server handshake: the spare when there is one.
func (s *spareKeys) serverTransient() (pub key, sec secret) {
	s.mu.Lock()
	sp := s.server
	s.server = nil
	s.mu.Unlock()
	if sp == nil {
		return newTransient()
	}
	return sp.pub, sp.sec
}

// refillServer has the next server transient pair made, unless one is there or on its way.
func (s *spareKeys) refillServer() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.server != nil || s.serverBusy {
		return
	}
	s.serverBusy = true
	s.refills.Add(1)
	go func() {
		defer s.refills.Done()
		sp := &helloSpare{}
		sp.pub, sp.sec = newTransient()
		s.mu.Lock()
		s.server, s.serverBusy = sp, false
		s.mu.Unlock()
	}()
}

// clientHello returns a client's transient key pair and HELLO key for the server key: the spare
// made for that key when there is one. It fails when the server key is a low-order point.
func (s *spareKeys) clientHello(server *key) (helloSpare, error) {
	s.mu.Lock()
	sp := s.client[*server]
	delete(s.client, *server)
	s.mu.Unlock()
	if sp != nil {
		return *sp, nil
	}
	return makeHello(server)
}

func makeHello(server *key) (helloSpare, error) {
	var h helloSpare
	h.pub, h.sec = newTransient()
	if err := sharedKey(&h.hello, server, h.sec); err != nil {
		h.wipe()
		return helloSpare{}, err
	}
	return h, nil
}

// refillClient has the next spare for the server key made, unless one is there or on its way.
func (s *spareKeys) refillClient(server key) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client[server] != nil || s.clientBusy[server] {
		return
	}
	if len(s.client)+len(s.clientBusy) >= spareKeysMax {
		for k, sp := range s.client {
			sp.wipe()
			delete(s.client, k)
		}
		if len(s.clientBusy) >= spareKeysMax {
			return // as many on their way as are kept: this key waits for a later handshake
		}
	}
	s.clientBusy[server] = true
	s.refills.Add(1)
	go func() {
		defer s.refills.Done()
		h, err := makeHello(&server)
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.clientBusy, server)
		if err == nil {
			s.client[server] = &h
		}
	}()
}
