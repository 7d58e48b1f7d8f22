"""Small smoke runs of the benchmark and the soak script: they run end to end and report figures.

No timing is asserted here; the figures are for people (bench/run.py, bench/soak.py).
"""
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = {"common term", "rare term", "two terms", "phrase", "person field", "date range"}


def bench(*args: str, out: Path) -> tuple[str, dict]:
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), *args, "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout, json.loads(out.read_text())


def test_benchmark_runs_and_writes_its_figures(tmp_path):
    stdout, figures = bench("--n", "60", "--words", "80", "--repeat", "2", out=tmp_path / "results.json")
    assert "ours/FTS5" in stdout and "/search.json common term, cold p50" in stdout
    assert set(figures["ours"]["search"]) == set(figures["fts5"]["search"]) == KINDS
    assert figures["ours"]["searches_during_reindex"]["errors"] == 0
    # the same records are found by both engines for a plain word
    assert figures["ours"]["search"]["rare term"]["total"] == figures["fts5"]["search"]["rare term"]["total"]


def test_long_transcripts_are_benchmarked_beside_fts5(tmp_path):
    stdout, figures = bench("--long", "--n", "12", "--words", "600", "--repeat", "2", "--only", "search",
                            out=tmp_path / "long.json")
    assert figures["corpus"] == "long" and "12 interview transcripts of ~600 words" in stdout
    assert set(figures["ours"]["search"]) == set(figures["fts5"]["search"]) == KINDS
    assert figures["ours"]["search"]["phrase"]["total"] == figures["fts5"]["search"]["phrase"]["total"]


def test_transcripts_have_speaker_turns_and_many_paragraphs():
    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "bench" / "corpus.py")
    corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    transcripts = [obj for obj in corpus.generate_transcripts(6, 3000) if obj["kind"] == "record"]
    assert len(transcripts) == 6
    for t in transcripts:
        paragraphs = t["text"].split("\n\n")
        assert 3000 <= len(t["text"].split()) < 3400 and len(paragraphs) > 20
        speakers = {p.split(": ", 1)[0].split("] ")[-1] for p in paragraphs if ": " in p[:60]}
        assert len(speakers) == 2, speakers
        assert {link["role"] for link in t["people"]} >= {"narrator", "interviewer"}


def test_contention_and_slow_query_modes_run(tmp_path):
    stdout, figures = bench("--n", "30", "--words", "80", "--only", "slow", "--only", "contention",
                            "--contention-seconds", "2", "--contention-requests", "4", "--timeout", "60",
                            "--slow-match", "~/|slavery|alone", out=tmp_path / "load.json")
    assert "Rare-term search while 4 clients run expensive queries" in stdout
    assert "Issue 12's slow queries" in stdout
    contention = figures["ours"]["contention"]
    assert contention["rare_alone"]["requests"] == 4 and contention["rare_under_load"]["requests"] >= 1
    assert set(contention["expensive"]) == {"fuzzy", "wildcard", "phrase"}
    slow = figures["ours"]["slow_queries"]
    assert [row["q"] for row in slow["queries"]][:3] == ["ab~/5", "a~/3", "x~/9"]
    assert all("status" in row["search"] and "status" in row["page"] for row in slow["queries"])
    assert len(slow["pairs"]) == 1 and slow["pairs"][0]["background"] == "slavery~2 freedom~2"


def test_soak_runs_without_errors_or_lost_writes():
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "soak.py"), "--writers", "2",
                           "--readers", "3", "--seconds", "4"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert "errors: 0" in done.stdout and "lost writes: 0" in done.stdout


def test_recordings_bench_runs_and_finds_cues(tmp_path):
    """bench/recordings.py at a tiny size: interviews whose transcripts are cues, imported and searched."""
    out = tmp_path / "recordings.json"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "recordings.py"), "--n", "5", "--words", "500",
                           "--repeat", "2", "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(out.read_text())
    assert "5 interviews of ~500 words as cues" in done.stdout and "import per hour of transcript" in done.stdout
    assert figures["cues"] > 5 * 500 / 14 and figures["hours"] > 0 and figures["index_mb_per_hour"] > 0
    assert set(figures["search"]) == {"rare term", "common term", "phrase", "fuzzy", "prefix", "Khmer word", "all"}
    common = figures["search"]["common term"]
    assert common["total"] > 0 and common["hits_with_time"] > 0  # the words are only in cues (and segments)
