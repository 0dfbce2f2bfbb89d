"""purezmq rpc wire format v1, written from rpc/WIRE.md alone: the header, the status codes,
the JSON codec, and the line protocol the test scripts speak on stdin and stdout."""

import json
import os
import struct
import sys

import zmq

VERSION = 1
CALL, CAST, CANCEL, REPLY = 1, 2, 3, 4
JSON = 1  # MessagePack (2) is not spoken: python3-msgpack is not installed here
HEADER = struct.Struct(">BBBBQQ")
MAX_NAME = 255

CODES = ["OK", "Cancelled", "DeadlineExceeded", "Unavailable", "NoResponders", "NotFound",
         "UnsupportedVersion", "InvalidTarget", "ResourceExhausted", "Internal", "Remote"]
CODE = {name: n for n, name in enumerate(CODES)}


class Malformed(Exception):
    """A message that does not follow WIRE.md."""


def header(kind, codec, status, ident, timeout_us):
    return HEADER.pack(VERSION, kind, codec, status, ident, timeout_us)


def parse_header(frame):
    """Returns (kind, codec, status, id, timeout_us) or raises Malformed."""
    if len(frame) != HEADER.size:
        raise Malformed("header of %d bytes" % len(frame))
    version, kind, codec, status, ident, timeout_us = HEADER.unpack(frame)
    if version != VERSION:
        raise Malformed("version %d" % version)
    if kind not in (CALL, CAST, CANCEL, REPLY):
        raise Malformed("kind %d" % kind)
    if status >= len(CODES):
        raise Malformed("status %d" % status)
    return kind, codec, status, ident, timeout_us


def name(frame, what, allow_empty=True):
    if len(frame) > MAX_NAME or (not frame and not allow_empty):
        raise Malformed("%s of %d bytes" % (what, len(frame)))
    try:
        return frame.decode("utf-8")
    except UnicodeDecodeError:
        raise Malformed("%s is not UTF-8" % what)


def encode(value):
    return json.dumps(value, separators=(",", ":")).encode()


def decode(data):
    return json.loads(data.decode("utf-8"))


def error_object(code, message, details=None, type_=None):
    o = {"code": code, "message": message}
    if details:
        o["details"] = details
    if type_:
        o["type"] = type_
    return o


def curve(sock):
    """Security from the environment: CURVE as a server with RPC_CURVE_SECRET (its Z85 secret
    key), as a client with RPC_CURVE_SERVERKEY (the server's Z85 public key); else NULL."""
    secret, server_key = os.environ.get("RPC_CURVE_SECRET"), os.environ.get("RPC_CURVE_SERVERKEY")
    if secret:
        sock.curve_secretkey = secret.encode()
        sock.curve_publickey = zmq.curve_public(secret.encode())
        sock.curve_server = True
    elif server_key:
        sock.curve_publickey, sock.curve_secretkey = zmq.curve_keypair()
        sock.curve_serverkey = server_key.encode()


def emit(**line):
    """One JSON line on stdout: what the Go test reads."""
    sys.stdout.write(json.dumps(line, sort_keys=True) + "\n")
    sys.stdout.flush()


class Lines:
    """Whole lines from a file descriptor that the poller said is readable."""

    def __init__(self, fd):
        self.fd, self.buf, self.eof = fd, b"", False

    def read(self):
        data = os.read(self.fd, 65536)
        if not data:
            self.eof = True
        self.buf += data
        *lines, self.buf = self.buf.split(b"\n")
        return [line for line in lines if line.strip()]
