package zmtp

import "encoding/binary"

// Command names defined by RFC 23 (READY, ERROR) and RFC 37 (PING, PONG,
// SUBSCRIBE, CANCEL). Names are compared exactly, as sent on the wire.
const (
	CmdReady     = "READY"     // ends the NULL handshake (and PLAIN's), carrying metadata
	CmdError     = "ERROR"     // refuses the handshake, with a reason
	CmdPing      = "PING"      // a heartbeat asking for a PONG, with a TTL and context
	CmdPong      = "PONG"      // answers a PING, echoing its context
	CmdSubscribe = "SUBSCRIBE" // a subscription as a command (ZMTP 3.1) rather than "\x01"+topic
	CmdCancel    = "CANCEL"    // an unsubscription as a command (ZMTP 3.1) rather than "\x00"+topic
)

const (
	maxCommandName = 255
	maxErrorReason = 255
	maxPingContext = 16 // RFC 37: ping-context = 0*16OCTET
	pingTTLSize    = 2
)

// Command is a decoded command frame body.
type Command struct {
	Name string // as on the wire, 1 to 255 bytes, compared exactly
	Data []byte // the bytes after the name; aliases the input
}

// AppendCommandHeader appends the frame header and name of a command whose
// data will be dataLen bytes, for callers that encode the data in place
// afterwards. name must be 1 to 255 letters; longer names are truncated.
func AppendCommandHeader(b []byte, name string, dataLen int) []byte {
	if len(name) > maxCommandName {
		name = name[:maxCommandName]
	}
	if dataLen < 0 {
		dataLen = 0
	}
	b = AppendFrameHeader(b, FlagCommand, 1+len(name)+dataLen)
	b = append(b, byte(len(name)))
	return append(b, name...)
}

// AppendCommand appends a complete command frame: header with FlagCommand,
// name-size byte, name and data. name must be 1 to 255 letters; longer names
// are truncated.
func AppendCommand(b []byte, name string, data []byte) []byte {
	b = AppendCommandHeader(b, name, len(data))
	return append(b, data...)
}

// ParseCommand splits a command frame body (without its header) into name and
// data. The name must be 1 to 255 ASCII letters, as RFC 23/37 define
// command-name; anything else is ErrMalformed. Data aliases body.
func ParseCommand(body []byte) (Command, error) {
	if len(body) == 0 {
		return Command{}, malformed("command body is empty")
	}
	n := int(body[0])
	if n == 0 {
		return Command{}, malformed("command name is empty")
	}
	if len(body)-1 < n {
		return Command{}, malformed("command name size %d exceeds body", n)
	}
	raw := body[1 : 1+n]
	for _, c := range raw {
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return Command{}, malformed("command name has invalid byte %#02x", c)
		}
	}
	end := len(body)
	return Command{Name: commandName(raw), Data: body[1+n : end : end]}, nil
}

// commandName returns the constant for well-known names so the common
// commands (PING, SUBSCRIBE, ...) decode without allocating.
func commandName(b []byte) string {
	switch string(b) {
	case CmdReady:
		return CmdReady
	case CmdError:
		return CmdError
	case CmdPing:
		return CmdPing
	case CmdPong:
		return CmdPong
	case CmdSubscribe:
		return CmdSubscribe
	case CmdCancel:
		return CmdCancel
	case CmdMessage: // CURVE's, once per frame
		return CmdMessage
	}
	return string(b)
}

func expectName(c Command, name string) error {
	if c.Name != name {
		return malformed("command is %q, want %q", c.Name, name)
	}
	return nil
}

// AppendReady appends a complete READY command carrying md (NULL mechanism
// handshake, RFC 23).
func AppendReady(b []byte, md Metadata) []byte {
	b = AppendCommandHeader(b, CmdReady, md.EncodedLen())
	return md.Append(b)
}

// ParseReady decodes the metadata of a READY command. Values alias c.Data.
func ParseReady(c Command) (Metadata, error) {
	if err := expectName(c, CmdReady); err != nil {
		return nil, err
	}
	return ParseMetadata(c.Data)
}

