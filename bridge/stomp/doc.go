// Package stomp is the bridge's STOMP 1.2 protocol, for RabbitMQ's STOMP plugin: a small
// frame codec (Frame, AppendFrame, Decoder) and a client implementing bridge.Broker.
//
// Why our own codec: github.com/go-stomp/stomp, the maintained Go client, is not served by
// the module proxy this project builds with (403), and STOMP is small enough to implement
// and fuzz here.
//
// # Connection
//
// Dial(url) takes stomp://user:pass@host:port/vhost (port 61613 by default; no path, "/" or
// "/%2F" is the vhost "/"). One TCP connection carries every publisher of a Broker, and each
// consumer has one of its own: RabbitMQ gives back a subscription's unacknowledged messages
// only when its connection ends (a NACK after UNSUBSCRIBE is an ERROR; one before it may be
// redelivered to the cancelled subscription, an ERROR too), and Consumer.Close must give
// them back. On each connection a reader goroutine dispatches MESSAGE, RECEIPT and ERROR
// frames and a writer goroutine sends what the links queued. Heart-beats are negotiated
// both ways (WithHeartbeat, 10 s by default); a broker silent for three of its heart-beat
// periods, an ERROR frame or any I/O error ends the connection with bridge.ErrConnection.
// Close sends DISCONNECT on each connection and waits for its receipt.
//
// # Addresses
//
// Publisher(dest) and Consumer(source) take RabbitMQ's STOMP destinations:
//
//	/exchange/NAME/KEY  send to exchange NAME with routing key KEY
//	/exchange/NAME      send to exchange NAME with the message's Subject as routing key
//	                    (escaped: %XX for '/', '%', control and non-ASCII bytes)
//	/queue/NAME         the queue NAME (RabbitMQ declares it durable on first use)
//	/amq/queue/NAME     an existing queue NAME (subscribing to a missing one fails)
//	/topic/KEY          exchange amq.topic with routing key KEY
//
// Consuming from /exchange/… or /topic/… makes RabbitMQ create an exclusive, auto-deleted
// queue for the subscription: what it held unacknowledged is lost with the connection. For
// at-least-once from the broker consume from /queue/ or /amq/queue/.
//
// # Message mapping
//
// A Message goes out as a SEND frame with persistent:true and a receipt header. RabbitMQ
// reads some header names as AMQP properties (reply-to, expiration, priority, …): a
// ZeroMQ-side header of such a name has RabbitMQ's meaning.
//
//	Subject      header subject (and the routing key of a keyless /exchange/NAME)
//	ContentType  header content-type
//	ID           header amqp-message-id (RabbitMQ's name for the AMQP message-id; it
//	             forbids message-id on SEND)
//	Headers      one header each, escaped as STOMP 1.2 says; the frame's own names
//	             (destination, subject, content-type, receipt, persistent, message-id, …)
//	             are refused with bridge.ErrMalformed
//	Body         the body, with content-length: binary-safe, NUL bytes included
//
// A MESSAGE frame maps back the same way; without a subject header the Subject is the
// routing key in its destination (/exchange/NAME/KEY, /topic/KEY), so messages published
// over AMQP keep their key; ID is amqp-message-id if set, else the broker's message-id.
//
// # Acknowledgements
//
// Confirm: RabbitMQ sends the RECEIPT of a persistent SEND once the message is confirmed
// (stored); an ERROR frame naming the receipt is bridge.ErrRejected. STOMP ends the
// connection after any ERROR, so the other pending confirms fail with bridge.ErrConnection.
// RabbitMQ's ERRORs for a SEND (a missing exchange, say) name no receipt: nothing says which
// publication was refused, so every pending confirm fails with bridge.ErrConnection and the
// engine publishes again after it reconnects — a missing exchange shows as reconnects.
// Ack does not wait for the broker: an ACK lost with the connection means a redelivery.
//
// Consumer: SUBSCRIBE with ack:client-individual and prefetch-count = window, so at most
// window deliveries are unacknowledged; a broker sending more ends the connection rather
// than buffering without bound. Delivery.Ack sends ACK; Reject(true) sends NACK (RabbitMQ
// requeues); Reject(false) sends NACK with requeue:false, RabbitMQ's extension (STOMP 1.2's
// NACK has no such choice): RabbitMQ drops the message, or dead-letters it if its queue has
// a dead-letter exchange. Another STOMP broker may ignore the header and requeue. Consumer.Close ends its connection: the broker requeues what it held unsettled.
//
// # Limits
//
// The decoder holds at most one frame: DefaultLimits allows 8 KiB per header line, 128
// headers, 64 KiB of headers and a 16 MiB body (WithLimits changes them); a consumer holds
// at most window frames.
package stomp
