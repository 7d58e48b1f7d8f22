"""`archive serve` holds its ground: the real command (waitress) on a free loopback port, more idle
and trickling connections than its connection limit, and a normal request still answers within
seconds. Behind a proxy it trusts that proxy's X-Forwarded-For, and no one else's."""
from __future__ import annotations

import http.cookiejar
import os
import re
import select
import shutil
import socket
import subprocess  # nosec B404
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

LIMIT, TIMEOUT = 8, 2  # --connection-limit, --channel-timeout (seconds)


def archive_command() -> list[str]:
    """The installed `archive` command of this Python, as a person runs it."""
    script = Path(sys.executable).with_name("archive")
    return [str(script)] if script.exists() else [shutil.which("archive") or "archive"]


@contextmanager
def serving(home: Path, *options: str, env: dict | None = None):
    """`archive --home HOME serve --port 0 OPTIONS` running; yields its address (host, port)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    env.pop("ARCHIVE_HOME", None)
    process = subprocess.Popen([*archive_command(), "--home", str(home), "serve", "--port", "0", *options],  # nosec B603
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    try:
        ready, _, _ = select.select([process.stdout], [], [], 60)
        line = process.stdout.readline() if ready else ""
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert found, f"`archive serve` did not start: {line!r} {process.stderr.read() if process.poll() is not None else ''}"
        yield "127.0.0.1", int(found.group(1))
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        process.stdout.close()
        process.stderr.close()


def get(host: str, port: int, path: str = "/", headers: dict | None = None, timeout: float = 30):
    request = urllib.request.Request(f"http://{host}:{port}{path}", headers=headers or {})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # nosec B310 (loopback)
        return response.status, response.read().decode("utf-8")


def closed_by_server(sock: socket.socket) -> bool:
    """Whether the server has closed this connection (nothing is ever sent to it)."""
    ready, _, _ = select.select([sock], [], [], 0)
    if not ready:
        return False
    try:
        return sock.recv(1024) == b""
    except OSError:
        return True


class Trickler(threading.Thread):
    """Slowloris: connections that send a request's headers a byte every quarter second, for as
    long as the server keeps them open (60 s at most); notes when each was closed."""

    def __init__(self, socks: list[socket.socket]):
        super().__init__(daemon=True)
        self.socks, self.closed_after, self.stop = socks, {}, threading.Event()

    def run(self) -> None:
        started = time.monotonic()
        for sock in self.socks:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        while not self.stop.is_set() and time.monotonic() - started < 60:
            for n, sock in enumerate(self.socks):
                if n in self.closed_after:
                    continue
                try:
                    gone = closed_by_server(sock)
                    if not gone:
                        sock.sendall(b"z")
                except OSError:
                    gone = True
                if gone:
                    self.closed_after[n] = time.monotonic() - started
            if len(self.closed_after) == len(self.socks):
                return
            time.sleep(0.25)


def test_more_idle_and_trickling_connections_than_the_limit_do_not_keep_others_out(tmp_path):
    with serving(tmp_path / "home", "--connection-limit", str(LIMIT), "--channel-timeout", str(TIMEOUT),
                 "--threads", "2") as (host, port):
        assert get(host, port)[0] == 200
        # more trickling connections than the limit, then as many again that send nothing at all
        trickling = [socket.create_connection((host, port), timeout=5) for _ in range(LIMIT + 2)]
        idle = [socket.create_connection((host, port), timeout=5) for _ in range(LIMIT + 2)]
        trickler = Trickler(trickling)
        with closing_all(trickling + idle):
            trickler.start()
            try:
                time.sleep(1)  # the limit is taken by the tricklers: now a reader comes along
                started = time.monotonic()
                status, body = get(host, port, timeout=30)
                answered = time.monotonic() - started
                assert status == 200 and "Search" in body
                assert answered < 5 * TIMEOUT, f"a reader waited {answered:.1f} s"
                trickler.join(timeout=30)
            finally:
                trickler.stop.set()
                trickler.join(timeout=10)
            # the server closed every trickling connection, though each kept sending
            assert len(trickler.closed_after) == len(trickling), trickler.closed_after
            waiting, deadline = list(idle), time.monotonic() + 5 * TIMEOUT
            while waiting and time.monotonic() < deadline:  # the idle ones go too, the last accepted last
                waiting = [sock for sock in waiting if not closed_by_server(sock)]
                time.sleep(0.25)
            assert not waiting, f"{len(waiting)} idle connections still open"


@contextmanager
def closing_all(socks: list[socket.socket]):
    try:
        yield socks
    finally:
        for sock in socks:
            sock.close()


def failed_sign_in(host: str, port: int, forwarded_for: str) -> int:
    """The status of a wrong password sent through the real form, with an X-Forwarded-For."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    headers = {"X-Forwarded-For": forwarded_for}
    with opener.open(urllib.request.Request(f"http://{host}:{port}/login", headers=headers), timeout=30) as page:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.read().decode()).group(1)
    data = urllib.parse.urlencode({"username": "nobody", "password": "wrong password!!",
                                   "csrf_token": token}).encode()
    try:
        with opener.open(urllib.request.Request(f"http://{host}:{port}/login", data=data, headers=headers),
                         timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.parametrize("proxy", ["127.0.0.1", "192.0.2.1"])
def test_only_the_trusted_proxy_says_who_the_client_is(tmp_path, proxy):
    """Failed sign-ins pause per client address (ARCHIVE_SIGN_IN_MAX_PER_ADDRESS=2 here): when the
    proxy the requests come from is trusted, X-Forwarded-For is that address; from anyone else the
    header is dropped, and the sender's own address counts."""
    trusted = proxy == "127.0.0.1"
    with serving(tmp_path / "home", "--trusted-proxy", proxy,
                 env={"ARCHIVE_SIGN_IN_MAX_PER_ADDRESS": "2"}) as (host, port):
        assert [failed_sign_in(host, port, "203.0.113.9") for _ in range(3)] == [401, 401, 429]
        assert failed_sign_in(host, port, "203.0.113.10") == (401 if trusted else 429)
        request = urllib.request.Request(f"http://{host}:{port}/", headers={"X-Forwarded-Proto": "https"})
        with urllib.request.urlopen(request, timeout=30) as response:  # nosec B310 (loopback)
            assert ("Strict-Transport-Security" in response.headers) is trusted


def test_the_serving_limits_are_settings_with_sane_defaults():
    from archive import settings
    assert settings.default("THREADS") >= 4 and settings.default("CONNECTION_LIMIT") >= 200
    assert 5 <= settings.default("CHANNEL_TIMEOUT") <= 60 and settings.default("TRUSTED_PROXY") is None


@pytest.mark.parametrize("option", ["--threads", "--connection-limit", "--channel-timeout"])
def test_serve_refuses_a_limit_below_one(tmp_path, option):
    result = subprocess.run([*archive_command(), "--home", str(tmp_path / "home"), "serve", option, "0"],  # nosec B603
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and option in result.stderr
