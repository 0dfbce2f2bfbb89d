// Package rpctest proves that rpc/WIRE.md is enough to speak purezmq rpc from another language:
// a Python client and server (python3-zmq, testdata/*.py, written from the page alone) are
// checked against each other, then the Python client calls a Go rpc.Server and a Go rpc.Client
// calls the Python server. Tests only.
package rpctest
