// Package curve holds CURVE key pairs and certificates for ZeroMQ's CURVE
// security mechanism (RFC 25 ZMTP-CURVE, RFC 26 CurveZMQ).
//
// A key pair is a Curve25519 public and secret key of 32 bytes each, written
// as text in Z85 (40 characters, RFC 32) or hex (64 characters). The handshake
// itself lives in the connection engine; this package only makes, derives,
// parses and stores keys.
//
// Certificates use czmq's zcert text format (ZeroMQ Property Language, RFC 4),
// so files are interchangeable with czmq's:
//
//	#   ZeroMQ CURVE Public Certificate
//	metadata
//	    name = "server-1"
//	curve
//	    public-key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
//
// A certificate saved to path has its public half in path and, if it holds a
// secret key, the full pair in path+"_secret", readable by the owner only.
//
// All errors wrap one of the sentinel errors in this package (or an fs error
// for missing files); test them with errors.Is.
package curve
