#!/usr/bin/env python3
"""The TLS set-up of docs/operations.md, run: nginx with the example
configuration docs/nginx-cellclinic.conf in front of cellclinic started with
--trusted-proxy 127.0.0.1 --proxy-tls.

A self-signed certificate is made in a temporary directory; nginx runs as the
current user with its pid, logs and temporary files there, on free
non-privileged ports (the example's ports, certificate paths and upstream
port are replaced; nothing else). Over https, from 127.0.0.2:

- login works and the cookie is __Host-cc_session with Secure;
- HSTS max-age=31536000 is on the answers;
- the cookie authenticates the next request;
- cellclinic's access log shows the client's address (127.0.0.2), not the
  proxy's (127.0.0.1) nor an X-Forwarded-For the client made up;
- plain http redirects to https.

nginx and openssl come from scripts/install-deps.sh. Without them the test
fails, except for a user who is not root and not in CI (who cannot install
them): it then says so and passes nothing.

    python3 tests/api/test_proxy.py --binary build/cellclinic [-v]
"""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "..", "docs", "nginx-cellclinic.conf")
CLIENT = "127.0.0.2"


def find_tool(name):
    return shutil.which(name) or next(
        (p for p in ("/usr/sbin/" + name, "/usr/bin/" + name) if os.access(p, os.X_OK)), None)


def templated(example, tmp, https_port, http_port, upstream_port):
    """The example with ports and certificate paths replaced; every replacement
    must hit, so that the test follows the file."""
    text = open(example).read()
    for old, new in [("listen 443 ssl http2;", "listen 127.0.0.1:%d ssl http2;" % https_port),
                     ("listen 80;", "listen 127.0.0.1:%d;" % http_port),
                     ("server 127.0.0.1:8080;", "server 127.0.0.1:%d;" % upstream_port),
                     ("/etc/ssl/certs/clinic.example.org.pem", os.path.join(tmp, "cert.pem")),
                     ("/etc/ssl/private/clinic.example.org.key", os.path.join(tmp, "key.pem"))]:
        if text.count(old) != 1:
            raise harness.CommandError("the example configuration no longer has %r" % old)
        text = text.replace(old, new)
    return text


