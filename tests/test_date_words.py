"""Readers see dates in words, archivists keep EDTF (issue 15, item 7): one function words every date
(`dates.in_words`), pages and citations use it, JSON and forms keep EDTF, and From/To read what people
type ("April 1975", "1975-1979", "17/04/1975"), saying how they read it."""
import datetime as dt

import pytest

from archive import cite, dates


@pytest.mark.parametrize("value, words", [
    ("2017-10-04", "4 October 2017"),
    ("2018-07", "July 2018"),
    ("1977", "1977"),
    ("1977~", "about 1977"),
    ("1977?", "perhaps 1977"),
    ("1977%", "perhaps about 1977"),
    ("2017-10-04~", "about 4 October 2017"),
    ("197X", "the 1970s"),
    ("19XX", "the 1900s"),
    ("1953/..", "1953 onwards"),
    ("1953/", "1953 onwards"),
    ("../1953", "until 1953"),
    ("/1953", "until 1953"),
    ("1975/2018", "1975–2018"),
    ("1975/1979", "1975–1979"),
    ("1975~/1979", "about 1975 – 1979"),
    ("1978-12-25/1979-01-07", "25 December 1978 – 7 January 1979"),
    ("2017-09-03/2017-09-05", "3–5 September 2017"),
    ("1979-05-25/1979-06-07", "25 May – 7 June 1979"),
    ("2018-07/2019", "July 2018 – 2019"),
    ("2017-21", "spring 2017"),
    ("-0500", "500 BCE"),
    (None, ""),
    ("", ""),
    ("not a date", "not a date"),  # what cannot be read is shown as it is
])
def test_dates_in_words(value, words):
    assert dates.in_words(value) == words


@pytest.mark.parametrize("typed, edtf, said", [
    ("1975", "1975", None),
    ("1975-04-17", "1975-04-17", None),
    ("April 1975", "1975-04", "April 1975"),
    ("april 1975", "1975-04", "April 1975"),
    ("1975-1979", "1975/1979", "1975–1979"),
    ("1975 – 1979", "1975/1979", "1975–1979"),
    ("1975 to 1979", "1975/1979", "1975–1979"),
    ("17/04/1975", "1975-04-17", "17 April 1975"),
    ("17.04.1975", "1975-04-17", "17 April 1975"),
    ("04/17/1975", "1975-04-17", "17 April 1975"),
    ("17 April 1975", "1975-04-17", "17 April 1975"),
    ("April 17, 1975", "1975-04-17", "17 April 1975"),
    ("circa 1975", "1975~", "about 1975"),
    ("c. 1975", "1975~", "about 1975"),
    ("1970s", "197X", "the 1970s"),
    ("1979/1975", "1975/1979", "1975–1979"),  # reversed: turned round, and said so
])
def test_typed_dates_are_read(typed, edtf, said):
    read = dates.read_typed(typed)
    assert read.edtf == edtf
    assert read.words == (said or dates.in_words(edtf))
    assert read.changed == (said is not None)


def test_a_date_that_cannot_be_read_is_an_error():
    with pytest.raises(dates.DateError):
        dates.read_typed("sometime")
    with pytest.raises(dates.DateError):
        dates.read_typed("31/02/1975")


def years(client, **params) -> set[str]:
    return {h["title"] for h in client.get("/search.json", query_string=params).get_json()["hits"]}


@pytest.fixture
def dated(save):
    for title, date in (("Fall", "1975-04-17"), ("May", "1975-05-02"), ("Later", "1977~"), ("Long ago", "1950")):
        save(title=title, date=date)


@pytest.mark.parametrize("params, found", [
    ({"from": "April 1975", "to": "April 1975"}, {"Fall"}),
    ({"from": "17/04/1975", "to": "17/04/1975"}, {"Fall"}),
    ({"from": "1975-1979"}, {"Fall", "May", "Later"}),
    ({"to": "1975-1979"}, {"Fall", "May", "Later", "Long ago"}),
    ({"from": "1979", "to": "1975"}, {"Fall", "May", "Later"}),  # reversed: read as 1975 to 1979
])
def test_from_and_to_understand_what_people_type(client, dated, params, found):
    assert years(client, **params) == found


def test_the_search_page_says_how_from_and_to_were_read(client, dated):
    page = client.get("/search", query_string={"from": "17/04/1975", "to": "April 1975"}).get_data(as_text=True)
    assert "“17/04/1975” was read as 17 April 1975" in page
    assert "“April 1975” was read as April 1975" in page
    reversed_ = client.get("/search", query_string={"from": "1979", "to": "1975"}).get_data(as_text=True)
    assert "“From” (1979) was after “To” (1975): the two were swapped" in reversed_
    unread = client.get("/search", query_string={"from": "sometime"}).get_data(as_text=True)
    assert "“sometime” is not a date this archive understands" in unread


def test_pages_show_dates_in_words_and_json_keeps_edtf(client, home, save):
    from archive import records
    regime = records.save_entity(home.db, home.index, "event", {"name": "Regime", "date": "1975/1979"})
    record = save(title="A letter", type="open_letter", date="2017-10-04", period="1975/2018",
                  events=[{"id": regime["id"]}])
    page = client.get(f"/records/{record['id']}").get_data(as_text=True)
    assert "<time>4 October 2017</time>" in page and "<time>1975–2018</time>" in page
    assert "<time>1975–1979</time>" in page
    assert "2017-10-04</time>" not in page and "1975/2018</time>" not in page
    assert client.get(f"/records/{record['id']}.json").get_json()["date"] == "2017-10-04"
    found = client.get("/search", query_string={"q": "letter"}).get_data(as_text=True)
    assert "<time>4 October 2017</time>" in found
    assert "<time>4 October 2017</time>" in client.get("/").get_data(as_text=True)
    event = record["events"][0]["id"]
    assert "<time>1975–1979</time>" in client.get(f"/events/{event}").get_data(as_text=True)
    assert "1975–1979" in client.get("/events").get_data(as_text=True)


def test_the_forms_keep_edtf(client, auth, save):
    record = save(title="A letter", date="1977~", period="1953/..")
    auth.sign_in_as("archivist")
    form = client.get(f"/records/{record['id']}/edit").get_data(as_text=True)
    assert 'value="1977~"' in form and 'value="1953/.."' in form


def test_citations_use_words():
    record = {"id": "r1", "title": "Testimony", "type": "testimony", "date": "1977~", "people": []}
    text = str(cite.chicago(record, "http://x/records/r1", dt.date(2026, 3, 5)))
    assert "Testimony, about 1977." in text and "1977~" not in text
    assert "(accessed 5 March 2026)" in text
    letter = {**record, "type": "open_letter", "date": "2017-10-04"}
    assert "Open letter, 4 October 2017." in str(cite.chicago(letter, "http://x", dt.date(2026, 3, 5)))
    ris = cite.ris(record, "http://x/records/r1", dt.date(2026, 3, 5))
    assert "DA  - 1977///about 1977\r\n" in ris
