package rabbittest

import (
	"errors"
	"testing"
)

// Start runs a broker for t, stopped when t ends; the test is skipped, saying so, when
// rabbitmq-server is not installed.
func Start(t testing.TB) *Broker {
	t.Helper()
	b, err := Run(t.TempDir())
	if errors.Is(err, ErrNotInstalled) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Stop)
	return b
}
