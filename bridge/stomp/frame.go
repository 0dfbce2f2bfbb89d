package stomp

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Frame is one STOMP frame. Headers keep their order and repeats (the first of a name is the
// one that counts, as STOMP 1.2 says); content-length is not among them: the encoder writes
// it from Body and the decoder consumes it.
type Frame struct {
	Command string   // SEND, MESSAGE, …: upper-case letters
	Headers []Header // in wire order, unescaped
	Body    []byte   // any bytes, NULs included
}

// Header is one header of a frame, unescaped.
type Header struct {
	Key   string // the name, before the first colon
	Value string // the rest of the line
}

// Get is the value of the first header named key.
func (f *Frame) Get(key string) (string, bool) {
	for _, h := range f.Headers {
		if h.Key == key {
			return h.Value, true
		}
	}
	return "", false
}

// Add appends a header.
func (f *Frame) Add(key, value string) { f.Headers = append(f.Headers, Header{key, value}) }

// ErrFrame: a frame that is not STOMP 1.2, or one over the decoder's limits.
var ErrFrame = errors.New("stomp: bad frame")

const maxCommand = 32 // longer than any STOMP command

// validCommand: STOMP commands are upper-case letters; anything else is not a frame.
func validCommand(c string) bool {
	if c == "" || len(c) > maxCommand {
		return false
	}
	for i := 0; i < len(c); i++ {
		if c[i] < 'A' || c[i] > 'Z' {
			return false
		}
	}
	return true
}

// raw reports the commands whose headers are not escaped (STOMP 1.2: CONNECT and CONNECTED,
// so that a 1.0 server still reads the first frame).
func raw(command string) bool {
	return command == "CONNECT" || command == "CONNECTED" || command == "STOMP"
}

// AppendFrame appends the wire form of f to b: the command, the escaped headers, a
// content-length when there is a body (so a body may hold NUL bytes), the body and the NUL.
func AppendFrame(b []byte, f *Frame) ([]byte, error) {
	if !validCommand(f.Command) {
		return b, fmt.Errorf("%w: command %q", ErrFrame, f.Command)
	}
	b = append(b, f.Command...)
	b = append(b, '\n')
	for _, h := range f.Headers {
		if h.Key == "content-length" {
			return b, fmt.Errorf("%w: content-length is written from the body", ErrFrame)
		}
		if raw(f.Command) {
			if strings.ContainsAny(h.Key, ":\r\n") || strings.ContainsAny(h.Value, "\r\n") {
				return b, fmt.Errorf("%w: %s header %q cannot be escaped", ErrFrame, f.Command, h.Key)
			}
			b = append(b, h.Key...)
			b = append(b, ':')
			b = append(b, h.Value...)
		} else {
			b = appendEscaped(b, h.Key)
			b = append(b, ':')
			b = appendEscaped(b, h.Value)
		}
		b = append(b, '\n')
	}
	if len(f.Body) > 0 {
		b = append(b, "content-length:"...)
		b = strconv.AppendInt(b, int64(len(f.Body)), 10)
		b = append(b, '\n')
	}
	b = append(b, '\n')
	b = append(b, f.Body...)
	return append(b, 0), nil
}

func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b = append(b, '\\', '\\')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case ':':
			b = append(b, '\\', 'c')
		default:
			b = append(b, c)
		}
	}
	return b
}

// unescape undoes appendEscaped; an escape STOMP 1.2 does not define is an error, as is a raw
// CR (it can only be sent escaped).
func unescape(s []byte) (string, error) {
	if !bytes.ContainsAny(s, "\\\r") {
		return string(s), nil
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\r' {
			return "", fmt.Errorf("%w: raw CR in a header", ErrFrame)
		}
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i++; i == len(s) {
			return "", fmt.Errorf("%w: header ends in an escape", ErrFrame)
		}
		switch s[i] {
		case '\\':
			out = append(out, '\\')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 'c':
			out = append(out, ':')
		default:
			return "", fmt.Errorf("%w: undefined escape \\%c", ErrFrame, s[i])
		}
	}
	return string(out), nil
}
