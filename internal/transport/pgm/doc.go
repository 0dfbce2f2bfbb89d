// Package pgm is PGM (RFC 3208) as OpenPGM 5 speaks it and libzmq 4.3 uses it: the epgm://
// (PGM in UDP) and pgm:// (raw IP protocol 113, which needs CAP_NET_RAW) transports, from
// PUB/XPUB to SUB/XSUB, registered as datagram transports (transport.go).
//
// The parts, from the wire up:
//   - packet.go, options.go, checksum.go: the codec, pure functions over bytes;
//   - payload.go: libzmq's APDU layout, a 2-byte offset to the first message start (0xffff
//     when none starts in the packet) then ZMTP/1.0 frames; messages span packets;
//   - sender.go, txw.go, rate.go: the source's state machine (transmit window, rate limit,
//     SPMs with heartbeat back-off, NCF + RDATA repair, OPT_FIN on close);
//   - receiver.go, rxw.go: one peer per source TSI (receive window, NAK back-off and repeats,
//     data-loss reset, late-join resync);
//   - engine_send.go, engine_recv.go, net*.go: the goroutines and sockets around them.
//
// The state machines take the time as an argument and hand packets to a callback: they own no
// goroutine, timer or socket, so their tests drive them on a simulated clock and network.
//
// As libzmq sets OpenPGM up: the data-destination port and both UDP encapsulation ports are
// the endpoint's port, the data-source port and the GSI random; each ODATA carries one APDU
// of at most MULTICAST_MAXTPDU less the IP, UDP, PGM and data headers (never fragmented); the
// transmit window is RECOVERY_IVL at RATE in packets; SPMs go three at the start, at 100 ms
// ×4, 1.3 s, 7 s, 16 s, 25 s, 30 s after data, then every 30 s, and three with OPT_FIN at
// the end; a receiver backs off up to 50 ms before a NAK, repeats it every 200 ms until an
// NCF, waits 200 ms for the repair after one, and gives up after 50 of either. Sockets set
// SO_REUSEPORT as OpenPGM does, so that both can share a port on one host. Unlike libzmq,
// which turns multicast loop off whatever the option says, MULTICAST_LOOP is honoured.
package pgm
