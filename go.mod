module github.com/purezmq/zmq

go 1.26
