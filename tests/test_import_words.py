"""Import speaks the interface's words (issue 15, item 3): types, roles and access by label or by code,
in any case, and each problem echoes the value at fault."""
import io
import json

import pytest

from archive import importer, records, store

ROWS = ("title,type,people,places,access\n"
        "Letter,Open letter,Justin C. Sok|Author,Long Beach|Written at,Public\n"
        "Talk,INTERVIEW,Sok Chan|narrator; Ann Lee|interviewer,Phnom Penh|recorded at,restricted\n"
        "Plea,open_letter,Kem Sokha|AUTHOR,Cambodia|recorded_at,private\n"
        "Memo,Document,,Paris|Recorded-At,public\n")


def imported(home, tmp_path, name: str, content: str) -> dict[str, dict]:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    importer.run(home.db, home.index, path)
    return {row["title"]: store.record_json(home.db, row)
            for row in store.iter_record_rows(home.db, records.SYSTEM)}


def test_csv_takes_labels_and_codes_in_any_case(home, tmp_path):
    found = imported(home, tmp_path, "words.csv", ROWS)
    assert {t: r["type"] for t, r in found.items()} == {
        "Letter": "open_letter", "Talk": "interview", "Plea": "open_letter", "Memo": "document"}
    assert found["Letter"]["people"][0]["role"] == "author"
    assert [p["role"] for p in found["Talk"]["people"]] == ["narrator", "interviewer"]
    assert {t: r["places"][0]["role"] for t, r in found.items()} == {
        "Letter": "written_at", "Talk": "recorded_at", "Plea": "recorded_at", "Memo": "recorded_at"}
    assert {t: r["access"] for t, r in found.items()} == {
        "Letter": "public", "Talk": "restricted", "Plea": "private", "Memo": "public"}


def test_json_lines_take_labels_too(home, tmp_path):
    line = {"title": "Letter", "type": "Open Letter", "access": "Restricted",
            "people": [{"name": "Justin C. Sok", "role": "Author"}],
            "places": [{"name": "Long Beach", "role": "Written at"}]}
    found = imported(home, tmp_path, "words.jsonl", json.dumps(line))["Letter"]
    assert (found["type"], found["access"]) == ("open_letter", "restricted")
    assert (found["people"][0]["role"], found["places"][0]["role"]) == ("author", "written_at")


@pytest.mark.parametrize("content, expected", [
    ("title,type,people\nA,testimony,Kem Sokha|auther\n",
     "line 2, people 1, role: 'auther' is not one of author, narrator, interviewer, recipient, "
     "signatory, translator, mentioned (did you mean author?)"),
    ("title,type,people\nA,testimony,Kem Sokha|author; Ann Lee|boss\n",
     "line 2, people 2, role: 'boss' is not one of author, narrator"),
    ("title,type\nA,memo\n",
     "line 2, type: 'memo' is not one of testimony, interview, open_letter, petition, statement, document"),
    ("title,type\nA,Open lettre\n",
     "line 2, type: 'Open lettre' is not one of testimony, interview, open_letter, petition, statement, "
     "document (did you mean open_letter?)"),
    ("title,type,places\nA,testimony,Paris|writen at\n",
     "line 2, places 1, role: 'writen at' is not one of recorded_at, written_at, origin, mentioned "
     "(did you mean written_at?)"),
    ("title,type,access\nA,testimony,secret\n",
     "line 2, access: 'secret' is not one of public, restricted, private"),
])
def test_each_problem_echoes_the_bad_value(home, tmp_path, content, expected):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(importer.ImportFailed) as failed:
        importer.run(home.db, home.index, path)
    assert expected in [str(p) for p in failed.value.problems][0]
    assert store.count_records(home.db, records.SYSTEM) == 0


def test_the_import_page_shows_the_bad_value(client, auth):
    auth.sign_in_as("archivist")
    response = client.post("/import", data={"file": (
        io.BytesIO(b"title,type,people\nA,testimony,Kem Sokha|auther\n"), "bad.csv")},
        content_type="multipart/form-data")
    text = response.get_data(as_text=True)
    assert "<code>people 1, role</code>: <span>&#39;auther&#39; is not one of author" in text


def test_a_json_path_deep_inside_reads_as_words(home, tmp_path):
    line = {"title": "A", "type": "testimony", "events": [{"name": "X"}, {"name": "Y", "date": "soon"}]}
    path = tmp_path / "deep.jsonl"
    path.write_text(json.dumps(line), encoding="utf-8")
    with pytest.raises(importer.ImportFailed) as failed:
        importer.run(home.db, home.index, path)
    assert str(failed.value.problems[0]).startswith("line 1, events 2, date: ")
