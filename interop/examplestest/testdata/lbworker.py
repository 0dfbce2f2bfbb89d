# A load-balancing broker's worker written against libzmq (pyzmq): connects REQ with routing
# id argv[2] to the broker's backend at argv[1], says READY, then answers each request
# [client, "", "HELLO X"] with [client, "", "OK X from NAME"], printing "handled HELLO X".
# It ends after argv[3] seconds without a request.
import sys
import zmq

endpoint, name, idle = sys.argv[1], sys.argv[2], int(sys.argv[3])
ctx = zmq.Context()
req = ctx.socket(zmq.REQ)
req.setsockopt(zmq.IDENTITY, name.encode())
req.setsockopt(zmq.RCVTIMEO, idle * 1000)
req.connect(endpoint)
req.send(b"READY")
while True:
    try:
        client, empty, body = req.recv_multipart()
    except zmq.Again:
        break
    body = body.decode()
    print("handled", body, flush=True)
    reply = "OK %s from %s" % (body[len("HELLO "):], name)
    req.send_multipart([client, empty, reply.encode()])
req.close(linger=0)
ctx.term()
