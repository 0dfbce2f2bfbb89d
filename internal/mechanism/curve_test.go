package mechanism

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"strings"
	"testing"

	"golang.org/x/crypto/nacl/box"
	"golang.org/x/crypto/nacl/secretbox"

	"github.com/purezmq/zmq/zmtp"
)

func codecPair(t testing.TB) (*curveCodec, *curveCodec) {
	t.Helper()
	cp, cs, _ := box.GenerateKey(rand.Reader)
	sp, ss, _ := box.GenerateKey(rand.Reader)
	c := &curveCodec{sendPrefix: zmtp.CurveNonceMessageClient, recvPrefix: zmtp.CurveNonceMessageServer}
	s := &curveCodec{sendPrefix: zmtp.CurveNonceMessageServer, recvPrefix: zmtp.CurveNonceMessageClient}
	box.Precompute(&c.shared, sp, cs)
	box.Precompute(&s.shared, cp, ss)
	c.keyMessages()
	s.keyMessages()
	return c, s
}

// Open opens one frame body into a buffer of its own, as the engine does in two steps.
func (s *curveCodec) Open(body []byte) (byte, []byte, error) {
	n, err := s.PayloadLen(body)
	if err != nil {
		return 0, nil, err
	}
	p := make([]byte, n)
	flags, err := s.OpenInto(p, body)
	if err != nil {
		return 0, nil, err
	}
	return flags, p, nil
}

// frameBody strips the frame header a Seal wrote.
func frameBody(t testing.TB, frame []byte) []byte {
	t.Helper()
	flags, size, n, err := zmtp.ParseFrameHeader(frame, -1)
	if err != nil || flags != 0 || n+size != len(frame) {
		t.Fatalf("sealed frame: flags %x size %d n %d err %v", flags, size, n, err)
	}
	return frame[n:]
}

// TestCurveShortNoncesStrictlyIncrease proves the sender never reuses a short nonce and the
// receiver refuses a replayed or reordered one.
func TestCurveShortNoncesStrictlyIncrease(t *testing.T) {
	c, s := codecPair(t)
	var last uint64
	var frames [][]byte
	for i := range 1000 {
		f := c.Seal(nil, zmtp.FlagMore*byte(i%2), []byte{byte(i)})
		body := frameBody(t, f)
		cmd, err := zmtp.ParseCommand(body)
		if err != nil {
			t.Fatal(err)
		}
		m, err := zmtp.ParseCurveMessage(cmd)
		if err != nil {
			t.Fatal(err)
		}
		n := binary.BigEndian.Uint64(m.Nonce[:])
		if n <= last {
			t.Fatalf("frame %d: nonce %d after %d", i, n, last)
		}
		last = n
		frames = append(frames, body)
	}
	for i, body := range frames {
		flags, payload, err := s.Open(body)
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if flags != zmtp.FlagMore*byte(i%2) || !bytes.Equal(payload, []byte{byte(i)}) {
			t.Fatalf("frame %d: flags %x payload %x", i, flags, payload)
		}
	}
	if _, _, err := s.Open(frames[len(frames)-1]); err == nil {
		t.Fatal("a replayed MESSAGE was accepted")
	}
	if _, _, err := s.Open(frames[3]); err == nil {
		t.Fatal("an old MESSAGE was accepted")
	}
}

func TestCurveMessageTamperingRefused(t *testing.T) {
	c, s := codecPair(t)
	body := frameBody(t, c.Seal(nil, 0, []byte("payload")))
	body[len(body)-1] ^= 1
	if _, _, err := s.Open(body); err == nil {
		t.Fatal("a tampered MESSAGE was accepted")
	}
}

func TestCurveCommandFlag(t *testing.T) {
	c, s := codecPair(t)
	ping := zmtp.AppendCommand(nil, "PING", []byte{0, 0})
	_, size, n, _ := zmtp.ParseFrameHeader(ping, -1)
	flags, payload, err := s.Open(frameBody(t, c.Seal(nil, zmtp.FlagCommand, ping[n:n+size])))
	if err != nil || flags != zmtp.FlagCommand || !bytes.Equal(payload, ping[n:]) {
		t.Fatalf("flags %x payload %q err %v", flags, payload, err)
	}
}

