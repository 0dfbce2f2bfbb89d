// Package norm is the norm:// transport: NORM (RFC 5740) as the NRL NORM library, which
// libzmq 4.3.4 links, puts it on the wire, carrying libzmq's framing of ZMTP messages in one
// NORM stream object per sender.
//
// The codec (packet.go, ext.go, object.go, cmd.go, feedback.go) is pure: Parse turns a
// datagram into one of the message types, each type's Append writes it back; reserved fields
// are written as zero and ignored when read. framing.go is libzmq's stream framing: before
// each frame a sync byte (0x00 first frame of a message, 0xff the others), then the frame in
// ZMTP/2.0 form. libzmq flushes after each frame, so each of its frames starts a segment
// marked as a message start; a late or resynchronising receiver starts at a mark whose sync
// byte is 0x00.
//
// A receiver (receiver.go) keeps per sender the stream in order by byte offset (rxstream.go),
// NACKs the source segments it lacks (nack.go: explicit segment requests, which an NRL sender
// answers with those segments), answers CMD(CC) with ACK(CC) (cc.go: libzmq turns NORM-CC on,
// and a sender heard by nobody stays at its floor rate), drops on SQUELCH or after
// RECOVERY_IVL what cannot come, and then resumes at the next message (never a partial one).
// It decodes no FEC parity: an NRL sender answers explicit segment requests with those
// segments (NormBlock::HandleSegmentRequest), so none is needed. Its CC feedback reports the
// receive rate as NRL measures it, updated only as data comes and restarted after a silence:
// a rate that fell while the sender paused would drop NORM-CC's rate and raise the sender's
// GRTT (at least a full packet's interval at that rate), making every repair cycle long. Its
// GRTT responses count the time a probe was held from its kernel arrival time, so that a
// receiver that falls behind its socket does not read to NRL as a long round trip. A sender (sender.go) writes each batch of
// messages as full 1400-byte segments (the last one short), each marking its first message
// start, in blocks of 16 (RS8 ids, no parity advertised), sends them at RATE, keeps the last
// 2 MB for repair, and FLUSHes when idle. It does no congestion control and measures no
// GRTT: it advertises 20 ms, which NRL receivers time their NACK back-off (GRTT x 4) and
// hold-off (GRTT x 6 and more) from.
//
// Known limits, all seen against libzmq 4.3.4 with NRL NORM 1.5.9:
//   - libzmq's norm PUB stalls (busy loop, no data) on frames of 2 KB and more: its engine
//     writes its own 2 KB buffer rather than the encoder's output for those. Several small
//     messages queued at once do the same, so a libzmq PUB must be paced (the tests send one
//     a millisecond), and one whose NORM-CC rate falls to its floor (no receiver answering its
//     probes) stalls for good. Receiving large frames from a purezmq PUB works.
//   - A libzmq norm SUB aborts (norm_engine.cpp:471) when NRL reports a broken stream while
//     libzmq resynchronises: NormStreamSeekMsgStart leaves NRL's stream_broken flag set, and
//     the next read fails. NRL breaks the stream when its 2 MB receive buffer fills with
//     blocks awaiting repair (data arrives faster than repairs complete), and when a SUB joins
//     after the sender's buffer has moved past the stream's start; both happen with a libzmq
//     PUB too. Segments a frame each (as libzmq writes them, and as this sender did) fill that
//     buffer with 500 small messages; full segments hold some 18,000 of 100 bytes.
//   - After NRL loses data, libzmq's SUB can deliver a message with frames of two messages
//     (it pushes frames as they decode, and a resync does not drop the partial message).
//   - NRL's sender keeps 2 MB of segments (about 500 of libzmq's messages, three segments
//     each) for repair; a receiver that falls further behind gets a SQUELCH and skips cleanly.
//     It repairs only blocks within 93 of its newest (its block buffer's range): half a second
//     of a PUB paced at a message a millisecond, a quarter while it drains a backlog. It gathers
//     NACKs for GRTT x 5 before repairing, then ignores NACKs for passed blocks for one GRTT.
//     When NRL itself stalls (a busy machine), it reads the feedback queued meanwhile as round
//     trips of 100-200 ms and takes them at once as its GRTT: its NACK gathering then outlasts
//     that window, and the segments asked for in it (or a repair lost in turn) are squelched.
//     A libzmq SUB from a libzmq PUB fares no better there: it aborts (above).
package norm