def main_conf(tmp):
    temp_paths = "".join("    %s_temp_path %s;\n" % (k, os.path.join(tmp, k))
                         for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return ("%sdaemon off;\nworker_processes 1;\npid %s;\nerror_log %s warn;\n"
            "events { worker_connections 64; }\n"
            "http {\n    access_log %s;\n%s    include %s;\n}\n") % (
                "user root root;\n" if os.geteuid() == 0 else "",
                os.path.join(tmp, "nginx.pid"), os.path.join(tmp, "error.log"),
                os.path.join(tmp, "access.log"), temp_paths, os.path.join(tmp, "cellclinic.conf"))


def wait_port(port, proc, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def https(ctx, port, method, path, body=None, headers=None):
    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=15, context=ctx,
                                       source_address=(CLIENT, 0))
    try:
        h = {"Content-Type": "application/json"} if body is not None else {}
        h.update(headers or {})
        conn.request(method, path, body=body, headers=h)
        resp = conn.getresponse()
        return harness.Response(resp.status, resp.getheaders(), resp.read())
    finally:
        conn.close()


# Requests nginx refuses before cellclinic sees them (docs/nginx-cellclinic.conf,
# error_page): (what, bytes sent, status, error code).
BIG = b"a" * 20000
REFUSED_BY_NGINX = [
    ("a request line that is not HTTP", b"HELLO WORLD\r\n\r\n", 400, "bad_request"),
    ("a header over the 16 KiB buffers",
     b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + BIG + b"\r\n\r\n", 400, "bad_request"),
    ("a malformed chunked body",
     b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
     b"Transfer-Encoding: chunked\r\n\r\nzz\r\n\r\n", 400, "bad_request"),
    ("a Content-Length that is not a number",
     b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400,
     "bad_request"),
    ("a target of 20,000 bytes",
     b"GET /" + BIG + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "uri_too_long"),
    ("a body of 6 MB announced",
     b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: 6000000\r\n\r\n", 413,
     "body_too_large"),
]


def raw_tls(ctx, port, data):
    """The whole answer to data sent as is over TLS (read until nginx closes)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(CLIENT, 0))
    with ctx.wrap_socket(sock, server_hostname="localhost") as tls:
        tls.sendall(data)
        out = b""
        try:
            while True:
                chunk = tls.recv(65536)
                if not chunk:
                    break
                out += chunk
                if b"\r\n\r\n" in out and out.rstrip().endswith(b"}"):
                    break
        except (socket.timeout, ssl.SSLError, ConnectionResetError):
            pass
    return out


def check_refusals(t, ctx, port):
    for what, data, status, code in REFUSED_BY_NGINX:
        out = raw_tls(ctx, port, data)
        head, _, body = out.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in
                   (line.partition(":") for line in lines[1:])}
        try:
            error = json.loads(body.decode()).get("error", {})
        except ValueError:
            error = {}
        t.check(lines[0].startswith("HTTP/1.1 %d" % status) and out.count(b"HTTP/1.") == 1 and
                error.get("code") == code and "field" in error and
                headers.get("content-type", "").startswith("application/json") and
                "base-uri 'none'" in headers.get("content-security-policy", "") and
                headers.get("x-content-type-options") == "nosniff" and
                headers.get("strict-transport-security") == "max-age=31536000",
                "nginx refuses %s with %d, the JSON error %s and the security headers, one "
                "status line" % (what, status, code), out[:1500])


def run(binary, t, nginx, openssl, keep):
    tmp = tempfile.mkdtemp(prefix="cc-proxytest-")
    ngx = None
    try:
        r = subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                            "-keyout", os.path.join(tmp, "key.pem"),
                            "-out", os.path.join(tmp, "cert.pem"), "-days", "2",
                            "-subj", "/CN=localhost",
                            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            t.fail("openssl makes a self-signed certificate", r.stderr)
            return
        with harness.Server(binary, keep=keep,
                            serve_args=["--trusted-proxy", "127.0.0.1", "--proxy-tls"]) as srv:
            https_port, http_port = harness.free_port(), harness.free_port()
            with open(os.path.join(tmp, "cellclinic.conf"), "w") as f:
                f.write(templated(EXAMPLE, tmp, https_port, http_port, srv.port))
            with open(os.path.join(tmp, "nginx.conf"), "w") as f:
                f.write(main_conf(tmp))
            cmd = [nginx, "-p", tmp, "-e", os.path.join(tmp, "error.log"),
                   "-c", os.path.join(tmp, "nginx.conf")]
            r = subprocess.run(cmd + ["-t"], capture_output=True, text=True, timeout=30)
            t.check(r.returncode == 0, "nginx -t accepts the example configuration",
                    r.stdout + r.stderr)
            ngx = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   stdin=subprocess.DEVNULL)
            if not wait_port(https_port, ngx):
                err = open(os.path.join(tmp, "error.log")).read() if os.path.exists(
                    os.path.join(tmp, "error.log")) else ""
                t.fail("nginx listens on its https port", err[-1500:])
                return
            ctx = ssl.create_default_context(cafile=os.path.join(tmp, "cert.pem"))

            r = https(ctx, https_port, "GET", "/healthz")
            t.check(r.status == 200 and r.json == {"status": "ok"},
                    "https://…/healthz answers through nginx", r)
            body = '{"username": "nurse1", "password": "%s"}' % harness.PASSWORD
            r = https(ctx, https_port, "POST", "/api/v1/session", body,
                      headers={"X-Forwarded-For": "198.51.100.99"})
            cookies = r.headers_all("Set-Cookie")
            parts = [p.strip() for p in cookies[0].split(";")] if len(cookies) == 1 else []
            t.check(r.status == 200 and parts and parts[0].startswith("__Host-cc_session=") and
                    "Secure" in parts and "Path=/" in parts,
                    "login over https sets __Host-cc_session with Secure", (r, cookies))
            t.check(r.header("Strict-Transport-Security") == "max-age=31536000",
                    "the login answer carries HSTS max-age=31536000", r.headers)
            r = https(ctx, https_port, "GET", "/api/v1/session",
                      headers={"Cookie": parts[0] if parts else ""})
            t.check(r.status == 200 and (r.json or {}).get("user", {}).get("username") ==
                    "nurse1", "the __Host- cookie authenticates the next request over https", r)
            t.check(r.header("Strict-Transport-Security") == "max-age=31536000",
                    "HSTS on the next answer too", r.headers)
            r = https(ctx, https_port, "GET", "/")
            t.check(r.status == 200 and "base-uri 'none'" in (
                r.header("Content-Security-Policy") or ""),
                "the web page comes through with its CSP", r.headers)

            check_refusals(t, ctx, https_port)

            time.sleep(0.3)
            log = srv.log_text()
            t.check(re.search(r" %s POST /api/v1/session 200 " % re.escape(CLIENT), log),
                    "cellclinic's log shows the client's address (%s) for the login" % CLIENT,
                    log[-1500:])
            t.check(" 127.0.0.1 POST /api/v1/session" not in log and "198.51.100.99" not in log,
                    "neither the proxy's address nor the client's made-up X-Forwarded-For is "
                    "taken for the client", log[-1500:])

            conn = http.client.HTTPConnection("127.0.0.1", http_port, timeout=10)
            try:
                conn.request("GET", "/api/v1/patients")
                resp = conn.getresponse()
                resp.read()
                where = resp.getheader("Location") or ""
            finally:
                conn.close()
            t.check(resp.status == 301 and where.startswith("https://"),
                    "plain http redirects to https", (resp.status, where))
    finally:
        if ngx is not None:
            ngx.send_signal(signal.SIGTERM)
            try:
                ngx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                ngx.kill()
                ngx.wait()
        if keep:
            sys.stderr.write("kept %s\n" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def main():
    args = harness.parse_args()
    t = harness.Tally("proxy", verbose=args.verbose)
    nginx, openssl = find_tool("nginx"), find_tool("openssl")
    if not nginx or not openssl:
        missing = " and ".join(n for n, p in (("nginx", nginx), ("openssl", openssl)) if not p)
        if os.geteuid() != 0 and not os.environ.get("CI"):
            print("proxy: NOT RUN: %s not installed and this user is not root "
                  "(scripts/install-deps.sh installs them)" % missing)
            return 0
        t.fail("%s installed (scripts/install-deps.sh installs them)" % missing)
        return t.finish()
    try:
        run(args.binary, t, nginx, openssl, args.keep)
    except harness.CommandError as e:
        t.fail("harness", e)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
