package mechanism

import (
	"crypto/subtle"

	"golang.org/x/crypto/poly1305" //nolint:staticcheck // secretbox's own MAC, composed as secretbox does
	"golang.org/x/crypto/salsa20/salsa"

	"github.com/purezmq/zmq/internal/salsa20"
)

// messageBox is NaCl's secretbox (XSalsa20-Poly1305) for one direction's MESSAGE boxes, built
// from the same primitives as golang.org/x/crypto/nacl/secretbox for two savings that package
// cannot offer. Every nonce of a direction starts with the same 16 bytes, and XSalsa20's
// subkey depends only on the key and those (HSalsa20), so it is computed once per connection
// instead of once per frame. And the plaintext need not be one slice: Seal encrypts the flags
// byte and the frame straight from the caller's frame into the wire buffer, and open writes
// the payload straight into the buffer it is delivered in. Tests pin the output to secretbox's.
type messageBox struct {
	subKey key
}

func newMessageBox(shared *key, prefix string) messageBox {
	var b messageBox
	var in [16]byte
	copy(in[:], prefix)
	salsa.HSalsa20(&b.subKey, &in, shared, &salsa.Sigma)
	return b
}

// first returns the stream's first block, whose first half is the Poly1305 key, and the
// counter for the blocks after it.
func (b *messageBox) first(short []byte) (counter [16]byte, block [64]byte) {
	copy(counter[:8], short)
	salsa20.XORKeyStream(block[:], block[:], &counter, &b.subKey)
	counter[8] = 1
	return counter, block
}

// seal writes the box of flags+body, tag first, into out, which is 17+len(body) bytes long
// and overlaps neither. One keystream call makes the Poly1305 key, the flags' byte and the
// body's: the stream is one run, not a block and then the rest.
func (b *messageBox) seal(out []byte, short []byte, flags byte, body []byte) {
	var counter [16]byte
	copy(counter[:8], short)
	var head [33]byte // the Poly1305 key, then the flags' byte
	ct := out[poly1305.TagSize:]
	salsa20.XORKeyStreamAfter(head[:], ct[1:], body, &counter, &b.subKey)
	ct[0] = flags ^ head[32]
	polyKey := [32]byte(head[:32])
	var tag [poly1305.TagSize]byte
	poly1305.Sum(&tag, ct, &polyKey)
	clear(polyKey[:])
	clear(head[:])
	copy(out, tag[:])
}

// open checks box (tag, then the sealed flags+payload) and only then writes the payload into
// dst, len(box)-17 bytes that do not overlap it; false, with nothing written, if it does not
// open. A box of two to nine blocks has its whole stream made in one call before the check
// and XORed over the payload after; any other has its first block made, then the rest
// straight into dst.
func (b *messageBox) open(dst []byte, short []byte, box []byte) (byte, bool) {
	ct := box[poly1305.TagSize:]
	if n := 32 + len(ct); n > 64 && n <= salsa20.ShortMax {
		return b.openShort(dst, short, box)
	}
	counter, block := b.first(short)
	defer clear(block[:])
	var tag [poly1305.TagSize]byte
	copy(tag[:], box)
	var polyKey [32]byte
	copy(polyKey[:], block[:32])
	ok := poly1305.Verify(&tag, ct, &polyKey)
	clear(polyKey[:])
	if !ok || len(ct) == 0 {
		return 0, false
	}
	flags := ct[0] ^ block[32]
	head := min(len(ct)-1, 31)
	for i, x := range ct[1 : 1+head] {
		dst[i] = x ^ block[33+i]
	}
	if len(ct) > 32 {
		salsa20.XORKeyStream(dst[head:], ct[32:], &counter, &b.subKey)
	}
	return flags, true
}

// openShort is open for a box of two to nine blocks (ct longer than 32 bytes).
func (b *messageBox) openShort(dst []byte, short []byte, box []byte) (byte, bool) {
	ct := box[poly1305.TagSize:]
	var counter [16]byte
	copy(counter[:8], short)
	var ks [salsa20.ShortMax]byte
	defer clear(ks[:])
	stream := salsa20.Short(&ks, 32+len(ct), &counter, &b.subKey)
	var tag [poly1305.TagSize]byte
	copy(tag[:], box)
	polyKey := [32]byte(stream[:32])
	ok := poly1305.Verify(&tag, ct, &polyKey)
	clear(polyKey[:])
	if !ok {
		return 0, false
	}
	subtle.XORBytes(dst, ct[1:], stream[33:])
	return ct[0] ^ stream[32], true
}
