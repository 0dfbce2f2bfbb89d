// Package notify is oslo.messaging's notifications over ZeroMQ: a Notifier publishes to
// "<topic>.<priority>" with oslo's fields (message_id, publisher_id, event_type, priority,
// payload, timestamp), and Listeners receive them, each its own copy, or, in a pool, competing
// with the pool's other members so that each pool gets one copy and one member handles it
// (Handled, or Requeue to hand it to another member).
//
// Listeners outside pools subscribe over PUB/SUB (an XPUB at the publisher) with a
// handshake: Start returns once every publisher known at Start has confirmed the listener's
// subscriptions, so nothing published after Start returned is missed for want of a
// subscription. A slow listener loses only its own copies at its high-water mark, and counts
// them (Stats). Pools go through a dispatcher (a ROUTER) with credit, acknowledgements and
// heartbeats: a member that leaves or goes silent has its unacknowledged notifications handed
// to another member.
//
// Notifiers bind their publisher and dispatcher and register them in the registry (direct), or
// send to a Hub that does both for every notifier (through a hub, as the rpc proxy daemon
// runs it). The wire is in rpc/WIRE.md, section "Notifications".
package notify
