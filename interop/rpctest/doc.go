// Package rpctest proves that rpc/WIRE.md is enough to speak purezmq rpc from another language,
// and runs rpc across processes. A Python client and server (python3-zmq, testdata/*.py, written
// from the page alone) are checked against each other, then the Python client calls a Go
// rpc.Server and a Go rpc.Client calls the Python server, over NULL and CURVE; one Go client
// calls three server processes (Python's, or this test binary re-run as a Go server) and sees
// one SIGKILLed mid-call. Tests only.
package rpctest
