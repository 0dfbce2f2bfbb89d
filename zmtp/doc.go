// Package zmtp is a pure codec for the ZeroMQ Message Transport Protocol 3.x
// (RFC 23 ZMTP 3.0 and RFC 37 ZMTP 3.1).
//
// It encodes and decodes the greeting, frame headers, commands, the NULL
// mechanism's metadata and the socket-type compatibility table. It performs no
// I/O, starts no goroutines and holds no mutable state, so the connection
// engine decides how bytes are read, buffered and written.
//
// Encoders follow the append convention (like strconv.AppendInt): they append
// to a caller-owned slice and return it, so a reused buffer makes encoding
// allocation-free. Decoders never panic and never allocate based on a length
// declared by the peer before checking it against the bytes actually present.
// Incremental decoders (CheckSignature, ParseGreeting, ParseFrameHeader)
// report ErrNeedMore when the input is a valid but incomplete prefix.
//
// Byte slices returned by decoders alias their input (with capacity clipped to
// the value's length), so callers must copy them before reusing the buffer.
//
// All errors wrap one of the sentinel errors in this package; test them with
// errors.Is.
package zmtp
