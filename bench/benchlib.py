"""benchlib: what the benchmark scripts share: one HTTP request, and a server's
admin token once it answers /healthz. Python standard library only."""

import http.client
import json
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
