"""A segment built a word at a time, for the worker processes of bulk writes (`parallel.work`).

Whoosh's writer turns every posting of every document into a tuple, sorts them all through
temporary run files, merges the runs back a posting at a time and hands each posting to the
postings writer with a call of its own: at 1,500 postings a testimony that was half an import's
time. `BulkWriter` is Whoosh's `SegmentWriter` with two parts replaced:

- `add_document` gathers each word's postings in memory, per field and word (document numbers,
  weights and encoded values side by side), from `analysis.index_positions` for the fields our
  analyzers read (Whoosh's Token stream for the rest);
- the segment's flush writes each word's posting list in the order Whoosh's pool gives them: a
  long one a block at a time through Whoosh's own postings writer (its block layout and
  statistics), a short one straight into the word table as Whoosh inlines it.

When the gathered postings pass the writer's memory limit they are written to a temporary run of
words in order (their posting lists whole), and the flush merges the runs word by word. The
segment reads as the one Whoosh's writer makes of the same documents: the same words, statistics,
postings, stored fields, lengths and columns (tests/test_bulk.py compares them); only its pickles
are shorter, where a value repeats (a word's one position, the commonest posting, is one object).

Measured on the 10,000 testimonies of `bench/run.py` (1,500 words each), a worker's 5,000 documents:
adding them 51 → 21 s, the flush 34 → 14 s of CPU (both with the blocks pickled by protocol 4,
`speedups`, which took 8 s off this flush by itself). Gathering costs memory: about 200 MB a
worker at MEMORY_MB (Whoosh's writer: 32 MB).
"""
from __future__ import annotations

import heapq
import pickle  # nosec B403 - only dumps here (values as Whoosh encodes them)
from array import array
from operator import itemgetter, sub
from secrets import token_hex

import whoosh.codec.whoosh3 as w3
from whoosh.formats import Positions
from whoosh.system import pack_uint, pack_ushort
from whoosh.writing import SegmentWriter

from . import analysis, speedups

MEMORY_MB = 256  # postings gathered by a worker before it writes a run
RUN_CHUNK = 2048  # words pickled at a time in a run
# Rough sizes in memory, in bytes, to know when to write a run: a word's entry (its key, three
# lists) and one posting (its document number, weight and value).
WORD_SIZE = 400
POSTING_SIZE = 36


_SINGLE: dict[int, bytes] = {}  # the encoded value of one position, by position: most postings


def _one_position(pos: int) -> bytes:
    value = _SINGLE[pos] = pack_uint(1) + pickle.dumps([pos], 2)
    return value


