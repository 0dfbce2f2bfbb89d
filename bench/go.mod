module github.com/purezmq/zmq/bench

go 1.26.0

replace github.com/purezmq/zmq => ../

require (
	github.com/go-zeromq/zmq4 v0.17.0
	github.com/pebbe/zmq4 v1.4.0
	github.com/purezmq/zmq v0.0.0
	go.nanomsg.org/mangos/v3 v3.4.2
	go.uber.org/goleak v1.3.0
)

require (
	github.com/Microsoft/go-winio v0.5.2 // indirect
	github.com/go-zeromq/goczmq/v4 v4.2.2 // indirect
	golang.org/x/crypto v0.58.0 // indirect
	golang.org/x/sync v0.24.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	golang.org/x/text v0.43.0 // indirect
)
