# A binary star client written against libzmq (pyzmq): sends requests "0", "1", ... to the
# first of the comma-separated servers argv[1], one every argv[4] ms, argv[3] at most, and
# prints "reply N" for each echoed back. A request unanswered within argv[2] ms makes it fail
# over: it prints "no reply, failing over to ENDPOINT", replaces its REQ socket and resends to
# the next server. Five unanswered attempts at one request end it with an error.
import sys
import time
import zmq

servers = sys.argv[1].split(",")
timeout, count, ivl = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]) / 1000

ctx = zmq.Context()


def connect(endpoint):
    req = ctx.socket(zmq.REQ)
    req.setsockopt(zmq.LINGER, 0)
    req.setsockopt(zmq.RCVTIMEO, timeout)
    req.connect(endpoint)
    return req


cur = 0
req = connect(servers[cur])
for i in range(count):
    for attempt in range(5):
        req.send(str(i).encode())
        try:
            reply = req.recv().decode()
        except zmq.Again:
            req.close()
            cur = (cur + 1) % len(servers)
            print("no reply, failing over to", servers[cur], flush=True)
            req = connect(servers[cur])
            continue
        if reply != str(i):
            sys.exit("request %d answered with %r" % (i, reply))
        print("reply", reply, flush=True)
        break
    else:
        sys.exit("no server answered")
    time.sleep(ivl)
req.close()
ctx.term()
