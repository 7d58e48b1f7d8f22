"""Searches run side by side: no search waits for another, and none sees another's answers."""
import json
import threading
import urllib.request
from contextlib import contextmanager

from archive import records, store
from archive.access import SYSTEM

QUERIES = ["Sokha", "freedom", "slavery~", "Guter*", '"human rights"', "type:open_letter", "ទាសភាព"]


def answers(index) -> dict:
    out = {}
    for q in QUERIES:
        result = index.search(q, SYSTEM, per_page=100, facets=True)
        out[q] = (result.total, sorted(result.ids), result.facets["type"])
    return out


@contextmanager
def held_in_another_thread(context):
    """`context` entered by another thread (as a slow search would) while the block runs."""
    holding, release = threading.Event(), threading.Event()

    def hold():
        with context:
            holding.set()
            release.wait(30)
    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert holding.wait(10)
        yield release
    finally:
        release.set()
        thread.join()


def test_a_search_in_progress_does_not_hold_up_another(live, sample_app):
    """While one search holds its searcher (as a slow one would), another answers over HTTP."""
    index = sample_app.extensions["archive"].index
    with held_in_another_thread(index.searcher()):
        with urllib.request.urlopen(live.url + "/search.json?q=Sokha", timeout=10) as response:
            assert json.load(response)["total"] >= 1


def test_searches_side_by_side_give_the_answers_they_give_alone(sample_app):
    """Four threads search while saves commit (each commit makes every searcher reopen)."""
    index = sample_app.extensions["archive"].index
    expected = answers(index)
    wrong, errors = [], []

    def searching():
        try:
            for _ in range(15):
                got = answers(index)
                wrong.extend(q for q in QUERIES if got[q] != expected[q])
        except Exception as exc:  # collected: the test reports them all
            errors.append(repr(exc))

    def saving():
        db = store.connect(sample_app.config["DATABASE"])
        try:
            for i in range(5):  # records none of the queries finds
                records.save_record(db, index, {"title": f"Unrelated zzq{i}", "type": "statement",
                                                "access": "public"})
        finally:
            db.close()
    threads = [threading.Thread(target=searching) for _ in range(4)] + [threading.Thread(target=saving)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and wrong == []
    assert index.search("zzq*", SYSTEM).total == 5


def test_costly_searches_take_turns_and_a_plain_word_never_waits_for_them(sample_app):
    """While a costly search (a pattern, a fuzzy word, a phrase) holds the lane, a plain word search
    answers at once; another costly one waits for at most part of its time, then answers that it
    found nothing in time (running then, it would have run beside the first)."""
    from archive.budget import Budget
    from archive.index import limits, query as queries

    index, client = sample_app.extensions["archive"].index, sample_app.test_client()
    with held_in_another_thread(index.lane.enter(queries.parse("Guter*")[0], Budget(None))) as release:
        assert index.search("Sokha", SYSTEM).total >= 1  # not costly: no lane
        waited = index.search('"human rights"', SYSTEM, budget=Budget(0.4))  # waits ≤ 0.36 s
        assert (waited.total, waited.ids, waited.partial) == (0, [], True) and not release.is_set()
        assert index.expanded_terms("Guter*", Budget(0.4)) == []
        sample_app.config["SEARCH_SECONDS"] = 0.4
        data = client.get('/search.json?q="human rights"').get_json()
        assert (data["total"], data["hits"], data["partial"]) == (0, [], True)
        assert "found no time to run" in client.get('/search?q="human rights"').get_data(as_text=True)
    sample_app.config["SEARCH_SECONDS"] = 2.0
    assert index.search('"human rights"', SYSTEM, budget=Budget(0.4)).total >= 1  # the lane is free
    assert client.get('/search.json?q="human rights"').get_json()["total"] >= 1
    assert [limits.costly(queries.parse(q)[0]) for q in ["Sokha", "person:Sokha", "slavery~", "*a*", '"a b"']] \
        == [False, False, True, True, True]


def test_a_costly_search_gives_way_while_a_plain_one_runs(sample_app):
    """Each time the costly search in the lane looks at the clock while a plain search or a request
    is under way in another thread, it naps (one process runs one thread at a time), for at most
    half its time in all: here the plain one lasts throughout, so the costly one takes at least half
    its second; alone, it takes a fraction of that."""
    import time

    from archive.budget import Budget
    from archive.index import query as queries

    index = sample_app.extensions["archive"].index
    under_way = {"*a*": index.lane.plain(),  # a request under way, then a plain search
                 "*e*": index.lane.enter(queries.parse("Sokha")[0], Budget(None))}
    for pattern, plain in under_way.items():  # (each pattern new: a kept answer looks at no clock)
        with held_in_another_thread(plain):
            started = time.monotonic()
            assert index.search(pattern, SYSTEM, budget=Budget(1)).total > 0
            assert time.monotonic() - started >= 0.45
    started = time.monotonic()
    assert index.search("*o*", SYSTEM, budget=Budget(1)).total > 0
    assert time.monotonic() - started < 0.3


def test_documents_found_word_by_word_are_whooshs_and_stop_when_the_time_is_up(sample_app):
    """`limits.matching_docs` takes ORs and ANDs apart into sets: with time, the documents Whoosh
    finds; with none left, the first word's only, and the budget says the answer was cut."""
    from archive.budget import Budget, unlimited
    from archive.index import limits, query as queries

    index = sample_app.extensions["archive"].index
    with index.searcher() as s:
        for text in ["freedom", "freedom OR Sokha", "freedom AND NOT slavery", "Guter* OR human*",
                     "slav~ rights", '"human rights" OR letter', "type:open_letter freedom"]:
            query, _ = limits.expand(queries.parse(text)[0], s.reader(), unlimited())
            for leaf, _ in s.leaf_searchers():
                assert limits.matching_docs(query, leaf, unlimited()) == frozenset(query.docs(leaf)), text
        query, _ = limits.expand(queries.parse("r* OR s* OR t*")[0], s.reader(), unlimited())
        everything = set().union(*(limits.matching_docs(query, leaf, unlimited()) for leaf, _ in s.leaf_searchers()))
        spent = Budget(0)
        cut = set().union(*(limits.matching_docs(query, leaf, spent) for leaf, _ in s.leaf_searchers()))
        assert cut < everything and spent.cut
