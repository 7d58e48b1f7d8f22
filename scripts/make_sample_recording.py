"""Make the sample collection's recording: the seed letter read aloud by espeak-ng, with its transcript.

An honest stand-in for an interview tape when there is no network and no real recording that may be
shared: Debian's espeak-ng reads Justin C. Sok's open letter (the sample record `r-seed-letter`)
sentence by sentence, so every cue's time is exact (each sentence's WAV is measured, then the pieces
are joined with fixed pauses), and ffmpeg encodes the whole as Ogg Opus, small enough to commit.
It is labelled everywhere as a machine reading, not the author's voice.

Writes into archive/sample/media/ (see README.md there):
  seed-letter-reading.ogg       the recording (mono Opus, 12 kbit/s)
  seed-letter-reading.vtt       its transcript, one cue a sentence, speaker "espeak-ng (machine reading)"
  seed-letter-segments.vtt      the segment index as WebVTT chapters
  seed-letter-reading.json      the media entry's label, file name and cues, and the segments with
                                their links to people, events and places, in the record JSON's shape

Needs espeak-ng and ffmpeg (apt-get install -y espeak-ng ffmpeg; `make sample-recording` does it).
Run from the repository: python scripts/make_sample_recording.py [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.transcripts import write_chapters, write_vtt  # noqa: E402

SAMPLE = ROOT / "archive" / "sample" / "sample.jsonl"
RECORD_ID = "r-seed-letter"
OUT = ROOT / "archive" / "sample" / "media"
VOICE, SPEED = "en-us", 165  # words a minute
SENTENCE_PAUSE, PARAGRAPH_PAUSE = 0.35, 0.8  # seconds of silence after a sentence, after a paragraph
SPEAKER = "espeak-ng (machine reading)"
LABEL = "The letter read aloud by a machine (espeak-ng), not the author's voice"
NOTE = ("Machine reading of the open letter by Justin C. Sok (4 October 2017), made with espeak-ng "
        "(voice en-us) for the archive's sample collection. It is not the author's voice.")
ABBREVIATIONS = {"Mr.", "Mrs.", "Ms.", "Dr.", "St.", "Sr.", "Jr."}

# (first paragraph, title, synopsis, links) of each segment; paragraphs count from 0 at "October 4, 2017"
SEGMENTS = [
    (0, "Date and address", "The letter is dated 4 October 2017 and addressed to the UN Secretary-General.",
     {"people": ["p-antonio-guterres"]}),
    (4, "Who writes", "A Cambodian American in Long Beach, California, among thousands protesting across "
     "the United States; most lost loved ones under the Khmer Rouge.",
     {"people": ["p-justin-c-sok"], "places": ["l-long-beach-california"], "events": ["e-khmer-rouge-regime"]}),
    (5, "His father's death", "His father's family was executed under the Khmer Rouge; his father died in "
     "1981 in a Thai refugee camp.",
     {"events": ["e-khmer-rouge-regime", "e-vietnamese-invasion-of-cambodia"],
      "places": ["l-thai-cambodian-border-camps"]}),
    (6, "Forty years on", "Survivors still live with trauma, and the healing has not begun.", {}),
    (7, "Hun Sen's hold on power", "More than three decades in power, sons promoted to command, "
     "independent media closed before the 2018 election.",
     {"people": ["p-hun-sen", "p-hun-manet", "p-kim-sok"], "events": ["e-2018-cambodian-general-election"]}),
    (11, "The arrest of Kem Sokha", "On 3 September 2017 the CNRP president is arrested despite his "
     "parliamentary immunity.", {"people": ["p-kem-sokha"], "events": ["e-arrest-of-kem-sokha"]}),
    (12, "A call to the world", "Cambodians abroad raise awareness; the letter quotes President Trump's "
     "speech to the UN General Assembly.", {"people": ["p-donald-trump", "p-hun-sen"]}),
    (16, "Five demands", "Release Kem Sokha and other activists, let Sam Rainsy and the independent media "
     "return, and guarantee a free and fair election in July 2018.",
     {"people": ["p-kem-sokha", "p-sam-rainsy"], "events": ["e-2018-cambodian-general-election"]}),
    (21, "Closing plea", "Please do not abandon Cambodia again.", {"places": ["l-cambodia"]}),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default {OUT})")
    args = parser.parse_args()
    missing = [tool for tool in ("espeak-ng", "ffmpeg") if not shutil.which(tool)]
    if missing:
        sys.exit(f"{', '.join(missing)} missing: apt-get install -y espeak-ng ffmpeg")
    record = next(r for r in map(json.loads, SAMPLE.read_text(encoding="utf-8").splitlines())
                  if r.get("id") == RECORD_ID)
    paragraphs = [" ".join(p.split()) for p in record["text"].split("\n\n") if p.strip()]
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        cues, starts, joined = read_aloud(paragraphs, Path(tmp))
        encode(joined, args.out / "seed-letter-reading.ogg")
    duration = cues[-1]["end"]
    segments = segment_index(record, starts, duration)
    (args.out / "seed-letter-reading.vtt").write_text(write_vtt(cues, notes=[NOTE], language="en"), encoding="utf-8")
    (args.out / "seed-letter-segments.vtt").write_text(write_chapters(segments, duration=duration), encoding="utf-8")
    entry = {"id": "m1", "kind": "audio", "label": LABEL, "filename": "seed-letter-reading.ogg",
             "transcript": cues}
    (args.out / "seed-letter-reading.json").write_text(
        json.dumps({"record": RECORD_ID, "media": [entry], "segments": segments}, ensure_ascii=False, indent=1)
        + "\n", encoding="utf-8")
    size = (args.out / "seed-letter-reading.ogg").stat().st_size
    print(f"{len(cues)} sentences, {duration:.1f} s, {size / 1024:.0f} KB, {len(segments)} segments -> {args.out}")


def sentences(paragraph: str) -> list[str]:
    """Split a paragraph after . ! ? (and a closing quote), not after Mr. or an initial like C."""
    pieces, current = [], ""
    for part in re.split(r"(?:(?<=[.!?])|(?<=[.!?][”\"]))\s+", paragraph):
        current = f"{current} {part}" if current else part
        last = current.split()[-1]
        if last in ABBREVIATIONS or re.fullmatch(r"[A-Z]\.", last):
            continue
        pieces.append(current)
        current = ""
    if current:
        pieces.append(current)
    return pieces


def read_aloud(paragraphs: list[str], tmp: Path):
    """Speak each sentence to its own WAV, measure it, join all with pauses; returns cues exact to the frame."""
    cues, starts, frames_so_far = [], [], 0
    params = None
    joined = tmp / "joined.wav"
    with wave.open(str(joined), "wb") as out:
        for p_index, paragraph in enumerate(paragraphs):
            starts.append(frames_so_far)
            parts = sentences(paragraph)
            for s_index, sentence in enumerate(parts):
                text_file = tmp / "sentence.txt"
                text_file.write_text(sentence, encoding="utf-8")
                piece = tmp / "sentence.wav"
                subprocess.run(["espeak-ng", "-v", VOICE, "-s", str(SPEED), "-w", str(piece), "-f", str(text_file)],
                               check=True)
                with wave.open(str(piece), "rb") as w:
                    if params is None:
                        params = w.getparams()
                        out.setparams(params)
                    audio = w.readframes(w.getnframes())
                    count = w.getnframes()
                rate = params.framerate
                pause = PARAGRAPH_PAUSE if s_index == len(parts) - 1 else SENTENCE_PAUSE
                silence = int(pause * rate)
                out.writeframes(audio + b"\x00" * (silence * params.sampwidth * params.nchannels))
                cues.append({"start": round(frames_so_far / rate, 3), "end": round((frames_so_far + count) / rate, 3),
                             "speaker": SPEAKER, "text": sentence, "language": "en"})
                frames_so_far += count + silence
    rate = params.framerate
    return cues, [round(f / rate, 3) for f in starts], joined


def encode(wav: Path, ogg: Path) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(wav), "-ac", "1", "-c:a", "libopus", "-b:a", "12k",
                    "-application", "voip", "-fflags", "+bitexact", "-flags:a", "+bitexact",
                    "-metadata", f"title={LABEL}", "-metadata", "artist=espeak-ng", str(ogg)], check=True)


def segment_index(record: dict, starts: list[float], duration: float) -> list[dict]:
    names = {link["id"]: link["name"] for kind in ("people", "events", "places") for link in record[kind]}
    segments = []
    for number, (paragraph, title, synopsis, links) in enumerate(SEGMENTS, 1):
        following = SEGMENTS[number][0] if number < len(SEGMENTS) else None
        segments.append({
            "id": f"s{number}", "media": "m1", "start": starts[paragraph],
            "end": starts[following] if following is not None else duration,
            "title": title, "synopsis": synopsis, "keywords": [],
            **{kind: [{"id": i, "name": names[i]} for i in links.get(kind, [])]
               for kind in ("people", "events", "places")},
        })
    return segments


if __name__ == "__main__":
    main()
