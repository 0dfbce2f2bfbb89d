package zmq

// Subscribe adds a subscription to messages whose first frame starts with prefix (ZMQ_SUBSCRIBE;
// an empty prefix matches everything). Subscriptions are counted: subscribing twice takes two
// Unsubscribe calls. SUB and XSUB only (an XSUB can also send "\x01"+prefix); other types get
// ErrNotSupported. On an XPUB with WithXPubManual, it subscribes the peer whose subscription
// request Recv returned last.
func (s *Socket) Subscribe(prefix []byte) error { return s.s.Subscribe(prefix, true) }

// Unsubscribe undoes one Subscribe of prefix (ZMQ_UNSUBSCRIBE). SUB, XSUB and XPUB_MANUAL only.
func (s *Socket) Unsubscribe(prefix []byte) error { return s.s.Subscribe(prefix, false) }
