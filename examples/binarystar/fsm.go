package main

import (
	"errors"
	"fmt"
	"strconv"
)

// state is a binary star server's state. The peers publish theirs to each other as decimal
// text, the guide's numbers: a state received from the peer is the event of the same number.
type state int

const (
	statePrimary state = 1 // starting as primary, the peer not heard yet
	stateBackup  state = 2 // starting as backup, the peer not heard yet
	stateActive  state = 3 // serving clients
	statePassive state = 4 // standing by
)

func (s state) String() string {
	switch s {
	case statePrimary:
		return "primary"
	case stateBackup:
		return "backup"
	case stateActive:
		return "active"
	case statePassive:
		return "passive"
	}
	return "state(" + strconv.Itoa(int(s)) + ")"
}

// event is what the state machine reacts to: the peer's state, or a client's request.
type event int

const (
	peerPrimary   event = 1
	peerBackup    event = 2
	peerActive    event = 3
	peerPassive   event = 4
	clientRequest event = 5
)

func (e event) String() string {
	if e == clientRequest {
		return "client request"
	}
	return "peer " + state(e).String()
}

// parsePeerState reads the state a peer published as the event it is.
func parsePeerState(b []byte) (event, error) {
	n, err := strconv.Atoi(string(b))
	if err != nil || n < int(peerPrimary) || n > int(peerPassive) {
		return 0, fmt.Errorf("peer state %q: want 1 to 4", b)
	}
	return event(n), nil
}

var (
	// errRejected is a client request the server must not answer: it is the backup, and the
	// primary is alive (or not heard from yet).
	errRejected = errors.New("request rejected")
	// errDualActive and errDualPassive are the fatal errors: both servers in the same state
	// is a configuration error (two primaries, two backups) or a split brain.
	errDualActive  = errors.New("fatal: both servers active")
	errDualPassive = errors.New("fatal: both servers passive")
)

// step is the guide's binary star state machine: the state after event e in state s, where
// peerSilent says the peer has not been heard from for two heartbeats. A client request
// that must not be served is errRejected, with the state unchanged; the fatal errors stop
// the server. The failover rule keeps the pair from splitting: a passive server becomes
// active only when a client asks it, after the peer fell silent — the client, having lost
// the active server too, confirms that it is gone rather than merely cut off from its peer.
func step(s state, e event, peerSilent bool) (state, error) {
	switch s {
	case statePrimary:
		switch e {
		case peerBackup:
			return stateActive, nil
		case peerActive:
			return statePassive, nil
		}
		// A primary serves clients before it hears from the backup.
	case stateBackup:
		switch e {
		case peerActive:
			return statePassive, nil
		case clientRequest:
			return s, errRejected
		}
	case stateActive:
		if e == peerActive {
			return s, errDualActive
		}
	case statePassive:
		switch e {
		case peerPrimary, peerBackup:
			// The peer restarted: it waits for us, so we take over.
			return stateActive, nil
		case peerPassive:
			return s, errDualPassive
		case clientRequest:
			if peerSilent {
				return stateActive, nil
			}
			return s, errRejected
		}
	}
	return s, nil
}
