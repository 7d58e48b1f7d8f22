"""The archive's benchmark: the archive as a user meets it, beside SQLite FTS5, on the same data.

    .venv/bin/python bench/run.py            # 10,000 synthetic testimonies of ~1,500 words
    .venv/bin/python bench/run.py --n 50000  # the big run
    .venv/bin/python bench/run.py --long     # 2,000 interview transcripts of ~20,000 words
    .venv/bin/python bench/run.py --contention --slow-queries   # and the two load modes after it
    .venv/bin/python bench/run.py --only contention --n 2000    # only the rare term under load
    .venv/bin/python bench/run.py --n 300 --words 200 --repeat 5   # a smoke run
    .venv/bin/python bench/run.py --long --n 40 --words 2000 --repeat 3   # a smoke run of the long one

It generates N deterministic records in the import format (bench/corpus.py), imports them into a
fresh archive home with `archive import`, serves it with `archive serve` on 127.0.0.1, and measures
over HTTP, in phases:
- search: `/search.json` p50/p95 for a fixed query mix (each with facets and snippets), cold and warm;
  the same records go into SQLite FTS5 (bench/fts5_server.py) and the same queries are timed
  through its minimal endpoint, each figure printed beside the ratio ours/FTS5;
- writes: save-to-searchable, the record page, export rate and peak memory, reindex time (with
  searches running meanwhile);
- slow (--slow-queries): issue 12's slow queries replayed one by one (bench/slow_queries.py);
- contention (--contention): rare-term searches while four clients run expensive queries without
  pause (bench/contention.py).
Always: the import rate, the server's peak memory, the sizes. Every figure is written as JSON
(bench/out/results-N.json, results-long-N.json) so that runs can be compared.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import contention  # noqa: E402
import fts5_server  # noqa: E402
import slow_queries  # noqa: E402
from corpus import COLLECTIONS, COMMON, DEFAULTS, KHMER, common_words, rare_words  # noqa: E402
from harness import (TIMEOUT, Client, Session, examples, free_port, peak_rss_mb, percentiles,  # noqa: E402
                     settle, timed_run, wait_for, write_results)

BENCH_PASSWORD = "a long enough password"


# --- measuring ------------------------------------------------------------------------------------

def save_to_searchable(port: int, runs: int) -> dict:
    """Milliseconds from posting the record form to the record being found by /search.json."""
    session = Session(f"http://127.0.0.1:{port}")
    session.post_form("/login", {"username": "bench", "password": BENCH_PASSWORD})
    samples = []
    for i in range(runs):
        word = f"benchsaved{i}x{int(time.time())}"
        token = session.token("/records/new")
        started = time.perf_counter()
        status, url, _ = session.post("/records/new", {
            "title": f"Saved under load {word}", "type": "testimony", "access": "public",
            "text": f"A testimony holding {word}.", "save": "Save"}, token)
        if status != 200 or not url.endswith("/edit"):
            raise SystemExit(f"the record form was not saved: {status} {url}")
        while json.loads(session.get("/search.json?q=" + word)[1])["total"] != 1:
            if time.perf_counter() - started > 30:
                raise SystemExit(f"{word} not found 30 s after Save")
        samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def query_mix(rare: list[str], people: list[str], n: int, years: range = range(1950, 2020, 5)
              ) -> list[tuple[str, list[tuple[dict, dict]]]]:
    """For each kind of query, n different queries of that kind as (ours, FTS5) parameters.

    Different words each time, so that the first answer to each is a cold one (no query cache);
    each is then asked again for the warm figure (a researcher paging or choosing facets).
    """
    common = COMMON[8:]
    kinds = {
        "common term": [{"q": common[i % len(common)]} for i in range(n)],
        "rare term": [{"q": rare[i % len(rare)]} for i in range(n)],
        "two terms": [{"q": f"{common[i % len(common)]} {common[(i + 3) % len(common)]}"} for i in range(n)],
        "phrase": [{"q": f'"the {common[i % len(common)]}"'} for i in range(n)],
        "person field": [{"q": f'person:"{people[i % len(people)]}"'} for i in range(n)],
        "date range": [{"q": common[i % len(common)], "from": str(years[i % len(years)]),
                        "to": str(years[i % len(years)] + 4)} for i in range(n)],
    }

    def fts(params: dict) -> dict:
        out = {"q": params["q"].replace("person:", "people:")}
        if "from" in params:
            out.update({"from": params["from"] + "0101", "to": params["to"] + "1231"})
        return out
    return [(label, [(p, fts(p)) for p in variants]) for label, variants in kinds.items()]


PHASES = ("search", "writes", "contention", "slow")


def build(args, work: Path, archive: list[str], ours: dict) -> tuple[Path, list[str]]:
    """Generate the collection and import it; returns the data file and the people's names."""
    data = work / "bench.jsonl"
    what = "interview transcripts" if args.corpus == "long" else "records"
    print(f"Generating {args.n} {what} of ~{args.words} words in {data} …", flush=True)
    with data.open("w") as f:
        for obj in COLLECTIONS[args.corpus](args.n, args.words):
            f.write(json.dumps(obj) + "\n")
    person_names = [json.loads(line)["name"] for line in data.open() if '"kind": "person"' in line]

    print("Importing into the archive …", flush=True)
    seconds, peak, _ = timed_run([*archive, "import", str(data)])
    ours["import_records_per_s"] = round(args.n / seconds, 1)
    ours["import_peak_mb"] = peak
    subprocess.run([*archive, "user", "add", "bench", "--role", "archivist", "--password-stdin"],
                   input=BENCH_PASSWORD + "\n", text=True, check=True, capture_output=True)
    return data, person_names


