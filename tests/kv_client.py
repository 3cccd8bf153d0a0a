#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Raw-socket clients for tests/kv.sh: what redis-cli cannot send, and the crash writer.

  kv_client.py malformed HOST CASE   send one malformed request; print what came back
                                      ("closed" when the server closed without a reply)
  kv_client.py ping HOST             PING on a fresh connection: prints PONG or what failed
  kv_client.py writer HOST FILE N    SET key:i val:i, one at a time, N of them, i counting on
                                      from the largest number in FILE (so a write lost in one
                                      run is not hidden by the same key written in an earlier
                                      one); after each acknowledgment append i to FILE
                                      (flushed), until the connection breaks. FILE.connected
                                      is made once the connection is up
  kv_client.py check HOST FILE       every i in FILE must be there: GET key:i == val:i
"""
import os
import random
import socket
import sys


def connect(host, timeout=10):
    return socket.create_connection((host, 6379), timeout=timeout)


def cmd(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def read_reply(f):
    line = f.readline()
    if not line:
        raise EOFError("closed")
    t, rest = line[:1], line[1:-2]
    if t in (b"+", b"-", b":"):
        return line[:-2].decode("latin-1")
    if t == b"$":
        n = int(rest)
        return None if n < 0 else f.read(n + 2)[:-2].decode("latin-1")
    if t == b"*":
        return [read_reply(f) for _ in range(int(rest))]
    raise ValueError("bad reply %r" % line)


MALFORMED = {
    "huge-bulk": b"*1\r\n$1099511627776\r\n",
    "negative-bulk": b"*2\r\n$3\r\nGET\r\n$-5\r\n",
    "negative-count": b"*-5\r\n*1\r\n$4\r\nPING\r\n",
    "bad-count": b"*abc\r\n",
    "unterminated-array": b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n",
    "garbage": bytes(random.Random(7).randrange(256) for _ in range(4096)),
    "hundred-mb": b"*2\r\n$3\r\nSET\r\n$104857600\r\n" + b"x" * 65536,
    "no-crlf": b"*1\r\n$4\r\nPINGxx",
}


def malformed(host, case):
    s = connect(host)
    got = b""
    try:
        s.sendall(MALFORMED[case])
        s.shutdown(socket.SHUT_WR)  # nothing more comes: an incomplete request must end with a close
    except OSError:
        pass  # the server already answered and closed (a reset while we were still sending)
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            got += b
    except ConnectionResetError:
        pass
    except socket.timeout:
        got += b"<no reply and no close within 10 s>"  # a hang: the test fails on it
    # A reply, or a close (by FIN or by reset) without one: both are what the server may do.
    print(got.decode("latin-1").strip() or "closed")


def ping(host):
    s = connect(host)
    s.sendall(cmd("PING"))
    print(read_reply(s.makefile("rb")))


def writer(host, path, n):
    first = max([int(x) for x in open(path).read().split()] if os.path.exists(path) else [0], default=0) + 1
    try:
        s = connect(host)
    except OSError:
        return  # killed before the connection was made: nothing acknowledged
    open(path + ".connected", "w").close()  # the test kills the server only from now on
    f = s.makefile("rb")
    with open(path, "a") as log:
        for i in range(first, first + n):
            try:
                s.sendall(cmd("SET", "key:%d" % i, "val:%d" % i))
                if read_reply(f) != "+OK":
                    sys.exit("writer: SET %d not OK" % i)
            except (OSError, EOFError):
                return
            log.write("%d\n" % i)
            log.flush()
            os.fsync(log.fileno())


def check(host, path):
    acked = [int(x) for x in open(path).read().split()]
    s = connect(host)
    f = s.makefile("rb")
    missing = []
    for i in range(0, len(acked), 500):
        batch = acked[i:i + 500]
        s.sendall(cmd("MGET", *["key:%d" % k for k in batch]))
        for k, v in zip(batch, read_reply(f)):
            if v != "val:%d" % k:
                missing.append(k)
    if missing:
        sys.exit("check: %d acknowledged keys lost or wrong, e.g. %s" % (len(missing), missing[:5]))
    print("check: all %d acknowledged keys there" % len(acked))


def main():
    what, host = sys.argv[1], sys.argv[2]
    if what == "malformed":
        malformed(host, sys.argv[3])
    elif what == "ping":
        ping(host)
    elif what == "writer":
        writer(host, sys.argv[3], int(sys.argv[4]))
    elif what == "check":
        check(host, sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
