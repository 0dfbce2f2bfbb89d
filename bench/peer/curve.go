package peer

import (
	"errors"
	"time"
)

// The fixed CURVE key pairs of the -curve runs, in Z85, the same as the C peers'
// (../c/common.h): made once with zmq_curve_keypair. They are test keys, public by being
// here: never use them for anything else. The bound side is the CURVE server, the connecting
// side the client.
const (
	CurveServerPublic = "WJw?^oQr[4buZdiS%1CUIuPINMPVD&G=uX::L>q<"
	CurveServerSecret = "HFkYF=(o{{^s}^e1S^K=Vdq4[CF7:p*Lmu?XCD9E"
	CurveClientPublic = "QwUV0aPv]Yum{ww8S]9WcS?Lqg^2u0=0sg0woYg6"
	CurveClientSecret = "+4o(xGy#G3+#{scG9uKp/m0v!I}iW8+%EM.^V6ve"
)

// errNoCurve is what an implementation without CURVE says when asked for it.
var errNoCurve = errors.New("CURVE is not supported by this implementation")

// sockOpts is how a socket is opened.
type sockOpts struct {
	bind  bool // bind rather than connect; with curve, also the CURVE server side
	curve bool // secure with CURVE and the fixed keys
	// timeout, when set, bounds each recv (implementations that support it): hs_req's guard
	// against a handshake that never completes.
	timeout time.Duration
	// noRecycle: purezmq's receiving loops do not give messages back (Socket.Recycle).
	noRecycle bool
}
