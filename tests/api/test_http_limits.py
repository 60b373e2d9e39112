#!/usr/bin/env python3
"""HTTP hardening below the routes: what the server does with connections and
request heads before any handler runs.

- connections: 1,000 idle sockets from one address (127.0.0.2) leave /healthz
  and the API answering for another (127.0.0.1); the per-address limit is the
  one in effect; an idle connection is closed after --idle-timeout;
- the request target: a control character, raw or percent-encoded (NUL, LF,
  TAB, DEL, C1), anywhere in the path or query answers 400 bad_path;
- errors the HTTP library would answer with its own page (414 URI too long,
  431 header fields too large, 400 HTTP/1.1 without Host) and the 413 of a
  body carry the JSON error and the security headers, with one status line;
- trusted reverse proxy: X-Forwarded-For / X-Real-IP name the client (access
  log, throttling) only when the TCP peer is a trusted proxy;
- serve's options: --help documents them; bad values are refused.

All sockets are to 127.0.0.1; all of 127.0.0.0/8 is local on Linux.

    python3 tests/api/test_http_limits.py --binary build/cellclinic [-v]
"""

import os
import resource
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

SEC_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options",
               "Referrer-Policy")
IDLE_SOCKETS = 1000


def raw_exchange(port, data, source=None, timeout=10):
    """Sends bytes, reads until the server closes (or timeout); returns bytes."""
    c = socket.socket()
    try:
        if source:
            c.bind((source, 0))
        c.settimeout(timeout)
        c.connect(("127.0.0.1", port))
        try:
            c.sendall(data)
        except OSError:
            pass  # the server may answer and close before reading everything
        out = b""
        while True:
            try:
                chunk = c.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        return out
    finally:
        c.close()


def parse_answer(data):
    """(status, {header: value}, body, rest): rest is anything after the body the
    Content-Length announced (a second status line would be there)."""
    head, sep, after = data.partition(b"\r\n\r\n")
    if not sep:
        return None, {}, b"", data
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(b":")
        headers[k.decode("latin-1").strip().lower()] = v.decode("latin-1").strip()
    n = int(headers.get("content-length", "0") or 0)
    return status, headers, after[:n], after[n:]


def check_json_error(t, data, status, code, what):
    st, headers, body, rest = parse_answer(data)
    import json
    try:
        err = json.loads(body.decode("utf-8")).get("error", {})
    except (ValueError, AttributeError):
        err = {}
    t.check(st == status and err.get("code") == code,
            "%s: %d with the JSON error %s" % (what, status, code), data[:600])
    missing = [h for h in SEC_HEADERS if h.lower() not in headers]
    t.check(not missing, "%s: security headers present" % what, (missing, data[:600]))
    t.check(rest == b"" and data.count(b"HTTP/1.1 %d" % status) == 1,
            "%s: one status line, nothing after the announced body" % what, data[:800])


def connections(binary, t, keep):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = IDLE_SOCKETS + 200
    if soft < want and (hard == resource.RLIM_INFINITY or hard >= want):
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    with harness.Server(binary, keep=keep) as srv:
        tok = srv.token("coordinator")
        socks = []
        try:
            for _ in range(IDLE_SOCKETS):
                c = socket.socket()
                c.bind(("127.0.0.2", 0))
                c.settimeout(3)
                try:
                    c.connect(("127.0.0.1", srv.port))
                except OSError:
                    pass  # refused beyond the backlog counts as held off too
                socks.append(c)
            t0 = time.time()
            try:
                r = srv.request("GET", "/healthz", timeout=5)
                ok = r.status == 200
            except OSError as e:
                ok, r = False, e
            t.check(ok and time.time() - t0 < 3,
                    "%d idle sockets from 127.0.0.2: /healthz from 127.0.0.1 answers within "
                    "3 s" % IDLE_SOCKETS, r)
            try:
                r = srv.request("GET", "/api/v1/patients?per_page=1",
                                role=("token", tok), timeout=5)
                ok = r.status == 200
            except OSError as e:
                ok, r = False, e
            t.check(ok, "with them, the API answers 127.0.0.1 too", r)
            time.sleep(0.3)
            held = 0
            for c in socks:
                c.setblocking(False)
                try:
                    if c.recv(1) != b"":
                        held += 1
                except BlockingIOError:
                    held += 1  # still open, nothing to read
                except OSError:
                    pass
            t.check(0 < held <= 64,
                    "the server holds at most 64 connections of one address (held %d)" % held)
        finally:
            for c in socks:
                c.close()
        time.sleep(0.3)
        try:
            r = srv.request("GET", "/healthz", timeout=5, source="127.0.0.2")
            ok = r.status == 200
        except OSError as e:
            ok, r = False, e
        t.check(ok, "once its sockets are closed, 127.0.0.2 is served again", r)

    with harness.Server(binary, keep=keep,
                        serve_args=["--idle-timeout", "1", "--per-address-connections",
                                    "3"]) as srv:
        c = socket.create_connection(("127.0.0.1", srv.port), timeout=6)
        t0 = time.time()
        try:
            got = c.recv(1)
        except OSError as e:
            got = e
        finally:
            c.close()
        waited = time.time() - t0
        t.check(got == b"" and 0.5 <= waited < 5,
                "--idle-timeout 1: an idle connection is closed after about 1 s (%.1f s)" % waited,
                got)
        socks = [socket.create_connection(("127.0.0.1", srv.port), source_address=(
            "127.0.0.2", 0), timeout=3) for _ in range(5)]
        try:
            time.sleep(0.3)
            closed = count_closed(socks)
            t.check(closed == 2, "--per-address-connections 3: of 5 sockets, 2 are closed",
                    closed)
        finally:
            for c in socks:
                c.close()


