"""Whoosh's per-posting and per-document costs made per block, applied by `writing.setup()`
(docs/search.md, "Whoosh's costs per posting").

- **Field lengths.** Whoosh reads a document's field length (one byte of a column file) through a
  seek and a read for every posting it writes at a segment's flush and for every posting BM25F
  scores. `doc_field_length` here reads a field's whole column once per reader (one byte a
  document) and looks the rest up in memory; the answers are Whoosh's own, `None` for a length
  of 0 included.
- **Sorting runs.** While it indexes, Whoosh sorts every posting through temporary run files of
  one pickle per posting (`externalsort.SortingPool`); writing and reading them back was a fifth
  of an import's time. Here a run is pickled in chunks of postings. The run files live only while
  one writer flushes, in its temporary storage, so their format is nobody else's concern.
- **Short posting lists inline.** Whoosh writes every word's postings as a block of their own in the
  postings file (a pickle, a zlib call, a header), even the word of one document; most words of a
  segment are in a few documents. Whoosh can keep a short list inside the word's entry instead
  (`W3Codec(inlinelimit=…)`), which its readers read with a `ListMatcher`, but its writer calls a
  method that does not exist (`set_inline`) and its default limit of 1 never inlines anything.
  Here lists of fewer than INLINE_BELOW postings are inlined (a segment's flush a third faster, the
  index a little smaller), and a copied `ListMatcher` keeps its term and statistics as Whoosh's own
  copy forgets them. Indexes written before read as they are.
- **Blocks pickled with a current protocol.** Whoosh pickles each block of postings with protocol 2,
  which has no opcode for bytes: every posting's positions (bytes) became a call to rebuild a
  string, about 60 µs to write and as much to read for a block of 128 postings, and 2.6 times the
  bytes once compressed. Blocks are written with protocol BLOCK_PROTOCOL (6 µs each way); Whoosh
  reads either with `pickle.loads`, so indexes written before read as they are.
- **Posting lists a block at a time** (`posting_blocks`), for the ranking of plain words
  (`ranking`) and the documents of a word (`limits.matching_docs`): a block's document numbers
  and weights as Whoosh decodes them, without a matcher call per posting.
- **Word tables opened at once.** Opening a segment's word table, Whoosh reads the directory of
  its 256 hash tables one entry at a time (256 seeks and reads); every searcher opened after a save
  opens the new segments' tables, and so does the writer of every save. Here it is one read.
- **OR of fields.** A word searched in seven fields is an OR that Whoosh scores into an array of
  2,048 documents at a time (`ArrayUnionMatcher`), then clears the array and walks it to the next
  match one slot at a time in Python: a rare word in a segment of 50,000 documents walked 50,000
  slots for a handful of matches. Here the matcher remembers which slots it filled, clears only
  those, and jumps from one to the next; it gives Whoosh's own documents and scores (a test
  compares the two on random postings).
"""
from __future__ import annotations

import bisect
import os
import pickle  # nosec B403 - run files this process wrote a moment ago, in its own temp storage
import zlib
from array import array

import whoosh.codec
import whoosh.codec.whoosh3 as w3
import whoosh.externalsort
from whoosh.filedb import filetables
from whoosh.matching.combo import ArrayUnionMatcher, CombinationMatcher
from whoosh.matching.mcore import ListMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

LENGTHS = [None] + [byte_to_length(b) for b in range(1, 256)]  # Whoosh gives None for 0
RUN_CHUNK = 4096  # postings pickled at a time in a sorting run
INLINE_BELOW = 9  # posting lists shorter than this are kept in the word's entry
BLOCK_PROTOCOL = 4  # pickle protocol of a block of postings (Whoosh: 2)


def _lengths_column(perdoc, fieldname) -> bytes | None:
    """A segment's stored field lengths, one byte a document (`LENGTHS` reads them), read once."""
    cache = perdoc.__dict__.get("_archive_lengths")
    if cache is None:
        cache = perdoc.__dict__.setdefault("_archive_lengths", {})
    if fieldname not in cache:  # (a field without a column is remembered too: asking costs a stat)
        reader = perdoc._cached_reader(w3._lenfield(fieldname), w3.LENGTHS_COLUMN)
        cache[fieldname] = None if reader is None else bytes(reader._dbfile.get(reader._basepos,
                                                                                reader._count))
    return cache[fieldname]


def field_lengths(segment_reader, fieldname) -> bytes:
    """A segment's field lengths as bytes (index by document number, look up in `LENGTHS`)."""
    return _lengths_column(segment_reader._perdoc, fieldname) or b""


