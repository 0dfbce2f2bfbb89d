"""A purezmq rpc server in Python: python3 rpc_server.py TOPIC SERVER [ENDPOINT].

Serves calls echo, add, whoami, fail, slow, hold and casts note, release in the default namespace
at version 1.2, on a ROUTER with ROUTER_MANDATORY. One thread: slow and hold wait in its loop, so
deadlines and CANCELs end them there. Prints JSON lines: ready, then an event for everything it
does. Exits when stdin closes."""

import heapq
import math
import sys
import time

import zmq

import rpcwire as w

VERSION = (1, 2)


class Server:
    def __init__(self, topic, server, endpoint):
        self.name, self.keys = server, {"openstack/" + topic, "openstack/" + topic + "/" + server}
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.ROUTER)
        self.sock.setsockopt(zmq.ROUTER_MANDATORY, 1)
        self.sock.setsockopt(zmq.LINGER, 0)
        w.curve(self.sock)
        self.sock.bind(endpoint)
        self.pending = {}  # (routing id, call id) -> [deadline, due, result]; due None: held
        self.timers = []   # heap of (time, routing id, call id)
        self.held = {}     # hold key -> (routing id, call id)

    def serve(self):
        stdin = w.Lines(0)
        poller = zmq.Poller()
        poller.register(self.sock, zmq.POLLIN)
        poller.register(0, zmq.POLLIN)
        w.emit(event="ready", endpoint=self.sock.getsockopt(zmq.LAST_ENDPOINT).decode())
        while not stdin.eof:
            wait = None
            if self.timers:
                wait = max(0, math.ceil((self.timers[0][0] - time.monotonic()) * 1000))
            for s, _ in poller.poll(wait):
                if s == 0:
                    stdin.read()
                    continue
                while self.sock.getsockopt(zmq.EVENTS) & zmq.POLLIN:
                    self.receive(self.sock.recv_multipart(zmq.NOBLOCK))
            self.fire()
        self.sock.close()
        self.ctx.term()

    def receive(self, frames):
        rid, frames = frames[0], frames[1:]
        try:
            kind, codec, status, ident, timeout_us = w.parse_header(frames[0] if frames else b"")
            if kind == w.REPLY or status != 0:
                raise w.Malformed("kind %d status %d is not a request" % (kind, status))
            if kind == w.CANCEL:
                if len(frames) != 1:
                    raise w.Malformed("cancel of %d frames" % len(frames))
                return self.cancel(rid, ident)
            if codec != w.JSON:
                raise w.Malformed("codec %d is not spoken here" % codec)
            if len(frames) not in (6, 7):
                raise w.Malformed("request of %d frames" % len(frames))
            key = w.name(frames[1], "key", allow_empty=False)
            ns = w.name(frames[2], "namespace")
            version = w.name(frames[3], "version") or "1.0"
            method = w.name(frames[4], "method", allow_empty=False)
            if len(frames) == 7:
                meta = w.decode(frames[6])
                if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
                    raise w.Malformed("metadata is not a JSON object of strings")
        except (w.Malformed, ValueError) as e:
            return w.emit(event="dropped", reason=str(e))
        read = time.monotonic()
        deadline = read + timeout_us / 1e6 if timeout_us else None
        w.emit(event="request", kind=kind, id=ident, method=method, key=key, ns=ns,
               version=version, timeout_us=timeout_us, meta=meta if len(frames) == 7 else None)
        try:
            result = self.dispatch(rid, ident, kind, key, ns, version, method, frames[5], deadline)
        except Failure as f:
            result = f.error
            if kind == w.CAST:
                w.emit(event="cast-failed", id=ident, code=f.error["code"], message=f.error["message"])
        if kind == w.CALL and result is not PENDING:
            self.reply(rid, ident, result)

    def dispatch(self, rid, ident, kind, key, ns, version, method, args, deadline):
        if key not in self.keys:
            raise Failure("InvalidTarget", "key %s is not this server's" % key)
        handler = METHODS.get((kind, method)) if ns == "" else None
        if handler is None:
            raise Failure("NotFound", "no method %s in namespace %r" % (method, ns))
        try:
            major, minor = (int(p) for p in version.split("."))
        except ValueError:
            raise Failure("UnsupportedVersion", "version %r is not major.minor" % version)
        if major != VERSION[0] or minor > VERSION[1]:
            raise Failure("UnsupportedVersion", "%s wants %s, this is %d.%d" % ((method, version) + VERSION))
        if deadline is not None and time.monotonic() >= deadline:
            raise Failure("DeadlineExceeded", "expired before %s ran" % method)
        try:
            args = w.decode(args)
        except ValueError as e:
            raise Failure("Internal", "args do not decode: %s" % e)
        w.emit(event="started", id=ident, method=method, args=args)
        try:
            return handler(self, rid, ident, args, deadline)
        except (AttributeError, KeyError, TypeError, ValueError, ArithmeticError) as e:  # args unfit
            raise Failure("Internal", "%s: %s" % (type(e).__name__, e))

    def wait(self, rid, ident, deadline, due, result):
        """Keeps a call pending until due (None: until released), its deadline or a CANCEL."""
        self.pending[(rid, ident)] = [deadline, due, result]
        for t in (deadline, due):
            if t is not None:
                heapq.heappush(self.timers, (t, rid, ident))
        return PENDING

    def fire(self):
        now = time.monotonic()
        while self.timers and self.timers[0][0] <= now:
            _, rid, ident = heapq.heappop(self.timers)
            p = self.pending.get((rid, ident))
            if p is None:
                continue
            deadline, due, result = p
            if deadline is not None and deadline <= now:
                del self.pending[(rid, ident)]
                w.emit(event="expired", id=ident)
                late = w.error_object("DeadlineExceeded", "deadline passed while running")
                self.reply(rid, ident, Error(late))
            elif due is not None and due <= now:
                self.finish(rid, ident)

    def finish(self, rid, ident):
        self.reply(rid, ident, self.pending.pop((rid, ident))[2])

    def cancel(self, rid, ident):
        found = self.pending.pop((rid, ident), None) is not None
        w.emit(event="cancelled" if found else "cancel-unknown", id=ident)

    def reply(self, rid, ident, result):
        status = w.CODE[result["code"]] if isinstance(result, Error) else 0
        frames = [rid, w.header(w.REPLY, w.JSON, status, ident, 0), w.encode(result)]
        try:
            self.sock.send_multipart(frames, zmq.NOBLOCK)
            w.emit(event="replied", id=ident, status=w.CODES[status])
        except zmq.ZMQError as e:  # the caller went away (ROUTER_MANDATORY says so) or is stuck
            w.emit(event="unroutable", id=ident, reason=str(e))


