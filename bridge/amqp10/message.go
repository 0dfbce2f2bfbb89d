package amqp10

import (
	"fmt"

	"github.com/Azure/go-amqp"
	"github.com/purezmq/zmq/bridge"
)

// toAMQP maps m to an AMQP 1.0 message (see the package doc).
func toAMQP(m bridge.Message) *amqp.Message {
	msg := &amqp.Message{
		Header: &amqp.MessageHeader{Durable: true},
		Data:   [][]byte{m.Body},
	}
	if m.Subject != "" || m.ContentType != "" || m.ID != "" {
		p := &amqp.MessageProperties{}
		if m.Subject != "" {
			p.Subject = &m.Subject
		}
		if m.ContentType != "" {
			p.ContentType = &m.ContentType
		}
		if m.ID != "" {
			p.MessageID = m.ID
		}
		msg.Properties = p
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
		n := 0
		for _, d := range msg.Data {
			n += len(d)
		}
		m.Body = make([]byte, 0, n)
		for _, d := range msg.Data {
			m.Body = append(m.Body, d...)
		}
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
