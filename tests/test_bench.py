"""Small smoke runs of the benchmark and the soak script: they run end to end and report figures.

No timing is asserted here; the figures are for people (bench/run.py, bench/soak.py).
"""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_benchmark_runs_and_writes_its_figures(tmp_path):
    out = tmp_path / "results.json"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--n", "60", "--words", "80",
                           "--repeat", "2", "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "ours/FTS5" in done.stdout and "/search.json common term, cold p50" in done.stdout
    figures = json.loads(out.read_text())
    assert set(figures["ours"]["search"]) == set(figures["fts5"]["search"]) == {
        "common term", "rare term", "two terms", "phrase", "person field", "date range"}
    assert figures["ours"]["searches_during_reindex"]["errors"] == 0
    # the same records are found by both engines for a plain word
    assert figures["ours"]["search"]["rare term"]["total"] == figures["fts5"]["search"]["rare term"]["total"]


def test_soak_runs_without_errors_or_lost_writes():
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "soak.py"), "--writers", "2",
                           "--readers", "3", "--seconds", "4"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert "errors: 0" in done.stdout and "lost writes: 0" in done.stdout
