module github.com/purezmq/zmq/interop

go 1.26.0

require (
	github.com/pebbe/zmq4 v1.4.0
	github.com/purezmq/zmq v0.0.0
	go.uber.org/goleak v1.3.0
)

require (
	github.com/vmihailenco/msgpack/v5 v5.4.1 // indirect
	github.com/vmihailenco/tagparser/v2 v2.0.0 // indirect
	golang.org/x/crypto v0.58.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
)

replace github.com/purezmq/zmq => ../
