package mechanism

import (
	"errors"
	"fmt"

	"github.com/purezmq/zmq/zmtp"
)

// ZAP (RFC 27): a server mechanism that has its client's credentials asks the context's ZAP
// handler whether to let it in, before it answers the handshake.

// ZAPRequest is what a server mechanism asks its ZAP handler.
type ZAPRequest struct {
	Domain      string   // ZAP_DOMAIN
	Address     string   // the client's IP address
	Identity    []byte   // the server socket's routing id
	Mechanism   string   // "NULL", "PLAIN" or "CURVE"
	Credentials [][]byte // PLAIN: username, password; CURVE: the client's 32-byte public key
}

// ZAPReply is the handler's verdict.
type ZAPReply struct {
	Status   string // "200" accepts; "300", "400" and "500" refuse
	Text     string
	UserID   string
	Metadata zmtp.Metadata
	Asked    bool // a handler judged the client: UserID is its word, even when empty
}

// ErrNoZAP is what an Authorize function returns when no ZAP handler runs: as in libzmq, NULL
// and CURVE go on without one, PLAIN refuses.
var ErrNoZAP = errors.New("zmq: no ZAP handler")

// authorize asks cfg.Authorize, if any. A refusal goes to the client as ERROR with the status
// code, except 300 (a temporary failure), after which the client is dropped in silence as RFC 27
// and libzmq have it; a handler that fails to answer properly gets the client dropped in silence
// too, as nothing the client did caused it.
func authorize(cfg Config, t Transport, mech string, creds ...[]byte) (ZAPReply, error) {
	if cfg.Authorize == nil {
		return ZAPReply{}, nil
	}
	rep, err := cfg.Authorize(ZAPRequest{
		Domain: cfg.Domain, Address: cfg.PeerAddress, Identity: cfg.Identity,
		Mechanism: mech, Credentials: creds,
	})
	if errors.Is(err, ErrNoZAP) {
		if mech == Plain || cfg.EnforceZAP {
			// A password nobody checks protects nothing: like libzmq 4.3, a PLAIN server
			// with no ZAP handler to judge the credentials refuses every client, and so
			// does any server under ZAP_ENFORCE_DOMAIN.
			_ = t.WriteCommand(zmtp.AppendError(nil, "500"))
			return ZAPReply{}, fmt.Errorf("%w: %s server has no ZAP handler to ask", ErrAuth, mech)
		}
		return ZAPReply{}, nil
	}
	if err != nil {
		var pe *ProtocolError
		if errors.As(err, &pe) {
			return ZAPReply{}, err
		}
		return ZAPReply{}, fmt.Errorf("%w: ZAP: %w", ErrAuth, err)
	}
	if rep.Status != "200" {
		if rep.Status != "300" {
			_ = t.WriteCommand(zmtp.AppendError(nil, rep.Status))
		}
		return rep, &ZAPError{Status: rep.Status, Text: rep.Text}
	}
	rep.Asked = true
	return rep, nil
}

// ZAPError is a ZAP handler's refusal; it matches ErrAuth.
type ZAPError struct{ Status, Text string }

func (e *ZAPError) Error() string {
	return fmt.Sprintf("zmq: authentication failed: ZAP %s %s", e.Status, e.Text)
}

func (e *ZAPError) Is(target error) bool { return target == ErrAuth }

// zapResult adds the handler's user id and metadata to res, as the peer's properties.
func zapResult(res Result, rep ZAPReply) Result {
	res.ZAPAsked = rep.Asked
	res.UserID = rep.UserID
	res.ZAPMeta = rep.Metadata
	return res
}

// StatusCode is the status as a number (300, 400, 500), as monitor events carry it.
func (e *ZAPError) StatusCode() int { return zapStatus(e.Status) }
