package mechanism

import (
	"errors"
	"testing"

	"github.com/purezmq/zmq/internal/zerr"
)

// TestPrepareRemembersOnlyWhatPassed: a configuration checked once is not checked again, but
// every key the check looked at names it, so a wrong public key, a missing or low-order server
// key or the other side still fail after the right ones passed, each time.
func TestPrepareRemembersOnlyWhatPassed(t *testing.T) {
	spub, ssec := keyPair()
	cpub, csec := keyPair()
	other, _ := keyPair()
	var lowOrder key // all zeros is a low-order point; isZero refuses it first, so use 1
	lowOrder[0] = 1
	client := Config{Mechanism: Curve, SecretKey: csec, ServerKey: spub}
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"derives", client, true},
		{"given", Config{Mechanism: Curve, SecretKey: csec, PublicKey: cpub, ServerKey: spub}, true},
		{"wrongPublic", Config{Mechanism: Curve, SecretKey: csec, PublicKey: other, ServerKey: spub}, false},
		{"noServerKey", Config{Mechanism: Curve, SecretKey: csec, PublicKey: cpub}, false},
		{"lowOrderServerKey", Config{Mechanism: Curve, SecretKey: csec, PublicKey: cpub, ServerKey: lowOrder}, false},
		{"server", Config{Mechanism: Curve, Server: true, SecretKey: ssec}, true},
		{"serverWrongPublic", Config{Mechanism: Curve, Server: true, SecretKey: ssec, PublicKey: cpub}, false},
		{"noSecret", Config{Mechanism: Curve, ServerKey: spub}, false},
	}
	for round := range 3 { // the first fills the cache, the others read it
		for _, tt := range tests {
			c := tt.cfg
			err := c.Prepare()
			if (err == nil) != tt.ok {
				t.Fatalf("round %d %s: %v, want ok %v", round, tt.name, err, tt.ok)
			}
			if err != nil && !errors.Is(err, zerr.ErrOption) {
				t.Fatalf("round %d %s: %v is not an option error", round, tt.name, err)
			}
			if err == nil && c.PublicKey != publicKey(&c.SecretKey) {
				t.Fatalf("round %d %s: public key %x is not the secret key's", round, tt.name, c.PublicKey)
			}
		}
	}
}