class BulkWriter(SegmentWriter):
    """Whoosh's segment writer gathering posting lists per word (see the module's text)."""

    def __init__(self, ix, limitmb: int = MEMORY_MB, **kwargs):
        super().__init__(ix, limitmb=limitmb, **kwargs)
        for name, field in self.schema.items():
            if field.separate_spelling() or field.vector:
                raise ValueError(f"BulkWriter writes no spelling or vector postings ({name})")
        self._limit = limitmb * 1024 * 1024
        self._size = 0
        # per field, its words (str where our analyzers read it, else bytes) and their postings
        self._words: dict[str, dict] = {}
        self._runs: list[str] = []
        self._grams = {name: field.analyzer == analysis.TEXT_ANALYZER for name, field in self.schema.items()
                       if type(field.format) is Positions
                       and field.analyzer in (analysis.ANALYZER, analysis.TEXT_ANALYZER)}

    def _gather(self, fieldname: str, field, value, docnum: int, boost: float) -> tuple[int, int]:
        """Add a field's postings for one document; returns the field's length and the bytes
        gathered (roughly)."""
        words = self._words.get(fieldname)
        if words is None:
            words = self._words[fieldname] = {}
        grams = self._grams.get(fieldname)
        length = size = 0
        if grams is None or not isinstance(value, str):  # Whoosh's analysis: (bytes, freq, weight, value)
            for word, freq, weight, vbytes in field.index(value):
                if grams is not None:  # a list given to a field of ours: its words stay str
                    word = word.decode("utf-8")
                length += freq
                entry = words.get(word)
                if entry is None:
                    entry = words[word] = (array("I"), array("f"), [])
                    size += WORD_SIZE + len(word)
                entry[0].append(docnum)
                entry[1].append(weight * boost)
                if vbytes:
                    entry[2].append(vbytes)
                size += POSTING_SIZE + len(vbytes)
            return (length if field.scorable else 0), size
        boost *= field.format.field_boost
        single, dumps = _SINGLE, pickle.dumps
        found = analysis.index_positions(value, grams)
        for word, positions in found.items():  # Positions.encode, the one-position values cached
            entry = words.get(word)
            if entry is None:
                entry = words[word] = (array("I"), array("f"), [])
                size += WORD_SIZE + len(word)
            entry[0].append(docnum)
            n = len(positions)
            length += n
            entry[1].append(n * boost)
            if n == 1:
                entry[2].append(single.get(positions[0]) or _one_position(positions[0]))
            else:
                entry[2].append(pack_uint(n) + dumps([positions[0], *map(sub, positions[1:], positions)], 2))
        size += POSTING_SIZE * len(found) + 2 * length
        return length, size

    def add_document(self, **fields):
        """Whoosh's `SegmentWriter.add_document`, gathering postings per word."""
        self._check_state()
        perdocwriter, schema, docnum = self.perdocwriter, self.schema, self.docnum
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        docboost = self._doc_boost(fields)
        perdocwriter.start_doc(docnum)
        gathered = 0
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    length, size = self._gather(fieldname, field, value, docnum,
                                                self._field_boost(fields, fieldname, docboost))
                    gathered += size
                stored = fields.get("_stored_%s" % fieldname, value)
                perdocwriter.add_field(fieldname, field, stored if field.stored else None, length)
                if field.column_type and stored is not None:
                    perdocwriter.add_column_value(fieldname, field.column_type, field.to_column_value(stored))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1
        self._size += gathered
        if self._size > self._limit:
            self._write_run()

    # --- runs ----------------------------------------------------------------------------------
    def _sorted_words(self):
        """((field, word as bytes), ids, weights, values) in the order of Whoosh's postings: by field,
        then by the word's bytes (UTF-8 keeps the order of the characters' code points)."""
        for fieldname in sorted(self._words):
            words = self._words[fieldname]
            for word in sorted(words):
                yield (fieldname, word if isinstance(word, bytes) else word.encode("utf-8")), *words[word]

    def _write_run(self) -> None:
        """Write the gathered words, in order, to a temporary run, and forget them."""
        name = f"{token_hex(14)}.words"
        with self._tempstorage.create_file(name).raw_file() as f:
            speedups.dump_chunks(f, ((key, ids.tobytes(), weights.tobytes(), values)
                                     for key, ids, weights, values in self._sorted_words()), RUN_CHUNK)
        self._runs.append(name)
        self._words = {}
        self._size = 0

    def _read_run(self, name: str):
        for key, ids, weights, values in speedups.load_chunks(self._tempstorage.open_file(name).raw_file()):
            yield key, array("I", ids), array("f", weights), values

    def _all_words(self):
        """Every word in order with its whole posting list: the runs' lists joined, in their order."""
        if not self._runs:
            yield from self._sorted_words()
            return
        merged = heapq.merge(*(self._read_run(name) for name in self._runs), self._sorted_words(),
                             key=itemgetter(0))
        last = None
        for key, ids, weights, values in merged:
            if last is not None and last[0] == key:
                last[1].extend(ids)
                last[2].extend(weights)
                last[3].extend(values)
                continue
            if last is not None:
                yield last
            last = (key, ids, weights, values)
        if last is not None:
            yield last

    # --- the flush -----------------------------------------------------------------------------
    def _flush_segment(self):
        """Write every word's posting list: a short one as its entry in the word table, a longer one
        a block at a time (Whoosh writes both a posting at a time)."""
        self.perdocwriter.close()
        perdoc = self.per_document_reader()
        fieldwriter = self.fieldwriter
        table, inline_below = fieldwriter._tindex, self.codec._inlinelimit
        current, lengths, prefix = None, None, b""
        try:
            for (fieldname, word), ids, weights, values in self._all_words():
                if fieldname != current:
                    if current is not None:
                        fieldwriter.finish_field()
                    current = fieldname
                    fieldwriter.start_field(fieldname, self.schema[fieldname])
                    lengths = speedups._lengths_column(perdoc, fieldname)
                    prefix = pack_ushort(fieldwriter._fieldid)
                if len(ids) < inline_below:
                    table.add(prefix + word, _inlined(ids, weights, values, lengths))
                    continue
                fieldwriter.start_term(word)
                _add_postings(fieldwriter._postwriter, ids, weights, values, lengths)
                fieldwriter.finish_term()
            if current is not None:
                fieldwriter.finish_field()
        finally:
            perdoc.close()
        fieldwriter.close()

    def _close_segment(self):
        super()._close_segment()
        for name in self._runs:
            if self._tempstorage.file_exists(name):
                self._tempstorage.delete_file(name)
        self._runs = []
        self._words = {}


def _length_bytes(ids: array, lengths: bytes | None) -> list[int]:
    """The documents' field lengths as the segment stores them (a byte each), those above 0."""
    return [b for b in map(lengths.__getitem__, ids) if b] if lengths else []


def _inlined(ids: array, weights: array, values: list, lengths: bytes | None) -> bytes:
    """A short posting list as its word's entry in the word table, as Whoosh's `W3TermInfo.to_bytes`
    writes it once its postings writer has inlined the list (`speedups._finish_postings`)."""
    found = _length_bytes(ids, lengths)
    head = w3.W3TermInfo._struct.pack(True, sum(weights), len(ids), min(found, default=0), max(found, default=0),
                                      max(0, max(weights)), ids[0], ids[-1])
    return head + pickle.dumps((tuple(ids), tuple(weights), tuple(values) or (b"",) * len(ids)),
                               speedups.BLOCK_PROTOCOL)


def _add_postings(writer, ids: array, weights: array, values: list, lengths: bytes | None) -> None:
    """Give Whoosh's postings writer a word's whole posting list, a block at a time, with the
    statistics its `add_posting` keeps (the weights' maximum, the documents' least and greatest
    field length as the segment stores them)."""
    limit = writer._blocklimit
    for start in range(0, len(ids), limit):
        if start:
            writer._write_block()
        end = start + limit
        writer._ids = block_ids = ids[start:end]
        writer._weights = block_weights = weights[start:end]
        writer._values = values[start:end]
        writer._maxweight = max(0, max(block_weights))
        found = _length_bytes(block_ids, lengths)
        if found:
            writer._minlength, writer._maxlength = speedups.LENGTHS[min(found)], speedups.LENGTHS[max(found)]
