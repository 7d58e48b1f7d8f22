"""How long from pressing Save on the record form to the record appearing in search.

Starts a real archive server (`archive serve`, waitress) on a fresh home holding the sample collection,
signs in as an archivist through the login form, then N times: posts the record form (with its CSRF
token) and polls /search.json for a word only that record holds. Prints the save request's time and the
time until the record is found, measured from sending the form.

    .venv/bin/python bench/save_to_search.py [--runs 20] [--port 5410] [--import corpus.jsonl]
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--port", type=int, default=5410)
    parser.add_argument("--import", dest="extra", metavar="FILE.jsonl",
                        help="also import this collection first (e.g. the converted corpus)")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bench-save-"))
    env = {**os.environ, "ARCHIVE_HOME": str(home)}
    subprocess.run([BIN / "archive", "init", "--sample"], env=env, check=True, capture_output=True)
    if args.extra:
        subprocess.run([BIN / "archive", "import", args.extra], env=env, check=True, capture_output=True)
    subprocess.run([BIN / "archive", "user", "add", "bench", "--role", "archivist", "--password-stdin"],
                   env=env, input="a long enough password\n", text=True, check=True, capture_output=True)
    server = subprocess.Popen([BIN / "archive", "serve", "--port", str(args.port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{args.port}"
    try:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        # the form's POST alone: the save answers 302 once the record is stored and indexed
        post_only = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
        for _ in range(100):
            try:
                opener.open(base + "/login").read()
                break
            except OSError:
                time.sleep(0.1)

        def token(path: str) -> str:
            page = opener.open(base + path).read().decode()
            return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

        def post(path: str, fields: dict) -> None:
            data = urllib.parse.urlencode({"csrf_token": token(path), **fields}).encode()
            opener.open(urllib.request.Request(base + path, data=data)).read()

        post("/login", {"username": "bench", "password": "a long enough password"})
        saves, found, first_poll = [], [], 0
        for run in range(args.runs):
            word = f"benchword{run}x{int(time.time())}"
            fields = {"title": f"Bench record {word}", "type": "testimony", "access": "public",
                      "text": f"A testimony holding {word}.", "places": "Cambodia | mentioned",
                      "save": "Save"}
            form_token = token("/records/new")
            data = urllib.parse.urlencode({"csrf_token": form_token, **fields}).encode()
            started = time.perf_counter()
            try:
                post_only.open(urllib.request.Request(base + "/records/new", data=data)).read()
                raise SystemExit("the form was not saved (no redirect)")
            except urllib.error.HTTPError as exc:
                if exc.code != 302:
                    raise
            saves.append(time.perf_counter() - started)
            polls = 0
            while True:
                polls += 1
                hits = json.loads(opener.open(base + "/search.json?q=" + word).read())["total"]
                if hits:
                    found.append(time.perf_counter() - started)
                    first_poll += polls == 1
                    break
                if time.perf_counter() - started > 30:
                    raise SystemExit(f"run {run}: not found in search after 30 s")
        for label, values in (("Save (the form's POST, answered once stored and indexed)", saves),
                              ("Save -> found by /search.json", found)):
            ms = sorted(v * 1000 for v in values)
            print(f"{label}: median {statistics.median(ms):.0f} ms, min {ms[0]:.0f} ms, "
                  f"max {ms[-1]:.0f} ms over {len(ms)} runs")
        print(f"found by the first search after the save answered in {first_poll} of {args.runs} runs")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
