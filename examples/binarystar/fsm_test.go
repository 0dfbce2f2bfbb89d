package main

import (
	"errors"
	"testing"
)

// TestStep: every state and event of the guide's table, with the peer alive and silent.
func TestStep(t *testing.T) {
	for _, tc := range []struct {
		s      state
		e      event
		silent bool
		want   state
		err    error
	}{
		{statePrimary, peerPrimary, false, statePrimary, nil},
		{statePrimary, peerBackup, false, stateActive, nil},
		{statePrimary, peerActive, false, statePassive, nil},
		{statePrimary, peerPassive, false, statePrimary, nil},
		{statePrimary, clientRequest, false, statePrimary, nil},
		{statePrimary, clientRequest, true, statePrimary, nil},

		{stateBackup, peerPrimary, false, stateBackup, nil},
		{stateBackup, peerBackup, false, stateBackup, nil},
		{stateBackup, peerActive, false, statePassive, nil},
		{stateBackup, peerPassive, false, stateBackup, nil},
		{stateBackup, clientRequest, false, stateBackup, errRejected},
		{stateBackup, clientRequest, true, stateBackup, errRejected},

		{stateActive, peerPrimary, false, stateActive, nil},
		{stateActive, peerBackup, false, stateActive, nil},
		{stateActive, peerActive, false, stateActive, errDualActive},
		{stateActive, peerPassive, false, stateActive, nil},
		{stateActive, clientRequest, false, stateActive, nil},
		{stateActive, clientRequest, true, stateActive, nil},

		{statePassive, peerPrimary, false, stateActive, nil},
		{statePassive, peerBackup, false, stateActive, nil},
		{statePassive, peerActive, false, statePassive, nil},
		{statePassive, peerPassive, false, statePassive, errDualPassive},
		{statePassive, clientRequest, false, statePassive, errRejected},
		{statePassive, clientRequest, true, stateActive, nil},
	} {
		got, err := step(tc.s, tc.e, tc.silent)
		if got != tc.want || !errors.Is(err, tc.err) || (err == nil) != (tc.err == nil) {
			t.Errorf("step(%v, %v, silent %v) = %v, %v; want %v, %v", tc.s, tc.e, tc.silent, got, err, tc.want, tc.err)
		}
	}
}

// TestParsePeerState: the four states are events; anything else is an error.
func TestParsePeerState(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want event
		ok   bool
	}{
		{"1", peerPrimary, true}, {"2", peerBackup, true}, {"3", peerActive, true}, {"4", peerPassive, true},
		{"5", 0, false}, {"0", 0, false}, {"", 0, false}, {"active", 0, false}, {"-1", 0, false},
	} {
		got, err := parsePeerState([]byte(tc.in))
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("parsePeerState(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}
