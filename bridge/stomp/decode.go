package stomp

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Limits bound what a peer can make the decoder hold: a hostile or broken broker cannot grow
// memory past MaxBody plus MaxHeaderBytes per frame.
type Limits struct {
	MaxLine        int // one header line (or the command line), escaped, EOL excluded
	MaxHeaders     int // headers in one frame
	MaxHeaderBytes int // all header lines of one frame together
	MaxBody        int // one body, declared by content-length or read up to its NUL
}

// DefaultLimits: RabbitMQ's own MESSAGE headers take well under 1 KiB; the body limit is the
// largest ZeroMQ message the bridge carries by default.
var DefaultLimits = Limits{
	MaxLine:        8 << 10,
	MaxHeaders:     128,
	MaxHeaderBytes: 64 << 10,
	MaxBody:        16 << 20,
}

// Decoder reads frames from a stream, skipping the EOLs between them (heart-beats).
type Decoder struct {
	r   *bufio.Reader
	lim Limits
	buf []byte // the current line, when it spans bufio's buffer
}

// NewDecoder reads frames from r within lim; a zero field of lim takes DefaultLimits' value.
func NewDecoder(r io.Reader, lim Limits) *Decoder {
	def := func(v, d int) int {
		if v <= 0 {
			return d
		}
		return v
	}
	lim.MaxLine = def(lim.MaxLine, DefaultLimits.MaxLine)
	lim.MaxHeaders = def(lim.MaxHeaders, DefaultLimits.MaxHeaders)
	lim.MaxHeaderBytes = def(lim.MaxHeaderBytes, DefaultLimits.MaxHeaderBytes)
	lim.MaxBody = def(lim.MaxBody, DefaultLimits.MaxBody)
	return &Decoder{r: bufio.NewReaderSize(r, 4096), lim: lim}
}

// line reads one line of at most max bytes, without its EOL. The slice is valid until the
// next read.
func (d *Decoder) line(max int) ([]byte, error) {
	d.buf = d.buf[:0]
	for {
		s, err := d.r.ReadSlice('\n')
		if len(d.buf)+len(s) > max+2 { // + CR LF
			return nil, fmt.Errorf("%w: line over %d bytes", ErrFrame, max)
		}
		switch {
		case err == nil && len(d.buf) == 0:
			return trimEOL(s), nil
		case err == nil:
			d.buf = append(d.buf, s...)
			return trimEOL(d.buf), nil
		case errors.Is(err, bufio.ErrBufferFull):
			d.buf = append(d.buf, s...)
		case errors.Is(err, io.EOF) && len(d.buf)+len(s) > 0:
			return nil, io.ErrUnexpectedEOF
		default:
			return nil, err
		}
	}
}

func trimEOL(s []byte) []byte {
	s = s[:len(s)-1]
	if len(s) > 0 && s[len(s)-1] == '\r' {
		s = s[:len(s)-1]
	}
	return s
}

// Read returns the next frame. Errors: ErrFrame for a frame that is not STOMP 1.2 or over the
// limits, io.EOF at a clean end between frames, io.ErrUnexpectedEOF inside one, or the
// reader's error.
func (d *Decoder) Read() (*Frame, error) {
	var cmd []byte
	for { // EOLs between frames are heart-beats
		l, err := d.line(d.lim.MaxLine)
		if err != nil {
			return nil, err
		}
		if len(l) > 0 {
			cmd = l
			break
		}
	}
	if !validCommand(string(cmd)) {
		return nil, fmt.Errorf("%w: command %.40q", ErrFrame, cmd)
	}
	f := &Frame{Command: string(cmd)}
	length, total := -1, 0
	for {
		l, err := d.line(d.lim.MaxLine)
		if err != nil {
			return nil, eofInFrame(err)
		}
		if len(l) == 0 {
			break
		}
		if total += len(l); total > d.lim.MaxHeaderBytes {
			return nil, fmt.Errorf("%w: headers over %d bytes", ErrFrame, d.lim.MaxHeaderBytes)
		}
		h, err := parseHeader(l, raw(f.Command))
		if err != nil {
			return nil, err
		}
		if h.Key == "content-length" {
			if length < 0 { // the first one counts
				if length, err = parseLength(h.Value, d.lim.MaxBody); err != nil {
					return nil, err
				}
			}
			continue
		}
		if len(f.Headers) == d.lim.MaxHeaders {
			return nil, fmt.Errorf("%w: more than %d headers", ErrFrame, d.lim.MaxHeaders)
		}
		f.Headers = append(f.Headers, h)
	}
	body, err := d.body(length)
	if err != nil {
		return nil, err
	}
	if len(body) > 0 {
		f.Body = body
	}
	return f, nil
}

func parseHeader(l []byte, rawHeaders bool) (Header, error) {
	i := bytes.IndexByte(l, ':')
	if i < 0 {
		return Header{}, fmt.Errorf("%w: header line without a colon", ErrFrame)
	}
	if rawHeaders {
		if bytes.IndexByte(l, '\r') >= 0 {
			return Header{}, fmt.Errorf("%w: raw CR in a header", ErrFrame)
		}
		return Header{string(l[:i]), string(l[i+1:])}, nil
	}
	k, err := unescape(l[:i])
	if err != nil {
		return Header{}, err
	}
	v, err := unescape(l[i+1:])
	if err != nil {
		return Header{}, err
	}
	return Header{k, v}, nil
}

func parseLength(v string, max int) (int, error) {
	n, err := strconv.ParseUint(v, 10, 63)
	if err != nil {
		return 0, fmt.Errorf("%w: content-length %.20q", ErrFrame, v)
	}
	if n > uint64(max) {
		return 0, fmt.Errorf("%w: body of %d bytes, limit %d", ErrFrame, n, max)
	}
	return int(n), nil
}

// body reads length bytes and the NUL, or without a length everything up to the NUL.
func (d *Decoder) body(length int) ([]byte, error) {
	if length >= 0 {
		b := make([]byte, length+1)
		if _, err := io.ReadFull(d.r, b); err != nil {
			return nil, eofInFrame(err)
		}
		if b[length] != 0 {
			return nil, fmt.Errorf("%w: no NUL after a body of content-length %d", ErrFrame, length)
		}
		return b[:length:length], nil
	}
	var b []byte
	for {
		s, err := d.r.ReadSlice(0)
		if len(b)+len(s) > d.lim.MaxBody+1 {
			return nil, fmt.Errorf("%w: body over %d bytes", ErrFrame, d.lim.MaxBody)
		}
		b = append(b, s...)
		if err == nil {
			return b[: len(b)-1 : len(b)-1], nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return nil, eofInFrame(err)
		}
	}
}

func eofInFrame(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
