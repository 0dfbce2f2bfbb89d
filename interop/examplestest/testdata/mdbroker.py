# A Majordomo broker written against libzmq (pyzmq) from the MDP/0.2 spec (rfc.zeromq.org
# 18/MDP) and MMI (8/MMI), for the interop test. One ROUTER on argv[1] for clients and workers;
# heartbeats every argv[2] ms, a worker silent for 3 of them is dropped. It prints
# "ready ENDPOINT", "worker ready SERVICE" per READY, and exits after sending argv[3] FINAL
# replies to clients (or after 30 s, whatever happens).
import sys
import time
import zmq

C, W = b"MDPC02", b"MDPW02"
C_REQUEST, C_PARTIAL, C_FINAL = b"\x01", b"\x02", b"\x03"  # MDP/Client commands
READY, REQUEST, PARTIAL, FINAL, HEARTBEAT, DISCONNECT = (bytes([i]) for i in range(1, 7))  # MDP/Worker
endpoint, ivl, finals = sys.argv[1], int(sys.argv[2]) / 1000, int(sys.argv[3])
liveness = 3 * ivl

ctx = zmq.Context()
router = ctx.socket(zmq.ROUTER)
router.bind(endpoint)
print("ready", router.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)

workers = {}   # routing id -> [service, expiry, client or None]
waiting = {}   # service -> [routing id] of idle workers, least recently used first
queues = {}    # service -> [(client, body)]


def dispatch(service):
    q, idle = queues.get(service, []), waiting.get(service, [])
    while q and idle:
        client, body = q.pop(0)
        wid = idle.pop(0)
        workers[wid][2] = client
        router.send_multipart([wid, W, REQUEST, client, b""] + body)


def drop(wid):
    service = workers.pop(wid)[0]
    if wid in waiting.get(service, []):
        waiting[service].remove(wid)


def reply(client, service, body):
    global finals
    router.send_multipart([client, C, C_FINAL, service] + body)
    finals -= 1


end = time.monotonic() + 30
next_beat = time.monotonic() + ivl
poller = zmq.Poller()
poller.register(router, zmq.POLLIN)
while finals > 0 and time.monotonic() < end:
    if poller.poll(max(0, next_beat - time.monotonic()) * 1000):
        frames = router.recv_multipart()
        if len(frames) >= 5 and frames[1] == C and frames[2] == C_REQUEST:
            client, service, body = frames[0], frames[3], frames[4:]
            if service == b"mmi.service":
                found = any(w[0] == body[0] for w in workers.values())
                reply(client, service, [b"200" if found else b"404"])
            elif service.startswith(b"mmi."):
                reply(client, service, [b"501"])
            else:
                queues.setdefault(service, []).append((client, body))
                dispatch(service)
        elif len(frames) >= 3 and frames[1] == W:
            wid, cmd, w = frames[0], frames[2], workers.get(frames[0])
            if w:
                w[1] = time.monotonic() + liveness
            if cmd == READY and len(frames) == 4 and not w and not frames[3].startswith(b"mmi."):
                workers[wid] = [frames[3], time.monotonic() + liveness, None]
                waiting.setdefault(frames[3], []).append(wid)
                print("worker ready", frames[3].decode(), flush=True)
                dispatch(frames[3])
            elif cmd in (PARTIAL, FINAL) and w and len(frames) >= 6 and frames[3] == w[2] and frames[4] == b"":
                if cmd == PARTIAL:
                    router.send_multipart([w[2], C, C_PARTIAL, w[0]] + frames[5:])
                else:
                    reply(w[2], w[0], frames[5:])
                    w[2] = None
                    waiting[w[0]].append(wid)
                    dispatch(w[0])
            elif cmd == HEARTBEAT and w and len(frames) == 3:
                pass
            elif cmd == DISCONNECT and len(frames) == 3:
                if w:
                    drop(wid)
            else:  # valid or not, unexpected: the spec says disconnect
                if w:
                    drop(wid)
                router.send_multipart([wid, W, DISCONNECT])
        # anything else is not MDP/0.2: dropped
    now = time.monotonic()
    if now >= next_beat:
        for wid, w in list(workers.items()):
            if now > w[1]:
                print("worker expired", w[0].decode(), flush=True)
                drop(wid)
            else:
                router.send_multipart([wid, W, HEARTBEAT])
        next_beat = now + ivl

router.close(linger=1000)
ctx.term()
sys.exit(0 if finals <= 0 else 1)
