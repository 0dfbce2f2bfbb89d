// Package bridge moves messages between ZeroMQ sockets and message brokers (AMQP 0.9.1,
// AMQP 1.0, STOMP 1.2: the protocols are the subpackages), built on the public zmq API.
//
// Run drives a set of Routes. A to-broker route receives on a PULL, SUB or ROUTER socket and
// publishes each message, with at most Window publications awaiting the broker's
// confirmation; a from-broker route consumes with at most Window deliveries unacknowledged
// and sends each on a PUSH, PUB or DEALER socket, acknowledging it once the socket took it
// (Send blocks at the HWM: the broker keeps the rest), or, with PeerAck, once the DEALER's
// peer answered. Both ways are at least once: a lost connection is dialled again with
// backoff, what was not confirmed is published again in order, what was not acknowledged the
// broker delivers again. A PUB drops at its HWM, as ZeroMQ does: use PUSH or DEALER where
// every message counts.
//
// Frames: see Message (frame 0 the subject, the rest the body; several body frames in the
// multipart encoding).
//
// ROUTER: a message [routing id, envelope…, body…] is split at its first empty frame: the
// envelope is the routing id and every frame up to and including that delimiter (just the
// routing id when no frame is empty), the body is what follows. Once the broker confirmed the
// body, the sender gets [envelope…, "OK"]; after a rejection, or for a body that does not map,
// [envelope…, "ERR <reason>"]. A REQ therefore gets "OK", a DEALER that sent [subject, body]
// gets ["OK"], one that sent ["", subject, body] gets ["", "OK"]. A sender that resends what
// was not answered gets at-least-once delivery.
//
// PeerAck (from-broker DEALER): each message goes out as [id, frames…], id 8 bytes big-endian
// assigned by the bridge; the peer answers [id], in any order, and the delivery is
// acknowledged. A delivery not answered within AckTimeout is given back to the broker
// (requeued). Without PeerAck a DEALER's incoming messages are not read.
//
// Stop: when Run's context ends, each route stops receiving, publishes and has confirmed what
// it took from ZeroMQ, waits for the peers' answers (PeerAck), and closes, all within
// DrainTimeout; what its sockets still queue goes out in what remains of it. The broker
// delivers again whatever was not acknowledged. Messages a to-broker socket had queued but
// the route had not received are lost with the socket, as in any ZeroMQ program that closes.
package bridge
