#!/usr/bin/env python3
"""Measure the mixed-script analyzer: Khmer recall/precision, span exactness, and its cost.

Usage::

    .venv/bin/python bench/khmer_bench.py [--data ../shared/data] [--words 0]

1. Recall and precision of Khmer word search over the paragraphs of the Khmer UDHR records
   (`corpus/udhr_un.jsonl`, language km), for every word of `khmer/khmer-words.txt` that occurs in
   them (`--words N` takes a sample of N), against substring truth: a paragraph is relevant when the
   word occurs in it as a substring (both normalised with `textnorm`; the raw substring truth is
   printed too). Each query is what the search runs: the field's query parser (`multitoken_query=
   "phrase"`). The old analyzer (`\\w+`, lower-cased, accents folded) is measured the same way.
2. Highlight spans: for every relevant (word, paragraph), the spans of `analysis.spans` against the
   substring occurrences: a span is exact when it covers exactly one occurrence.
3. Cost: index size and indexing time of the shared corpus (all records, title + text, as the
   archive's `text` field with `chars=True`) with the old and the new analyzer, and tokenizer
   throughput.
4. Stemming: English queries in plain and inflected forms over the English records of the corpus,
   with and without a stemmer (the number of records found, and how many of the added records contain
   the query word's own stem family); prints what the decision (no stemming) rests on.
Prints figures only; asserts nothing (speed figures do not belong in tests).
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from whoosh import fields  # noqa: E402
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter  # noqa: E402
from whoosh.filedb.filestore import FileStorage  # noqa: E402
from whoosh.qparser import QueryParser  # noqa: E402
from whoosh.support.charset import accent_map  # noqa: E402

from archive import textnorm  # noqa: E402
from archive.index import analysis  # noqa: E402


def old_analyzer():
    return RegexTokenizer(r"\w+") | LowercaseFilter() | CharsetFilter(accent_map)


def build(folder: Path, analyzer, docs: list[tuple[str, str, str]], phrase_queries: bool):
    schema = fields.Schema(
        id=fields.ID(stored=True),
        title=fields.TEXT(analyzer=analyzer, multitoken_query="phrase" if phrase_queries else "default"),
        text=fields.TEXT(analyzer=analyzer, chars=True,
                         multitoken_query="phrase" if phrase_queries else "default"))
    folder.mkdir(parents=True)
    ix = FileStorage(str(folder), supports_mmap=False).create_index(schema)
    started = time.perf_counter()
    writer = ix.writer(limitmb=32)
    for doc_id, title, text in docs:
        writer.add_document(id=doc_id, title=title, text=text)
    writer.commit()
    seconds = time.perf_counter() - started
    size = sum(p.stat().st_size for p in folder.iterdir())
    return ix, seconds, size


def khmer_paragraphs(data: Path) -> list[str]:
    paras = []
    for line in (data / "corpus" / "udhr_un.jsonl").open(encoding="utf-8"):
        record = json.loads(line)
        if record["language"] == "km":
            paras.extend(p.strip() for p in record["text"].split("\n") if p.strip())
    return paras


def boundaries(norm: str) -> set[int]:
    """Offsets where a Khmer cluster (or any other character) starts or ends: a word never splits a
    cluster (a consonant with its subscripts and vowel signs), so its occurrences start and end here."""
    out = set(range(len(norm) + 1))
    for match in analysis.SPLIT.finditer(norm):
        if match.lastgroup == "k":
            out -= set(range(match.start(), match.end() + 1))
            for s, e in analysis._clusters(norm, match.start(), match.end()):
                out.update((s, e))
    return out


def aligned(norm: str, bounds: set[int], word: str) -> bool:
    i = norm.find(word)
    while i >= 0:
        if i in bounds and i + len(word) in bounds:
            return True
        i = norm.find(word, i + 1)
    return False


def recall_precision(paras, words, analyzer):
    """(recall, precision, share of queries answered exactly) against substring truth and against
    substring-at-cluster-boundaries truth."""
    folder = Path(tempfile.mkdtemp(prefix="khmer-bench-"))
    try:
        ix, _, _ = build(folder / "ix", analyzer, [(str(i), "", p) for i, p in enumerate(paras)],
                         phrase_queries=True)
        norm_paras = [textnorm.normalize_text(p) for p in paras]
        bounds = [boundaries(p) for p in norm_paras]
        counts = {"substring": [0, 0, 0, 0], "aligned": [0, 0, 0, 0]}
        relevant = {"substring": 0, "aligned": 0}
        with ix.searcher() as s:
            parser = QueryParser("text", ix.schema)
            for w in words:
                nw = textnorm.normalize_text(w)
                got = {h["id"] for h in s.search(parser.parse(w), limit=None)}
                truths = {
                    "substring": {str(i) for i, p in enumerate(norm_paras) if nw in p},
                    "aligned": {str(i) for i, p in enumerate(norm_paras)
                                if nw in p and aligned(p, bounds[i], nw)}}
                for key, truth in truths.items():
                    relevant[key] += len(truth)
                    c = counts[key]
                    c[0] += len(truth & got)
                    c[1] += len(got - truth)
                    c[2] += len(truth - got)
                    c[3] += truth == got
        ix.close()
        return {key: (tp / (tp + fn), tp / (tp + fp) if tp + fp else 0.0, ok / len(words),
                      relevant[key])
                for key, (tp, fp, fn, ok) in counts.items()}
    finally:
        shutil.rmtree(folder)


def occurrences(text: str, word: str) -> set[tuple[int, int]]:
    out, i = set(), text.find(word)
    while i >= 0:
        out.add((i, i + len(word)))
        i = text.find(word, i + 1)
    return out


def span_exactness(paras, words):
    """Spans against the occurrences of each word at cluster boundaries, found in the normalised
    text and mapped back to offsets of the original text."""
    spans_total = spans_exact = occ_total = occ_hit = 0
    for p in paras:
        norm, offsets = textnorm.normalize(p)
        bounds = boundaries(norm)

        def original(s, e):
            return (s, e) if offsets is None else (offsets[s][0], max(o[1] for o in offsets[s:e]))

        for w in words:
            nw = textnorm.normalize_text(w)
            if nw not in norm:
                continue
            truth = {original(*o) for o in occurrences(norm, nw) if o[0] in bounds and o[1] in bounds}
            got = set(analysis.spans(p, [[w]]))
            spans_total += len(got)
            spans_exact += len(got & truth)
            occ_total += len(truth)
            occ_hit += len(got & truth)
    return spans_exact / spans_total, occ_hit / occ_total, spans_total, occ_total


def corpus_docs(data: Path) -> list[tuple[str, str, str, str]]:
    docs = []
    for path in sorted((data / "corpus").glob("*.jsonl")):
        for n, line in enumerate(path.open(encoding="utf-8")):
            r = json.loads(line)
            docs.append((f"{path.stem}-{n}", r["title"], r["text"], r["language"]))
    return docs


def cost(docs, repeat: int):
    """Index time (best of `repeat` builds, old and new alternating: the machine is shared), size,
    and tokenizer throughput."""
    folder = Path(tempfile.mkdtemp(prefix="khmer-bench-"))
    rows = {}
    times: dict[str, list[float]] = {}
    sizes: dict[str, int] = {}
    variants = (("old (\\w+ words)", old_analyzer(), False),
                ("new (mixed-script)", analysis.make_analyzer(), True))
    try:
        for n in range(repeat):
            for name, analyzer, phrase in variants:
                ix, seconds, size = build(folder / f"{name.split()[0]}-{n}", analyzer,
                                          [(d[0], d[1], d[2]) for d in docs], phrase)
                ix.close()
                times.setdefault(name, []).append(seconds)
                sizes[name] = size
        for name, analyzer, _ in variants:
            seconds, size = min(times[name]), sizes[name]
            chars = sum(len(d[2]) for d in docs)
            started = time.perf_counter()
            for d in docs:
                for _ in analyzer(d[2], positions=True, chars=True, mode="index"):
                    pass
            tok = time.perf_counter() - started
            rows[name] = (seconds, size, chars / tok)
    finally:
        shutil.rmtree(folder)
    return rows


STEM_QUERIES = ["arrested", "arrest", "elections", "election", "executed", "refugees", "freedom",
                "rights", "working", "worked", "children", "married", "prisoners", "tortured",
                "educated", "nations", "owners", "whipped", "sold", "voting"]


def stemming(docs):
    english = [d for d in docs if d[3] == "en"]
    folder = Path(tempfile.mkdtemp(prefix="khmer-bench-"))
    try:
        plain, _, _ = build(folder / "plain", analysis.make_analyzer(), [d[:3] for d in english], True)
        stem_an = RegexTokenizer(r"\w+") | LowercaseFilter() | CharsetFilter(accent_map) | StemFilter()
        stemmed, _, _ = build(folder / "stem", stem_an, [d[:3] for d in english], True)
        out = []
        with plain.searcher() as a, stemmed.searcher() as b:
            for q in STEM_QUERIES:
                pa = {h["id"] for h in a.search(QueryParser("text", plain.schema).parse(q), limit=None)}
                pb = {h["id"] for h in b.search(QueryParser("text", stemmed.schema).parse(q), limit=None)}
                top_a = [h["id"] for h in a.search(QueryParser("text", plain.schema).parse(q), limit=10)]
                top_b = [h["id"] for h in b.search(QueryParser("text", stemmed.schema).parse(q), limit=10)]
                out.append((q, len(pa), len(pb), len(pb - pa), len(set(top_a) & set(top_b))))
        plain.close()
        stemmed.close()
        return out, len(english)
    finally:
        shutil.rmtree(folder)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--words", type=int, default=0, help="sample this many query words (0: all)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3, help="index builds per analyzer (best counts)")
    args = ap.parse_args()
    data = Path(args.data)

    paras = khmer_paragraphs(data)
    text = "\n".join(paras)
    norm_text = textnorm.normalize_text(text)
    vocab = [w.strip() for w in (data / "khmer" / "khmer-words.txt").open(encoding="utf-8")
             if w.strip()]
    words = [w for w in vocab if textnorm.normalize_text(w) in norm_text]
    if args.words and args.words < len(words):
        words = random.Random(args.seed).sample(words, args.words)
    raw_words = [w for w in words if w in text]
    print(f"Khmer UDHR: {len(paras)} paragraphs, {len(text):,} characters; "
          f"{len(words)} of {len(vocab):,} listed words occur (normalised), {len(raw_words)} as typed")
    print()
    print("1. Word search (one query per word, paragraphs as documents, normalised text) against")
    print("   a) substring truth: the word occurs anywhere, even splitting a cluster (ក inside កា)")
    print("   b) substring truth at cluster boundaries: the word's occurrence does not split a cluster")
    print(f"   {'analyzer':<22} {'truth':<6} {'recall':>7} {'precision':>10} {'queries exact':>14} "
          f"{'relevant pairs':>15}")
    for name, an in (("old (\\w+ words)", old_analyzer()), ("new (clusters+pairs)", analysis.ANALYZER)):
        figures = recall_precision(paras, words, an)
        for key, label in (("substring", "a"), ("aligned", "b")):
            r, p, exact, n = figures[key]
            print(f"   {name:<22} {label:<6} {r:7.4f} {p:10.4f} {exact:14.4f} {n:15,}")

    print()
    print("2. Highlight spans (analysis.spans) against the occurrences at cluster boundaries")
    sp, oc, n_sp, n_oc = span_exactness(paras, words)
    print(f"   spans exact: {sp:.4f} of {n_sp:,} spans; occurrences marked exactly: {oc:.4f} of {n_oc:,}")

    print()
    docs = corpus_docs(data)
    chars = sum(len(d[2]) for d in docs)
    print(f"3. Cost on the shared corpus ({len(docs)} records, {chars:,} characters of text; "
          f"index time best of {args.repeat})")
    rows = cost(docs, args.repeat)
    print(f"   {'analyzer':<22} {'index time':>11} {'index size':>12} {'tokenizer chars/s':>18}")
    for name, (seconds, size, speed) in rows.items():
        print(f"   {name:<22} {seconds:10.2f}s {size / 1e6:10.2f}MB {speed:18,.0f}")
    (t0, s0, _), (t1, s1, _) = rows.values()
    print(f"   new/old: time x{t1 / t0:.2f}, size x{s1 / s0:.2f}")
    km = [d for d in docs if d[3] == "km"]
    print(f"   the {len(km)} Khmer records alone ({sum(len(d[2]) for d in km):,} characters):")
    rows = cost(km, args.repeat)
    for name, (seconds, size, speed) in rows.items():
        print(f"   {name:<22} {seconds:10.2f}s {size / 1e6:10.2f}MB {speed:18,.0f}")
    (t0, s0, _), (t1, s1, _) = rows.values()
    print(f"   new/old: time x{t1 / t0:.2f}, size x{s1 / s0:.2f}")

    print()
    found, n_en = stemming(docs)
    print(f"4. Stemming (Porter, whoosh StemFilter) over the {n_en} English records")
    print(f"   {'query':<11} {'found plain':>11} {'found stemmed':>14} {'added':>6} {'same top 10':>12}")
    for q, a, b, added, same in found:
        print(f"   {q:<11} {a:11d} {b:14d} {added:6d} {same:12d}")


if __name__ == "__main__":
    main()
