"""Rare-term searches while four clients run expensive queries without pause (issue 12's target:
a rare-term search keeps p95 ≤ 200 ms under that load).

    .venv/bin/python bench/run.py --only contention --n 2000                # a fresh synthetic archive
    .venv/bin/python bench/contention.py --port 5000 --rare Sokha,Guterres  # a running `archive serve`

First the rare-term searches alone (the baseline), then as many again while `--clients` clients
each ask `/search.json` for expensive queries one after the other with no pause: fuzzy `word~2`,
wildcards (`*a*`, `ab*`), phrases of common words. Every query is different (a repeated one would be
answered from the query cache), and so is every rare word, as far as the words given go. It prints
the rare-term p50/p95 alone and under load, and the expensive queries' own latencies, errors and
how many answered `"partial": true`. Bounded: each half stops after `--requests` rare-term searches
or `--seconds`, whichever comes first; every request times out after `--timeout` seconds (130);
only 127.0.0.1 is asked.
"""
from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import TIMEOUT, Client, examples, percentiles  # noqa: E402

COMMON = ["the", "and", "of", "to", "was", "in", "we", "they", "camp", "family", "village", "soldiers",
          "mother", "father", "work", "food", "night", "river", "freedom", "home"]
VOWELS, CONSONANTS = "aeiou", "nrstlmkhpdcb"
# `*a*` and `*an*` scan the whole word list whatever they match; `ab*` walks its range of it.
INFIXES = [*VOWELS, *(v + c for v in VOWELS for c in CONSONANTS), *(c + v for c in CONSONANTS for v in VOWELS)]
PREFIXES = ["ab", *(c + v for c in CONSONANTS for v in VOWELS), *CONSONANTS, *VOWELS]


def expensive_queries(words: list[str], common: list[str] = COMMON) -> dict[str, list[str]]:
    """Distinct expensive queries of three kinds: fuzzy terms of `words` (one and two at a time),
    wildcards (`*a*` inside words, `ab*` prefixes) and phrases of two or three common words."""
    fuzzy = [f"{w}~2" for w in words] + [f"{a}~2 {b}~2" for a, b in zip(words, words[1:])]
    infix, prefix = [f"*{s}*" for s in INFIXES], [f"{p}*" for p in PREFIXES]
    wildcard = [q for pair in itertools.zip_longest(infix, prefix) for q in pair if q]  # both kinds early
    pairs = [f'"{a} {b}"' for a, b in itertools.permutations(common, 2)]
    triples = [f'"{a} the {b}"' for a, b in itertools.permutations(common[:8], 2)]
    return {"fuzzy": fuzzy, "wildcard": list(dict.fromkeys(wildcard)), "phrase": pairs + triples}


