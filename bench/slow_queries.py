"""Replays the slow queries of issue 12, one at a time, on `/search.json` and as `?q=` on a record page.

    .venv/bin/python bench/run.py --only slow --n 2000                 # a fresh synthetic archive
    .venv/bin/python bench/slow_queries.py --port 5000                 # a running `archive serve`
    .venv/bin/python bench/slow_queries.py --port 5000 --record r-seed-letter --skip-pages

For each query it prints the time, the HTTP status, whether the JSON says `"partial": true` (an answer
cut at the time budget; "-" when the JSON has no such key) and the total found; beside it the record
page with the same `?q=` (its marks). Then two pairs: a rare word asked while a slow query runs in
another client (a search must not wait for another person's). Bounded: every request times out after
`--timeout` seconds (130), and after one that timed out it waits (at most 10 minutes) until the
server answers quickly again, so that the next query is not timed behind the leftovers; only
127.0.0.1 is asked. `--match REGEX` replays only some (e.g. `--match '~/'`).

A repeated query is answered from the query cache, so the pairs ask other words than the single
queries do when it can (bench/run.py gives it fresh rare words; on your own archive pass --rare).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import TIMEOUT, Client, examples, settle  # noqa: E402

HUNDRED = " ".join(f"zq{i}w~2" for i in range(100))  # 789 characters, under the 1,000-character cut
# (label with what the issue measured on the 455-record corpus, query)
SLOW = [
    ("what a fuzzer typed (87 s)", "NULLៀ័ឋតាូិួ័ប~5ែភឿ្ន៏កុពយ~5"),
    ("three fuzzy words (10.6 s)", "Khmer~2 Rouge~2 regime~2"),
    ("three fuzzy letters (8.2 s)", "a~2 b~2 c~2"),
    ("one fuzzy word (5.1 s)", "slave~2"),
    ("wildcard inside words (4.9 s)", "*a*"),
    ("fuzzy prefix past the word (HTTP 500)", "ab~/5"),
    ("fuzzy prefix past the word (HTTP 500)", "a~/3"),
    ("fuzzy prefix past the word (HTTP 500)", "x~/9"),
    ("100 fuzzy terms (32.8 s)", HUNDRED),
    ("200 fuzzy terms, cut (past 120 s)", " ".join(f"zq{i}w~2" for i in range(200))),
]
# (label, slow query run in the background, the rare query timed meanwhile); the background queries
# differ from the single ones above so that they are not answered from the cache.
PAIRS = [
    ("while `slavery~2 freedom~2` runs (4.0 s)", "slavery~2 freedom~2"),
    ("while 100 fuzzy terms run (31.8 s)", " ".join(f"zq{i}v~2" for i in range(100))),
]


def partial_flag(body: bytes) -> bool | None:
    """True or False as the JSON says, None when it has no `partial` (or is not JSON)."""
    try:
        found = json.loads(body)
    except ValueError:
        return None
    return found.get("partial") if isinstance(found, dict) else None


def total_of(body: bytes) -> int | None:
    try:
        return json.loads(body).get("total")
    except (ValueError, AttributeError):
        return None


def ask(client: Client, q: str) -> dict:
    ms, status, body = client.fetch("/search.json?" + urlencode({"q": q}))
    return {"ms": round(ms, 1), "status": status, "partial": partial_flag(body), "total": total_of(body)}


def ask_page(client: Client, record: str, q: str) -> dict:
    ms, status, body = client.fetch(f"/records/{quote(record)}?" + urlencode({"q": q}))
    return {"ms": round(ms, 1), "status": status, "marks": body.count(b"<mark>") if status == 200 else None}


def first_record(port: int) -> str | None:
    """A record anyone may see: the first hit for "the"."""
    _, status, body = Client(port).fetch("/search.json?q=the&per_page=1")
    hits = json.loads(body)["hits"] if status == 200 else []
    return hits[0]["id"] if hits else None


def while_running(port: int, slow: str, fast: str, timeout: float = TIMEOUT, head_start: float = 0.3
                  ) -> dict:
    """Time `fast` asked `head_start` seconds after `slow` was sent from another client."""
    background: dict = {}
    thread = threading.Thread(target=lambda: background.update(ask(Client(port, timeout), slow)), daemon=True)
    thread.start()
    time.sleep(head_start)
    answer = ask(Client(port, timeout), fast)
    thread.join(timeout + 5)
    return {"fast": answer, "slow": background}


def replay(port: int, record: str | None, rare: list[str], timeout: float = TIMEOUT, match: str = "") -> dict:
    """Every slow query on /search.json (and on `record`'s page unless None), then the pairs.

    `rare` holds three words: one asked alone, one while each background query runs. `match` (a
    regular expression) keeps only the queries whose text or label it finds. After a request that
    timed out, it waits for the server to be quick again (harness.settle) before the next."""
    client = Client(port, timeout)
    chosen = re.compile(match)

    def timed(answer: dict) -> dict:
        if answer["status"] == 0:
            answer["settled_after_s"] = round(settle(port), 1)
        return answer

    singles = []
    for label, q in [*SLOW, ("a rare word alone (0.01 s)", rare[0])]:
        if not (chosen.search(q) or chosen.search(label)):
            continue
        row = {"label": label, "q": q, "search": timed(ask(client, q))}
        if record:
            row["page"] = timed(ask_page(client, record, q))
        singles.append(row)
    pairs = []
    for (label, slow), fast in zip(PAIRS, rare[1:3]):
        if chosen.search(slow) or chosen.search(label):
            pair = while_running(port, slow, fast, timeout)
            if pair["slow"].get("status") == 0:
                pair["settled_after_s"] = round(settle(port), 1)
            pairs.append({"label": f"{fast} {label}", "q": fast, "background": slow, **pair})
    return {"record": record, "timeout_s": timeout, "queries": singles, "pairs": pairs}


def shown(q: str, width: int = 34) -> str:
    return q if len(q) <= width else q[:width - 1] + "…"


def report(figures: dict) -> None:
    def cell(answer: dict) -> str:
        status = "timeout" if answer["status"] == 0 else f"HTTP {answer['status']}"
        partial = {True: "yes", False: "no", None: "-"}[answer["partial"]]
        busy = f"  (busy {answer['settled_after_s']} s more)" if "settled_after_s" in answer else ""
        return f"{answer['ms']:>10.1f} ms {status:>8}  partial {partial:<3} total {answer['total']}{busy}"

    print(f"\nIssue 12's slow queries (timeout {figures['timeout_s']:.0f} s; record page: "
          f"{figures['record'] or 'not asked'})")
    print(f"  {'query':<36}{'/search.json':>40}   {'record page ?q=':>24}")
    for row in figures["queries"]:
        page = row.get("page")
        page_text = ""
        if page:
            status = "timeout" if page["status"] == 0 else f"HTTP {page['status']}"
            busy = f"  (busy {page['settled_after_s']} s more)" if "settled_after_s" in page else ""
            page_text = f"{page['ms']:>10.1f} ms {status:>8} marks {page['marks']}{busy}"
        print(f"  {shown(row['q']):<36}{cell(row['search'])}   {page_text}")
        print(f"    {row['label']}")
    for pair in figures["pairs"]:
        print(f"  {shown(pair['q']):<36}{cell(pair['fast'])}")
        slow = pair["slow"]
        print(f"    {pair['label']}; the background query: {slow.get('ms', '?')} ms, "
              f"HTTP {slow.get('status', '?')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=examples(__doc__),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True, help="the port of `archive serve` on 127.0.0.1")
    parser.add_argument("--record", help="the record page to mark the queries on (default: the first hit "
                                         "for \"the\")")
    parser.add_argument("--skip-pages", action="store_true", help="ask /search.json only")
    parser.add_argument("--rare", default="Sokha,Sokha,refugee",
                        help="three comma-separated words: asked alone, then while each background "
                             "query runs (default Sokha,Sokha,refugee, as in the issue)")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help="seconds per request (default 130)")
    parser.add_argument("--match", default="", help="only the queries whose text or label this regular "
                                                   "expression finds (default: all)")
    parser.add_argument("--out", type=Path, help="also write the figures here as JSON")
    args = parser.parse_args()
    rare = [w.strip() for w in args.rare.split(",") if w.strip()]
    rare = (rare * 3)[:3]
    record = None if args.skip_pages else (args.record or first_record(args.port))
    figures = replay(args.port, record, rare, args.timeout, args.match)
    report(figures)
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