def _doc_field_length(self, docnum, fieldname, default=0):
    """`W3PerDocReader.doc_field_length`, reading a field's length column once."""
    if docnum > self._doccount:
        raise IndexError("Asked for docnum %r of %d" % (docnum, self._doccount))
    lengths = _lengths_column(self, fieldname)
    if lengths is None:
        return default
    return LENGTHS[lengths[docnum]] if docnum < len(lengths) else None


def term_postings(reader, fieldname: str, text):
    """A segment's postings of a word as (the word's bytes, a matcher without deletions applied),
    from one lookup of the word (Whoosh's `in`, `postings` and scorer each look it up), or None
    when the segment has no such field or word."""
    field = reader.schema[fieldname] if fieldname in reader.schema else None
    if field is None:
        return None
    try:
        btext = field.to_bytes(text)
        info = reader._terms.term_info(fieldname, btext)
    except (ValueError, KeyError, TermNotFound):
        return None
    terms = reader._terms
    return btext, terms._codec.postings_reader(terms._postfile, info, field.format, term=(fieldname, btext))


def posting_blocks(matcher, values: bool = False):
    """A segment's posting list as (document numbers, weights), or with `values` (document numbers,
    weights, encoded values: positions), a block at a time, where Whoosh's matchers give one
    posting per call (its deleted documents included: callers leave them out)."""
    if isinstance(matcher, FilterMatcher):  # the segment's deletions
        matcher = matcher.child
    if isinstance(matcher, ListMatcher):  # a short list, kept inline
        ids = matcher._ids
        weights = matcher._weights or [matcher._all_weights or 1.0] * len(ids)
        yield (ids, weights, matcher._values) if values else (ids, weights)
        return
    if not isinstance(matcher, w3.W3LeafMatcher):  # another codec's: a posting at a time
        ids, weights, encoded = [], [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            if values:
                encoded.append(matcher.value())
            matcher.next()
        yield (ids, weights, encoded) if values else (ids, weights)
        return
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_weights()
        if values:
            matcher._read_values()
            yield matcher._ids, matcher._weights, matcher._values
        else:
            yield matcher._ids, matcher._weights
        matcher._next_block()


def _hash_reader_init(self, dbfile, length=None, magic=b"HSH3", startoffset=0):
    """`HashReader.__init__`, reading the directory of 256 hash tables at once (Whoosh reads it an
    entry at a time: 256 seeks and reads for each segment's word table, at every searcher opened
    after a save)."""
    self.dbfile = dbfile
    self.startoffset = startoffset
    self.is_closed = False
    if length is None:
        dbfile.seek(0, os.SEEK_END)
        length = dbfile.tell() - startoffset
    dbfile.seek(startoffset)
    filemagic = dbfile.read(4)
    if filemagic != magic:
        raise filetables.FileFormatError("Unknown file header %r" % filemagic)
    self.hashtype = dbfile.read_byte()
    self.hashfn = filetables._hash_functions[self.hashtype]
    dbfile.read_int()  # two ints Whoosh keeps for later use
    dbfile.read_int()
    self.startofdata = dbfile.tell()
    exptr = startoffset + length - filetables._INT_SIZE
    expos = exptr - dbfile.get_int(exptr)
    dbfile.seek(expos)
    self._read_extras()
    dbfile.seek(expos - filetables._directory_size)
    self.tables = list(filetables._dir_entry.iter_unpack(dbfile.read(filetables._directory_size)))
    self.endofdata = self.tables[0][0]


def dump_chunks(f, items, size: int = RUN_CHUNK) -> None:
    """Pickle `items` to a file `size` at a time (a run file this process reads back soon)."""
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
            chunk = []
    if chunk:
        pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)


def load_chunks(f):
    """The items `dump_chunks` wrote to `f`, in order; closes `f`."""
    try:
        while True:
            try:
                chunk = pickle.load(f)  # nosec B301 - see the import
            except EOFError:
                return
            yield from chunk
    finally:
        f.close()


def _write_run(self, f, items):
    """`SortingPool._write_run`, pickling chunks of items rather than one at a time."""
    dump_chunks(f, items)
    f.close()


def _read_run(self, path):
    """`SortingPool._read_run` for runs written by `_write_run`."""
    try:
        yield from load_chunks(self._open_run(path))
    finally:
        self._remove_run(path)


def _codec(*args, **kwargs):
    """`whoosh.codec.default_codec`, inlining short posting lists."""
    kwargs.setdefault("inlinelimit", INLINE_BELOW)
    return w3.W3Codec(*args, **kwargs)


