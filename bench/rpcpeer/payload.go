package rpcpeer

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// idLen is the request id at the head of every payload: caller<<32 | call number. The raw
// DEALER→ROUTER client matches replies to callers by it; the others only check it comes back.
const idLen = 8

// ErrPayload marks a reply that is not its request's payload.
var ErrPayload = errors.New("rpcpeer: reply differs from the request")

// payload is request id's args: the id, then a pattern that depends on it, size bytes in all.
func payload(id uint64, size int) []byte {
	b := make([]byte, max(size, idLen))
	binary.BigEndian.PutUint64(b, id)
	for i := idLen; i < len(b); i++ {
		b[i] = byte(id) + byte(i)
	}
	return b
}

// payloadID reads the id at the head of b.
func payloadID(b []byte) (uint64, bool) {
	if len(b) < idLen {
		return 0, false
	}
	return binary.BigEndian.Uint64(b), true
}

// checkReply compares a reply with its request: an echo must come back byte for byte.
func checkReply(req, reply []byte) error {
	if !bytes.Equal(req, reply) {
		id, _ := payloadID(req)
		got, _ := payloadID(reply)
		return fmt.Errorf("%w: request %#x (%d bytes), reply %#x (%d bytes)", ErrPayload, id, len(req), got, len(reply))
	}
	return nil
}
