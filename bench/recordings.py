"""What recordings cost: interviews whose transcripts are time-coded cues, imported and searched over HTTP.

    .venv/bin/python bench/recordings.py --n 300 --words 20000   # 300 interviews of ~20,000 words (~2.2 h each)
    .venv/bin/python bench/recordings.py --n 5 --words 500 --repeat 2   # a smoke run

It generates N deterministic interviews in the import format with the words of bench/corpus.py's long
transcripts (the same vocabulary, speakers, Khmer phrases in one interview of five), but said as cues:
each record has no `text`, one media entry (`kind: audio`, a `filename`, no file: a recording kept
elsewhere) whose `transcript` is speaker turns cut into cues of ~10 words at 150 words a minute, and a
segment every ~15 minutes (title, synopsis, keywords, a place). It imports them with `archive import`,
serves the archive with `archive serve` on 127.0.0.1 and reports:
- import time, index size (the whole index folder) and database size, each per hour of transcript
  (9,000 words ≈ one hour of speech), and the server's peak memory;
- `/search.json` p50/p95 cold and warm (facets and snippets as it always gives them) for rare term,
  common term, phrase, fuzzy, prefix and Khmer word, each kind asked as `--repeat` different queries;
- how many hits carry `media` and `time` (their best passage is a cue).
Figures are written as JSON (bench/out/recordings-N.json).
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
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from corpus import COMMON, KHMER, cast, common_words, khmer_phrases, rare_words, sentences  # noqa: E402
from harness import (Client, examples, free_port, peak_rss_mb, percentiles, timed_run, wait_for,  # noqa: E402
                     write_results)

WORDS_PER_HOUR = 9000  # 150 words a minute
SECONDS_PER_WORD = 3600 / WORDS_PER_HOUR
SEGMENT_SECONDS = 900


def cues_of(rnd: random.Random, said: str, speaker: str, start: float, language: str = "en"
            ) -> tuple[list[dict], float]:
    """A turn's words cut into cues of 6-14 words (~10), back to back; returns them and the time after."""
    words, out, i = said.split(), [], 0
    while i < len(words):
        part = words[i:i + rnd.randint(6, 14)]
        i += len(part)
        end = round(start + len(part) * SECONDS_PER_WORD, 3)
        out.append({"start": round(start, 3), "end": end, "speaker": speaker, "text": " ".join(part),
                    "language": language})
        start = end
    return out, start


def interview(rnd, vocab, cumulative, words, asker, teller, khmer) -> tuple[list[dict], int]:
    """Cues until about `words` words: a short question, then an answer of one to six paragraphs
    (40-200 words each), a Khmer phrase (a cue of its own, `km`) after a share `khmer` of paragraphs."""
    cues: list[dict] = []
    count, t = 0, 0.0
    while count < words:
        question = rnd.choices(vocab, cum_weights=cumulative, k=rnd.randint(4, 30))
        count += len(question)
        more, t = cues_of(rnd, sentences(rnd, question, "?"), asker, t + 0.8)
        cues += more
        for _ in range(rnd.randint(1, 6)):
            said = rnd.choices(vocab, cum_weights=cumulative, k=rnd.randint(40, 200))
            count += len(said)
            more, t = cues_of(rnd, sentences(rnd, said), teller, t + 0.5)
            cues += more
            if rnd.random() < khmer:
                phrase = khmer_phrases(rnd)
                cues.append({"start": round(t, 3), "end": round(t + 3.0, 3), "speaker": teller,
                             "text": phrase, "language": "km"})
                t += 3.0
            if count >= words:
                break
    return cues, count


