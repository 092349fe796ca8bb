"""Start, stop, kill and restart an ecsbox server for the api-compat suites.

One EcsboxServer owns one process, one loopback port and one data directory. Tests never share a
data directory with anything outside the suite: the directory is a fresh temporary one unless the
caller passes its own (the restart tests reuse a directory across two processes on purpose).
"""
from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
ACCOUNT_ID = "000000000000"
REGION = "us-east-1"
START_TIMEOUT_S = 20.0
TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113"


def ecsbox_bin() -> Path:
    """The binary under test: $ECSBOX_BIN, else build/ecsbox at the repository root."""
    value = os.environ.get("ECSBOX_BIN")
    path = Path(value) if value else REPO_ROOT / "build" / "ecsbox"
    if not path.is_absolute():
        path = (REPO_ROOT / path).resolve()
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    # PR_SET_PDEATHSIG: if the test runner dies (even by SIGKILL), the server gets SIGKILL too.
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)
    except OSError:
        pass


class EcsboxServer:
    def __init__(self, data_dir: str | None = None, port: int | None = None,
                 runtime: str = "none", env: dict | None = None, extra_args: list[str] | None = None):
        """runtime: ecsbox's --runtime; "none" (the default here) runs no containers, "docker"
        runs tasks on the local Docker engine (test_tasks_docker.py). env: variables to add to
        the server's environment (e.g. DOCKER_HOST)."""
        self.env = {**os.environ, **(env or {})}
        self.extra_args = list(extra_args or [])
        self.binary = ecsbox_bin()
        self.runtime = runtime
        self._own_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="ecsbox-api-compat-")
        self.port = port or free_port()
        self.log_path = Path(tempfile.mkstemp(prefix="ecsbox-log-", suffix=".txt")[1])
        self.proc: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start_or_fail(self) -> "EcsboxServer":
        """start(), for fixtures: a server that will not start fails the test with its reason
        and leaves nothing behind."""
        import pytest  # only fixtures call this; the module itself needs no pytest

        try:
            return self.start()
        except RuntimeError as exc:
            self.cleanup()
            pytest.fail(str(exc), pytrace=False)

    def start(self) -> "EcsboxServer":
        if not self.binary.exists():
            raise RuntimeError(f"ecsbox binary not found at {self.binary} (set ECSBOX_BIN)")
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [
                str(self.binary), "serve",
                "--host", "127.0.0.1",
                "--port", str(self.port),
                "--data-dir", self.data_dir,
                "--account-id", ACCOUNT_ID,
                "--region", REGION,
                "--runtime", self.runtime,
                *self.extra_args,
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=self.env,
            preexec_fn=_die_with_parent,
        )
        log.close()
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"ecsbox exited with {self.proc.returncode} during start-up:\n{self.log_tail()}")
            try:
                # Any HTTP answer (even an error) means the server is up.
                req = urllib.request.Request(
                    self.endpoint + "/", data=b"{}", method="POST",
                    headers={"Content-Type": "application/x-amz-json-1.1",
                             "X-Amz-Target": f"{TARGET_PREFIX}.ListClusters"})
                with urllib.request.urlopen(req, timeout=1.0):
                    return
            except urllib.error.HTTPError:
                return
            except (urllib.error.URLError, ConnectionError, socket.timeout, OSError):
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"ecsbox did not answer on port {self.port} within "
                           f"{START_TIMEOUT_S}s:\n{self.log_tail()}")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill9(self) -> None:
        """Crash the server: SIGKILL, no chance to flush or close anything."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def restart(self, new_port: bool = False) -> "EcsboxServer":
        """Start a new process on the same data directory (after stop() or kill9())."""
        self.stop()
        if new_port:
            self.port = free_port()
        return self.start()

    def log_tail(self, n: int = 40) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "\n".join(lines[-n:])

    def cleanup(self) -> None:
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        try:
            self.log_path.unlink()
        except OSError:
            pass

    def __enter__(self) -> "EcsboxServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.cleanup()
