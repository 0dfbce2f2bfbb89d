package zmq

import (
	"slices"

	"github.com/purezmq/zmq/internal/zerr"
)

// optionTypes lists the options libzmq 4.3 takes on some socket types only: on the others
// zmq_setsockopt fails with EINVAL, and so do NewSocket and the setters here (ErrOption). Every
// option not listed applies to every type. libzmq's PUB is an XPUB underneath, its REQ a DEALER
// and its REP a ROUTER, so they take those types' options too.
var optionTypes = map[OptionID][]Type{
	OptRouterMandatory:      {ROUTER, REP},
	OptRouterHandover:       {ROUTER, REP},
	OptRouterNotify:         {ROUTER, REP},
	OptProbeRouter:          {ROUTER, REP, DEALER, REQ},
	OptConnectRoutingID:     {ROUTER, REP, STREAM},
	OptStreamNotify:         {STREAM},
	OptReqCorrelate:         {REQ},
	OptReqRelaxed:           {REQ},
	OptXPubVerbose:          {XPUB, PUB},
	OptXPubVerboser:         {XPUB, PUB},
	OptXPubNoDrop:           {XPUB, PUB},
	OptXPubManual:           {XPUB, PUB},
	OptXPubWelcomeMsg:       {XPUB, PUB},
	OptMaxSubscriptionBytes: {XPUB, PUB},
	OptOnlyFirstSubscribe:   {XPUB, PUB, XSUB},
}

// checkOptionType is ErrOption when a socket of type t does not take option id.
func checkOptionType(id OptionID, t Type) error {
	if types, ok := optionTypes[id]; ok && !slices.Contains(types, t) {
		return zerr.Option(id.String(), "a %v socket does not take it", t)
	}
	return nil
}

// onlyFor records in o that an option listed in optionTypes was set, for NewSocket to check
// against the socket's type.
func onlyFor(o *socketOptions, id OptionID) { o.TypeSpecific = append(o.TypeSpecific, int(id)) }

// checkOptionTypes checks every type-specific option set in o against t, and forgets them:
// options set again and again must not grow the list.
func checkOptionTypes(o *socketOptions, t Type) error {
	ids := o.TypeSpecific
	o.TypeSpecific = nil
	for _, id := range ids {
		if err := checkOptionType(OptionID(id), t); err != nil {
			return err
		}
	}
	return nil
}
