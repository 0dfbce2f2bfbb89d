# A Majordomo echo worker written against libzmq (pyzmq) from the MDP/0.2 spec
# (rfc.zeromq.org 18/MDP), for the interop test. A DEALER connects to argv[1], registers
# service argv[2], and answers argv[3] requests, each with argv[4] PARTIALs and a FINAL that
# echo the body, printing "request BODY"; then it says DISCONNECT and exits. It heartbeats
# every argv[5] ms and exits with an error if the broker is silent for 3 of them.
import sys
import time
import zmq

W = b"MDPW02"
READY, REQUEST, PARTIAL, FINAL, HEARTBEAT, DISCONNECT = (bytes([i]) for i in range(1, 7))
endpoint, service, n, partials = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3]), int(sys.argv[4])
ivl = int(sys.argv[5]) / 1000

ctx = zmq.Context()
sock = ctx.socket(zmq.DEALER)
sock.connect(endpoint)
sock.send_multipart([W, READY, service])
print("connecting", endpoint, flush=True)
heard = time.monotonic()
next_beat = heard + ivl
poller = zmq.Poller()
poller.register(sock, zmq.POLLIN)
while n > 0:
    if poller.poll(max(0, next_beat - time.monotonic()) * 1000):
        frames = sock.recv_multipart()
        if len(frames) < 2 or frames[0] != W:
            continue  # not MDP/0.2
        heard = time.monotonic()
        if frames[1] == REQUEST and len(frames) >= 5 and frames[3] == b"":
            client, body = frames[2], frames[4:]
            print("request", b" ".join(body).decode(), flush=True)
            for _ in range(partials):
                sock.send_multipart([W, PARTIAL, client, b""] + body)
            sock.send_multipart([W, FINAL, client, b""] + body)
            n -= 1
            next_beat = time.monotonic() + ivl
        elif frames[1] == DISCONNECT:
            sys.exit("disconnected by the broker")
    now = time.monotonic()
    if now - heard > 3 * ivl:
        sys.exit("broker lost")
    if now >= next_beat:
        sock.send_multipart([W, HEARTBEAT])
        next_beat = now + ivl

sock.send_multipart([W, DISCONNECT])
sock.close(linger=1000)
ctx.term()
