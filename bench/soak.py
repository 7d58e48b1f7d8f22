"""A bounded soak: several archivists saving and many researchers searching at once, for real.

    .venv/bin/python bench/soak.py                      # 4 writers, 12 readers, 45 s
    .venv/bin/python bench/soak.py --writers 2 --readers 4 --seconds 10

It makes a fresh archive home with the sample collection and an archivist account, starts
`archive serve` on a free port of 127.0.0.1, and runs the writers (sign in, then save new records
through the record form, each with a unique word) and the readers (search, record pages) until the
time is up. Afterwards every saved record must be in the database and found by search: the report
gives requests, errors and lost writes, and the exit status is 1 unless both are zero.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from harness import Session, free_port, percentiles, wait_for  # noqa: E402

PASSWORD = "soak test password"
QUERIES = ["Sokha", "camp", "family", "Cambodia", '"human rights"', "person:Guterres", "soak*", "river"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--writers", type=int, default=4, help="archivists saving records (default 4)")
    parser.add_argument("--readers", type=int, default=12, help="researchers searching (default 12)")
    parser.add_argument("--seconds", type=float, default=45, help="how long (default 45)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="archive-soak-"))
    archive = [str(ROOT / ".venv" / "bin" / "archive"), "--home", str(work)]
    subprocess.run([*archive, "init", "--sample"], check=True, capture_output=True)
    subprocess.run([*archive, "user", "add", "soak", "--role", "archivist", "--password-stdin"],
                   input=PASSWORD + "\n", text=True, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([*archive, "serve", "--port", str(port), "--threads", "8"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    lock = threading.Lock()
    counts = {"requests": 0, "errors": 0}
    error_samples: list[str] = []
    saved: list[str] = []
    latencies: dict[str, list[float]] = {"save": [], "search": [], "page": []}
    deadline = time.time() + args.seconds

    def count(kind: str, ms: float, ok: bool, detail: str = "") -> None:
        with lock:
            counts["requests"] += 1
            latencies[kind].append(ms)
            if not ok:
                counts["errors"] += 1
                if len(error_samples) < 10:
                    error_samples.append(detail[:300])

    def writer(n: int) -> None:
        session = Session(base)
        status, url, body = session.post_form("/login", {"username": "soak", "password": PASSWORD})
        if "/login" in url:
            count("save", 0, False, f"writer {n} could not sign in: {status}")
            return
        i = 0
        while time.time() < deadline:
            word = f"soakw{n}x{i}"
            started = time.perf_counter()
            status, url, body = session.post_form("/records/new", {
                "title": f"Soak record {word}", "type": "statement", "access": "public",
                "text": f"Written under load by writer {n}. The unique word is {word}.",
                "save": "Save"})
            # a saved record lands on its edit page, which offers links to what the text names
            ok = status == 200 and re.search(r"/records/[^/?#]+/edit$", url) is not None \
                and "Saved revision" in body
            count("save", (time.perf_counter() - started) * 1000, ok, f"save {word}: {status} {url}")
            if ok:
                with lock:
                    saved.append(word)
            i += 1

    def reader(n: int) -> None:
        session = Session(base)
        i = 0
        while time.time() < deadline:
            q = QUERIES[(n + i) % len(QUERIES)]
            started = time.perf_counter()
            status, body = session.get("/search.json?" + urllib.parse.urlencode({"q": q}))
            count("search", (time.perf_counter() - started) * 1000, status == 200, f"search {q}: {status}")
            if i % 5 == 0:
                started = time.perf_counter()
                status, _ = session.get("/records/r-seed-letter")
                count("page", (time.perf_counter() - started) * 1000, status == 200, f"page: {status}")
            i += 1

    try:
        wait_for(port)
        threads = ([threading.Thread(target=writer, args=(n,)) for n in range(args.writers)]
                   + [threading.Thread(target=reader, args=(n,)) for n in range(args.readers)])
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        # Lost writes: every record a writer was told was saved must be found by search.
        checker = Session(base)
        checker.post_form("/login", {"username": "soak", "password": PASSWORD})
        lost = [w for w in saved
                if json.loads(checker.get("/search.json?q=" + w)[1]).get("total") != 1]
    finally:
        server.terminate()
        server.wait()
    drift = subprocess.run([*archive, "reindex", "--check"], capture_output=True, text=True)
    shutil.rmtree(work, ignore_errors=True)

    print(f"{args.writers} writers, {args.readers} readers, {args.seconds:.0f} s")
    print(f"requests: {counts['requests']}  errors: {counts['errors']}  saved: {len(saved)}  "
          f"lost writes: {len(lost)}")
    for kind, samples in latencies.items():
        if samples:
            print(f"  {kind:<7} {len(samples):>6} requests, p50/p95 {percentiles(samples)}")
    print(f"index and database after the run: {drift.stdout.strip()}")
    for sample in error_samples:
        print("  error:", sample)
    return 0 if counts["errors"] == 0 and not lost and drift.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
