"""A Docker engine of the test's own: a second dockerd with its own socket, data root,
containerd and bridge, and no iptables rules, so a test can stop and restart it without touching
the machine's engine or anybody's containers. Images are copied in from the main engine.

Its bridge is made here: `--bridge=none` would not do, because dockerd then deletes the
interface docker0, which belongs to the machine's engine."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.parse
import uuid

from docker_engine import DockerEngine

START_TIMEOUT_S = 30


class PrivateEngine:
    def __init__(self):
        # Under /tmp itself, not $TMPDIR: containerd's sockets below the root must fit a
        # sockaddr_un (108 bytes), which a test run's deep TMPDIR would overflow.
        self.root = tempfile.mkdtemp(prefix="ecsbox-dockerd-", dir="/tmp")
        self.socket = os.path.join(self.root, "sock")
        self.host = f"unix://{self.socket}"
        self.engine = DockerEngine(self.host)
        self.proc: subprocess.Popen | None = None
        suffix = uuid.uuid4().hex[:6]
        self.bridge = f"ecsbx{suffix}"  # interface names are at most 15 characters
        self.bridge_address = f"10.231.{int(suffix[:2], 16)}.1/24"
        self._bridge_made = False

    @staticmethod
    def available() -> str | None:
        """None when a private engine can be started here, else why not."""
        if os.geteuid() != 0:
            return "starting a dockerd needs root"
        if not shutil.which("dockerd"):
            return "no dockerd installed"
        if not shutil.which("ip"):
            return "no ip command (iproute2) to make the engine's bridge"
        return None

    def _make_bridge(self) -> None:
        if self._bridge_made:
            return
        for command in (["ip", "link", "add", self.bridge, "type", "bridge"],
                        ["ip", "addr", "add", self.bridge_address, "dev", self.bridge],
                        ["ip", "link", "set", self.bridge, "up"]):
            subprocess.run(command, check=True, capture_output=True, timeout=10)
        self._bridge_made = True

    def start(self) -> "PrivateEngine":
        self._make_bridge()
        log = open(os.path.join(self.root, "dockerd.log"), "ab")
        self.proc = subprocess.Popen(
            ["dockerd", "--data-root", os.path.join(self.root, "data"),
             "--exec-root", os.path.join(self.root, "x"),
             "--pidfile", os.path.join(self.root, "dockerd.pid"),
             "-H", self.host, "--bridge", self.bridge, "--iptables=false", "--ip6tables=false"],
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

    def _mounts_below_root(self) -> list[str]:
        with open("/proc/mounts") as f:
            points = [line.split()[1] for line in f]
        return sorted((p for p in points if p == self.root or p.startswith(self.root + "/")), reverse=True)

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
        # dockerd mounts below its roots and leaves the mounts behind if it dies early.
        for mount in self._mounts_below_root():
            subprocess.run(["umount", "-l", mount], capture_output=True, timeout=30)
        shutil.rmtree(self.root, ignore_errors=True)
        if self._bridge_made:
            subprocess.run(["ip", "link", "delete", self.bridge], capture_output=True, timeout=10)
            self._bridge_made = False
