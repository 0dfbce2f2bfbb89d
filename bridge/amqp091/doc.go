// Package amqp091 connects the bridge to an AMQP 0.9.1 broker (RabbitMQ) with
// github.com/rabbitmq/amqp091-go, publisher confirms on.
//
// URL: amqp://user:pass@host:port/vhost (amqps:// for TLS).
//
// Addresses:
//   - Publisher: "exchange/NAME" publishes to exchange NAME with the Message's Subject as the
//     routing key; "queue/NAME" publishes to the default exchange with routing key NAME, the
//     Subject then in the header SubjectHeader, so that ZeroMQ's frame 0 survives the trip.
//   - Consumer: "queue/NAME". A delivery's Subject is its SubjectHeader if it has one (taken out
//     of Headers), else its routing key.
//
// Nothing is declared: exchanges and queues must exist (durable ones survive a broker
// restart). A message the exchange routes nowhere is confirmed by the broker and dropped, as
// AMQP 0.9.1 does without mandatory: give such exchanges an alternate exchange.
//
// Mapping: ContentType is content-type, Headers the headers table (string values; values of
// other types arrive formatted as text), ID message-id. Every publication is persistent
// (delivery mode 2).
//
// Confirm is the publisher confirm: ack is nil, nack ErrRejected, a channel or connection
// closed before the answer ErrConnection (ErrClosed if the bridge closed it). A Consumer sets
// basic.qos(prefetch = window) and acknowledges manually; Reject is basic.reject.
package amqp091