// AppendError appends a complete ERROR command. The reason is truncated to
// 255 bytes because its size field is one byte.
func AppendError(b []byte, reason string) []byte {
	if len(reason) > maxErrorReason {
		reason = reason[:maxErrorReason]
	}
	b = AppendCommandHeader(b, CmdError, 1+len(reason))
	b = append(b, byte(len(reason)))
	return append(b, reason...)
}

// ParseError decodes an ERROR command: a reason-size byte followed by exactly
// that many bytes. The reason is peer-controlled text for logging only; it is
// not validated, so sanitize it before display.
func ParseError(c Command) (reason string, err error) {
	if err := expectName(c, CmdError); err != nil {
		return "", err
	}
	if len(c.Data) == 0 {
		return "", malformed("ERROR has no reason size")
	}
	n := int(c.Data[0])
	if len(c.Data)-1 != n {
		return "", malformed("ERROR reason size %d does not match %d data bytes", n, len(c.Data)-1)
	}
	return string(c.Data[1:]), nil
}

// AppendPing appends a complete PING command (ZMTP 3.1 heartbeat). ttl is in
// tenths of a second (0 means none); context is truncated to 16 bytes.
func AppendPing(b []byte, ttlDeciseconds uint16, context []byte) []byte {
	if len(context) > maxPingContext {
		context = context[:maxPingContext]
	}
	b = AppendCommandHeader(b, CmdPing, pingTTLSize+len(context))
	b = binary.BigEndian.AppendUint16(b, ttlDeciseconds)
	return append(b, context...)
}

// ParsePing decodes a PING command: a 2-byte big-endian TTL in tenths of a
// second, then a context of at most 16 bytes (aliasing c.Data) that the PONG
// must echo.
func ParsePing(c Command) (ttlDeciseconds uint16, context []byte, err error) {
	if err := expectName(c, CmdPing); err != nil {
		return 0, nil, err
	}
	if len(c.Data) < pingTTLSize {
		return 0, nil, malformed("PING is %d bytes, want at least 2", len(c.Data))
	}
	ctx := c.Data[pingTTLSize:]
	if len(ctx) > maxPingContext {
		return 0, nil, malformed("PING context is %d bytes, want at most 16", len(ctx))
	}
	return binary.BigEndian.Uint16(c.Data), ctx, nil
}

// AppendPong appends a complete PONG command echoing context, truncated to 16
// bytes.
func AppendPong(b []byte, context []byte) []byte {
	if len(context) > maxPingContext {
		context = context[:maxPingContext]
	}
	return AppendCommand(b, CmdPong, context)
}

// ParsePong decodes a PONG command; the context (at most 16 bytes) aliases
// c.Data.
func ParsePong(c Command) (context []byte, err error) {
	if err := expectName(c, CmdPong); err != nil {
		return nil, err
	}
	if len(c.Data) > maxPingContext {
		return nil, malformed("PONG context is %d bytes, want at most 16", len(c.Data))
	}
	return c.Data, nil
}

// AppendSubscribe appends a ZMTP 3.1 SUBSCRIBE command for topic. (ZMTP 3.0
// peers expect a message frame starting with 0x01 instead; that is the
// caller's choice.)
func AppendSubscribe(b []byte, topic []byte) []byte {
	return AppendCommand(b, CmdSubscribe, topic)
}

// AppendCancel appends a ZMTP 3.1 CANCEL command for topic. (ZMTP 3.0 peers
// expect a message frame starting with 0x00 instead.)
func AppendCancel(b []byte, topic []byte) []byte {
	return AppendCommand(b, CmdCancel, topic)
}

// ParseSubscribe returns the topic of a SUBSCRIBE command (any bytes,
// possibly empty, aliasing c.Data).
func ParseSubscribe(c Command) (topic []byte, err error) {
	if err := expectName(c, CmdSubscribe); err != nil {
		return nil, err
	}
	return c.Data, nil
}

// ParseCancel returns the topic of a CANCEL command (any bytes, possibly
// empty, aliasing c.Data).
func ParseCancel(c Command) (topic []byte, err error) {
	if err := expectName(c, CmdCancel); err != nil {
		return nil, err
	}
	return c.Data, nil
}