def _finish_postings(self):
    """`W3PostingsWriter.finish_postings`, calling `set_inlined` (Whoosh calls `set_inline`)."""
    terminfo = self._terminfo
    if not self.written() and len(self) < self._inlinelimit:
        terminfo.add_block(self)
        # a field without values (ids only) gets b"" for each, as its blocks give them when read
        terminfo.set_inlined(self._ids, self._weights, self._values or [b""] * len(self._ids))
    else:
        if self._ids:
            self._write_block(last=True)
        terminfo.set_extent(self._startoffset, self._postfile.tell() - self._startoffset)
    self._terminfo = None
    return terminfo


def _write_block(self, last=False):
    """`W3PostingsWriter._write_block`, pickling the block's data with BLOCK_PROTOCOL."""
    if not self._blockcount:
        self._postfile.write(w3.WHOOSH3_HEADER_MAGIC)
    self._terminfo.add_block(self)
    data = pickle.dumps((self._mini_ids(), self._mini_weights(), self._mini_values()), BLOCK_PROTOCOL)
    comp = self._compression
    if comp:
        data = zlib.compress(data, comp)
    ids = self._ids
    # what a reader looks at to skip a block: its postings, last id, greatest weight, compression,
    # least and greatest length (as bytes), pickled as Whoosh does
    info = pickle.dumps((len(ids), ids[-1], self._maxweight, comp, w3.length_to_byte(self._minlength),
                         w3.length_to_byte(self._maxlength)), 2)
    length = len(info) + len(data)
    self._postfile.write_int(-length if last else length)  # the last block's length is negative
    self._postfile.write(info)
    self._postfile.write(data)
    self._blockcount += 1
    self._new_block()


def _list_copy(self):
    """`ListMatcher.copy`, keeping the term and its statistics (BM25 asks a copy for them)."""
    return self.__class__(self._ids, self._weights, self._values, self._format, self._scorer, self._i,
                          self._all_weights, term=self._term, terminfo=self._terminfo)


_UNION_METHODS = ("__init__", "_read_part", "_find_next", "all_ids")
WHOOSH_UNION = {name: ArrayUnionMatcher.__dict__[name] for name in _UNION_METHODS}  # for the test


def _union_init(self, submatchers, doccount, boost=1.0, scored=True, partsize=2048):
    CombinationMatcher.__init__(self, submatchers, boost=boost)
    self._scored = scored
    self._doccount = doccount
    self._partsize = partsize or doccount
    self._a = array("d", bytes(8 * self._partsize))
    self._touched: set[int] = set()  # slots of the array given a value by the part read last
    self._filled: list[int] = []  # of those, the ones that match (a score above 0), in order
    self._docnum = self._min_id()
    self._read_part()


def _union_read_part(self):
    scored, boost, a = self._scored, self._boost, self._a
    offset = self._docnum
    limit = min(offset + self._partsize, self._doccount)
    for i in self._touched:
        a[i] = 0
    touched = set()
    for m in self._submatchers:
        while m.is_active() and m.id() < limit:
            i = m.id() - offset
            if scored:
                a[i] += m.score() * boost
            else:
                a[i] = 1
            touched.add(i)
            m.next()
    self._touched = touched
    self._filled = sorted(i for i in touched if a[i] > 0)
    self._offset = offset
    self._limit = limit


def _union_find_next(self):
    docnum, offset, filled = self._docnum, self._offset, self._filled
    if docnum < self._limit:
        k = bisect.bisect_left(filled, docnum - offset)
        if k < len(filled):
            self._docnum = offset + filled[k]
            return
    self._docnum = self._min_id()
    self._read_part()


def _union_all_ids(self):
    doccount = self._doccount
    docnum = self._docnum
    while docnum < doccount:
        offset, filled = self._offset, self._filled
        for i in filled[bisect.bisect_left(filled, docnum - offset):]:
            yield offset + i
        # every submatcher is past this part: read the next from the first document any holds
        self._docnum = docnum = max(self._limit, self._min_id())
        self._read_part()


def apply() -> None:
    w3.W3PerDocReader.doc_field_length = _doc_field_length
    for name, method in zip(_UNION_METHODS, (_union_init, _union_read_part, _union_find_next,
                                             _union_all_ids)):
        setattr(ArrayUnionMatcher, name, method)
    whoosh.externalsort.SortingPool._write_run = _write_run
    whoosh.externalsort.SortingPool._read_run = _read_run
    whoosh.codec.default_codec = _codec
    w3.W3PostingsWriter.finish_postings = _finish_postings
    w3.W3PostingsWriter._write_block = _write_block
    ListMatcher.copy = _list_copy
    filetables.HashReader.__init__ = _hash_reader_init
