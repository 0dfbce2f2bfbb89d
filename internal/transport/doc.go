// Package transport holds the transports, plug-ins chosen by an endpoint's scheme from a
// registry (Register, Lookup, Parse). The socket layer looks a transport up at Bind and
// Connect only, asks it for its kind with a type switch, and never names a scheme:
//
//   - Stream (tcp, ipc): a byte stream per peer. The transport checks an address's form,
//     listens (resolving wildcards into the name LAST_ENDPOINT reports and naming the aliases
//     Unbind accepts), dials, and prepares accepted connections; the socket runs the ZMTP
//     engine over each connection and reconnects with backoff.
//   - Inproc: no wire; the namespace lives in the socket layer's Context, which links two
//     sockets' pipes directly. The transport only checks the name.
//   - Datagram (epgm, pgm, norm; memcast in tests): a multicast group, no connection and no
//     handshake. Open gives an Engine that is one pipe of the socket: a sender drains what a
//     PUB or XPUB queues for it, a receiver delivers whole messages to a SUB or XSUB, which
//     filters them by its subscriptions (subscriptions never travel, as in libzmq). Bind and
//     Connect both open it, as libzmq lets either do; other socket types are refused.
//
// A new transport is one folder under internal/transport whose init calls Register, plus the
// one line that links it into the library: a blank import in internal/socket (the first
// plug-in creates internal/socket/transports.go for them). Tests may register their own
// (memcast). Nothing here runs per message: the registry
// is consulted at Bind and Connect, and an engine moves messages between the pipe's queues
// and its sockets with no interface call per message on the stream transports' path.
package transport
