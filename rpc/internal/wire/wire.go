// Package wire is rpc's wire format, version 1 (rpc/WIRE.md), as far as both rpc and its proxy
// read it: the 20-byte header, the kinds, a request's frames, names and metadata keys. rpc
// checks the rest of a message; the proxy only what it routes by.
package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
)

const (
	Version   = 1
	HeaderLen = 20
	MaxName   = 255 // bytes of a key, namespace, version or method
	// MaxTimeout bounds a timeout from the wire, so that no arithmetic on it overflows.
	MaxTimeout = 100 * 365 * 24 * time.Hour
	// FanoutSuffix ends the key of a fanout CAST a client sends to a proxy: exchange/topic/*
	// goes to every server of exchange/topic. Target names cannot contain '*'.
	FanoutSuffix = "/*"
)

// Kind is what a message is.
type Kind byte

const (
	Call   Kind = 1
	Cast   Kind = 2
	Cancel Kind = 3
	Reply  Kind = 4
	// Progress: the header alone, server to caller, with a CALL's id, while its handler runs.
	Progress Kind = 5
	// Through a proxy, between a server and a proxy's backend only; control messages have an
	// empty return address, their id carries a count and their timeout the sender's heartbeat
	// interval.
	Ready      Kind = 6 // server → proxy: its keys (frames after the header) and its credit
	Credit     Kind = 7 // server → proxy: id more requests may come (one per request that got no REPLY)
	Heartbeat  Kind = 8 // both ways: alive
	Disconnect Kind = 9 // server → proxy: leaving, send nothing new; proxy → server: unknown, READY again
)

// A request (CALL or CAST), after the envelope: the header, then these frames, then the
// metadata when present.
const (
	FrameKey = 1 + iota
	FrameNamespace
	FrameVersion
	FrameMethod
	FrameArgs
	FrameMeta
	RequestFrames = FrameArgs + 1 // without metadata; with it, one more
)

// Metadata keys (frame FrameMeta, a JSON object of strings).
const (
	MetaTraceparent = "traceparent"
	MetaTracestate  = "tracestate"
	MetaIdemKey     = "idempotency-key"
	MetaCallMonitor = "call-monitor" // milliseconds, decimal
)

// Header is the first frame of every message.
type Header struct {
	Kind    Kind
	Codec   byte
	Status  byte          // replies
	ID      uint64        // matches a reply (and a cancel) to its call
	Timeout time.Duration // requests: time left when sent; 0 = no deadline
}

// Marshal encodes h in a new frame.
func (h Header) Marshal() []byte {
	b := make([]byte, HeaderLen)
	h.Put(b)
	return b
}

// Put encodes h into b, which has HeaderLen bytes.
func (h Header) Put(b []byte) {
	b[0], b[1], b[2], b[3] = Version, byte(h.Kind), h.Codec, h.Status
	binary.BigEndian.PutUint64(b[4:], h.ID)
	PutTimeout(b, h.Timeout)
}

// PutTimeout sets the timeout of header b: whole microseconds, at least one when positive.
func PutTimeout(b []byte, d time.Duration) {
	var us uint64
	if d > 0 {
		us = uint64(max(d.Microseconds(), 1))
	}
	binary.BigEndian.PutUint64(b[12:], us)
}

// ErrHeader is a frame that is not a version 1 header.
var ErrHeader = errors.New("not an rpc header")

// ParseHeader reads a header, checking its length and version only: what a kind, codec or
// status may be is its reader's to say. A timeout over MaxTimeout is MaxTimeout.
func ParseHeader(b []byte) (Header, error) {
	if len(b) != HeaderLen {
		return Header{}, fmt.Errorf("%w: %d bytes, want %d", ErrHeader, len(b), HeaderLen)
	}
	if b[0] != Version {
		return Header{}, fmt.Errorf("%w: version %d, want %d", ErrHeader, b[0], Version)
	}
	us := min(binary.BigEndian.Uint64(b[12:]), uint64(MaxTimeout/time.Microsecond))
	return Header{Kind: Kind(b[1]), Codec: b[2], Status: b[3], ID: binary.BigEndian.Uint64(b[4:]),
		Timeout: time.Duration(us) * time.Microsecond}, nil
}

// ValidName is whether b may be a key, namespace, version or method on the wire (emptiness
// is the reader's to judge).
func ValidName(b []byte) bool { return len(b) <= MaxName && utf8.Valid(b) }

// ErrorObject is a failed call's reply body, in the call's codec.
type ErrorObject struct {
	Code    string            `json:"code" msgpack:"code"`
	Message string            `json:"message" msgpack:"message"`
	Details map[string]string `json:"details,omitempty" msgpack:"details,omitempty"`
	Type    string            `json:"type,omitempty" msgpack:"type,omitempty"`
}