def count_closed(socks):
    """How many of socks the server has closed (read at once, without waiting)."""
    closed = 0
    for c in socks:
        c.setblocking(False)
        try:
            if c.recv(1) == b"":
                closed += 1
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
    return closed


def total_limit(binary, t, keep):
    """--max-connections counts every open connection: over it a new one is
    closed at once; once some close, new ones are served again (the count
    goes down as connections end)."""
    with harness.Server(binary, keep=keep, serve_args=["--max-connections", "16",
                                                       "--per-address-connections", "0"]) as srv:
        for attempt in (1, 2):
            # the server counts a connection until its polling thread has seen
            # it close: the harness's last request must not be counted here
            time.sleep(1)
            socks = [socket.create_connection(("127.0.0.1", srv.port), timeout=3)
                     for _ in range(20)]
            try:
                time.sleep(0.3)
                closed = count_closed(socks)
                t.check(closed == 4, "--max-connections 16, round %d: of 20 sockets, 4 are "
                        "closed" % attempt, closed)
            finally:
                for c in socks:
                    c.close()
            served = None
            for _ in range(50):  # the count goes down as the server sees them close
                try:
                    served = srv.request("GET", "/healthz", timeout=2)
                    break
                except OSError as e:
                    served = e
                    time.sleep(0.1)
            t.check(getattr(served, "status", None) == 200, "round %d: once they are closed, "
                    "a new connection is served" % attempt, served)


def targets(srv, t):
    tok = srv.token("coordinator").encode()
    auth = b"Authorization: Bearer " + tok + b"\r\n"
    for label, target in [("encoded NUL in the path", b"/api/v1/patients%00.json"),
                          ("encoded NUL in a page path", b"/index.html%00"),
                          ("encoded NUL on /healthz", b"/healthz%00"),
                          ("encoded LF", b"/api/v1/patients/1%0a"),
                          ("encoded TAB", b"/api/v1/patients%09"),
                          ("encoded DEL", b"/api/v1/patients%7F"),
                          ("encoded C1 control (NEL)", b"/api/v1/patients%C2%85"),
                          ("raw control byte", b"/api/v1/pat\x01ients"),
                          ("encoded NUL in the query", b"/api/v1/patients?q=a%00b"),
                          ("encoded ESC in the query", b"/api/v1/patients?q=%1b[31m")]:
        data = raw_exchange(srv.port, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n" + auth +
                            b"Connection: close\r\n\r\n")
        check_json_error(t, data, 400, "bad_path", label)
    data = raw_exchange(srv.port, b"GET /api/v1/patients?q=%C3%A9 HTTP/1.1\r\nHost: x\r\n" +
                        auth + b"Connection: close\r\n\r\n")
    t.check(parse_answer(data)[0] == 200, "an encoded letter (e acute) in the query is served",
            data[:300])


def library_errors(srv, t):
    close = b"Connection: close\r\n\r\n"
    for size in (9000, 30000):
        data = raw_exchange(srv.port, b"GET /api/v1/" + b"p" * size + b" HTTP/1.1\r\nHost: x\r\n" +
                            close)
        check_json_error(t, data, 414, "uri_too_long", "a target of %d bytes" % size)
    data = raw_exchange(srv.port, b"GET /healthz?q=" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n" +
                        close)
    check_json_error(t, data, 414, "uri_too_long", "a query string of 20000 bytes")
    data = raw_exchange(srv.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 +
                        b"\r\n" + close)
    check_json_error(t, data, 431, "headers_too_large", "one header of 20000 bytes")
    many = b"".join(b"X-H%d: %s\r\n" % (i, b"b" * 100) for i in range(200))
    data = raw_exchange(srv.port, b"GET /api/v1/patients HTTP/1.1\r\nHost: x\r\n" + many + close)
    check_json_error(t, data, 431, "headers_too_large", "200 headers of 100 bytes")
    data = raw_exchange(srv.port, b"GET /healthz HTTP/1.1\r\n" + close)
    check_json_error(t, data, 400, "missing_host", "HTTP/1.1 without Host")
    data = raw_exchange(srv.port, b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\n"
                        b"Content-Type: application/json\r\nContent-Length: 100000\r\n"
                        b"Connection: close\r\n\r\n" + b"x" * 100000)
    check_json_error(t, data, 413, "body_too_large", "a body of 100000 bytes")
    r = srv.request("GET", "/healthz")
    t.check(r.status == 200, "the server still answers after the oversize heads", r)


