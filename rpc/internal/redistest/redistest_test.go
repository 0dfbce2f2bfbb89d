package redistest

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestStartStopRestart(t *testing.T) {
	s := Start(t)
	if err := ping(s.Addr()); err != nil {
		t.Fatalf("a started server: %v", err)
	}
	port := s.Port
	s.Stop()
	if err := ping(s.Addr()); err == nil {
		t.Fatal("a stopped server answers PING")
	}
	s.Restart()
	if s.Port != port {
		t.Fatalf("restarted on port %d, want %d", s.Port, port)
	}
	if err := ping(s.Addr()); err != nil {
		t.Fatalf("a restarted server: %v", err)
	}
	s.Kill()
	if err := ping(s.Addr()); err == nil {
		t.Fatal("a killed server answers PING")
	}
}

func TestSentinel(t *testing.T) {
	m := Start(t)
	s := StartSentinel(t, m, "mymaster")
	if err := ping(s.Addr()); err != nil {
		t.Fatalf("Sentinel: %v", err)
	}
}
