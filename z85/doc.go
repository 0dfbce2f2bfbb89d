// Package z85 implements Z85, the ZeroMQ base-85 text encoding of binary data
// (RFC 32, https://rfc.zeromq.org/spec/32/).
//
// Z85 turns every 4 bytes into 5 printable characters that are safe inside
// double or single quotes, in source code and on the command line. It is the
// standard text form of CURVE keys: a 32-byte key is 40 characters.
//
// Z85 has no padding. Binary input must be a multiple of 4 bytes and text a
// multiple of 5 characters; anything else is an error, as are characters
// outside the alphabet and 5-character groups whose value exceeds 2^32-1.
// Because every accepted group maps to exactly one 4-byte value, decoding and
// re-encoding always reproduces the original text.
//
// All errors wrap one of the sentinel errors in this package; test them with
// errors.Is.
package z85
