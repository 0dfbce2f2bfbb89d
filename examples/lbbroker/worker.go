package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/purezmq/zmq"
)

// worker connects a REQ socket with routing id name to the broker's backend and says READY.
// Each message it then gets is a request [client, "", "HELLO ..."]; it answers on the same
// envelope with "OK ... from NAME", which also tells the broker it is ready again, and prints
// "handled HELLO ...". It stops when ctx ends.
func worker(ctx context.Context, endpoint, name string, out io.Writer) error {
	req, err := zmq.NewSocket(zmq.REQ, zmq.WithRoutingID([]byte(name)))
	if err != nil {
		return err
	}
	defer req.Close()
	if err := req.Connect(endpoint); err != nil {
		return err
	}
	if err := req.Send(ctx, zmq.NewMsgString("READY")); err != nil {
		return stopped(ctx, err)
	}
	for {
		m, err := req.Recv(ctx)
		if err != nil {
			return stopped(ctx, err)
		}
		env, err := m.PopEnvelope()
		if err != nil || len(m.Frames) != 1 {
			return fmt.Errorf("request %v: want [client, \"\", body]: %w", m, err)
		}
		fmt.Fprintf(out, "handled %s\n", m.Frames[0])
		reply := zmq.NewMsgString(fmt.Sprintf("OK %s from %s", strings.TrimPrefix(string(m.Frames[0]), "HELLO "), name))
		reply.PushEnvelope(env...)
		if err := req.Send(ctx, reply); err != nil {
			return stopped(ctx, err)
		}
	}
}