def trusted_proxy(binary, t, keep):
    with harness.Server(binary, keep=keep,
                        serve_args=["--trusted-proxy", "127.0.0.2,10.0.0.0/8"]) as srv:
        def health(source, headers, label):
            srv.request("GET", "/healthz?" + label, headers=headers, source=source)
        health("127.0.0.3", {"X-Forwarded-For": "192.0.2.1"}, "a")
        health("127.0.0.3", {"X-Real-IP": "192.0.2.2"}, "b")
        health("127.0.0.2", {"X-Forwarded-For": "192.0.2.66, 198.51.100.7"}, "c")
        health("127.0.0.2", {"X-Real-IP": "198.51.100.8"}, "d")
        health("127.0.0.2", {"X-Forwarded-For": "not an address"}, "e")
        health("127.0.0.2", {"X-Forwarded-For": " 2001:DB8::1 "}, "f")
        time.sleep(0.3)
        log = srv.log_text()
        for addr, what in [("127.0.0.3", "an untrusted peer's X-Forwarded-For is ignored: the "
                            "log shows the peer"),
                           ("198.51.100.7", "the trusted proxy's last X-Forwarded-For hop is "
                            "the client in the log"),
                           ("198.51.100.8", "the trusted proxy's X-Real-IP is the client"),
                           ("127.0.0.2 GET /healthz", "a forwarded value that is no address "
                            "leaves the proxy's own"),
                           ("2001:db8::1", "an IPv6 forwarded address, canonical")]:
            t.check(addr in log, what, log[-1500:])
        for spoof in ("192.0.2.1", "192.0.2.2", "192.0.2.66"):
            t.check(spoof not in log, "the access log never shows %s (spoofed or earlier "
                    "hop)" % spoof, log[-1500:])

        # Throttling follows the same address.
        def fail_until_blocked(source, headers, prefix):
            for i in range(80):
                r = srv.request("POST", "/api/v1/session",
                                {"username": "%s%d" % (prefix, i), "password": "wrong"},
                                headers=headers, source=source)
                if r.status == 429:
                    return i
                if r.status != 401:
                    return r
            return None
        n = fail_until_blocked("127.0.0.3", {"X-Forwarded-For": "192.0.2.10"}, "ghost")
        t.check(isinstance(n, int), "failed logins from one peer end in 429", n)
        r = srv.request("POST", "/api/v1/session", {"username": "ghostx", "password": "wrong"},
                        headers={"X-Forwarded-For": "192.0.2.11"}, source="127.0.0.3")
        t.check(r.status == 429, "a new spoofed X-Forwarded-For from the untrusted peer is "
                "still blocked (the peer is throttled)", r)
        n = fail_until_blocked("127.0.0.2", {"X-Forwarded-For": "198.51.100.20"}, "phantom")
        t.check(isinstance(n, int), "through the trusted proxy, one forwarded client's failures "
                "end in 429", n)
        r = srv.request("POST", "/api/v1/session", {"username": "phantomx", "password": "wrong"},
                        headers={"X-Forwarded-For": "198.51.100.21"}, source="127.0.0.2")
        t.check(r.status == 401, "another client behind the same proxy is not blocked", r)


def options(binary, t):
    r = harness.run_cli(binary, ["serve", "--help"])
    for opt in ("--max-connections", "default 1000", "--per-address-connections", "default 64",
                "--idle-timeout", "default 30", "--trusted-proxy", "--proxy-tls"):
        t.check(opt in r.stdout + r.stderr, "serve --help documents %s" % opt)
    for bad in (["--per-address-connections", "-1"], ["--max-connections", "5"],
                ["--idle-timeout", "0"], ["--trusted-proxy", "proxy.example.org"],
                ["--trusted-proxy", "127.0.0.1/33"], ["--trusted-proxy", "127.0.0.1,"],
                ["--proxy-tls"]):
        r = harness.run_cli(binary, ["serve", "--data", "/nonexistent-cc-data",
                                     "--listen", "127.0.0.1:1"] + bad, timeout=20)
        t.check(r.returncode == 2, "serve %s is refused (exit 2)" % " ".join(bad),
                (r.returncode, r.stderr))


def main():
    args = harness.parse_args()
    t = harness.Tally("http_limits", verbose=args.verbose)
    try:
        options(args.binary, t)
        connections(args.binary, t, args.keep)
        total_limit(args.binary, t, args.keep)
        with harness.Server(args.binary, keep=args.keep) as srv:
            targets(srv, t)
            library_errors(srv, t)
        trusted_proxy(args.binary, t, args.keep)
    except harness.CommandError as e:
        t.fail("harness", e)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
