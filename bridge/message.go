package bridge

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Message is a message on its way between ZeroMQ and a broker, in the form every protocol maps.
//
// From ZeroMQ: frame 0 is the Subject and frame 1 the Body. A message of more than two frames
// keeps frames 1… together in Body as a multipart encoding (Multipart; the content type
// MultipartType), so binary frames of any number survive every protocol unchanged. With the
// route's subject off, every frame is body: one frame as it is, several as the multipart
// encoding.
//
// To ZeroMQ: [Subject, Body] — or [Subject, frames…] for a multipart body — and without
// subject just the body's frame(s).
//
// Each protocol says where Subject, ContentType and Headers go (AMQP 0.9.1: routing key,
// content-type, headers table; AMQP 1.0: subject, content-type, application properties; STOMP:
// header "subject", content-type, the other headers).
type Message struct {
	Subject     string            // ZeroMQ frame 0, unless the route has no subject
	Body        []byte            // the other frame, or the multipart encoding of several
	ContentType string            // MultipartType for a multipart body, else what the sender said
	Headers     map[string]string // application headers, passed through both ways
	ID          string            // the broker's message id, when it has one
}

// MultipartType is the content type of a body holding several ZeroMQ frames: each frame as a
// 4-byte big-endian length and its bytes.
const MultipartType = "application/vnd.zeromq.multipart"

// ErrMalformed: a message that cannot be mapped (a multipart body that does not parse, a
// ZeroMQ message with no frame).
var ErrMalformed = errors.New("bridge: malformed message")

// FromFrames maps a ZeroMQ message to a Message; subject says whether frame 0 is the subject.
func FromFrames(frames [][]byte, subject bool) (Message, error) {
	if len(frames) == 0 {
		return Message{}, fmt.Errorf("%w: no frame", ErrMalformed)
	}
	var m Message
	if subject {
		m.Subject = string(frames[0])
		frames = frames[1:]
	}
	switch len(frames) {
	case 0:
	case 1:
		m.Body = frames[0]
	default:
		m.Body, m.ContentType = EncodeMultipart(frames), MultipartType
	}
	return m, nil
}

// Frames maps m to a ZeroMQ message; subject says whether the Subject goes first.
func (m Message) Frames(subject bool) ([][]byte, error) {
	var body [][]byte
	if m.ContentType == MultipartType {
		var err error
		if body, err = DecodeMultipart(m.Body); err != nil {
			return nil, err
		}
	} else {
		body = [][]byte{m.Body}
	}
	if subject {
		return append([][]byte{[]byte(m.Subject)}, body...), nil
	}
	return body, nil
}

// EncodeMultipart is the multipart body of frames.
func EncodeMultipart(frames [][]byte) []byte {
	n := 0
	for _, f := range frames {
		n += 4 + len(f)
	}
	out := make([]byte, 0, n)
	for _, f := range frames {
		out = binary.BigEndian.AppendUint32(out, uint32(len(f)))
		out = append(out, f...)
	}
	return out
}

// DecodeMultipart parses a multipart body; the frames share b's memory.
func DecodeMultipart(b []byte) ([][]byte, error) {
	var frames [][]byte
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, fmt.Errorf("%w: multipart body cut in a length", ErrMalformed)
		}
		n := binary.BigEndian.Uint32(b)
		b = b[4:]
		if uint64(n) > uint64(len(b)) {
			return nil, fmt.Errorf("%w: multipart frame of %d bytes, %d left", ErrMalformed, n, len(b))
		}
		frames = append(frames, b[:n:n])
		b = b[n:]
	}
	if len(frames) == 0 {
		return nil, fmt.Errorf("%w: empty multipart body", ErrMalformed)
	}
	return frames, nil
}
