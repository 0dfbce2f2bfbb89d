package amqp10

import (
	"fmt"

	"github.com/Azure/go-amqp"
	"github.com/purezmq/zmq/bridge"
)

// toAMQP maps m to an AMQP 1.0 message (see the package doc).
func toAMQP(m bridge.Message) *amqp.Message {
	// Always a properties section: without one the plugin delivers the routing key as the
	// subject, and a message without subject would come back with one.
	msg := &amqp.Message{
		Header:     &amqp.MessageHeader{Durable: true},
		Properties: &amqp.MessageProperties{},
		Data:       [][]byte{m.Body},
	}
	if m.Subject != "" {
		msg.Properties.Subject = &m.Subject
	}
	if m.ContentType != "" {
		msg.Properties.ContentType = &m.ContentType
	}
	if m.ID != "" {
		msg.Properties.MessageID = m.ID
	}
	if len(m.Headers) > 0 {
		msg.ApplicationProperties = make(map[string]any, len(m.Headers))
		for k, v := range m.Headers {
			msg.ApplicationProperties[k] = v
		}
	}
	return msg
}

// fromAMQP maps a delivered message, or ErrMalformed for a body it cannot take.
func fromAMQP(msg *amqp.Message) (bridge.Message, error) {
	var m bridge.Message
	switch {
	case len(msg.Data) == 1:
		m.Body = msg.Data[0]
	case len(msg.Data) > 1:
		// The 3.10 plugin delivers the sections of such a message in reverse order (seen
		// with 3.10.8), so their concatenation cannot be trusted.
		return m, fmt.Errorf("%w: %d data sections", bridge.ErrMalformed, len(msg.Data))
	case msg.Sequence != nil:
		return m, fmt.Errorf("%w: amqp-sequence body", bridge.ErrMalformed)
	case msg.Value != nil:
		switch v := msg.Value.(type) {
		case []byte:
			m.Body = v
		case string:
			m.Body = []byte(v)
		default:
			return m, fmt.Errorf("%w: amqp-value body of type %T", bridge.ErrMalformed, msg.Value)
		}
	}
	if p := msg.Properties; p != nil {
		if p.Subject != nil {
			m.Subject = *p.Subject
		}
		if p.ContentType != nil {
			m.ContentType = *p.ContentType
		}
		if p.MessageID != nil {
			m.ID = text(p.MessageID)
		}
	}
	if len(msg.ApplicationProperties) > 0 {
		m.Headers = make(map[string]string, len(msg.ApplicationProperties))
		for k, v := range msg.ApplicationProperties {
			m.Headers[k] = text(v)
		}
	}
	return m, nil
}

// text is a property value as a string: strings as they are, anything else as fmt's %v.
func text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case amqp.UUID:
		return v.String()
	case []byte:
		return string(v)
	}
	return fmt.Sprint(v)
}
