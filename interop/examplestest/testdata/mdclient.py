# A Majordomo client written against libzmq (pyzmq) from the MDP/0.2 spec (rfc.zeromq.org
# 18/MDP), for the interop test. A DEALER connects to argv[1] and sends argv[4] requests of
# body argv[3] to service argv[2], one at a time, printing "N partial REPLY" per PARTIAL and
# "N REPLY" per FINAL. A reply not in 2 s is asked for again from a new socket, 3 times at most.
import sys
import zmq

C = b"MDPC02"
REQUEST, PARTIAL, FINAL = b"\x01", b"\x02", b"\x03"
endpoint, service, body, n = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode(), int(sys.argv[4])

ctx = zmq.Context()


def request(i):
    for _ in range(4):
        sock = ctx.socket(zmq.DEALER)
        sock.setsockopt(zmq.LINGER, 0)
        sock.setsockopt(zmq.RCVTIMEO, 2000)
        sock.connect(endpoint)
        sock.send_multipart([C, REQUEST, service, body])
        try:
            while True:
                frames = sock.recv_multipart()
                if len(frames) < 4 or frames[0] != C or frames[2] != service:
                    continue  # not a reply to this request
                reply = b" ".join(frames[3:]).decode()
                if frames[1] == PARTIAL:
                    print(i, "partial", reply, flush=True)
                elif frames[1] == FINAL:
                    print(i, reply, flush=True)
                    return
        except zmq.Again:
            pass
        finally:
            sock.close()
    sys.exit("no reply")


for i in range(n):
    request(i)
ctx.term()
