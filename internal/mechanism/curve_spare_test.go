package mechanism

import (
	"sync"
	"testing"

	"github.com/purezmq/zmq/zmtp"
)

// helloTransient returns the client transient key of the HELLO frame f.
func helloTransient(t *testing.T, f []byte) key {
	t.Helper()
	_, _, n, err := zmtp.ParseFrameHeader(f, handshakeLimit)
	if err != nil {
		t.Fatal(err)
	}
	cmd, err := zmtp.ParseCommand(f[n:])
	if err != nil {
		t.Fatal(err)
	}
	h, err := zmtp.ParseCurveHello(cmd)
	if err != nil {
		t.Fatal(err)
	}
	return h.ClientTransient
}

// A handshake's transient keys are the spares made after the one before, and each serves one
// connection: the client's HELLO carries the spare made for that server key, the spare is gone
// once taken, and a new one is made after the handshake.
func TestHandshakeTakesSpares(t *testing.T) {
	k := newFuzzKeys()
	var asked [][]byte
	scfg, ccfg := k.curveConfigs(&asked)
	seen := map[key]bool{}
	for round := range 4 {
		spares.refills.Wait()
		spares.mu.Lock()
		want, server := spares.client[k.spub], spares.server
		spares.mu.Unlock()
		if round > 0 && (want == nil || server == nil) {
			t.Fatalf("round %d: no spare made after the handshake before (client %v, server %v)", round, want != nil, server != nil)
		}
		var sent key
		s, c := run(scfg, ccfg, nil, func(i int, f []byte) []byte {
			if i == 0 {
				sent = helloTransient(t, f)
			}
			return f
		})
		if s.err != nil || c.err != nil {
			t.Fatalf("round %d: server %v, client %v", round, s.err, c.err)
		}
		if want != nil && sent != want.pub {
			t.Fatalf("round %d: HELLO carries %x, the spare was %x", round, sent[:4], want.pub[:4])
		}
		if seen[sent] {
			t.Fatalf("round %d: transient key %x used twice", round, sent[:4])
		}
		seen[sent] = true
	}
	spares.refills.Wait()
}

// Spares taken at once by many handshakes are each handed out once, and each HELLO key is the
// box key between its own transient key and the server's.
func TestSparesHandedOutOnce(t *testing.T) {
	spub, ssec := keyPair()
	const n = 64
	got := make([]helloSpare, n)
	servers := make([]key, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			h, err := spares.clientHello(&spub)
			if err != nil {
				t.Error(err)
				return
			}
			got[i] = h
			spares.refillClient(spub)
			servers[i], _ = spares.serverTransient()
			spares.refillServer()
		})
	}
	wg.Wait()
	spares.refills.Wait()
	client, server := map[key]bool{}, map[key]bool{}
	for i, h := range got {
		if client[h.pub] || server[servers[i]] {
			t.Fatalf("a transient key handed out twice (#%d)", i)
		}
		client[h.pub], server[servers[i]] = true, true
		var want key
		if err := sharedKey(&want, &h.pub, newSecret(&ssec)); err != nil || want != h.hello {
			t.Fatalf("#%d: HELLO key is not C'<->S (%v)", i, err)
		}
	}
}

// However many server keys a client talks to, the spares kept stay bounded, and a low-order
// server key gets none.
func TestSparesBounded(t *testing.T) {
	for range 3 * spareKeysMax {
		pub, _ := newTransient()
		spares.refillClient(pub)
	}
	var zero key
	spares.refillClient(zero)
	spares.refills.Wait()
	spares.mu.Lock()
	n, zeroSpare := len(spares.client), spares.client[zero] != nil
	spares.mu.Unlock()
	if n > spareKeysMax {
		t.Fatalf("%d spares kept, at most %d", n, spareKeysMax)
	}
	if zeroSpare {
		t.Fatal("a spare for the all-zero server key")
	}
	if _, err := spares.clientHello(&zero); err == nil {
		t.Fatal("a HELLO key for the all-zero server key")
	}
}
