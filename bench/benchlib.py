"""benchlib: what the benchmark scripts share: one HTTP request, a server's
admin token once it answers /healthz, and the figures of a wrk run's output.
Python standard library only."""

import http.client
import json
import re
import sys
import time


def request(port, method, path, body=None, token=None, timeout=30):
    """(status, body bytes) of one request on its own connection."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    h = {"Content-Type": "application/json"}
    if token:
        h["Authorization"] = "Bearer " + token
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers=h)
    r = c.getresponse()
    d = r.read()
    c.close()
    return r.status, d


def admin_token(port, password, wait=30):
    """Waits for /healthz (exits after wait seconds), then a bearer token for admin."""
    deadline = time.time() + wait
    while True:
        try:
            if request(port, "GET", "/healthz")[0] == 200:
                break
        except OSError:
            pass
        if time.time() > deadline:
            sys.exit("bench: server did not answer /healthz")
        time.sleep(0.1)
    st, d = request(port, "POST", "/api/v1/tokens",
                    {"username": "admin", "password": password, "label": "bench"})
    if st not in (200, 201):
        sys.exit("bench: cannot create a token: %s %r" % (st, d[:200]))
    return json.loads(d)["token"]


def wrk_figures(path):
    """The figures of the wrk output in file path (run with --latency): a dict
    of rps (requests/s as wrk prints it), p99_ms (None when absent), total,
    non2xx, ok_rps (2xx answers per second of the run) and errors (wrk's
    "Socket errors" line without its label, or "none")."""
    text = open(path).read()
    unit_ms = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s|m)\b", text, re.M)
    tot = re.search(r"(\d+) requests in ([\d.]+)(\w+)", text)
    non = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    errs = re.search(r"Socket errors: (.*)", text)
    total = int(tot.group(1)) if tot else 0
    non2xx = int(non.group(1)) if non else 0
    secs = float(tot.group(2)) * {"ms": 0.001, "s": 1, "m": 60}.get(tot.group(3), 1) if tot else 0
    return {"rps": float(rps.group(1)) if rps else 0.0,
            "p99_ms": float(p99.group(1)) * unit_ms[p99.group(2)] if p99 else None,
            "total": total, "non2xx": non2xx,
            "ok_rps": (total - non2xx) / secs if secs else 0.0,
            "errors": errs.group(1) if errs else "none"}