def load_fts5(data: Path, fts_db: Path, n: int, fts: dict) -> None:
    print("Loading SQLite FTS5 …", flush=True)
    from archive import dates  # the same bounds as ours, so the date filter means the same thing

    names = {}
    for line in data.open():
        obj = json.loads(line)
        if obj.get("kind") == "person":
            names[obj["id"]] = " ".join([obj["name"], *obj.get("variants", [])])

    def fts_rows():
        for line in data.open():
            obj = json.loads(line)
            if obj.get("kind") != "record":
                continue
            b = dates.bounds(obj["date"])
            obj["_lo"], obj["_hi"], obj["_decade"] = b.lo, b.hi, f"{b.lo // 100000 * 10}s"
            obj["people"] = [{"name": names[p["id"]]} for p in obj["people"]]
            yield obj
    started = time.perf_counter()
    fts5_server.load(str(fts_db), fts_rows())
    fts["import_records_per_s"] = round(n / (time.perf_counter() - started), 1)


def search_mix(client: Client, fts_client: Client, mix, ours: dict, fts: dict) -> None:
    """Each query of the mix cold then warm, on both sides."""
    print("Searching …", flush=True)
    ours["search"], fts["search"] = {}, {}
    pools = {"ours": ([], []), "fts5": ([], [])}  # (cold, warm) samples of every query
    for label, variants in mix:
        for side, c, store in (("ours", client, ours["search"]), ("fts5", fts_client, fts["search"])):
            cold, warm, totals = [], [], []
            for our_params, fts_params in variants:
                params = our_params if side == "ours" else fts_params
                for samples in (cold, warm):
                    ms, status, body = c.get("/search.json?" + urlencode(params))
                    if status != 200:
                        raise SystemExit(f"{side} {label}: HTTP {status} {body[:300]!r}")
                    samples.append(ms)
                totals.append(json.loads(body)["total"])
            store[label] = {"cold": percentiles(cold), "warm": percentiles(warm), "total": totals[0]}
            pools[side][0].extend(cold)
            pools[side][1].extend(warm)
    for side, figures in (("ours", ours), ("fts5", fts)):
        figures["search_all"] = {"cold": percentiles(pools[side][0]), "warm": percentiles(pools[side][1])}


def record_marks(client: Client, mix, ours: dict, repeat: int) -> None:
    """The record page of a query's first hit opened with `?q=`, every match in its text marked: what
    a researcher gets on following a result (in a long transcript, hundreds of paragraphs)."""
    print("Opening the hits with their words marked …", flush=True)
    kinds = {label: [ours_params["q"] for ours_params, _ in variants] for label, variants in mix
             if label in ("common term", "two terms", "phrase")}
    kinds["Khmer word"] = [KHMER[i % len(KHMER)] for i in range(repeat)]  # only in the long transcripts
    ours["record_marks"] = {}
    plain = []  # the same pages without marks, for comparison
    for label, queries in kinds.items():
        samples, cut = [], 0
        for q in queries:
            _, status, body = client.get("/search.json?" + urlencode({"q": q, "per_page": 1}))
            hits = json.loads(body)["hits"] if status == 200 else []
            if not hits:
                continue
            ms, status, page = client.get(f"/records/{hits[0]['id']}?" + urlencode({"q": q}))
            if status != 200:
                raise SystemExit(f"record page {label}: HTTP {status} {page[:300]!r}")
            samples.append(ms)
            cut += b'class="hint partial"' in page
            plain.append(client.get(f"/records/{hits[0]['id']}")[0])
        if samples:
            ours["record_marks"][label] = {**percentiles(samples), "pages": len(samples), "cut": cut}
    if plain:
        ours["record_marks"]["none"] = {**percentiles(plain), "pages": len(plain), "cut": 0}


