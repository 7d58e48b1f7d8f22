"""What every bench script shares: free ports on 127.0.0.1, HTTP clients with a timeout on every
request, percentiles, and the peak memory of a command or a server."""
from __future__ import annotations

import http.client
import json
import http.cookiejar
import re
import socket
import statistics
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

TIMEOUT = 130  # seconds, for every request: a stalled server costs a bench run this much at most
HOST = "127.0.0.1"  # the benches only ever talk to loopback


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def timed_run(args: list[str], env: dict | None = None, stdin: str | None = None) -> tuple[float, int, str]:
    """Seconds, peak memory (MB) and output of a command."""
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", *args], env=env, input=stdin,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
    peak_kb = int(done.stderr.strip().splitlines()[-1])
    return seconds, peak_kb // 1024, done.stdout


class Client:
    """One keep-alive connection to a server on 127.0.0.1.

    A connection the server closed meanwhile is reopened once; a request that takes longer than
    `timeout` raises TimeoutError (it is not asked again).
    """

    def __init__(self, port: int, timeout: float = TIMEOUT):
        self.port, self.timeout = port, timeout
        self.conn = http.client.HTTPConnection(HOST, port, timeout=timeout)

    def reopen(self) -> None:
        self.conn.close()
        self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)

    def get(self, path: str) -> tuple[float, int, bytes]:
        """Milliseconds, HTTP status and body of a GET."""
        started = time.perf_counter()
        try:
            self.conn.request("GET", path)
            response = self.conn.getresponse()
        except TimeoutError:
            self.reopen()
            raise
        except (http.client.HTTPException, OSError):
            self.reopen()
            self.conn.request("GET", path)
            response = self.conn.getresponse()
        try:
            body = response.read()
        except TimeoutError:
            self.reopen()
            raise
        return (time.perf_counter() - started) * 1000, response.status, body

    def fetch(self, path: str) -> tuple[float, int, bytes]:
        """Like get, but a timeout or a dropped connection is an answer: status 0 and the reason."""
        started = time.perf_counter()
        try:
            return self.get(path)
        except (OSError, http.client.HTTPException) as exc:
            self.reopen()
            return (time.perf_counter() - started) * 1000, 0, repr(exc).encode()


class Session:
    """A browser-like client: cookies, and forms posted with their CSRF token."""
    CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=TIMEOUT) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def token(self, path: str) -> str | None:
        status, page = self.get(path)
        found = self.CSRF.search(page)
        return found[1] if status == 200 and found else None

    def post(self, path: str, fields: dict, token: str) -> tuple[int, str, str]:
        """Post a form; returns the status, the final URL (after redirects) and the body."""
        data = urllib.parse.urlencode({**fields, "csrf_token": token}).encode()
        try:
            with self.opener.open(self.base + path, data=data, timeout=TIMEOUT) as response:
                return response.status, response.url, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, path, exc.read().decode(errors="replace")

    def post_form(self, path: str, fields: dict) -> tuple[int, str, str]:
        """Fetch the form for its CSRF token, then post it."""
        token = self.token(path)
        if token is None:
            return 0, path, "no form"
        return self.post(path, fields, token)


def wait_for(port: int, path: str = "/", seconds: float = 120) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            Client(port, timeout=10).get(path)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"no server on port {port}")


def settle(port: int, limit: float = 600, quick_ms: float = 1000) -> float:
    """Wait until a search answers within `quick_ms` again, at most `limit` seconds; returns the wait.

    A request the client gave up on keeps its server thread busy until the search ends, so after a
    timeout the next measurement would otherwise time the leftovers."""
    started = time.monotonic()
    client = Client(port, timeout=min(TIMEOUT, limit))
    while time.monotonic() - started < limit:
        ms, status, _ = client.fetch("/search.json?q=the&per_page=1")
        if status == 200 and ms < quick_ms:
            break
    return time.monotonic() - started


def write_results(results: dict, out: Path | None, default: Path) -> Path:
    """Write a run's figures as JSON to `out` (else `default`, folders made) and say where."""
    out = out or default
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nWritten to {out}")
    return out


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {"p50": round(statistics.median(ordered), 1),
            "p95": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 1)}


def peak_rss_mb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return 0


def examples(doc: str) -> str:
    """The indented command lines of a script's docstring, for its --help."""
    return "examples:\n" + "\n".join(line for line in doc.splitlines() if line.startswith("    .venv/"))
