// Package norm is the norm:// transport: NORM (RFC 5740) as the NRL NORM library, which
// libzmq 4.3.4 links, puts it on the wire, carrying libzmq's framing of ZMTP messages in one
// NORM stream object per sender.
//
// The codec (packet.go, ext.go, object.go, cmd.go, feedback.go) is pure: Parse turns a
// datagram into one of the message types, each type's Append writes it back; reserved fields
// are written as zero and ignored when read. framing.go is libzmq's stream framing: before
// each frame a sync byte (0x00 first frame of a message, 0xff the others), then the frame in
// ZMTP/2.0 form; every frame starts a segment that NORM marks as a message start, where a
// late or resynchronising receiver starts.
//
// A receiver (receiver.go) keeps per sender the stream in order by byte offset (rxstream.go),
// NACKs the source segments it lacks (nack.go: explicit segment requests, which an NRL sender
// answers with those segments), answers CMD(CC) with ACK(CC) (cc.go: libzmq turns NORM-CC on,
// and a sender heard by nobody stays at its floor rate), drops on SQUELCH or after
// RECOVERY_IVL what cannot come, and then resumes at the next message (never a partial one).
// It decodes no FEC parity. A sender (sender.go) cuts each frame into 1400-byte segments in
// blocks of 16 (RS8 ids, no parity advertised), sends them at RATE, keeps the last 2 MB for
// repair, and FLUSHes when idle. It does no congestion control.
//
// Known limits, all seen against libzmq 4.3.4 with NRL NORM 1.5.9:
//   - libzmq's norm PUB stalls (busy loop, no data) on frames of 2 KB and more: its engine
//     writes its own 2 KB buffer rather than the encoder's output for those. Receiving them
//     from a purezmq PUB works.
//   - A libzmq norm SUB aborts (norm_engine.cpp:471, NormStreamRead reporting a broken stream)
//     under loss with a purezmq PUB, after the repairs it asked for arrived; not understood.
//   - A libzmq PUB with CC repairs a purezmq SUB's NACKs slowly, and a fast one wraps its 2 MB
//     buffer first: then it squelches and the receiver drops what is lost, cleanly.
package norm