// TestCurveOpenAllocationFree pins the data path's cost: sealing into a buffer with room and
// opening into one cost no allocation.
func TestCurveOpenAllocationFree(t *testing.T) {
	for _, size := range []int{0, 16, 256, 4096, 100000} {
		c, s := codecPair(t)
		body := make([]byte, size)
		dst := make([]byte, size)
		buf := c.Seal(nil, 0, body) // the first grows the buffer
		allocs := testing.AllocsPerRun(100, func() {
			buf = c.Seal(buf[:0], 0, body)
			if _, err := s.OpenInto(dst, frameBody(t, buf)); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%d bytes: %.1f allocations per frame sealed and opened", size, allocs)
		}
	}
}

// TestCurveForgedFrameLeavesNothing: a box that does not open, forged or cut, writes nothing
// where the payload would go, nor counts its nonce.
func TestCurveForgedFrameLeavesNothing(t *testing.T) {
	c, s := codecPair(t)
	forged := frameBody(t, c.Seal(nil, 0, []byte("forged! payload")))
	forged[len(forged)-1] ^= 1
	cut := frameBody(t, c.Seal(nil, 0, []byte("cut short payload")))
	cut = cut[:len(cut)-1]
	for _, body := range [][]byte{forged, cut} {
		n, err := s.PayloadLen(body)
		if err != nil {
			t.Fatal(err)
		}
		dst := bytes.Repeat([]byte{'.'}, n)
		if _, err := s.OpenInto(dst, body); err == nil {
			t.Fatal("a forged MESSAGE opened")
		}
		if string(dst) != strings.Repeat(".", n) {
			t.Fatalf("a refused box wrote %q", dst)
		}
	}
	if _, p, err := s.Open(frameBody(t, c.Seal(nil, 0, []byte("next")))); err != nil || string(p) != "next" {
		t.Fatalf("the frame after refused ones: %q, %v", p, err)
	}
}

// TestMessageBoxIsSecretbox pins the composed box to nacl's: what Seal puts on the wire is
// secretbox.Seal of flags+payload under the full nonce, and what secretbox seals opens, at
// sizes around the first block's end and the stream's later blocks.
func TestMessageBoxIsSecretbox(t *testing.T) {
	var k key
	rand.Read(k[:])
	c := &curveCodec{shared: k, sendPrefix: zmtp.CurveNonceMessageClient, recvPrefix: zmtp.CurveNonceMessageServer}
	c.keyMessages()
	for _, size := range []int{0, 1, 30, 31, 32, 33, 63, 64, 95, 96, 97, 255, 4096, 70001} {
		body := make([]byte, size)
		rand.Read(body)
		m, err := zmtp.ParseCurveMessage(mustCommand(t, frameBody(t, c.Seal(nil, zmtp.FlagMore, body))))
		if err != nil {
			t.Fatal(err)
		}
		want := secretbox.Seal(nil, append([]byte{zmtp.CurveFlagMore}, body...), nonce(zmtp.CurveNonceMessageClient, m.Nonce[:]), &k)
		if !bytes.Equal(m.Box, want) {
			t.Fatalf("%d bytes: Seal's box differs from secretbox's", size)
		}

		short := c.sent + 1000 // s has seen none of these
		var sn [8]byte
		binary.BigEndian.PutUint64(sn[:], short)
		sealed := secretbox.Seal(nil, append([]byte{0}, body...), nonce(zmtp.CurveNonceMessageServer, sn[:]), &k)
		frame := zmtp.CurveMessage{Nonce: sn, Box: sealed}.Append(nil)
		_, _, n, _ := zmtp.ParseFrameHeader(frame, -1) // a command frame, which Open takes too
		flags, got, err := c.Open(frame[n:])
		if err != nil || flags != 0 || !bytes.Equal(got, body) {
			t.Fatalf("%d bytes: secretbox's box opened to flags %x, %d bytes equal %v, err %v", size, flags, len(got), bytes.Equal(got, body), err)
		}
	}
}

func mustCommand(t *testing.T, body []byte) zmtp.Command {
	t.Helper()
	cmd, err := zmtp.ParseCommand(body)
	if err != nil {
		t.Fatal(err)
	}
	return cmd
}

// FuzzCurveOpen feeds arbitrary frame bodies to a MESSAGE decoder: no panic, and nothing but a
// genuine sealed frame opens.
func FuzzCurveOpen(f *testing.F) {
	c, _ := codecPair(f)
	for _, p := range [][]byte{nil, []byte("x"), make([]byte, 300)} {
		f.Add(c.Seal(nil, 0, p)[2:])
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		_, s := codecPair(t)
		if _, _, err := s.Open(body); err == nil {
			t.Fatal("a frame not sealed for this connection opened")
		}
	})
}

// BenchmarkCurveSealOpen is one 256-byte frame sealed and opened: the per-frame cost CURVE adds.
func BenchmarkCurveSealOpen(b *testing.B) {
	c, s := codecPair(b)
	body := make([]byte, 256)
	var buf []byte
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		buf = c.Seal(buf[:0], 0, body)
		if _, _, err := s.Open(frameBody(b, buf)); err != nil {
			b.Fatal(err)
		}
	}
}

// keyPair draws a long-term key pair as bytes, as a socket's options hold it.
func keyPair() (pub, sec key) {
	_, p := newTransient()
	copy(sec[:], p.Bytes())
	return key(p.PublicKey().Bytes()), sec
}

// TestSharedKeysAgree: both ends of a pair of key pairs, transient or long-term, get the same
// box key, and a low-order peer key gets none.
func TestSharedKeysAgree(t *testing.T) {
	apub, asec := newTransient()
	bpub, bsecBytes := keyPair()
	var ab, ba key
	if err := sharedKey(&ab, &bpub, asec); err != nil {
		t.Fatal(err)
	}
	if err := sharedKey(&ba, &apub, newSecret(&bsecBytes)); err != nil {
		t.Fatal(err)
	}
	if ab != ba || isZero(ab) {
		t.Fatalf("shared keys %x and %x", ab, ba)
	}
	if publicKey(&bsecBytes) != bpub {
		t.Fatal("publicKey is not the key pair's")
	}
	var zero key
	if err := sharedKey(&ab, &zero, asec); err == nil {
		t.Fatal("a box key with the all-zero point")
	}
}
