package pipe

// Watch registers a poller interested in arrivals: until Unwatch, every delivery (of one
// message or a batch) calls notify with the Inbox's lock held, so notify must neither block
// nor take a lock held around Inbox calls. Every watcher of one Inbox passes the same notify.
// When nobody watches, a delivery pays one atomic load.
func (ib *Inbox) Watch(notify func()) {
	ib.mu.Lock()
	ib.notify = notify
	ib.watchers.Add(1)
	ib.mu.Unlock()
}

// Unwatch ends a Watch.
func (ib *Inbox) Unwatch() {
	ib.mu.Lock()
	ib.watchers.Add(-1)
	ib.mu.Unlock()
}
