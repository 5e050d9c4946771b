"""A small standard-library load client: sign in like a browser, then time many GETs.

Each worker thread keeps one keep-alive connection, as a browser would, so the
figures measure the server rather than TCP set-up.
"""

from __future__ import annotations

import http.client
import math
import re
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

TIMEOUT = 60.0
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"')


class SignInError(RuntimeError):
    pass


@dataclass
class Session:
    """Cookies of one signed-in browser."""

    cookies: dict[str, str] = field(default_factory=dict)

    def remember(self, response: http.client.HTTPResponse) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            self.cookies.update({name: morsel.value for name, morsel in jar.items()})

    def header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


@dataclass
class Sample:
    """Latencies (seconds) of one page's requests and how long the whole batch took."""

    latencies: list[float]
    errors: int
    wall: float
    statuses: dict[int, int]

    @classmethod
    def merge(cls, samples: list[Sample]) -> Sample:
        statuses: dict[int, int] = {}
        for sample in samples:
            for status, n in sample.statuses.items():
                statuses[status] = statuses.get(status, 0) + n
        return cls(
            latencies=[t for s in samples for t in s.latencies],
            errors=sum(s.errors for s in samples),
            wall=sum(s.wall for s in samples),
            statuses=statuses,
        )

    @property
    def median_ms(self) -> float:
        return statistics.median(self.latencies) * 1000 if self.latencies else math.nan

    @property
    def p95_ms(self) -> float:
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)] * 1000

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.wall if self.wall else math.nan


def _request(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    session: Session,
    body: str | None = None,
    extra: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    headers = {"Cookie": session.header(), "User-Agent": "peerpath-bench/1"}
    headers.update(extra or {})
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    session.remember(response)
    return response.status, data


def sign_in(host: str, port: int, email: str, password: str) -> Session:
    """Sign in through the real allauth form, with its CSRF cookie and token."""
    session = Session()
    conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
    try:
        status, page = _request(conn, "GET", "/accounts/login/", session)
        token = CSRF_INPUT.search(page.decode("utf-8", "replace"))
        if status != 200 or token is None or "csrftoken" not in session.cookies:
            raise SignInError(f"sign-in page answered {status} without a CSRF token")
        form = urlencode(
            {"csrfmiddlewaretoken": token.group(1), "login": email, "password": password}
        )
        origin = f"http://{host}:{port}"
        status, _ = _request(
            conn,
            "POST",
            "/accounts/login/",
            session,
            body=form,
            extra={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "Referer": f"{origin}/accounts/login/",
            },
        )
    finally:
        conn.close()
    if status != 302 or "sessionid" not in session.cookies:
        raise SignInError(f"signing in as {email} answered {status} without a session")
    return session


def _worker(
    host: str,
    port: int,
    path: str,
    session: Session,
    count: int,
    start: threading.Barrier,
    headers: dict[str, str] | None,
) -> tuple[list[float], dict[int, int]]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    cookie = Session(dict(session.cookies))  # each worker its own copy: no shared mutation
    conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
    start.wait()
    try:
        for _ in range(count):
            began = time.perf_counter()
            try:
                status, _ = _request(conn, "GET", path, cookie, extra=headers)
            except (OSError, http.client.HTTPException):
                conn.close()  # the next request reconnects
                status = 0
            latencies.append(time.perf_counter() - began)
            statuses[status] = statuses.get(status, 0) + 1
    finally:
        conn.close()
    return latencies, statuses


def hammer(
    host: str,
    port: int,
    path: str,
    session: Session,
    *,
    requests: int,
    concurrency: int,
    headers: dict[str, str] | None = None,
) -> Sample:
    """GET ``path`` ``requests`` times from ``concurrency`` threads; every answer must be 200.

    ``headers`` are sent with every request (an API's credentials, say)."""
    shares = [requests // concurrency + (i < requests % concurrency) for i in range(concurrency)]
    shares = [n for n in shares if n]
    start = threading.Barrier(len(shares) + 1)
    with ThreadPoolExecutor(max_workers=len(shares)) as pool:
        futures = [
            pool.submit(_worker, host, port, path, session, n, start, headers) for n in shares
        ]
        start.wait()
        began = time.perf_counter()
        results = [f.result() for f in futures]
        wall = time.perf_counter() - began
    latencies = [t for lat, _ in results for t in lat]
    statuses: dict[int, int] = {}
    for _, counts in results:
        for status, n in counts.items():
            statuses[status] = statuses.get(status, 0) + n
    errors = sum(n for status, n in statuses.items() if status != 200)
    return Sample(latencies, errors, wall, statuses)
