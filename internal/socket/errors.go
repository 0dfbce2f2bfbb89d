package socket

import "errors"

// errRefused: the pattern would not take the peer (a PAIR that has one, a duplicate routing id).
var errRefused = errors.New("zmq: peer refused by the socket type")
