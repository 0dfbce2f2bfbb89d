package mechanism

import (
	"fmt"

	"github.com/purezmq/zmq/internal/zerr"
)

// ProtoCode is libzmq's ZMQ_PROTOCOL_ERROR_* value: what a HANDSHAKE_FAILED_PROTOCOL monitor
// event carries, so a monitor tells a forged cookie from a malformed HELLO as libzmq's does.
type ProtoCode int

// libzmq 4.3's protocol error codes.
const (
	ProtoUnspecified        ProtoCode = 0x10000000
	ProtoUnexpectedCommand  ProtoCode = 0x10000001
	ProtoInvalidSequence    ProtoCode = 0x10000002
	ProtoKeyExchange        ProtoCode = 0x10000003
	ProtoMalformedCommand   ProtoCode = 0x10000011
	ProtoMalformedMessage   ProtoCode = 0x10000012
	ProtoMalformedHello     ProtoCode = 0x10000013
	ProtoMalformedInitiate  ProtoCode = 0x10000014
	ProtoMalformedError     ProtoCode = 0x10000015
	ProtoMalformedReady     ProtoCode = 0x10000016
	ProtoMalformedWelcome   ProtoCode = 0x10000017
	ProtoInvalidMetadata    ProtoCode = 0x10000018
	ProtoCryptographic      ProtoCode = 0x11000001
	ProtoMechanismMismatch  ProtoCode = 0x11000002
	ProtoZAPUnspecified     ProtoCode = 0x20000000
	ProtoZAPMalformedReply  ProtoCode = 0x20000001
	ProtoZAPBadRequestID    ProtoCode = 0x20000002
	ProtoZAPBadVersion      ProtoCode = 0x20000003
	ProtoZAPInvalidStatus   ProtoCode = 0x20000004
	ProtoZAPInvalidMetadata ProtoCode = 0x20000005
)

// ProtocolError is a handshake or MESSAGE that breaks the protocol: malformed, out of order,
// or failing its cryptography. It matches ErrProtocol, and zerr.ErrProtocol (zmq.ErrProtocol).
type ProtocolError struct {
	Code ProtoCode
	Msg  string
}

func (e *ProtocolError) Error() string { return "zmq: security protocol error: " + e.Msg }
func (e *ProtocolError) Is(target error) bool {
	return target == ErrProtocol || target == zerr.ErrProtocol
}

func protoErr(code ProtoCode, format string, args ...any) error {
	return &ProtocolError{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// malformed is a command that failed to parse, with the code for that command.
func malformed(code ProtoCode, err error) error {
	return &ProtocolError{Code: code, Msg: err.Error()}
}
