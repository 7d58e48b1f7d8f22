#!/bin/sh
# Export throughput and peak memory of every format, for an archive home that holds a collection.
#   python scripts/convert_corpus.py tests/data/corpus -o /tmp/corpus.jsonl
#   .venv/bin/archive --home /tmp/big import /tmp/corpus.jsonl
#   sh bench/export_formats.sh /tmp/big
# Prints, per format: objects written, wall-clock seconds, peak resident memory (GNU time -v).
set -eu
HOME_DIR=${1:?usage: bench/export_formats.sh ARCHIVE_HOME}
ARCHIVE=${ARCHIVE:-.venv/bin/archive}
OUT=$(mktemp -d)
for fmt in jsonl json csv jsonld; do
  /usr/bin/time -v "$ARCHIVE" --home "$HOME_DIR" export --format "$fmt" -o "$OUT/export.$fmt" 2> "$OUT/time.$fmt"
  objects=$(sed -n 's/^Exported \([0-9]*\) objects.*/\1/p' "$OUT/time.$fmt")
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$OUT/time.$fmt")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$OUT/time.$fmt")
  bytes=$(wc -c < "$OUT/export.$fmt")
  echo "$fmt: $objects objects, $bytes bytes, wall $wall, peak RSS ${rss} KiB"
done
rm -rf "$OUT"
