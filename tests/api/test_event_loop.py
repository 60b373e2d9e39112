#!/usr/bin/env python3
"""The server's event loop under a burst: every request that has arrived is
answered, whatever the number of threads and however many connections became
readable at once.

The burst is made exact without any timing: the server is stopped (SIGSTOP)
while one request is written on each of N keep-alive connections, then
continued, so that its first wait for events finds all N readable together.
libmicrohttpd 0.9.75's epoll loop takes at most 128 events per call and, after
a full batch, waits again with the whole idle timeout; with nothing more
arriving it sleeps until a connection's idle time is up and closes that
connection, request unread. N = 128 and 256 are the counts that end on a full
batch. The idle timeout is short (--idle-timeout) so that a server with that
loop fails here in seconds instead of hanging; a correct server answers every
request as soon as it runs again. With one thread the burst is exact (that
loop failed here in each of three runs: 125 to 127 of 128 answered); with
two the library shares the connections between its threads as they are
accepted, so the same burst is a check of the pool, not an exact
reproduction.
"""

import os
import signal
import socket
import sys

import harness

IDLE_TIMEOUT_S = 3
REQUEST = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def burst(srv, t, count):
    socks = []
    try:
        for _ in range(count):
            # a safety net for a hung server, not a measure: a correct one
            # answers at once, a broken one within IDLE_TIMEOUT_S
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=60)
            socks.append(s)
        first = 0
        for s in socks:  # one answered request each: all accepted and watched
            s.sendall(REQUEST)
            status, _, _ = harness.read_http_answer(s)
            first += status == 200
        t.check(first == count, "threads %s, %d connections: each answers a first request "
                "(%d did)" % (srv.threads, count, first))
        os.kill(srv.proc.pid, signal.SIGSTOP)
        try:
            for s in socks:
                s.sendall(REQUEST)
        finally:
            os.kill(srv.proc.pid, signal.SIGCONT)
        answered, dropped = 0, 0
        for s in socks:
            try:
                status, _, _ = harness.read_http_answer(s)
            except OSError:
                status = None
            answered += status == 200
            dropped += status is None
        t.check(answered == count,
                "threads %s: %d requests arriving together on %d keep-alive connections are "
                "all answered (answered %d, connections closed unanswered %d)"
                % (srv.threads, count, count, answered, dropped))
    finally:
        for s in socks:
            s.close()


def main():
    args = harness.parse_args()
    t = harness.Tally("event_loop", verbose=args.verbose)
    try:
        for threads in (1, 2):
            with harness.Server(args.binary, keep=args.keep, threads=threads, roles=[],
                                serve_args=["--per-address-connections", "0",
                                            "--idle-timeout", str(IDLE_TIMEOUT_S)]) as srv:
                for count in (128, 256):
                    burst(srv, t, count)
                r = srv.request("GET", "/healthz")
                t.check(r.status == 200, "threads %d: the server still answers after the "
                        "bursts" % threads, r)
    except harness.CommandError as e:
        t.fail("harness", e)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
