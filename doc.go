// Package zmq is ZeroMQ in pure Go: broker-less messaging with sockets that speak ZMTP 3.1 and
// interoperate with libzmq 4.3 and every binding built on it. This page is a tour, from the
// first socket to a proxy; the runnable examples beside the identifiers show each stop, and
// the examples folder of the repository has the ZeroMQ guide's patterns as programs (see
// Examples at the end).
//
// # The first socket
//
// A REP socket answers requests; a REQ socket asks. Either side may bind or connect, and
// Connect returns at once: the socket connects, and reconnects after failures, in the
// background, queueing messages meanwhile.
//
//	rep, _ := zmq.NewSocket(zmq.REP)
//	defer rep.Close()
//	rep.Bind("tcp://*:5555")
//
//	req, _ := zmq.NewSocket(zmq.REQ)
//	defer req.Close()
//	req.Connect("tcp://127.0.0.1:5555")
//	req.Send(ctx, zmq.NewMsgString("hello"))
//	msg, _ := rep.Recv(ctx) // msg.Frames[0] is "hello"
//	rep.Send(ctx, zmq.NewMsgString("world"))
//	reply, _ := req.Recv(ctx)
//
// # Socket types
//
// A socket's [Type] fixes how it routes messages, and which types it can talk to:
//
//   - [REQ] and [REP]: request and reply in lock-step; a REQ that sends twice without
//     receiving gets [ErrState].
//   - [DEALER] and [ROUTER]: asynchronous request and reply. A DEALER spreads messages over
//     its peers round-robin; a ROUTER prefixes each message it receives with the sender's
//     routing id and sends each message to the peer its first frame names. Brokers are made
//     of them.
//   - [PUSH] and [PULL]: a pipeline; each message goes to one of the PULLs, round-robin.
//   - [PUB] and [SUB]: publish-subscribe; each message goes to every subscriber whose
//     subscription matches it. [XPUB] and [XSUB] are the same with the subscriptions as
//     messages, for proxies.
//   - [PAIR]: one-to-one, both ways, usually between goroutines over inproc.
//   - [STREAM]: raw bytes over tcp or ipc with programs that do not speak ZeroMQ.
//
// Sockets are safe for concurrent use: Send and Recv move whole multipart messages, so
// callers never interleave frames.
//
// # Endpoints
//
// An endpoint is "tcp://host:port" (IPv4, IPv6 with WithIPv6, host names; "*" for every
// interface, port "*" for an ephemeral one), "ipc://path" (a unix socket; "ipc://@name" in
// Linux's abstract namespace, "ipc://*" a fresh path) or "inproc://name" (within a [Context],
// no copy, connect before bind allowed). A socket may bind and connect any number of
// endpoints; [Socket.LastEndpoint] tells what a wildcard resolved to. [Socket.Unbind] and
// [Socket.Disconnect] undo them. A malformed endpoint is [ErrEndpoint], an unknown transport
// [ErrTransportNotSupported], an address in use [ErrAddrInUse], each inside an [*OpError].
//
// # Sending and receiving
//
// Every call that can block takes a context first. Its deadline is libzmq's SNDTIMEO or
// RCVTIMEO; a context that is already done makes the call non-blocking (ZMQ_DONTWAIT). A call
// that cannot complete in time fails with [ErrAgain] (EAGAIN), which also matches the
// context's error. Errors are sentinels named after libzmq's errno values; test them with
// errors.Is:
//
//	msg, err := sock.Recv(ctx)
//	switch {
//	case errors.Is(err, zmq.ErrAgain): // nothing came before ctx's deadline
//	case errors.Is(err, zmq.ErrClosed): // the socket was closed (net.ErrClosed matches too)
//	}
//
// After Send returns nil the frames belong to the library (zmq_msg_send: nothing is copied);
// [Socket.SendCopy] sends a copy instead, leaving them to the caller to reuse (zmq_send). After
// Recv the frames belong to the caller.
//
// # Multipart messages
//
// A [Msg] is one or more frames ([Msg.Frames]), delivered whole or not at all: [NewMsg] and
// [NewMsgString] make one. A ROUTER's messages start with a routing envelope (the peer's id,
// and for REQ peers an empty delimiter): [Msg.PopEnvelope] takes it off, [Msg.PushEnvelope]
// puts it back on the reply. [Msg.Property] reads what the sending connection announced
// ("Routing-Id", "User-Id", "Peer-Address", metadata).
//
// # Options
//
// Options are given to [NewSocket] as functional options named after libzmq's (WithSendHWM
// is ZMQ_SNDHWM), each documenting its default; a bad value fails NewSocket with [ErrOption].
// [Socket.SetOptions] changes them later, [Socket.SetOption] and [LookupOption] go by libzmq
// number and name, and [Socket.Option] and typed getters such as [Socket.SendHWM] read them
// back. As in libzmq most apply from the next Bind or Connect. The families:
//
//   - queues: [WithSendHWM], [WithRecvHWM] (1000 messages each), [WithConflate],
//     [WithImmediate], [WithMaxMsgSize];
//   - closing: [WithLinger] (30 s);
//   - connecting: [WithReconnectIvl], [WithReconnectIvlMax], [WithHandshakeIvl],
//     [WithMetadata] (properties the handshake carries);
//   - liveness: [WithHeartbeatIvl], [WithHeartbeatTimeout], [WithHeartbeatTTL];
//   - routing: [WithRoutingID], [Socket.SetConnectRoutingID], [WithRouterMandatory],
//     [WithRouterHandover], [WithRouterNotify], [WithProbeRouter], [WithReqCorrelate],
//     [WithReqRelaxed], [WithStreamNotify];
//   - publish-subscribe: [WithXPubVerbose], [WithXPubVerboser], [WithXPubNoDrop],
//     [WithXPubWelcomeMsg], [WithXPubManual], [WithOnlyFirstSubscribe], [WithInvertMatching],
//     [WithMaxSubscriptionBytes] (purezmq's own);
//   - transport: [WithTCPKeepalive] and its idle, interval and count, [WithTCPMaxRT], [WithTOS],
//     [WithBacklog], [WithIPv6], [WithBindToDevice], [WithSendBuffer], [WithRecvBuffer],
//     [WithSocksProxy];
//   - multicast transports: [WithRate], [WithRecoveryIvl], [WithMulticastHops],
//     [WithMulticastLoop], [WithMulticastMaxTPDU];
//   - security: [WithPlainServer], [WithPlainUsername], [WithPlainPassword], [WithCurveServer],
//     [WithCurvePublicKey], [WithCurveSecretKey], [WithCurveServerKey], [WithZAPDomain],
//     [WithZAPEnforceDomain].
//
// # Publish-subscribe
//
// A SUB receives only what it subscribed to, by prefix of the first frame ([Socket.Subscribe];
// an empty prefix is everything), and the PUB filters before sending. A subscription takes a
// moment to reach the publisher, which drops what nobody has asked for yet: a subscriber that
// joins late misses what went before (the guide's "slow joiner"). An XPUB sees each
// subscription as a message "\x01prefix" (and "\x00prefix" for a cancel), so a publisher can
// wait for its subscribers, and an XSUB subscribes by sending such a message, so a proxy can
// pass subscriptions upstream. A PUB never waits for a slow subscriber: past the HWM it drops.
//
// # Polling
//
// A [Poller] waits until one of several sockets can be read or written, as zmq_poll:
// [Poller.Poll] in a loop, or [Poller.Channel] to put sockets in a select beside other
// channels. A goroutine per socket, blocked in Recv, is idiomatic too.
//
// # Proxies
//
// [Proxy] passes every message between a frontend and a backend, both ways, with an optional
// capture socket that gets a copy of each: a queue (ROUTER frontend, DEALER backend) between
// clients and workers, a forwarder (XSUB, XPUB) between publishers and subscribers, a streamer
// (PULL, PUSH) in a pipeline. It runs until its ctx ends. [SteerableProxy] also takes PAUSE,
// RESUME, TERMINATE and STATISTICS on a control socket.
//
// # Monitoring
//
// [Socket.Monitor] reports what happens to a socket's connections on a channel: listening,
// connected, accepted, handshakes that succeed or fail and why, disconnections with their
// cause, retries. A slow reader never slows the socket: events beyond [MonitorBuffer] are
// dropped and counted. It answers "why does my client not connect?", and lets a program
// wait for a connection without sleeping.
//
// # Security
//
// Connections are NULL (no security) unless a socket says otherwise. PLAIN sends a username
// and password in clear text; CURVE (CurveZMQ) encrypts every message and authenticates the
// server to the client by its public key. A server asks its context's ZAP handler about each
// client: package auth (github.com/purezmq/zmq/auth) is a ready one, judging by ZAP domain,
// IP address, PLAIN password and CURVE public key: an Authenticator from auth.New, started on
// a [Context] with its Start method. Package curve makes key pairs and reads czmq certificate files;
// package z85 is the text form of keys. A client the handler refuses is reported by the
// monitors of both sides with [ErrAuth] (HANDSHAKE_FAILED_AUTH). SECURITY.md says what each
// mechanism protects against.
//
// # STREAM
//
// A STREAM socket speaks raw tcp or ipc: each connection, accepted or made, is a peer with a
// 5-byte routing id, and each message is [routing id, bytes]. Bytes arrive in the chunks the
// reads give (at most 8 KiB each); [routing id, empty] announces a connection opening and its
// peer closing it (WithStreamNotify). Sending [routing id, bytes] writes them; sending
// [routing id, empty] closes the connection once what was sent before is written, and the id
// is gone at once (no notification follows); an unknown id fails with ErrHostUnreachable.
//
// # Closing
//
// Socket.Close returns at once, as zmq_close: messages queued before it keep going out in the
// background, for up to the socket's LINGER period (WithLinger; 30 s by default where libzmq
// waits for ever, 0 drops them). Context.Close waits until every socket of the context has
// lingered, as zmq_ctx_term; Context.Shutdown waits at most until its ctx ends too, then drops
// what is left. NewSocket's sockets live in DefaultContext, which nothing closes for the
// program: when main returns, messages still lingering are lost unless the program calls
// DefaultContext().Close or Shutdown first.
//
// # Speed
//
// With one peer, a Recv that finds nothing queued reads the connection itself, and a Send
// that answers a Recv writes it itself, so a request-reply exchange costs no hand-off between
// goroutines; senders that outrun the network are batched by the connection's writer. Inproc
// moves messages without copying them. A received frame is the caller's to keep. Big frames it
// drops come back to the socket once the garbage collector finds them unreachable, and later
// frames are read into them; a program streaming big messages can give them back at once with
// Socket.Recycle. Keep sockets and their connections for many messages: each new connection
// costs a handshake, and under CURVE its key exchanges.
//
// # Memory
//
// A socket holds at most
//
//	connections × C + (peers × (SNDHWM + RCVHWM + 1) + 2 × RCVHWM) × message size
//	  + connections × 2 × M + 16 MiB
//
// C is a tcp or ipc connection: about 21 KiB of heap and 25 KiB resident when quiet (an 8 KiB
// read buffer, a 4 KiB write buffer, a 4 KiB frame slab, a reader and a writer goroutine,
// bookkeeping), up to about 260 KiB when busy (the read buffer and slab grow to 64 KiB each,
// the writer keeps up to 128 KiB between bursts; CURVE adds 64 KiB for sealing). Inproc peers
// have no connection. The one message beyond the HWMs is what a writer has taken from its queue
// to write (at most 64 KiB of small messages, or one big one): a message counts against SNDHWM
// until then, so a peer that stops reading costs one queue, not two. An HWM of 0 lifts the
// bound.
//
// A peer that goes leaves what it sent and the application has not read queued, and the
// application reads it in its turn, as with libzmq. Those messages, of all departed peers
// together, count against one RCVHWM (the limit of the last to go): while they number RCVHWM
// or more, no connection of the socket queues another message until the application has read
// them down to half, so they add at most the 2 × RCVHWM messages above however many peers
// come, send and go. (A peer the socket connected to and keeps a queue for across
// reconnections, as a DEALER or PUSH does without IMMEDIATE, has not gone while it reconnects;
// inproc peers are the program's own.)
//
// M is the largest message a peer may send, MAXMSGSIZE (WithMaxMsgSize), counting 64 bytes
// for each frame past a message's 64th, as a frame costs memory however small: one being
// read, one read and waiting for room in a full queue. Without MAXMSGSIZE there is no such
// bound, but a frame's memory grows with the bytes that have arrived, never with the size its
// header declares: a header alone costs at most 64 KiB, a body at most about twice what came
// of it. Set MAXMSGSIZE on sockets that face untrusted peers.
//
// The 16 MiB are big-frame buffers kept for reuse: recycled, dropped by the program (at most
// 16 MiB of frames come back that way, counting those the program holds), or outgrown by a
// growing body. A socket whose connections ask for none for a garbage collection cycle lets
// them go. A publisher fed by SendCopy also keeps up to 512 KiB of storage its copies of small
// messages went into, for the next ones. The kernel's socket buffers come on top, outside the
// process.
//
// A publisher (PUB, XPUB) also keeps its subscribers' subscriptions until they unsubscribe or
// go: each costs its topic's bytes and about 250 bytes besides, however long the topic, and
// one connection's at most MAX_SUBSCRIPTION_BYTES (WithMaxSubscriptionBytes, 16 MiB by
// default), counting 256 bytes besides each topic: a peer that would subscribe past it is
// disconnected (ErrSubscriptionLimit). An XPUB reports a departed peer's topics to its
// application as unsubscriptions, queued whatever RCVHWM says, as libzmq: as many as the peer
// held, which then count among what departed peers left (above), so that peers that come,
// subscribe and go cannot grow that queue while the application does not read: an XPUB must be
// read (or be a PUB), as a subscription that its application is to see waits, its connection
// held, while that queue is full.
//
// A multicast receiver (pgm, epgm, norm) has no connections: any host that can send to the
// group is a sender, and may claim to be many. It tracks at most 256 senders at once (datagrams
// of one more are dropped until a tracked one has been silent for five minutes), each with one
// message being reassembled (bounded by MAXMSGSIZE); what arrives early, after a loss, is held
// until the loss is repaired or given up on: at most 16 MiB for all senders together (for PGM,
// two receive windows if that is more), and for one sender at most its receive window (PGM:
// RATE × RECOVERY_IVL) or 4 MiB (NORM).
//
// # Examples
//
// The examples folder of the repository holds the ZeroMQ guide's patterns as programs, one
// folder each, run with "go run ./examples/NAME ROLE [flags]"; each has a README and a test
// that runs it end to end, and most are also tested against a python3-zmq peer:
//
//   - helloworld: request-reply (REQ/REP)
//   - weather: publish-subscribe with a filter (PUB/SUB)
//   - divide: divide and conquer, a ventilator, workers and a sink (PUSH/PULL)
//   - rrbroker: a request-reply broker (ROUTER/DEALER and Proxy)
//   - lbbroker: a load-balancing broker (ROUTER/ROUTER)
//   - lazypirate: client-side reliability, retrying with a fresh socket
//   - simplepirate: a load-balancing queue with lazy pirate clients
//   - paranoidpirate: a queue and workers that heartbeat each other
//   - majordomo: service-oriented brokering (MDP/0.2 client, worker and broker)
//   - titanic: disconnected reliability on top of Majordomo
//   - clone: a shared key-value map (snapshot, updates, republish)
//   - binarystar: primary/backup failover
//   - suicidalsnail: detecting a slow subscriber
//   - espresso: tracing pub/sub through a proxy with capture
//   - ironhouse: CURVE with a ZAP handler (package auth)
package zmq
