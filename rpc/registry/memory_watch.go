package registry

import "context"

// memWatch is one Watch on a memory registry: the registry kicks it on a change of its key and
// its goroutine hands the newest endpoints to the reader.
type memWatch struct {
	kick chan struct{} // 1 slot: changes coalesce while the reader is busy
}

func (r *memory) Watch(ctx context.Context, key string) (<-chan []string, error) {
	if err := r.lockFor(ctx, key); err != nil {
		return nil, err
	}
	defer r.mu.Unlock()
	w := &memWatch{kick: make(chan struct{}, 1)}
	if r.watchers[key] == nil {
		r.watchers[key] = make(map[*memWatch]struct{})
	}
	r.watchers[key][w] = struct{}{}
	out := make(chan []string)
	first := r.snapshot(key)
	r.wg.Add(1)
	go r.watch(ctx, key, w, first, out)
	return out, nil
}

// notify kicks key's watchers; r.mu is held.
func (r *memory) notify(key string) {
	for w := range r.watchers[key] {
		select {
		case w.kick <- struct{}{}:
		default:
		}
	}
}

func (r *memory) watch(ctx context.Context, key string, w *memWatch, pending []string, out chan<- []string) {
	defer r.wg.Done()
	defer close(out)
	defer func() {
		r.mu.Lock()
		delete(r.watchers[key], w)
		if len(r.watchers[key]) == 0 {
			delete(r.watchers, key)
		}
		r.mu.Unlock()
	}()
	last := []string(nil)
	send := out
	for {
		select {
		case send <- pending:
			last, send = pending, nil
		case <-w.kick:
			r.mu.Lock()
			if r.closed {
				r.mu.Unlock()
				return
			}
			now := r.snapshot(key)
			r.mu.Unlock()
			if last == nil || !equal(now, last) {
				pending, send = now, out
			} else {
				send = nil // back where the reader last saw it
			}
		case <-ctx.Done():
			return
		case <-r.done:
			return
		}
	}
}
