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

from archive import finder, importer, records, store  # noqa: E402
from archive.access import ANONYMOUS  # noqa: E402
from archive.index import Filters, ensure_index  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
import corpus  # noqa: E402

def generate(n: int, words_per_record: int, path: Path) -> dict:
    """Write the benchmark's synthetic collection (the same as bench/run.py's); returns the first
    person, for the named-person query."""
    first_person = None
    with path.open("w", encoding="utf-8") as out:
        for obj in corpus.generate(n, words_per_record):
            if obj["kind"] == "person" and first_person is None:
                first_person = obj
            out.write(json.dumps(obj) + "\n")
    return first_person


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
    index = ensure_index(index_path, records.IndexSource(db))
    source = home / "bench.jsonl"
    if store.count_records(db, ANONYMOUS) == 0:
        start = time.perf_counter()
        generate(args.records, args.words, source)
        made = time.perf_counter()
        importer.run(db, index, source, user="bench")
        done = time.perf_counter()
        print(f"generated {args.records} records x {args.words} words in {made - start:.1f} s; "
              f"imported in {done - made:.1f} s ({args.records / (done - made):.0f} records/s)")
    print(f"archive: {home} ({store.count_records(db, ANONYMOUS)} public records)")

    vocab = corpus.COMMON + corpus.vocabulary(random.Random(1975))
    person_name = next(json.loads(line) for line in source.open() if '"person"' in line)["name"]
    queries = [
        ("common word", {"q": "the"}),
        ("frequent word", {"q": "freedom"}),
        ("rare word", {"q": vocab[7777]}),
        ("two words", {"q": "family river"}),
        ("phrase", {"q": f'"{vocab[30]} {vocab[31]}"'}),
        ("phrase, top 2", {"q": '"the and"'}),
        ("named person", {"q": person_name.lower().replace(" ", "-")}),  # typed loosely
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
