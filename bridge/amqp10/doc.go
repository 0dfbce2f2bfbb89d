// Package amqp10 is the bridge's AMQP 1.0 protocol, on github.com/Azure/go-amqp, written
// against RabbitMQ 3.10's rabbitmq_amqp1_0 plugin (it serves AMQP 1.0 on the AMQP port).
//
// URL: amqp://user:pass@host:port (amqps:// for TLS); the user and password go as SASL PLAIN.
// The plugin picks its default virtual host.
//
// Addresses are the plugin's (its README, "Routing and Addressing"). Publisher(dest):
//
//	/exchange/X/RK   exchange X, routing key RK
//	/exchange/X      exchange X, the message's Subject as routing key
//	/topic/RK        amq.topic, routing key RK
//	/queue/Q         the default exchange to queue Q, which the plugin declares (see below)
//	/amq/queue/Q     the default exchange to queue Q, which must exist
//
// Consumer(source): /queue/Q (declared), /amq/queue/Q (must exist), and /exchange/X/RK or
// /topic/RK (a private queue the plugin binds, gone with the link: what it held when the
// bridge stops is lost, so use a queue for at-least-once).
//
// The plugin declares a /queue/Q queue when a link attaches; the link's terminus durability
// says durable or not, and RabbitMQ refuses the link if Q exists with the other durability.
// Links here ask for durable queues; WithTransientQueues asks for transient ones.
//
// Mapping: Message.Subject goes to properties.subject, ContentType to properties.content-type,
// ID to properties.message-id (a string), Headers to application-properties (string values),
// Body to one data section; messages are sent durable (persistent). From the broker a
// message-id or application property that is not a string is formatted as text (fmt's %v),
// and an amqp-value body is taken if it is a string or binary. Any other body cannot be
// mapped (an amqp-sequence, a map, and several data sections, which the 3.10 plugin delivers
// in reverse order): Receive rejects it (no requeue: dropped or dead-lettered) and returns
// bridge.ErrMalformed. A message a 1.0 client sent without a properties section arrives with
// its routing key as subject (the plugin's doing); this package always sends the section.
//
// Confirm: the sender link is unsettled, so the plugin turns on publisher confirms behind it
// and answers each message with a settled disposition once RabbitMQ confirmed it: Accepted is
// nil, Rejected, Released or Modified is bridge.ErrRejected. Like a 0.9.1 confirm, Accepted
// does not mean routed: a message no queue is bound for is accepted and dropped.
//
// Consumer: at most window deliveries are unsettled. Credit is granted in batches, up to
// window minus what is unsettled and only once the previous grant is used up: the 3.10 plugin
// over-delivers when flow frames cross deliveries in flight. Ack is the Accepted outcome;
// Reject(requeue=true) is Released (the plugin requeues it), Reject(requeue=false) is Rejected
// (dropped or dead-lettered). What is unsettled when the link, session or connection ends is
// requeued. The broker does not answer a settlement (the plugin refuses receiver settle mode
// second), so an Ack that returned nil just before the connection failed may still be lost,
// and that message delivered again: at-least-once, with duplicates after failures.
//
// A failed connection, session or link is bridge.ErrConnection; after Close, bridge.ErrClosed.
package amqp10
