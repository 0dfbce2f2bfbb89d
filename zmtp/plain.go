package zmtp

// Command names of the PLAIN (RFC 24) and CURVE (RFC 25/26) handshakes.
//
// PLAIN runs, between client C and server S:
//
//	C: HELLO username password
//	S: WELCOME                  (or ERROR)
//	C: INITIATE metadata
//	S: READY metadata           (or ERROR)
//
// PLAIN's READY is the NULL handshake's READY: use AppendReady and
// ParseReady for it.
const (
	CmdHello    = "HELLO"    // the client's first command
	CmdWelcome  = "WELCOME"  // the server's answer to HELLO
	CmdInitiate = "INITIATE" // the client's metadata (and, in CURVE, its vouch)
)

// maxPlainCredential is the limit of a PLAIN username or password: each is
// sent after a one-byte size.
const maxPlainCredential = 255

// AppendPlainHello appends a complete PLAIN HELLO command. Username and
// password are truncated to 255 bytes each, their size field being one byte;
// reject longer credentials where they are configured.
func AppendPlainHello(b []byte, username, password []byte) []byte {
	if len(username) > maxPlainCredential {
		username = username[:maxPlainCredential]
	}
	if len(password) > maxPlainCredential {
		password = password[:maxPlainCredential]
	}
	b = AppendCommandHeader(b, CmdHello, 1+len(username)+1+len(password))
	b = append(b, byte(len(username)))
	b = append(b, username...)
	b = append(b, byte(len(password)))
	return append(b, password...)
}

// ParsePlainHello decodes a PLAIN HELLO command: a size byte and the
// username, then a size byte and the password, filling c.Data exactly. Both
// alias c.Data. RFC 24 describes them as printable ASCII, but like libzmq this
// accepts any bytes and leaves their meaning to the ZAP handler.
func ParsePlainHello(c Command) (username, password []byte, err error) {
	if err := expectName(c, CmdHello); err != nil {
		return nil, nil, err
	}
	d := c.Data
	if len(d) < 1 {
		return nil, nil, malformed("PLAIN HELLO has no username size")
	}
	n := int(d[0])
	if len(d)-1 < n {
		return nil, nil, malformed("PLAIN HELLO username size %d exceeds %d data bytes", n, len(d)-1)
	}
	username = d[1 : 1+n : 1+n]
	d = d[1+n:]
	if len(d) < 1 {
		return nil, nil, malformed("PLAIN HELLO has no password size")
	}
	n = int(d[0])
	if len(d)-1 != n {
		return nil, nil, malformed("PLAIN HELLO password size %d does not match %d data bytes", n, len(d)-1)
	}
	password = d[1 : 1+n : 1+n]
	return username, password, nil
}

// AppendPlainWelcome appends a complete PLAIN WELCOME command, which carries
// no data.
func AppendPlainWelcome(b []byte) []byte {
	return AppendCommand(b, CmdWelcome, nil)
}

// ParsePlainWelcome checks that c is a PLAIN WELCOME command with no data.
func ParsePlainWelcome(c Command) error {
	if err := expectName(c, CmdWelcome); err != nil {
		return err
	}
	if len(c.Data) != 0 {
		return malformed("PLAIN WELCOME has %d data bytes, want none", len(c.Data))
	}
	return nil
}

// AppendPlainInitiate appends a complete PLAIN INITIATE command carrying md,
// encoded as READY's metadata is.
func AppendPlainInitiate(b []byte, md Metadata) []byte {
	b = AppendCommandHeader(b, CmdInitiate, md.EncodedLen())
	return md.Append(b)
}

// ParsePlainInitiate decodes the metadata of a PLAIN INITIATE command. Values
// alias c.Data.
func ParsePlainInitiate(c Command) (Metadata, error) {
	if err := expectName(c, CmdInitiate); err != nil {
		return nil, err
	}
	return ParseMetadata(c.Data)
}

// libzmqPlainError is how libzmq 4.3's PLAIN server begins its ERROR command: its C source
// writes the name as "\x05ERROR", and the hex escape takes the E, leaving 0x5E and "RROR".
const libzmqPlainError = "\x5eRROR"

// ParseLibzmqPlainError reads body, a command frame's body that is not well-formed ZMTP, as
// libzmq's own PLAIN client does: an ERROR whose name is libzmq 4.3's misspelling. The
// returned command's Data aliases body; false when body is not that form.
func ParseLibzmqPlainError(body []byte) (Command, bool) {
	if len(body) < len(libzmqPlainError) || string(body[:len(libzmqPlainError)]) != libzmqPlainError {
		return Command{}, false
	}
	return Command{Name: CmdError, Data: body[len(libzmqPlainError):]}, true
}
