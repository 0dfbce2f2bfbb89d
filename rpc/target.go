package rpc

import (
	"fmt"
	"regexp"
)

// DefaultExchange is the exchange of a Target that names none (oslo's control_exchange).
const DefaultExchange = "openstack"

// Target says which servers a call goes to: every server listening on Exchange and Topic, one
// of them by name (Server), or all of them (Fanout), and which interface it expects of them
// (Namespace, Version).
type Target struct {
	Exchange  string // DefaultExchange when empty
	Topic     string // required
	Namespace string // "" is the default namespace
	Version   string // "major.minor"; "" means "1.0"
	Server    string // one server by name; "" any server of the topic
	Fanout    bool   // Cast to every server of the topic (Call refuses it)
}

var (
	namePattern    = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,255}$`)
	versionPattern = regexp.MustCompile(`^[0-9]{1,9}\.[0-9]{1,9}$`)
)

// Validate reports the first invalid field as an error matching ErrInvalidTarget.
func (t Target) Validate() error {
	check := func(field, v string, required bool) error {
		if v == "" && !required {
			return nil
		}
		if !namePattern.MatchString(v) {
			return newError(InvalidTarget, fmt.Sprintf("target %s %q: want 1-255 of A-Z a-z 0-9 _ . : -", field, v))
		}
		return nil
	}
	if err := check("exchange", t.Exchange, false); err != nil {
		return err
	}
	if err := check("topic", t.Topic, true); err != nil {
		return err
	}
	if err := check("namespace", t.Namespace, false); err != nil {
		return err
	}
	if err := check("server", t.Server, false); err != nil {
		return err
	}
	if t.Version != "" && !versionPattern.MatchString(t.Version) {
		return newError(InvalidTarget, fmt.Sprintf("target version %q: want major.minor", t.Version))
	}
	if len(t.Key()) > maxName {
		return newError(InvalidTarget, fmt.Sprintf("target key %q: longer than %d bytes", t.Key(), maxName))
	}
	if t.Fanout && t.Server != "" {
		return newError(InvalidTarget, "target: fanout goes to every server; it cannot name one")
	}
	return nil
}

func (t Target) exchange() string {
	if t.Exchange == "" {
		return DefaultExchange
	}
	return t.Exchange
}

func (t Target) version() string {
	if t.Version == "" {
		return "1.0"
	}
	return t.Version
}

// Key is what servers register under and clients resolve: "exchange/topic", or
// "exchange/topic/server" for a Target naming a server. It is the one place routing keys are
// made.
func (t Target) Key() string {
	if t.Server != "" {
		return t.exchange() + "/" + t.Topic + "/" + t.Server
	}
	return t.TopicKey()
}

// TopicKey is the key of every server of the topic, whatever Server says.
func (t Target) TopicKey() string { return t.exchange() + "/" + t.Topic }
