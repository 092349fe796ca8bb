"""What the ELBv2 suites (test_elbv2.py, test_elbv2_cli_v2.py) share: a server whose health checks
run faster than ELB's, tiny HTTP backends to register as targets, plain HTTP through a listener,
and bounded polling.

Health checks: ELB's shortest interval is 5 s with a 2 s timeout. The suites' target groups use
exactly those (and a healthy threshold of 2), and the server runs with `--health-check-scale`, which
multiplies intervals and timeouts, so a target turns healthy in about a second instead of ten and
unhealthy in about two instead of ten."""
from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ecsbox_server import EcsboxServer

HEALTH_CHECK_SCALE = 0.2
# The health check every target group of the suites uses: ELB's minimum interval and timeout.
FAST_HEALTH_CHECK = {
    "HealthCheckProtocol": "HTTP",
    "HealthCheckPath": "/health",
    "HealthCheckIntervalSeconds": 5,
    "HealthCheckTimeoutSeconds": 2,
    "HealthyThresholdCount": 2,
    "UnhealthyThresholdCount": 2,
}
HEALTH_CHECKER_AGENT = "ELB-HealthChecker/2.0"


def elbv2_server() -> EcsboxServer:
    """A server for one ELBv2 module (`--runtime none`, like the session's), with health checks
    scaled down."""
    return EcsboxServer(extra_args=["--healthy-after-running", "0",
                                    "--health-check-scale", str(HEALTH_CHECK_SCALE)])


class Backend:
    """An HTTP server on 127.0.0.1 (a free port) that answers every GET with its own name, and
    records what it was asked (path, User-Agent). HTTP/1.0, so each answer closes its connection
    and stop() leaves nothing listening: a stopped backend refuses connections."""

    def __init__(self, name: str):
        self.name = name
        self.requests: list[tuple[str, str]] = []
        lock = threading.Lock()
        backend = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                with lock:
                    backend.requests.append((self.path, self.headers.get("User-Agent", "")))
                body = backend.name.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name=f"backend-{name}")
        self._thread.start()
        self.running = True

    @property
    def target(self) -> dict:
        return {"Id": "127.0.0.1", "Port": self.port}

    def health_checks(self) -> list[tuple[str, str]]:
        return [r for r in list(self.requests) if r[1] == HEALTH_CHECKER_AGENT]

    def traffic(self) -> list[str]:
        """Paths of the requests that were not health checks."""
        return [path for path, agent in list(self.requests) if agent != HEALTH_CHECKER_AGENT]

    def stop(self) -> None:
        if not self.running:
            return
        self.running = False
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_get(url: str, host: str | None = None, timeout: float = 10.0):
    """GET url (no proxy, whatever the environment says); returns (status, headers, body text).
    An HTTP error status is an answer like any other."""
    headers = {"Host": host} if host else {}
    req = urllib.request.Request(url, headers=headers)
    try:
        with _opener.open(req, timeout=timeout) as resp:
            return resp.status, resp.headers, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read().decode()


def poll(what: str, check, timeout: float = 20.0, interval: float = 0.1):
    """Calls check() until it returns something truthy, and returns that; fails naming `what` (and
    the last value seen) after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            last = check()
        except (OSError, urllib.error.URLError) as exc:  # a listener not open yet, a reset
            last = exc
        else:
            if last:
                return last
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}; last: {last!r}")
        time.sleep(interval)
