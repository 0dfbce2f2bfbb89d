package pgm

import "net/netip"

// A source's packets go to the group a batch at a time, and a receiver reads what its socket
// holds a batch at a time: at 1 Gbit/s a system call per packet is much of the CPU either side
// spends, and sendmmsg and recvmmsg take a batch in one (batchConn, batchReader).

const (
	maxBatch      = 64        // packets in one batch
	maxBatchBytes = 256 << 10 // bounds the batch's buffer whatever MULTICAST_MAXTPDU is
)

// batchConn is a conn that sends many packets to the group in one system call.
type batchConn interface {
	sendGroupBatch(pkts [][]byte) error
}

// outBatch gathers the packets a Sender hands out until flush sends them. A packet built in
// the batch's own free space (scratch) is taken where it lies; any other is copied, since its
// maker may reuse its memory.
type outBatch struct {
	c    conn
	bc   batchConn // nil: c sends one packet at a time
	buf  []byte    // the copies; never grown, so pkts stay valid
	pkts [][]byte
	err  error // the first error a send returned since the last take
}

func newOutBatch(c conn, tpdu int) *outBatch {
	b := &outBatch{c: c}
	b.bc, _ = c.(batchConn)
	n := 1
	if b.bc != nil {
		n = max(1, min(maxBatch, maxBatchBytes/max(tpdu, 1)))
	}
	b.buf = make([]byte, 0, n*tpdu)
	b.pkts = make([][]byte, 0, n)
	return b
}

// scratch returns the batch's free space, empty, flushing first when it has no room for a
// packet of n bytes.
func (b *outBatch) scratch(n int) []byte {
	if b.bc != nil && n <= cap(b.buf) && (len(b.pkts) == cap(b.pkts) || n > cap(b.buf)-len(b.buf)) {
		b.flush()
	}
	return b.buf[len(b.buf):len(b.buf)]
}

// add queues p, flushing first when the batch has no room for it.
func (b *outBatch) add(p []byte) {
	if b.bc == nil || len(p) > cap(b.buf) {
		b.flush()
		b.record(b.c.sendGroup(p))
		return
	}
	start := len(b.buf)
	if len(b.pkts) < cap(b.pkts) && len(p) > 0 && len(p) <= cap(b.buf)-start &&
		&p[0] == &b.buf[:start+1][start] {
		// Built in our free space (scratch): it is where it belongs already.
		b.buf = b.buf[:start+len(p)]
		b.pkts = append(b.pkts, b.buf[start:len(b.buf):len(b.buf)])
		return
	}
	if len(b.pkts) == cap(b.pkts) || len(p) > cap(b.buf)-len(b.buf) {
		b.flush()
		start = 0
	}
	b.buf = append(b.buf, p...)
	b.pkts = append(b.pkts, b.buf[start:len(b.buf):len(b.buf)])
}

// flush sends what the batch holds.
func (b *outBatch) flush() {
	if len(b.pkts) == 0 {
		return
	}
	b.record(b.bc.sendGroupBatch(b.pkts))
	clear(b.pkts)
	b.pkts, b.buf = b.pkts[:0], b.buf[:0]
}

func (b *outBatch) record(err error) {
	if err != nil && b.err == nil {
		b.err = err
	}
}

// maxReadBatch is how many packets a receiver takes in one read.
const maxReadBatch = 16

// inPacket is a packet read: its bytes, valid until the next read, and where it came from.
type inPacket struct {
	b    []byte
	from netip.Addr
}

// batchReader is a conn that reads many packets in one system call: as many as are queued,
// up to len(into), waiting (until the read deadline) for the first.
type batchReader interface {
	readBatch(into []inPacket) (int, error)
}

// inReader reads a receiver's packets, a batch at a time when its conn can.
type inReader struct {
	c    conn
	br   batchReader // nil: c reads one packet at a time
	buf  []byte
	pkts []inPacket
}

func newInReader(c conn) *inReader {
	r := &inReader{c: c}
	r.br, _ = c.(batchReader)
	n := 1
	if r.br != nil {
		n = maxReadBatch
	} else {
		r.buf = make([]byte, 64<<10)
	}
	r.pkts = make([]inPacket, n)
	return r
}

// read returns the next packets; their bytes are valid until the next read.
func (r *inReader) read() ([]inPacket, error) {
	if r.br != nil {
		n, err := r.br.readBatch(r.pkts)
		return r.pkts[:n], err
	}
	b, from, err := r.c.read(r.buf)
	if err != nil {
		return nil, err
	}
	r.pkts[0] = inPacket{b, from}
	return r.pkts[:1], nil
}
