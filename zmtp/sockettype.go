package zmtp

// Compatible reports whether a socket of type ours may talk to a peer that
// announced Socket-Type theirs, per the tables of RFC 23/37 plus the draft
// thread-safe types. Names are compared exactly, in upper case as on the wire;
// unknown names (including STREAM, which never speaks ZMTP) are incompatible
// with everything.
func Compatible(ours, theirs string) bool {
	switch ours {
	case "PAIR":
		return theirs == "PAIR"
	case "PUB", "XPUB":
		return theirs == "SUB" || theirs == "XSUB"
	case "SUB", "XSUB":
		return theirs == "PUB" || theirs == "XPUB"
	case "REQ":
		return theirs == "REP" || theirs == "ROUTER"
	case "REP":
		return theirs == "REQ" || theirs == "DEALER"
	case "DEALER":
		return theirs == "REP" || theirs == "DEALER" || theirs == "ROUTER"
	case "ROUTER":
		return theirs == "REQ" || theirs == "DEALER" || theirs == "ROUTER"
	case "PUSH":
		return theirs == "PULL"
	case "PULL":
		return theirs == "PUSH"
	case "CLIENT":
		return theirs == "SERVER"
	case "SERVER":
		return theirs == "CLIENT"
	case "RADIO":
		return theirs == "DISH"
	case "DISH":
		return theirs == "RADIO"
	case "SCATTER":
		return theirs == "GATHER"
	case "GATHER":
		return theirs == "SCATTER"
	case "PEER":
		return theirs == "PEER"
	case "CHANNEL":
		return theirs == "CHANNEL"
	}
	return false
}

// ValidSocketType reports whether name is a socket type that may appear in a
// Socket-Type property (RFC 37 grammar, which includes the draft types).
func ValidSocketType(name string) bool {
	switch name {
	case "REQ", "REP", "DEALER", "ROUTER", "PUB", "XPUB", "SUB", "XSUB",
		"PUSH", "PULL", "PAIR", "CLIENT", "SERVER", "RADIO", "DISH",
		"SCATTER", "GATHER", "PEER", "CHANNEL":
		return true
	}
	return false
}
