package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/purezmq/zmq"
)

// errBadUpdate is the client's error for an update that is not "ZIPCODE TEMPERATURE HUMIDITY".
var errBadUpdate = errors.New("bad weather update")

// client subscribes to the updates of one zipcode, prints each of the n it receives, then
// "average temperature for zipcode ZIP was T" (T with one decimal). The filter is the zipcode
// and a space, so that "1000" does not match "10001" too; the publisher applies it, so other
// zipcodes' updates never cross the network.
func client(ctx context.Context, endpoint, zip string, n int, out io.Writer) error {
	sub, err := zmq.NewSocket(zmq.SUB)
	if err != nil {
		return err
	}
	defer sub.Close()
	if err := sub.Connect(endpoint); err != nil {
		return err
	}
	if err := sub.Subscribe([]byte(zip + " ")); err != nil {
		return err
	}
	total := 0
	for range n {
		m, err := sub.Recv(ctx)
		if err != nil {
			return err
		}
		var z string
		var temp, humidity int
		if _, err := fmt.Sscanf(string(m.Frames[0]), "%s %d %d", &z, &temp, &humidity); err != nil {
			return fmt.Errorf("%w %q: %v", errBadUpdate, m.Frames[0], err)
		}
		fmt.Fprintln(out, z, temp, humidity)
		total += temp
	}
	fmt.Fprintf(out, "average temperature for zipcode %s was %.1f\n", zip, float64(total)/float64(n))
	return nil
}
