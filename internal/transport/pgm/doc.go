// Package pgm is PGM (RFC 3208) as OpenPGM 5 speaks it and libzmq 4.3 uses it, for the
// epgm:// (PGM in UDP) and pgm:// (raw IP protocol 113) transports of PUB/XPUB → SUB/XSUB.
//
// The parts, from the wire up:
//   - packet.go, options.go, checksum.go: the codec, pure functions over bytes;
//   - payload.go: libzmq's APDU layout, a 2-byte offset to the first message start (0xffff
//     when none starts in the packet) then ZMTP/1.0 frames; messages span packets;
//   - sender.go, txw.go, rate.go: the source's state machine (transmit window, rate limit,
//     SPMs with heartbeat back-off, NCF + RDATA repair, OPT_FIN on close);
//   - receiver.go, rxw.go: one peer per TSI (receive window, NAK back-off and repeats,
//     data-loss reset, late-join resync);
//   - engine.go and the socket files: the goroutines and sockets around the state machines.
//
// The state machines take the time as an argument and hand packets to a callback: they own no
// goroutine, timer or socket, so their tests drive them without any.
package pgm