def interleave(queries: dict[str, list[str]], client: int, clients: int) -> list[tuple[str, str]]:
    """(kind, q) taking the kinds in turn, each client starting at another place in each list."""
    cut = {kind: client * len(qs) // clients for kind, qs in queries.items()}
    rotated = {kind: qs[cut[kind]:] + qs[:cut[kind]] for kind, qs in queries.items()}
    rounds = itertools.zip_longest(*([(kind, q) for q in qs] for kind, qs in rotated.items()))
    return [pair for round_ in rounds for pair in round_ if pair]


def is_partial(body: bytes) -> bool:
    try:
        return json.loads(body).get("partial") is True
    except ValueError:
        return False


class Tally:
    """Latencies, errors and partial answers of one kind of request, from several threads."""

    def __init__(self):
        self.lock, self.ms, self.errors, self.partial = threading.Lock(), [], 0, 0
        self.asked: set[str] = set()
        self.error_samples: list[str] = []

    def add(self, ms: float, status: int, body: bytes, q: str) -> None:
        with self.lock:
            self.ms.append(ms)
            self.asked.add(q)
            if status != 200:
                self.errors += 1
                if len(self.error_samples) < 3:
                    self.error_samples.append(f"{q!r}: HTTP {status} {body[:120]!r}")
            elif is_partial(body):
                self.partial += 1

    def figures(self) -> dict:
        out = {"requests": len(self.ms), "distinct": len(self.asked), "errors": self.errors,
               "partial": self.partial}
        if self.ms:
            out.update(percentiles(self.ms), max=round(max(self.ms), 1))
        if self.error_samples:
            out["error_samples"] = self.error_samples
        return out


def rare_searches(port: int, words: list[str], requests: int, seconds: float, timeout: float = TIMEOUT
                  ) -> dict:
    """One client asking for the rare words one after the other, until `requests` or `seconds`."""
    client, tally = Client(port, timeout), Tally()
    deadline = time.monotonic() + seconds
    for q in itertools.islice(itertools.cycle(words), requests):
        if time.monotonic() > deadline:
            break
        tally.add(*client.fetch("/search.json?" + urlencode({"q": q})), q)
    return tally.figures()


def measure(port: int, rare: list[str], words: list[str], common: list[str] = COMMON, clients: int = 4,
            requests: int = 100, seconds: float = 30, timeout: float = TIMEOUT, ramp: float = 1.0) -> dict:
    """Rare-term figures alone and under load, and the loading clients' own figures by kind.

    `rare` should hold 2 × `requests` different words (the first half for the baseline)."""
    half = len(rare) // 2 if len(rare) > 1 else 1
    alone = rare_searches(port, rare[:half], requests, seconds, timeout)
    queries = expensive_queries(words, common)
    tallies = {kind: Tally() for kind in queries}
    stop = threading.Event()

    def load(n: int) -> None:
        client = Client(port, timeout)
        for kind, q in itertools.cycle(interleave(queries, n, clients)):
            if stop.is_set():
                return
            tallies[kind].add(*client.fetch("/search.json?" + urlencode({"q": q})), q)

    threads = [threading.Thread(target=load, args=(n,), daemon=True) for n in range(clients)]
    for t in threads:
        t.start()
    time.sleep(ramp)  # the expensive queries are under way before the first rare one is asked
    started = time.monotonic()
    under = rare_searches(port, rare[half:] or rare, requests, seconds, timeout)
    loaded_for = time.monotonic() - started
    stop.set()
    for t in threads:  # each finishes the query it is waiting for: at most `timeout`
        t.join(timeout + 5)
    return {"clients": clients, "seconds_under_load": round(loaded_for, 1),
            "rare_alone": alone, "rare_under_load": under,
            "expensive": {kind: tally.figures() for kind, tally in tallies.items()}}


def report(figures: dict) -> None:
    def line(label: str, f: dict) -> None:
        if not f["requests"]:
            print(f"  {label:<24} no requests")
            return
        print(f"  {label:<24} {f['requests']:>5} requests ({f['distinct']:>4} different)  p50 {f['p50']:>9.1f} ms  p95 {f['p95']:>9.1f} ms"
              f"  max {f['max']:>9.1f} ms  errors {f['errors']}  partial {f['partial']}")
        for sample in f.get("error_samples", []):
            print(f"      error: {sample}")

    print(f"\nRare-term search while {figures['clients']} clients run expensive queries without pause "
          f"({figures['seconds_under_load']} s under load)")
    line("rare term, alone", figures["rare_alone"])
    line("rare term, under load", figures["rare_under_load"])
    for kind, f in figures["expensive"].items():
        line(f"expensive: {kind}", f)


def harvest_words(port: int, limit: int = 120) -> list[str]:
    """Words of five letters or more from the titles and snippets of the first hits for "the"."""
    _, status, body = Client(port).fetch("/search.json?q=the&per_page=100")
    if status != 200:
        raise SystemExit(f"/search.json?q=the answered HTTP {status}")
    text = " ".join(f"{h['title']} {h['snippet']}" for h in json.loads(body)["hits"])
    words = re.findall(r"\b[^\W\d_]{5,}\b", re.sub(r"<[^>]+>", " ", text).lower())
    return list(dict.fromkeys(words))[:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=examples(__doc__),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True, help="the port of `archive serve` on 127.0.0.1")
    parser.add_argument("--rare", default="Sokha",
                        help="comma-separated rare words; give 2 × --requests different ones for cold "
                             "answers (a repeated word is answered from the cache); default Sokha")
    parser.add_argument("--words", help="comma-separated words for the fuzzy queries (default: words "
                                        "from the titles and snippets of the hits for \"the\")")
    parser.add_argument("--clients", type=int, default=4, help="clients running expensive queries (default 4)")
    parser.add_argument("--requests", type=int, default=100, help="rare-term searches in each half (default 100)")
    parser.add_argument("--seconds", type=float, default=30, help="at most this long for each half (default 30)")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help="seconds per request (default 130)")
    parser.add_argument("--out", type=Path, help="also write the figures here as JSON")
    args = parser.parse_args()
    rare = [w.strip() for w in args.rare.split(",") if w.strip()]
    words = [w.strip() for w in args.words.split(",")] if args.words else harvest_words(args.port)
    figures = measure(args.port, rare, words, clients=args.clients, requests=args.requests,
                      seconds=args.seconds, timeout=args.timeout)
    report(figures)
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
