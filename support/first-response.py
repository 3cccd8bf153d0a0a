#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Cold start to the first HTTP response, for support/net-bench.sh.

Usage: first-response.py RUNS URL -- COMMAND...

Spawns COMMAND RUNS times; each time measures from just before the spawn to the first complete
HTTP response from URL (a GET retried every millisecond with a 2 ms connect timeout), then
ends COMMAND (SIGTERM, then SIGKILL) and waits for it. Prints the median, minimum and maximum
in milliseconds on one line. Exit status 1 when a run got no response within 10 s.
Run it where URL is reachable (inside the namespace), with a fixed neighbour entry for the
guest's address so that ARP's retries do not count.
"""
import signal
import socket
import statistics
import subprocess
import sys
import time
from urllib.parse import urlsplit


def get(host, port, path):
    s = socket.socket()
    s.settimeout(0.0005)
    try:
        s.connect((host, port))
        s.settimeout(1)
        s.sendall(b"GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % (path.encode(), host.encode()))
        data = b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
        return data.startswith(b"HTTP/1.1 200")
    except OSError:
        return False
    finally:
        s.close()


def one(cmd, host, port, path):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - t0 < 10:
            if get(host, port, path):
                return (time.perf_counter() - t0) * 1000
            if p.poll() is not None:
                return None
            time.sleep(0.0002)
        return None
    finally:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def main():
    if len(sys.argv) < 5 or sys.argv[3] != "--":
        sys.exit("usage: first-response.py RUNS URL -- COMMAND...")
    runs, url, cmd = int(sys.argv[1]), urlsplit(sys.argv[2]), sys.argv[4:]
    times = []
    for _ in range(runs):
        t = one(cmd, url.hostname, url.port or 80, url.path or "/")
        if t is None:
            sys.exit("first-response: no response from %s" % sys.argv[2])
        times.append(t)
    print("median %.2f ms (min %.2f, max %.2f, %d runs)" % (statistics.median(times), min(times), max(times), runs))


if __name__ == "__main__":
    main()
