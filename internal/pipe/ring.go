package pipe

// ring is a growable FIFO. Unlike a slice used as a queue it reuses its storage, so a queue that
// stays at a steady depth allocates nothing. Its storage is a power of two long, so a position
// wraps with a mask, not a division (two per message through a socket's inbox).
type ring[T any] struct {
	buf  []T
	head int
	n    int
}

func (r *ring[T]) len() int { return r.n }

func (r *ring[T]) push(v T) {
	if r.n == len(r.buf) {
		r.grow()
	}
	r.buf[r.at(r.n)] = v
	r.n++
}

func (r *ring[T]) pop() T {
	var zero T
	v := r.buf[r.head]
	r.buf[r.head] = zero
	r.head = r.at(1)
	r.n--
	return v
}

// at is the storage index of the element i places after the head.
func (r *ring[T]) at(i int) int { return (r.head + i) & (len(r.buf) - 1) }

func (r *ring[T]) grow() {
	size := 2 * len(r.buf)
	if size == 0 {
		size = 16
	}
	buf := make([]T, size)
	n := copy(buf, r.buf[r.head:])
	copy(buf[n:], r.buf[:r.head])
	r.buf, r.head = buf, 0
}
