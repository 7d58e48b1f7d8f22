"""The bulk writer of import workers (`archive.index.bulk`) makes the index Whoosh's writer makes."""
import random

from hypothesis import given, settings, strategies as st
from whoosh.formats import Positions
from whoosh.writing import SegmentWriter

from archive.index import analysis, bulk, schema, writing

PIECES = ["the", "camp", "of", "Family", "village", "a", "and", "Sokha", "1975", "l'été", "déjà",
          "ហ៊ុន", "សែន", "ខ្មែរ", "ក្រហម", "១៩៧៥", "—", ",", "\n", "  ", "Ōsaka", "naïve", "x2"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30), st.booleans())
def test_index_positions_are_what_whoosh_gathers_from_the_analyzer(pieces, grams):
    text = " ".join(pieces)
    analyzer = analysis.TEXT_ANALYZER if grams else analysis.ANALYZER
    whoosh = {word: Positions().decode_positions(value)
              for word, _, _, value in Positions().word_values(text, analyzer, mode="index")}
    assert analysis.index_positions(text, grams) == whoosh


def documents(count: int) -> list[dict]:
    """Index documents of every kind of field the schema has, English, French and Khmer."""
    rnd = random.Random(12)
    words = PIECES[:10] + [f"w{i}" for i in range(300)]
    docs = []
    for n in range(count):
        text = " ".join(rnd.choices(words, weights=[30] * 10 + [1 / (k + 1) for k in range(300)],
                                    k=rnd.randint(0, 400)))
        if n % 7 == 0:
            text += " ហ៊ុនសែន ខ្មែរក្រហម នៅ ១៩៧៩"
        docs.append({"id": f"r{n:04d}", "doctype": "record", "seq": n,
                     "type": rnd.choice(["testimony", "letter"]),
                     "title": f"The testimony {n} of {rnd.choice(words)}", "text": text,
                     "summary": "" if n % 3 else "déjà vu, l'été naïve",
                     "person": "Kem Sokha\nកឹម សុខា" if n % 4 == 0 else "Sokha",
                     "person_id": "p-1,p-2" if n % 2 else "p-3", "subject_key": "refugees,camps",
                     "decade": "1970s", "title_sort": f"the testimony {n}", "access": "public",
                     "date_lo": 19750417 + n, "date_hi": 19790107})
    return docs


def build(folder, docs, writer_class, limit=None):
    folder.mkdir()
    ix = writing.storage(folder).create_index(schema.SCHEMA)
    writer = writer_class(ix, limitmb=32)
    if limit is not None:
        writer._limit = limit  # a few thousand bytes: many runs
    for doc in docs:
        writer.add_document(**doc)
    assert limit is None or len(writer._runs) > 3
    writing.commit(writer)
    return ix


def contents(ix) -> dict:
    """Every word's statistics and postings, every document's stored fields and field lengths, and
    the sortable columns: everything a search reads."""
    out = {}
    with ix.reader() as reader:
        for fieldname, word in reader.all_terms():
            info = reader.term_info(fieldname, word)
            postings = reader.postings(fieldname, word)
            out[fieldname, word] = (
                (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(), info.max_weight(),
                 info.min_id(), info.max_id()), list(_postings(postings)))
        for docnum in range(reader.doc_count_all()):
            out[docnum] = (reader.stored_fields(docnum),
                           {f: reader.doc_field_length(docnum, f) for f in schema.SCHEMA.scorable_names()})
        for name in ("title_sort", "date_lo", "date_hi"):
            out[name] = list(reader.column_reader(name))
    return out


def _postings(matcher):
    while matcher.is_active():
        yield matcher.id(), matcher.weight(), matcher.value()
        matcher.next()


def test_the_bulk_writer_writes_the_segment_whoosh_s_writer_writes(tmp_path):
    writing.setup()
    docs = documents(160)
    whoosh = contents(build(tmp_path / "whoosh", docs, SegmentWriter))
    assert contents(build(tmp_path / "bulk", docs, bulk.BulkWriter)) == whoosh
    # written to runs along the way and merged back: the same again
    assert contents(build(tmp_path / "runs", docs, bulk.BulkWriter, limit=60_000)) == whoosh
    assert not list((tmp_path / "runs").rglob("*.words"))  # the runs are gone


def test_short_and_long_posting_lists_are_inlined_and_blocked_as_whoosh_does(tmp_path):
    writing.setup()
    ix = build(tmp_path / "bulk", documents(400), bulk.BulkWriter)
    with ix.reader() as reader:
        segment = reader.leaf_readers()[0][0] if hasattr(reader, "leaf_readers") else reader
        assert segment.term_info("person", "sokha").doc_frequency() == 400
        assert not segment.term_info("person", "sokha").is_inlined()
        assert segment.term_info("title", "4").is_inlined()
