"""A few Docker Engine API calls for the suites that check what ecsbox did on the engine: inspect,
list by label, force-remove, ping. Talks to $DOCKER_HOST (unix:// or tcp://; default
/var/run/docker.sock) directly, so the suites need no docker CLI and no Python docker package."""
from __future__ import annotations

import http.client
import json
import os
import socket
import urllib.parse
from datetime import datetime, timezone

DEFAULT_SOCKET = "/var/run/docker.sock"


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float):
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self._path)
        self.sock = sock


class DockerEngine:
    def __init__(self, host: str | None = None, timeout: float = 30.0):
        host = host or os.environ.get("DOCKER_HOST") or f"unix://{DEFAULT_SOCKET}"
        self.host = host
        self.timeout = timeout

    def _connection(self, timeout: float | None = None) -> http.client.HTTPConnection:
        timeout = self.timeout if timeout is None else timeout
        if self.host.startswith("unix://"):
            return _UnixConnection(self.host[len("unix://"):], timeout)
        if self.host.startswith("tcp://"):
            netloc = urllib.parse.urlsplit(self.host.replace("tcp://", "http://", 1)).netloc
            return http.client.HTTPConnection(netloc, timeout=timeout)
        raise ValueError(f"unsupported DOCKER_HOST {self.host!r}")

    def request(self, method: str, path: str, body=None, timeout: float | None = None):
        """(status, parsed JSON or text) of one Engine API call."""
        conn = self._connection(timeout)
        try:
            headers = {}
            data = None
            if body is not None:
                data = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            raw = resp.read()
        finally:
            conn.close()
        try:
            return resp.status, json.loads(raw) if raw else None
        except ValueError:
            return resp.status, raw.decode(errors="replace")

    def ping(self, timeout: float = 3.0) -> str | None:
        """None when the engine answers, else why not."""
        try:
            status, body = self.request("GET", "/_ping", timeout=timeout)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            return f"{self.host}: {exc}"
        return None if status == 200 else f"{self.host}: /_ping answered {status} {body!r}"

    def info(self) -> dict:
        status, body = self.request("GET", "/info")
        assert status == 200, body
        return body

    def inspect(self, container: str) -> dict | None:
        """The container's inspect document, or None when the engine has no such container."""
        status, body = self.request("GET", f"/containers/{urllib.parse.quote(container)}/json")
        if status == 404:
            return None
        assert status == 200, (status, body)
        return body

    def image_exists(self, image: str) -> bool:
        status, _ = self.request("GET", f"/images/{urllib.parse.quote(image, safe='')}/json")
        return status == 200

    def containers(self, *labels: str) -> list[dict]:
        """Every container (running or not) carrying all `labels` ("key" or "key=value")."""
        filters = json.dumps({"label": list(labels)})
        status, body = self.request(
            "GET", "/containers/json?all=1&filters=" + urllib.parse.quote(filters))
        assert status == 200, (status, body)
        return body

    def remove(self, container: str) -> bool:
        """docker rm -f; True if it existed."""
        status, body = self.request(
            "DELETE", f"/containers/{urllib.parse.quote(container)}?force=1&v=1")
        assert status in (204, 404), (status, body)
        return status == 204


def parse_time(value: str) -> datetime:
    """Docker's RFC 3339 timestamps with nanoseconds ("2024-01-02T03:04:05.123456789Z")."""
    value = value.rstrip("Z")
    if "." in value:
        whole, frac = value.split(".", 1)
        tz = ""
        for sign in ("+", "-"):
            if sign in frac:
                frac, tz = frac.split(sign, 1)
                tz = sign + tz
        value = f"{whole}.{(frac + '000000')[:6]}{tz}"
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
