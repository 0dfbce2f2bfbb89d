"""A purezmq rpc client in Python: python3 rpc_client.py KEY ENDPOINT...

One DEALER connected to every endpoint. Reads commands, one JSON object a line, on stdin:
  {"op": "call", "tag": "a", "method": "echo", "args": ..., "timeout_ms": 1000, "grace_ms": 0,
   "timeout_us": raw wire value instead, "key": ..., "ns": "", "version": "", "meta": {...}}
  {"op": "cast", "tag": "b", "method": "note", "args": ...}
  {"op": "cancel", "tag": "a"}
and prints a JSON line for each call's outcome, matched to its CALL by id, in the order they
come: {"tag", "id", "status", "result" or "error"}, with "local": true when the client gave up by
itself (its deadline plus grace_ms passed, or it cancelled). A reply nobody waits for is printed as
event "late". Exits when stdin closes."""

import itertools
import math
import sys
import time

import zmq

import rpcwire as w


class Client:
    def __init__(self, key, endpoints):
        self.key = key
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        w.curve(self.sock)
        for e in endpoints:
            self.sock.connect(e)
        self.ids = itertools.count(1)
        self.calls = {}  # id -> (tag, give-up time or None)
        self.tags = {}   # tag -> id of a call in flight

    def run(self):
        stdin = w.Lines(0)
        poller = zmq.Poller()
        poller.register(self.sock, zmq.POLLIN)
        poller.register(0, zmq.POLLIN)
        w.emit(event="ready")
        while not stdin.eof:
            ends = [t for _, t in self.calls.values() if t is not None]
            wait = max(0, math.ceil((min(ends) - time.monotonic()) * 1000)) if ends else None
            for s, _ in poller.poll(wait):
                if s == 0:
                    for line in stdin.read():
                        self.command(w.decode(line))
                    continue
                while self.sock.getsockopt(zmq.EVENTS) & zmq.POLLIN:
                    self.receive(self.sock.recv_multipart(zmq.NOBLOCK))
            self.expire()
        self.sock.close()
        self.ctx.term()

    def command(self, c):
        op, tag = c["op"], c.get("tag")
        if op == "cancel":
            if tag not in self.tags:  # its reply came first
                return w.emit(tag=tag, event="cancel-after-reply")
            ident = self.tags.pop(tag)
            del self.calls[ident]
            self.sock.send(w.header(w.CANCEL, w.JSON, 0, ident, 0))
            return w.emit(tag=tag, id=ident, status="Cancelled", local=True)
        kind = {"call": w.CALL, "cast": w.CAST}[op]
        ident = next(self.ids) if kind == w.CALL else 0
        now = time.monotonic()
        timeout_us, give_up = c.get("timeout_us"), None
        if c.get("timeout_ms"):
            deadline = now + c["timeout_ms"] / 1e3
            give_up = deadline + c.get("grace_ms", 0) / 1e3
            if timeout_us is None:
                # Round up: a caller with a deadline never sends 0, which would mean none.
                timeout_us = max(1, math.ceil((deadline - time.monotonic()) * 1e6))
        frames = [w.header(kind, w.JSON, 0, ident, timeout_us or 0), c.get("key", self.key).encode(),
                  c.get("ns", "").encode(), c.get("version", "").encode(), c["method"].encode(),
                  w.encode(c.get("args"))]
        if c.get("meta"):
            frames.append(w.encode(c["meta"]))
        if kind == w.CALL:
            self.calls[ident], self.tags[tag] = (tag, give_up), ident
        self.sock.send_multipart(frames)
        if kind == w.CAST:
            w.emit(tag=tag, id=0, status="sent")

    def receive(self, frames):
        try:
            if len(frames) != 2:
                raise w.Malformed("reply of %d frames" % len(frames))
            kind, codec, status, ident, timeout_us = w.parse_header(frames[0])
            if kind != w.REPLY or codec != w.JSON:
                raise w.Malformed("kind %d codec %d is not a JSON reply" % (kind, codec))
            body = w.decode(frames[1])
        except (w.Malformed, ValueError) as e:
            return w.emit(event="dropped", reason=str(e))
        code = w.CODES[status]
        out = {"id": ident, "status": code}
        if status == 0:
            out["result"] = body
        elif not isinstance(body, dict) or not isinstance(body.get("message"), str):
            out["error"], out["bad_error"] = body, True
        else:
            out["error"] = body
            if body.get("code") != code:
                out["code_mismatch"] = True
        call = self.calls.pop(ident, None)
        if call is None:
            return w.emit(event="late", **out)
        del self.tags[call[0]]
        w.emit(tag=call[0], **out)

    def expire(self):
        now = time.monotonic()
        for ident, (tag, give_up) in list(self.calls.items()):
            if give_up is not None and give_up <= now:
                del self.calls[ident], self.tags[tag]
                w.emit(tag=tag, id=ident, status="DeadlineExceeded", local=True)


if __name__ == "__main__":
    Client(sys.argv[1], sys.argv[2:]).run()
