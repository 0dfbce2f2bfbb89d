// Package zmq is ZeroMQ in pure Go: broker-less messaging with sockets that speak ZMTP 3.1 and
// interoperate with libzmq 4.3 and every binding built on it.
//
// A socket has a type that fixes how it routes messages — REQ/REP for lock-step request and
// reply, DEALER/ROUTER for asynchronous request and reply, PUSH/PULL for pipelines, PUB/SUB and
// XPUB/XSUB for publish-subscribe, PAIR for one-to-one, STREAM for raw bytes with programs that
// do not speak ZeroMQ — and talks to any number of peers over
// tcp, ipc (unix sockets) and inproc (in-process, no copy) endpoints, optionally secured with
// PLAIN or CURVE and judged by a ZAP handler (package auth). Connect returns at once; the socket connects, reconnects and
// queues messages in the background, honouring high-water marks.
//
//	rep, _ := zmq.NewSocket(zmq.REP)
//	rep.Bind("tcp://*:5555")
//	req, _ := zmq.NewSocket(zmq.REQ)
//	req.Connect("tcp://127.0.0.1:5555")
//	req.Send(ctx, zmq.NewMsgString("hello"))
//	msg, _ := rep.Recv(ctx)
//
// A STREAM socket speaks raw tcp or ipc: each connection, accepted or made, is a peer with a
// 5-byte routing id, and each message is [routing id, bytes]. Bytes arrive in the chunks the
// reads give (at most 8 KiB each); [routing id, empty] announces a connection opening and its
// peer closing it (WithStreamNotify). Sending [routing id, bytes] writes them; sending
// [routing id, empty] closes the connection once what was sent before is written, and the id
// is gone at once (no notification follows); an unknown id fails with ErrHostUnreachable.
//
// Every call that can block takes a context: its deadline is libzmq's SNDTIMEO/RCVTIMEO, and a
// context that is already done makes the call non-blocking (ZMQ_DONTWAIT); either way a call
// that cannot complete fails with ErrAgain (EAGAIN), which also matches the context's error.
// Errors are sentinels named after libzmq's errno values (errors.go), to test with errors.Is.
// Options are given to NewSocket as functional options named after their
// libzmq counterparts (WithSendHWM is ZMQ_SNDHWM), validated when the socket is made.
//
// Sockets are safe for concurrent use: Send and Recv move whole multipart messages. Poller
// waits on several sockets, Proxy and SteerableProxy are libzmq's devices, and Socket.Monitor
// reports connection events.
//
// Speed: with one peer, a Recv that finds nothing queued reads the connection itself, and a
// Send that answers a Recv writes it itself, so a request-reply exchange costs no hand-off
// between goroutines; senders that outrun the network are batched by the connection's writer.
// A received frame is the caller's to keep. Big frames it drops come back to the socket once
// the garbage collector finds them unreachable, and later frames are read into them; a program
// streaming big messages can give them back at once with Socket.Recycle.
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
// # Memory
//
// A socket holds at most
//
//	connections × C + peers × (SNDHWM + RCVHWM + 1) × message size + connections × 2 × M + 16 MiB
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
// M is the largest message a peer may send, MAXMSGSIZE (WithMaxMsgSize): one being read, one
// read and waiting for room in a full queue. Without MAXMSGSIZE there is no such bound, but a
// frame's memory grows with the bytes that have arrived, never with the size its header
// declares: a header alone costs at most 64 KiB, a body at most about twice what came of it.
// Set MAXMSGSIZE on sockets that face untrusted peers.
//
// The 16 MiB are big-frame buffers kept for reuse: recycled, dropped by the program (at most
// 16 MiB of frames come back that way, counting those the program holds), or outgrown by a
// growing body. A socket whose connections ask for none for a garbage collection cycle lets
// them go. The kernel's socket buffers come on top, outside the process.
package zmq
