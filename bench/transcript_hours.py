"""Hours of synthetic transcript, to measure what indexing cues costs (docs/search.md, "Transcripts
and segments"): N records, each one hour of 900 cues of 10 words (9,000 words), words drawn from the
seed letter. Then, e.g.:

    python bench/transcript_hours.py 10 > /tmp/hours.jsonl
    archive --home /tmp/h init && time archive --home /tmp/h import /tmp/hours.jsonl
    time archive --home /tmp/h reindex && du -sb /tmp/h/search_index
"""
import json
import random
import re
import sys
from pathlib import Path

SEED = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "seed-letter.txt"


def main(hours: int) -> None:
    source = SEED if SEED.exists() else Path(__file__).resolve().parent.parent / "archive" / "sample" / "media" / "seed-letter-reading.vtt"
    words = re.findall(r"[A-Za-z']+", source.read_text(encoding="utf-8"))
    rng = random.Random(13)
    for r in range(hours):
        cues = [{"start": i * 4.0, "end": i * 4.0 + 4.0, "speaker": "Narrator" if i % 2 else "Interviewer",
                 "text": " ".join(rng.choice(words) for _ in range(10)), "language": "en"} for i in range(900)]
        print(json.dumps({"id": f"r-hour-{r}", "type": "interview", "title": f"Hour {r}", "access": "public",
                          "language": ["en"], "media": [{"id": "m1", "kind": "audio", "transcript": cues}]}))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