def writes(port: int, n: int, work: Path, archive: list[str], ours: dict) -> None:
    """Save to searchable, record pages, export, and reindex with searches running meanwhile."""
    client = Client(port)
    print("Saving through the record form …", flush=True)
    ours["save_to_searchable"] = save_to_searchable(port, 10)
    ids = [f"r{i:06d}" for i in random.Random(2).sample(range(n), min(50, n))]
    ours["record_page"] = percentiles([client.get(f"/records/{i}")[0] for i in ids])

    print("Exporting …", flush=True)
    seconds, peak, _ = timed_run([*archive, "export", "-o", str(work / "export.jsonl")])
    ours["export_records_per_s"] = round(n / seconds, 1)
    ours["export_peak_mb"] = peak

    print("Reindexing while searching …", flush=True)
    stop, errors, during = threading.Event(), [], []

    def keep_searching():
        c = Client(port)
        while not stop.is_set():
            ms, status, _ = c.fetch("/search.json?q=river")
            (during if status == 200 else errors).append(ms)
    searcher = threading.Thread(target=keep_searching)
    searcher.start()
    seconds, peak, _ = timed_run([*archive, "reindex"])
    stop.set()
    searcher.join()
    ours["reindex_s"] = round(seconds, 1)
    ours["reindex_peak_mb"] = peak
    ours["searches_during_reindex"] = {"ok": len(during), "errors": len(errors),
                                       **(percentiles(during) if during else {})}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=examples(__doc__),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", choices=sorted(COLLECTIONS), default="testimonies",
                        help="testimonies (10,000 of ~1,500 words) or long (2,000 interview transcripts "
                             "of ~20,000 words); default testimonies")
    parser.add_argument("--long", dest="corpus", action="store_const", const="long",
                        help="the same as --corpus long")
    parser.add_argument("--n", type=int, help="records to generate (default 10,000; long: 2,000)")
    parser.add_argument("--words", type=int, help="words per record (default 1,500; long: 20,000)")
    parser.add_argument("--repeat", type=int, default=20,
                        help="different queries of each kind, each asked twice (default 20)")
    parser.add_argument("--contention", action="store_true",
                        help="also time rare-term searches while 4 clients run expensive queries")
    parser.add_argument("--slow-queries", action="store_true", help="also replay issue 12's slow queries")
    parser.add_argument("--only", action="append", choices=PHASES,
                        help="run only this phase (repeatable): search (the query mix beside FTS5), writes "
                             "(save, record page, export, reindex), contention, slow")
    parser.add_argument("--clients", type=int, default=4, help="contention: expensive clients (default 4)")
    parser.add_argument("--contention-seconds", type=float, default=30,
                        help="contention: at most this long alone and again under load (default 30)")
    parser.add_argument("--contention-requests", type=int, default=100,
                        help="contention: rare-term searches alone and again under load (default 100)")
    parser.add_argument("--slow-match", default="", metavar="REGEX",
                        help="slow: replay only the queries this regular expression finds (default: all)")
    parser.add_argument("--timeout", type=float, default=TIMEOUT,
                        help="contention and slow: seconds per request before it counts as failed (default 130)")
    parser.add_argument("--keep", type=Path, help="keep the archive home here (default: a temp folder)")
    parser.add_argument("--out", type=Path, help="JSON results (default bench/out/results-N.json)")
    args = parser.parse_args()
    args.n = args.n or DEFAULTS[args.corpus][0]
    args.words = args.words or DEFAULTS[args.corpus][1]
    long = args.corpus == "long"
    phases = args.only or ["search", "writes", *(["contention"] if args.contention else []),
                           *(["slow"] if args.slow_queries else [])]

    work = args.keep or Path(tempfile.mkdtemp(prefix="archive-bench-"))
    if args.keep and work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    home, fts_db = work / "home", work / "fts5.db"
    archive = [str(ROOT / ".venv" / "bin" / "archive"), "--home", str(home)]
    results: dict = {"corpus": args.corpus, "n": args.n, "words": args.words, "machine": os.cpu_count(),
                     "phases": phases, "ours": {}, "fts5": {}}
    ours, fts = results["ours"], results["fts5"]
    servers = []
    try:
        data, person_names = build(args, work, archive, ours)
        if "search" in phases:
            load_fts5(data, fts_db, args.n, fts)
        port = free_port()
        server = subprocess.Popen([*archive, "serve", "--port", str(port)], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        servers.append(server)
        wait_for(port)
        if "search" in phases:
            fts_port = free_port()
            fts_server = subprocess.Popen([sys.executable, str(ROOT / "bench" / "fts5_server.py"), str(fts_db),
                                           str(fts_port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            servers.append(fts_server)
            wait_for(fts_port, "/?q=x")
            mix = query_mix(rare_words(args.corpus, args.repeat), person_names[:args.repeat], args.repeat,
                            years=range(1979, 2021, 3) if long else range(1950, 2020, 5))
            search_mix(Client(port), Client(fts_port), mix, ours, fts)
            record_marks(Client(port), mix, ours, args.repeat)
            fts["database_mb"] = round(fts_db.stat().st_size / 2**20, 1)
            fts["server_peak_mb"] = peak_rss_mb(fts_server.pid)
        if "writes" in phases:
            writes(port, args.n, work, archive, ours)
        # The load modes last, the slow queries first (contention would leave `*a*` in the query cache);
        # a request either gives up on keeps the server busy until it ends, hence settle().
        if "slow" in phases:
            print("Replaying issue 12's slow queries …", flush=True)
            settle(port)
            fresh = rare_words(args.corpus, args.repeat + 2 * args.contention_requests + 3)[-3:]
            ours["slow_queries"] = slow_queries.replay(port, slow_queries.first_record(port), fresh,
                                                       args.timeout, args.slow_match)
        if "contention" in phases:
            print(f"Rare-term searches while {args.clients} clients run expensive queries …", flush=True)
            settle(port)
            wanted = 2 * args.contention_requests  # fresh words: none of the query mix's, none repeated
            rare = rare_words(args.corpus, args.repeat + wanted)[args.repeat:]
            ours["contention"] = contention.measure(
                port, rare, common_words(args.corpus, 128)[8:], common=COMMON, clients=args.clients,
                requests=args.contention_requests, seconds=args.contention_seconds, timeout=args.timeout)
        ours["server_peak_mb"] = peak_rss_mb(server.pid)
        ours["index_mb"] = round(sum(f.stat().st_size for f in (home / "search_index").iterdir()) / 2**20, 1)
        ours["database_mb"] = round((home / "records" / "archive.db").stat().st_size / 2**20, 1)
    finally:
        for process in servers:
            process.terminate()
        for process in servers:
            process.wait()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    report(results)
    write_results(results, args.out, ROOT / "bench" / "out" / f"results-{'long-' if long else ''}{args.n}.json")


def report(results: dict) -> None:
    ours, fts = results["ours"], results["fts5"]

    def row(label, a, b=None, unit=""):
        ratio = f"{a / b:.2f}" if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else ""
        b_text = "" if b is None else f"{b}{unit}"
        print(f"{label:<42}{str(a) + unit:>14}{b_text:>14}{ratio:>10}")

    what = "interview transcripts" if results["corpus"] == "long" else "records"
    print(f"\n{results['n']} {what} of ~{results['words']} words")
    print(f"{'':<42}{'ours':>14}{'FTS5':>14}{'ours/FTS5':>10}")
    row("import, records/s", ours["import_records_per_s"], fts.get("import_records_per_s"))
    for label, figures in ours.get("search", {}).items():
        other = fts["search"][label]
        for state in ("cold", "warm"):
            for p in ("p50", "p95"):
                row(f"/search.json {label}, {state} {p}", figures[state][p], other[state][p], " ms")
    if "search_all" in ours:
        for state in ("cold", "warm"):
            for p in ("p50", "p95"):
                row(f"/search.json all queries, {state} {p}", ours["search_all"][state][p],
                    fts["search_all"][state][p], " ms")
    for label, figures in ours.get("record_marks", {}).items():
        row(f"record page ?q= {label}, p50 / p95", f"{figures['p50']} / {figures['p95']}", unit=" ms")
        if figures["cut"]:
            row("  marks cut by the time budget", f"{figures['cut']} of {figures['pages']}")
    if "record_page" in ours:
        row("record page p50", ours["record_page"]["p50"], unit=" ms")
        row("Save to found by search p50", ours["save_to_searchable"]["p50"], unit=" ms")
        row("Save to found by search p95", ours["save_to_searchable"]["p95"], unit=" ms")
        row("export, records/s", ours["export_records_per_s"])
        row("export peak memory", ours["export_peak_mb"], unit=" MB")
        row("reindex", ours["reindex_s"], unit=" s")
        during = ours["searches_during_reindex"]
        row("searches during reindex (ok / errors)", f"{during['ok']} / {during['errors']}")
    row("server peak memory", ours["server_peak_mb"], fts.get("server_peak_mb"), " MB")
    row("index / FTS database size", ours["index_mb"], fts.get("database_mb"), " MB")
    row("archive database size", ours["database_mb"], unit=" MB")
    if "slow_queries" in ours:
        slow_queries.report(ours["slow_queries"])
    if "contention" in ours:
        contention.report(ours["contention"])


if __name__ == "__main__":
    main()
