"""Start and stop the production server (gunicorn, as ``peerpath run`` starts it)."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.tiers import ROOT

HOST = "127.0.0.1"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


class ServerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def gunicorn_argv(port: int, *, workers: int, threads: int) -> list[str]:
    """The command line of ``peerpath run`` (peerpath/cli.py), on a port of our own."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "peerpath.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        "120",
        "--access-logfile",
        "/dev/null",
        "--log-level",
        "warning",
    ]


def _healthy(port: int) -> bool:
    conn = http.client.HTTPConnection(HOST, port, timeout=2)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def _wait_until_healthy(proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerError(f"gunicorn exited with {proc.returncode}; see {log}")
        if _healthy(port):
            return
        time.sleep(0.2)
    raise ServerError(f"gunicorn did not answer /healthz within {START_TIMEOUT:.0f}s; see {log}")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn's whole process group (master and workers)."""
    for sig, wait in ((signal.SIGTERM, STOP_TIMEOUT), (signal.SIGKILL, STOP_TIMEOUT)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def start_server(
    env: dict[str, str], log: Path, *, workers: int, threads: int, port: int | None = None
) -> tuple[subprocess.Popen[bytes], int]:
    """Start gunicorn in its own process group and wait until it answers; the process and
    its port (a free one unless given)."""
    port = port or free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        proc = subprocess.Popen(
            gunicorn_argv(port, workers=workers, threads=threads),
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so we can stop every worker
        )
    try:
        _wait_until_healthy(proc, port, log)
    except BaseException:
        stop_server(proc)
        raise
    return proc, port


@contextmanager
def running_server(env: dict[str, str], log: Path, *, workers: int, threads: int) -> Iterator[int]:
    """Serve Peerpath on a free local port for the duration of the block; yields the port."""
    proc, port = start_server(env, log, workers=workers, threads=threads)
    try:
        yield port
    finally:
        stop_server(proc)
