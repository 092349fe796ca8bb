"""A Docker engine of the test's own: a second dockerd with its own socket, data root and
containerd, no bridge and no iptables rules, so a test can stop and restart it without touching
the machine's engine or anybody's containers. Images are copied in from the main engine."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.parse

from docker_engine import DockerEngine

START_TIMEOUT_S = 30


class PrivateEngine:
    def __init__(self):
        # Short: the socket path must fit a sockaddr_un (108 bytes).
        self.root = tempfile.mkdtemp(prefix="ecsbox-dockerd-")
        self.socket = os.path.join(self.root, "sock")
        self.host = f"unix://{self.socket}"
        self.engine = DockerEngine(self.host)
        self.proc: subprocess.Popen | None = None

    @staticmethod
    def available() -> str | None:
        """None when a private engine can be started here, else why not."""
        if os.geteuid() != 0:
            return "starting a dockerd needs root"
        if not shutil.which("dockerd"):
            return "no dockerd installed"
        return None

    def start(self) -> "PrivateEngine":
        log = open(os.path.join(self.root, "dockerd.log"), "ab")
        self.proc = subprocess.Popen(
            ["dockerd", "--data-root", os.path.join(self.root, "data"),
             "--exec-root", os.path.join(self.root, "exec"),
             "--pidfile", os.path.join(self.root, "dockerd.pid"),
             "-H", self.host, "--bridge=none", "--iptables=false", "--ip6tables=false"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd="/",
            env={k: v for k, v in os.environ.items() if k != "TMPDIR"}, start_new_session=True)
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        while self.engine.ping(timeout=1.0) is not None:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the private dockerd did not start:\n{self.log_tail()}")
            time.sleep(0.2)
        return self

    def stop(self) -> None:
        """As an engine restart does: dockerd stops its containers and exits."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.proc = None

    def copy_image_from(self, source: DockerEngine, image: str) -> None:
        conn = source._connection(60)
        try:
            conn.request("GET", f"/images/{urllib.parse.quote(image, safe='')}/get")
            resp = conn.getresponse()
            tarball = resp.read()
            assert resp.status == 200, (resp.status, tarball[:200])
        finally:
            conn.close()
        conn = self.engine._connection(60)
        try:
            conn.request("POST", "/images/load?quiet=1", body=tarball,
                         headers={"Content-Type": "application/x-tar"})
            resp = conn.getresponse()
            body = resp.read()
            assert resp.status == 200, (resp.status, body[:200])
        finally:
            conn.close()

    def log_tail(self, n: int = 20) -> str:
        try:
            with open(os.path.join(self.root, "dockerd.log"), errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return "(no log)"

    def cleanup(self) -> None:
        if self.proc is not None and self.engine.ping(timeout=1.0) is None:
            for c in self.engine.containers():
                self.engine.remove(c["Id"])
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
