"""Hostile input, generated: no server errors, no partial writes, clear messages."""
import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from archive import importer, records, store
from archive.access import SYSTEM
from archive.index import find_drift

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

query_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=120)
syntax = st.lists(st.sampled_from(['"', "(", ")", "AND", "OR", "NOT", "-", "+", "*", "?", "~", ":",
                                   "title:", "person:", "[", "]", "{", "}", "^", "\\", "/", "ហ៊ុន",
                                   "sokha", "1975", "..", "TO", "<", ">", "=", "'"]), max_size=12)


@FUZZ
@given(q=st.one_of(query_text, syntax.map(" ".join), syntax.map("".join)),
       sort=st.sampled_from(["relevance", "date", "-date", "title", "bogus"]),
       page=st.one_of(st.integers(-5, 10_000).map(str), query_text))
def test_no_query_string_breaks_search(client, save, q, sort, page):
    for url in ("/search", "/search.json"):
        response = client.get(url, query_string={"q": q, "sort": sort, "page": page})
        assert response.status_code < 500, (url, q, sort, page)
        if url.endswith(".json") and response.status_code >= 400:
            assert response.get_json()["ok"] is False


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), query_text),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(query_text, children, max_size=3),
    max_leaves=10)
record_like = st.fixed_dictionaries(
    {}, optional={"kind": st.sampled_from(["record", "person", "event", "place", "memo"]),
                  "id": st.one_of(query_text, st.just("r-x")), "title": json_values, "type": st.one_of(
                      st.sampled_from(["testimony", "petition"]), json_values),
                  "name": json_values, "date": st.one_of(query_text, json_values),
                  "people": json_values, "access": st.one_of(st.just("public"), json_values),
                  "embargo_until": st.one_of(query_text, json_values), "part_of": json_values,
                  "text": json_values, "language": json_values, "variants": json_values})


@FUZZ
@given(lines=st.lists(record_like, min_size=1, max_size=4))
def test_import_is_all_or_nothing_on_any_input(app, home, tmp_path_factory, lines):
    path = tmp_path_factory.mktemp("fuzz") / "in.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    before = store.current_seq(home.db), store.count_records(home.db, SYSTEM)
    try:
        importer.run(home.db, app.extensions["archive"].index, path)
    except importer.ImportFailed as exc:
        assert exc.problems and all(p.where.startswith(("line", "import")) for p in exc.problems)
        assert (store.current_seq(home.db), store.count_records(home.db, SYSTEM)) == before
    assert not find_drift(app.extensions["archive"].index, records.IndexSource(home.db)).any


form_text = st.one_of(query_text, st.sampled_from(["", " ", "1975~", "circa 1975", "1975-1979", "2017-02-30",
                                                   "Kem Sokha | author", "x | nonsense", "ហ៊ុន សែន",
                                                   "<script>alert(1)</script>", "\x00", "a" * 3000]))
RECORD_FIELDS = ["title", "type", "date", "period", "summary", "text", "language", "subjects",
                 "collection", "accession", "source_citation", "source_url", "source_repository",
                 "rights", "access", "embargo_until", "people", "events", "places"]


@pytest.fixture
def archivist(client, auth):
    """Signed in once through the form; every example of a test shares the function's fixtures."""
    auth.sign_in_as("archivist", "fuzz")
    return client


@FUZZ
@given(values=st.fixed_dictionaries({}, optional={name: form_text for name in RECORD_FIELDS}),
       button=st.sampled_from(["save", "preview"]))
def test_record_form_takes_any_values(app, archivist, home, values, button):
    client = archivist
    before = store.count_records(home.db, SYSTEM)
    response = client.post("/records/new", data={**values, button: "1"})
    assert response.status_code < 500, values
    assert not response.headers.get("Location", "").startswith("/login"), "signed out meanwhile"
    if response.status_code in (200, 400, 409):  # the form again, with what was typed
        assert store.count_records(home.db, SYSTEM) == before
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    assert not find_drift(app.extensions["archive"].index, records.IndexSource(home.db)).any


@FUZZ
@given(username=form_text, password=form_text, next_=form_text)
def test_sign_in_takes_any_values(client, username, password, next_):
    response = client.post("/login", data={"username": username, "password": password},
                           query_string={"next": next_})
    assert response.status_code in (200, 400, 401, 429), response.status_code
