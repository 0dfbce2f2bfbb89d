package main

import (
	"bytes"
	"time"
)

// idleWorker is a worker waiting for a request, alive until expiry unless it is heard from.
type idleWorker struct {
	id     []byte
	expiry time.Time
}

// idleWorkers are the queue's workers waiting for a request, longest waiting first.
type idleWorkers []idleWorker

// ready puts id last, alive until expiry: every message from a worker, heartbeat or reply,
// shows it is alive and free.
func (w *idleWorkers) ready(id []byte, expiry time.Time) {
	w.remove(id)
	*w = append(*w, idleWorker{id: id, expiry: expiry})
}

// next takes the worker that has waited longest.
func (w *idleWorkers) next() []byte {
	id := (*w)[0].id
	*w = (*w)[1:]
	return id
}

func (w *idleWorkers) remove(id []byte) {
	for i, x := range *w {
		if bytes.Equal(x.id, id) {
			*w = append((*w)[:i], (*w)[i+1:]...)
			return
		}
	}
}

// purge drops the workers not heard from by now and returns their ids.
func (w *idleWorkers) purge(now time.Time) (expired [][]byte) {
	alive := (*w)[:0]
	for _, x := range *w {
		if now.After(x.expiry) {
			expired = append(expired, x.id)
		} else {
			alive = append(alive, x)
		}
	}
	*w = alive
	return expired
}
