package cli

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"strings"
)

// inputMode is how zmq send cuts stdin into messages.
type inputMode int

const (
	inputLines inputMode = iota // one message per line, "\n" stripped
	inputNUL                    // NUL-terminated messages (-0)
	inputRaw                    // all of stdin is one message (--raw)
)

// messageReader yields stdin's messages one at a time, so that a line typed at a terminal is
// sent at once rather than at end of input.
type messageReader struct {
	r    *bufio.Reader
	mode inputMode
	done bool
}

func newMessageReader(r io.Reader, mode inputMode) *messageReader {
	return &messageReader{r: bufio.NewReader(r), mode: mode}
}

// next returns the next message, or io.EOF after the last. Only the delimiter is removed: a
// "\r" before "\n" stays, and an empty line is an empty message. A last message without its
// delimiter still counts; end of input straight after a delimiter adds none. In raw mode
// there is exactly one message, empty if stdin is.
func (m *messageReader) next() ([]byte, error) {
	if m.done {
		return nil, io.EOF
	}
	if m.mode == inputRaw {
		m.done = true
		return io.ReadAll(m.r)
	}
	delim := byte('\n')
	if m.mode == inputNUL {
		delim = 0
	}
	b, err := m.r.ReadBytes(delim)
	switch {
	case err == nil:
		return b[:len(b)-1], nil
	case errors.Is(err, io.EOF):
		m.done = true
		if len(b) == 0 {
			return nil, io.EOF
		}
		return b, nil
	}
	return nil, err
}

// splitFrames cuts one message into its frames at each sep; no sep means one frame. The frames
// are views of msg: the commands send them with SendCopy, which leaves them to us, so one
// message (a --reply) may be sent any number of times.
func splitFrames(msg []byte, sep string) [][]byte {
	if sep == "" {
		return [][]byte{msg}
	}
	return bytes.Split(msg, []byte(sep))
}

// decodeFrames turns frames of hex text (--in hex) into their bytes. A "0x" prefix and
// upper-case digits are accepted, as are spaces between byte pairs ("de ad be ef").
func decodeFrames(frames [][]byte) ([][]byte, error) {
	out := make([][]byte, len(frames))
	for i, f := range frames {
		b, err := parseHex(string(f))
		if err != nil {
			return nil, usagef("--in hex: frame %d: %v", i+1, err)
		}
		out[i] = b
	}
	return out, nil
}

func parseHex(s string) ([]byte, error) {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	s = strings.ReplaceAll(s, " ", "")
	return hex.DecodeString(s)
}

// parseID reads a routing id as --to takes it: "0x" then hex digits for any bytes, otherwise
// the text itself.
func parseID(s string) ([]byte, error) {
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		b, err := hex.DecodeString(s[2:])
		if err != nil || len(b) == 0 {
			return nil, usagef("--to %s: malformed hex routing id", s)
		}
		return b, nil
	}
	if s == "" {
		return nil, usagef("--to: empty routing id")
	}
	return []byte(s), nil
}
