module github.com/purezmq/zmq/interop

go 1.26.0

require (
	github.com/pebbe/zmq4 v1.4.0
	github.com/purezmq/zmq v0.0.0
	go.uber.org/goleak v1.3.0
)

replace github.com/purezmq/zmq => ../