PENDING = object()  # a handler's "the reply comes later"


class Error(dict):
    """An error object, as opposed to a result that happens to be a dict."""


class Failure(Exception):
    def __init__(self, code, message, details=None, type_=None):
        self.error = Error(w.error_object(code, message, details, type_))


def fail(s, rid, ident, a, deadline):
    raise Failure("Remote", a["message"], a.get("details"), "rpctest.Failure")


def slow(s, rid, ident, a, deadline):
    return s.wait(rid, ident, deadline, time.monotonic() + a["ms"] / 1e3, a.get("value"))


def hold(s, rid, ident, a, deadline):
    s.held[a["key"]] = (rid, ident)
    return s.wait(rid, ident, deadline, None, a["key"])


def release(s, rid, ident, a, deadline):
    held = s.held.pop(a["key"], None)
    if held and held in s.pending:
        s.finish(*held)


METHODS = {
    (w.CALL, "echo"): lambda s, rid, ident, a, d: a,
    (w.CALL, "add"): lambda s, rid, ident, a, d: a["a"] + a["b"],
    (w.CALL, "whoami"): lambda s, rid, ident, a, d: s.name,
    (w.CALL, "fail"): fail,
    (w.CALL, "slow"): slow,
    (w.CALL, "hold"): hold,
    (w.CAST, "note"): lambda s, rid, ident, a, d: w.emit(event="note", args=a),
    (w.CAST, "release"): release,
}

if __name__ == "__main__":
    Server(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "tcp://127.0.0.1:*").serve()
