"""benchlib: what the benchmark scripts share: one HTTP request, a server's
admin token once it answers /healthz, patient ids to spread requests over, and
the figures of a wrk run's output. Python standard library only.

From the shell (bench/run.sh, bench/pg.sh):
    python3 bench/benchlib.py wait PORT               # until /healthz answers
    python3 bench/benchlib.py session PORT PASSWORD DIR  # DIR/token and DIR/ids
    python3 bench/benchlib.py sum WRK_OUTPUT...       # wrk runs side by side, one line:
        # 2xx/s summed, the largest p99 (ms), non-2xx summed, socket errors (tab-separated)
"""

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


def wait_healthz(port, wait=30):
    """Returns once /healthz answers 200; exits after wait seconds."""
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


def admin_token(port, password, wait=30):
    """Waits for /healthz (exits after wait seconds), then a bearer token for admin."""
    wait_healthz(port, wait)
    st, d = request(port, "POST", "/api/v1/tokens",
                    {"username": "admin", "password": password, "label": "bench"})
    if st not in (200, 201):
        sys.exit("bench: cannot create a token: %s %r" % (st, d[:200]))
    return json.loads(d)["token"]


def patient_ids(port, token, most=2000):
    """Up to most patient ids (text), from the list endpoint; exits when none."""
    ids = []
    page = 1
    while len(ids) < most:
        st, d = request(port, "GET", "/api/v1/patients?per_page=200&page=%d" % page, token=token)
        if st != 200:
            sys.exit("bench: cannot list patients: %s %r" % (st, d[:200]))
        items = json.loads(d).get("items", [])
        if not items:
            break
        ids += [str(p["id"]) for p in items]
        page += 1
    if not ids:
        sys.exit("bench: no patients")
    return ids


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


def main(argv):
    if argv[:1] == ["wait"] and len(argv) == 2:
        wait_healthz(int(argv[1]))
    elif argv[:1] == ["session"] and len(argv) == 4:
        port, directory = int(argv[1]), argv[3]
        token = admin_token(port, argv[2])
        open(directory + "/token", "w").write(token)
        ids = patient_ids(port, token)
        open(directory + "/ids", "w").write("\n".join(ids) + "\n")
        print("token ok, %d patient ids" % len(ids))
    elif argv[:1] == ["sum"] and len(argv) > 1:
        fs = [wrk_figures(path) for path in argv[1:]]
        p99s = [f["p99_ms"] for f in fs if f["p99_ms"] is not None]
        print("%.1f\t%s\t%d\t%s" % (sum(f["ok_rps"] for f in fs),
                                      "%.2f" % max(p99s) if p99s else "NA",
                                      sum(f["non2xx"] for f in fs),
                                      "; ".join(f["errors"] for f in fs if f["errors"] != "none")
                                      or "none"))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