def generate_recordings(n: int, words: int, seed: int = 1975):
    """Authorities first, then n interviews with cue transcripts; deterministic for a given seed.
    The vocabulary is bench/corpus.py's "long" one, so its rare and common words apply here."""
    rnd, vocab, cumulative, (people, places, events) = cast("long", seed)
    yield from (*places, *people, *events)
    for i in range(n):
        narrator, interviewer = rnd.choice(people[12:]), rnd.choice(people[:12])
        named = rnd.random() < 0.5
        asker = interviewer["name"] if named else "Interviewer"
        teller = narrator["name"] if named else "Narrator"
        khmer = 0.05 if rnd.random() < 0.2 else 0.0
        cues, count = interview(rnd, vocab, cumulative, words, asker, teller, khmer)
        length = cues[-1]["end"]
        segments = [{"media": "m1", "start": float(s), "end": float(min(s + SEGMENT_SECONDS, length)),
                     "title": " ".join(rnd.choices(vocab, cum_weights=cumulative, k=4)).capitalize(),
                     "synopsis": sentences(rnd, rnd.choices(vocab, cum_weights=cumulative, k=25)),
                     "keywords": rnd.choices(vocab, cum_weights=cumulative, k=3),
                     "places": [{"id": rnd.choice(places)["id"]}]}
                    for s in range(0, int(length), SEGMENT_SECONDS)]
        year = rnd.randint(1979, 2020)
        yield {"kind": "record", "id": f"r{i:06d}", "type": "interview",
               "title": f"Interview with {narrator['name']}: "
                        + " ".join(rnd.choices(vocab, cum_weights=cumulative, k=4)),
               "summary": sentences(rnd, rnd.choices(vocab, cum_weights=cumulative, k=60)),
               "language": ["en", "km"] if khmer else ["en"], "date": f"{year}-{rnd.randint(1, 12):02d}",
               "access": rnd.choices(["public", "restricted", "private"], [90, 6, 4])[0],
               "people": [{"id": narrator["id"], "role": "narrator"}, {"id": interviewer["id"], "role": "interviewer"}],
               "places": [{"id": p["id"]} for p in rnd.sample(places, rnd.randint(1, 3))],
               "events": [{"id": e["id"]} for e in rnd.sample(events, rnd.randint(0, 2))],
               "subjects": rnd.sample(["war", "exile", "family", "work", "faith", "justice"], 2),
               "collection": "Oral histories",
               "media": [{"id": "m1", "kind": "audio", "filename": f"interview-{i:06d}.opus",
                          "label": "Interview recording", "transcript": cues}],
               "segments": segments}


def query_mix(repeat: int) -> dict[str, list[str]]:
    """`repeat` different queries of each kind (a first answer is cold; the same again warm). The
    fuzzy and prefix queries use words of middling frequency (ranks 8-128 of the vocabulary)."""
    rare = rare_words("long", repeat)
    common = COMMON[8:]
    middling = common_words("long", 128)[8:]
    return {
        "rare term": rare,
        "common term": [common[i % len(common)] for i in range(repeat)],
        "phrase": [f'"the {common[i % len(common)]}"' for i in range(repeat)],
        "fuzzy": [f"{middling[i % len(middling)]}~1" for i in range(repeat)],
        "prefix": [f"{middling[i % len(middling)][:4]}*" for i in range(repeat)],
        "Khmer word": [KHMER[i % len(KHMER)] for i in range(repeat)],
    }


def search(client: Client, mix: dict[str, list[str]]) -> dict:
    """Each query cold then warm; the totals, and how many of the hits shown carry media and time."""
    out, pool = {}, ([], [])
    for label, queries in mix.items():
        cold, warm, totals, hits, timed = [], [], [], 0, 0
        for q in queries:
            for samples in (cold, warm):
                ms, status, body = client.get("/search.json?" + urlencode({"q": q}))
                if status != 200:
                    raise SystemExit(f"{label} {q!r}: HTTP {status} {body[:300]!r}")
                samples.append(ms)
            answer = json.loads(body)
            totals.append(answer["total"])
            hits += len(answer["hits"])
            timed += sum(1 for h in answer["hits"] if "media" in h and "time" in h)
        out[label] = {"cold": percentiles(cold), "warm": percentiles(warm), "total": totals[0],
                      "hits": hits, "hits_with_time": timed}
        pool[0].extend(cold)
        pool[1].extend(warm)
    out["all"] = {"cold": percentiles(pool[0]), "warm": percentiles(pool[1])}
    return out


def folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=examples(__doc__),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=300, help="interviews (default 300)")
    parser.add_argument("--words", type=int, default=20_000, help="words of transcript each (default 20,000)")
    parser.add_argument("--repeat", type=int, default=20,
                        help="different queries of each kind, each asked twice (default 20)")
    parser.add_argument("--keep", type=Path, help="keep the archive home here (default: a temp folder)")
    parser.add_argument("--out", type=Path, help="JSON results (default bench/out/recordings-N.json)")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="archive-recordings-"))
    if args.keep and work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    home, data = work / "home", work / "recordings.jsonl"
    archive = [str(ROOT / ".venv" / "bin" / "archive"), "--home", str(home)]
    results: dict = {"n": args.n, "words": args.words, "cpus": os.cpu_count(),
                     "load_before": round(os.getloadavg()[0], 1)}
    server = None
    try:
        print(f"Generating {args.n} interviews of ~{args.words} words as cues in {data} …", flush=True)
        words = cues = 0
        with data.open("w") as f:
            for obj in generate_recordings(args.n, args.words):
                if obj["kind"] == "record":
                    transcript = obj["media"][0]["transcript"]
                    cues += len(transcript)
                    words += sum(len(c["text"].split()) for c in transcript)
                f.write(json.dumps(obj, ensure_ascii=False) + "\n")
        hours = words / WORDS_PER_HOUR
        results.update(cues=cues, transcript_words=words, hours=round(hours, 1))

        print(f"Importing {hours:.0f} hours of transcript ({cues} cues) …", flush=True)
        seconds, peak, _ = timed_run([*archive, "import", str(data)])
        index_mb = folder_bytes(home / "search_index") / 2**20
        db_mb = sum(f.stat().st_size for f in (home / "records").glob("archive.db*")) / 2**20
        results["import"] = {"seconds": round(seconds, 1), "records_per_s": round(args.n / seconds, 2),
                             "seconds_per_hour": round(seconds / hours, 2), "peak_mb": peak}
        results["index_mb"], results["database_mb"] = round(index_mb, 1), round(db_mb, 1)
        results["index_mb_per_hour"] = round(index_mb / hours, 3)
        results["database_mb_per_hour"] = round(db_mb / hours, 3)

        port = free_port()
        server = subprocess.Popen([*archive, "serve", "--port", str(port)], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        wait_for(port)
        print("Searching …", flush=True)
        results["search"] = search(Client(port), query_mix(args.repeat))
        results["server_peak_mb"] = peak_rss_mb(server.pid)
        results["load_after"] = round(os.getloadavg()[0], 1)
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    report(results)
    write_results(results, args.out, ROOT / "bench" / "out" / f"recordings-{args.n}.json")


def report(r: dict) -> None:
    def row(label, value):
        print(f"{label:<44}{value:>24}")
    print(f"\n{r['n']} interviews of ~{r['words']} words as cues: {r['hours']} hours, {r['cues']} cues "
          f"(load average {r['load_before']} before, {r['load_after']} after, {r['cpus']} CPUs)")
    imp = r["import"]
    row("import", f"{imp['seconds']} s ({imp['records_per_s']} records/s)")
    row("import per hour of transcript", f"{imp['seconds_per_hour']} s")
    row("import peak memory", f"{imp['peak_mb']} MB")
    row("index size (per hour)", f"{r['index_mb']} MB ({r['index_mb_per_hour']} MB)")
    row("database size (per hour)", f"{r['database_mb']} MB ({r['database_mb_per_hour']} MB)")
    row("server peak memory", f"{r['server_peak_mb']} MB")
    print(f"{'/search.json':<44}{'cold p50 / p95':>24}{'warm p50 / p95':>20}  hits with time")
    for label, f in r["search"].items():
        timed = f"{f['hits_with_time']} of {f['hits']} (total {f['total']})" if "hits" in f else ""
        print(f"{label:<44}{f['cold']['p50']:>12} / {f['cold']['p95']:>6} ms"
              f"{f['warm']['p50']:>9} / {f['warm']['p95']:>6} ms  {timed}")


if __name__ == "__main__":
    main()
