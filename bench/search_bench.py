"""Search latency benchmark: synthetic testimonies imported into a temporary archive, then timed.

    python bench/search_bench.py [--records 2000] [--words 1500] [--repeat 15] [--keep DIR]

Generates N deterministic records (Zipf-distributed words, linked people, places, events, dates),
imports them through the one write path, then prints p50/p95 per query for: the index alone
(ranked page of 20, exact total), the index with facet counts, and the whole search layer as the
page uses it (`finder.run`: names, filters, facets with labels, snippets of the shown page).
It prints figures; it asserts nothing. A first version: the performance issue extends it.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from werkzeug.datastructures import MultiDict

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive import db as store, finder, importer, records  # noqa: E402
from archive.access import ANONYMOUS  # noqa: E402
from archive.search import Filters  # noqa: E402

SYLLABLES = ["ka", "so", "ri", "mon", "the", "an", "vel", "dor", "pha", "ny", "lu", "ta", "sen", "ro",
             "chi", "ba", "mi", "tor", "ek", "ul"]
COMMON = ["the", "and", "of", "to", "was", "in", "we", "they", "camp", "family", "village", "soldiers",
          "arrest", "freedom", "mother", "father", "work", "food", "night", "river"]
TYPES = ["testimony", "interview", "open_letter", "petition", "statement", "document"]


def vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    words = list(COMMON)
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def generate(n: int, words_per_record: int, path: Path, seed: int = 7) -> None:
    """Write a JSON Lines collection: places, people, events, then n records."""
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    weights = [1 / (rank + 1) for rank in range(len(vocab))]  # Zipf
    places = [{"kind": "place", "id": f"l-bench-{i}", "name": f"Place {vocab[100 + i].title()}"}
              for i in range(30)]
    people = [{"kind": "person", "id": f"p-bench-{i}",
               "name": f"{vocab[200 + i].title()} {vocab[400 + i % 50].title()}",
               "variants": [f"{vocab[200 + i].title()}-{vocab[400 + i % 50].title()}"]} for i in range(300)]
    events = [{"kind": "event", "id": f"e-bench-{i}", "name": f"Event {vocab[600 + i].title()}",
               "date": f"{1940 + i * 4}/{1942 + i * 4}", "places": [{"id": places[i]["id"]}]}
              for i in range(15)]
    with path.open("w", encoding="utf-8") as out:
        for obj in places + people + events:
            out.write(json.dumps(obj) + "\n")
        for i in range(n):
            words = rng.choices(vocab, weights, k=words_per_record)
            paras = [" ".join(words[j:j + 120]) + "." for j in range(0, len(words), 120)]
            year = rng.randint(1900, 2020)
            record = {
                "id": f"r-bench-{i:06d}", "type": rng.choice(TYPES),
                "title": " ".join(rng.choices(vocab[:3000], k=6)).capitalize(),
                "summary": " ".join(rng.choices(vocab, weights, k=30)),
                "text": "\n\n".join(paras),
                "language": [rng.choice(["en", "en", "en", "fr", "km"])],
                "date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "period": f"{year - rng.randint(0, 30)}/{year}" if rng.random() < 0.3 else None,
                "people": [{"id": p["id"], "role": rng.choice(["narrator", "mentioned", "author"])}
                           for p in rng.sample(people, rng.randint(1, 4))],
                "places": [{"id": p["id"]} for p in rng.sample(places, rng.randint(0, 2))],
                "events": [{"id": e["id"]} for e in rng.sample(events, rng.randint(0, 2))],
                "collection": f"Collection {i % 5}",
                "access": "public" if rng.random() < 0.9 else "restricted",
            }
            out.write(json.dumps(record) + "\n")


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def timed(fn, repeat: int) -> tuple[float, float, object]:
    result = fn()  # warm: caches, searcher, facet table
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return (*percentiles(samples), result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--words", type=int, default=1500)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--keep", help="build (or reuse) the archive in this folder")
    args = parser.parse_args()

    home = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="search-bench-"))
    db_path, index_path = home / "records" / "archive.db", home / "search_index"
    db = store.connect(db_path)
    store.create_tables(db)
    index = records.ensure_index(db, index_path)
    if store.count_records(db, ANONYMOUS) == 0:
        source = home / "bench.jsonl"
        start = time.perf_counter()
        generate(args.records, args.words, source)
        made = time.perf_counter()
        importer.run(db, index, source, user="bench")
        done = time.perf_counter()
        print(f"generated {args.records} records x {args.words} words in {made - start:.1f} s; "
              f"imported in {done - made:.1f} s ({args.records / (done - made):.0f} records/s)")
    print(f"archive: {home} ({store.count_records(db, ANONYMOUS)} public records)")

    vocab = vocabulary(random.Random(7))
    person_name = f"{vocab[200].title()}-{vocab[400].title()}".lower()  # a variant, typed loosely
    queries = [
        ("common word", {"q": "the"}),
        ("frequent word", {"q": "freedom"}),
        ("rare word", {"q": vocab[4000]}),
        ("two words", {"q": "family river"}),
        ("phrase", {"q": f'"{vocab[30]} {vocab[31]}"'}),
        ("phrase, top 2", {"q": '"the and"'}),
        ("named person", {"q": person_name}),
        ("misspelt word", {"q": "freedon"}),
        ("word + dates", {"q": "camp", "from": "1960", "to": "1975"}),
        ("filters only", {"type": "interview", "language": "en"}),
        ("everything", {}),
    ]
    print(f"\n{'query':<16}{'hits':>7}  {'index p50/p95 ms':>18}  {'+facets p50/p95':>17}  "
          f"{'page (finder.run) p50/p95':>26}")
    for label, query in queries:
        params = finder.Params.from_args(MultiDict(query), 20, 100)
        ready = finder.prepare(db, ANONYMOUS, params)
        filters = ready.filters if ready.filters.values or ready.filters.date_from else Filters()

        def plain():
            return index.search(ready.query, ANONYMOUS, per_page=20, filters=filters)

        def faceted():
            return index.search(ready.query, ANONYMOUS, per_page=20, filters=filters, facets=True)

        def page():
            return finder.run(db, index, ANONYMOUS, params)

        a50, a95, result = timed(plain, args.repeat)
        b50, b95, _ = timed(faceted, args.repeat)
        c50, c95, _ = timed(page, args.repeat)
        print(f"{label:<16}{result.total:>7}  {a50:>8.1f} / {a95:<7.1f}  {b50:>7.1f} / {b95:<7.1f}  "
              f"{c50:>12.1f} / {c95:<7.1f}")
    index.close()
    db.close()


if __name__ == "__main__":
    main()
