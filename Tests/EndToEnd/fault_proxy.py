"""A small fault-injecting HTTP proxy for tests: forwards to moto, and answers some requests
itself with a throttling or 5xx error in the protocol the request used (Query, JSON, REST-XML).

Only ever listens on and forwards to 127.0.0.1. Also records every forwarded call (service,
action, moto's service time) so benchmarks can count calls and measure moto's capacity.
"""
import http.client
import json
import re
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SERVICE_RE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request")


def describe(method, path, headers, body):
    """(service, action, protocol) of a signed AWS request."""
    m = SERVICE_RE.search(headers.get("Authorization", ""))
    service = m.group(1) if m else "?"
    target = headers.get("X-Amz-Target")
    if target:
        return service, target.split(".")[-1], "json"
    if body and b"Action=" in body:
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        return service, form.get("Action", ["?"])[0], "query"
    return service, f"{method} {rest_template(service, path)}", "rest-xml"


def rest_template(service, path):
    """`/bucket/key?tagging` → `/{bucket}/{key}?tagging`,
    `/2013-04-01/hostedzone/Z1/rrset` → `…/hostedzone/{id}/rrset`."""
    url = urllib.parse.urlsplit(path)
    parts = [p for p in url.path.split("/") if p]
    if service == "s3":
        parts = ["{bucket}"] + (["{key}"] if len(parts) > 1 else []) if parts else []
    else:
        parts = ["{id}" if i > 0 and parts[i - 1] in ("hostedzone", "change") else p for i, p in enumerate(parts)]
    subresources = sorted(k for k, _ in urllib.parse.parse_qsl(url.query, keep_blank_values=True))
    return "/" + "/".join(parts) + (("?" + "&".join(subresources)) if subresources else "")


def error_response(kind, service, protocol):
    """Status, content type and body of an injected error, shaped like the real service's."""
    if kind == "throttle":
        status, code = (429 if protocol == "rest-xml" and service == "route53" else 400), "Throttling"
        if protocol == "json":
            code = "ThrottlingException"
        elif service == "ec2":
            code = "RequestLimitExceeded"
        elif service == "s3":
            status, code = 503, "SlowDown"
    else:
        status, code = 503, "ServiceUnavailable" if service != "s3" else "InternalError"
    message = f"injected {kind} by fault_proxy"
    if protocol == "json":
        return status, "application/x-amz-json-1.1", json.dumps({"__type": code, "message": message}).encode()
    if protocol == "query" and service == "ec2":
        body = (f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors>"
                "<RequestID>fp</RequestID></Response>")
    elif protocol == "query":
        body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
                "<RequestId>fp</RequestId></ErrorResponse>")
    else:
        body = f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>fp</RequestId></Error>"
    return status, "text/xml", body.encode()


class FaultProxy:
    """Every `throttle_every`-th and `error_every`-th request (counted per proxy) gets an injected error."""

    def __init__(self, upstream_port, throttle_every=0, error_every=0, hold_after=None, latency=0.0, drop_held=False):
        self.upstream_port = upstream_port
        # Seconds added to every forwarded call (concurrently, per call): a cloud whose round trip, not its
        # capacity, bounds a client, as AWS's APIs do (moto alone answers in milliseconds but one call at a time).
        self.latency = latency
        self.throttle_every = throttle_every
        self.error_every = error_every
        # (trigger, held): once an action `trigger` was forwarded, calls of action `held` get no answer until
        # `release()` -- a cloud wait that takes minutes (an RDS create) without waiting minutes.
        self.hold_after = hold_after
        # Held calls are never forwarded, even after `release()`: a client killed while its call is held leaves the
        # cloud exactly as the call before left it (a kill -9 between two calls, made deterministic).
        self.drop_held = drop_held
        self.triggered = False
        self.held = 0
        self.released = threading.Event()
        self.lock = threading.Lock()
        self.count = 0
        self.injected = []   # (service, action, kind)
        self.calls = []      # (service, action, seconds moto took)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                service, action, protocol = describe(self.command, self.path, self.headers, body)
                with proxy.lock:
                    proxy.count += 1
                    n = proxy.count
                if proxy.hold_after and proxy.triggered and action == proxy.hold_after[1]:
                    with proxy.lock:
                        proxy.held += 1
                    proxy.released.wait()
                    if proxy.drop_held:
                        self.close_connection = True
                        return
                if proxy.hold_after and action == proxy.hold_after[0]:
                    proxy.triggered = True
                kind = None
                if proxy.throttle_every and n % proxy.throttle_every == 0:
                    kind = "throttle"
                elif proxy.error_every and n % proxy.error_every == 0:
                    kind = "server-error"
                if kind:
                    with proxy.lock:
                        proxy.injected.append((service, action, kind))
                    status, ctype, payload = error_response(kind, service, protocol)
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                if proxy.latency:
                    time.sleep(proxy.latency)
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "content-length", "connection")}
                conn = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=60)
                started = time.perf_counter()
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                payload = resp.read()
                took = time.perf_counter() - started
                conn.close()
                with proxy.lock:
                    proxy.calls.append((service, action, took))
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def release(self):
        """Lets held calls through."""
        self.released.set()

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


if __name__ == "__main__":
    # python3 fault_proxy.py UPSTREAM_PORT [THROTTLE_EVERY] [ERROR_EVERY]: runs until killed; prints its endpoint.
    p = FaultProxy(int(sys.argv[1]), *(int(a) for a in sys.argv[2:4])).start()
    print(p.endpoint, flush=True)
    try:
        p.thread.join()
    except KeyboardInterrupt:
        p.stop()


def refused_without_a_call(cloudctl, moto, *args):
    """Runs `cloudctl *args` (expected to exit 1) through a counting proxy; asserts no request reached the cloud."""
    from urllib.parse import urlsplit
    proxy = FaultProxy(urlsplit(moto).port).start()
    try:
        proc = cloudctl(*args, check=1, endpoint=proxy.endpoint)
    finally:
        proxy.stop()
    assert proxy.count == 0, f"cloudctl {' '.join(args)} made {proxy.count} cloud calls:\n{proc.stdout}{proc.stderr}"
    return proc
