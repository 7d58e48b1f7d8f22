#!/usr/bin/env python3
"""Build the bundled sample collection, archive/sample/sample.jsonl, from the shared test data.

Usage::

    python scripts/build_sample.py                      # reads ../shared/data, writes the sample
    python scripts/build_sample.py --data DIR -o FILE

The sample is a small, linked slice of real material, in the archive's import format (places, people,
events, then records; every line has its ``kind``):

- the seed letter (``data/seed-letter.txt``), Justin C. Sok's 2017 open letter to the UN
  Secretary-General, with its people, events and places; the letter's text is kept as written, only the
  petition site's own lines around it are left out;
- the Universal Declaration of Human Rights in English and Khmer, article by article, so that Khmer search
  can be shown next to its English counterpart;
- WPA interviews with formerly enslaved people, three We the People petitions.

Corpus records come from ``convert_corpus.py`` (imported), so they carry the same ids, sources and
licences as a full corpus import. No text is shortened or altered; book-length narratives (over
100 KB) are left out. The Cambodian authorities carry their Khmer spellings as ``variants``; the script
checks each Khmer spelling against the Khmer word list and the Khmer UDHR text and stops if a note
claims a confirmation that the data does not give. Output is deterministic. Standard library only.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import convert_corpus as cc  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_OUT = ROOT / "archive" / "sample" / "sample.jsonl"
MAX_TEXT = 100_000  # characters; longer texts stay out of the sample

WORD_LIST = "Khmer word list (Debian tesseract-ocr-khm)"

# --------------------------------------------------------------------------------------------------
# Corpus records in the sample: id -> a word its title must contain (guards against a reordered corpus)

CORPUS_RECORDS = {
    "udhr-en-preamble": "Preamble", "udhr-km-preamble": "Preamble",
    "udhr-en-01": "Article 1", "udhr-km-01": "Article 1",
    "udhr-en-03": "Article 3", "udhr-km-03": "Article 3",
    "udhr-en-04": "Article 4", "udhr-km-04": "Article 4",
    "udhr-en-05": "Article 5", "udhr-km-05": "Article 5",
    "udhr-en-09": "Article 9", "udhr-km-09": "Article 9",
    "udhr-en-19": "Article 19", "udhr-km-19": "Article 19",
    "udhr-en-21": "Article 21", "udhr-km-21": "Article 21",
    "wpa-al-0001": "Charlie Aarons",
    "wpa-al-0042": "Delia Garlic",
    "wpa-al-0090": "Wade Owens",
    "wpa-ga-0001": "Rachel Adams",
    "wpa-ga-0006": "Celestia Avery",
    "wpa-ga-0007": "Celestia Avery",
    "wpa-fl-0016": "Douglas Dorsey",
    "wpa-mo-0016": "Harriet Casey",
    "wpa-tx-0026": "La San Mire",
    "wpa-sc-0003": "Sam Rawls",
    "wpa-sc-0004": "Sam Rawls",
    "pet-0010": "Malaysia",
    "pet-0045": "Armenian Genocide",
    "pet-0058": "Henrique Capriles",
}
# Subjects added to the collection's fixed ones, from what each title says.
EXTRA_SUBJECTS = {
    "udhr-en-04": ["slavery"], "udhr-km-04": ["slavery"],
    "udhr-en-09": ["arbitrary detention"], "udhr-km-09": ["arbitrary detention"],
    "udhr-en-19": ["freedom of expression"], "udhr-km-19": ["freedom of expression"],
    "udhr-en-21": ["elections"], "udhr-km-21": ["elections"],
    "pet-0010": ["elections"], "pet-0045": ["genocide"], "pet-0058": ["elections", "human rights"],
}

# --------------------------------------------------------------------------------------------------
# Authorities of the seed letter

PLACES = [
    {"kind": "place", "id": "l-cambodia", "name": "Cambodia",
     "variants": ["កម្ពុជា", "Kampuchea", "Kingdom of Cambodia", "Cambodge"],
     "lat": 12.57, "lon": 104.99, "part_of": None,
     "note": "Country in Southeast Asia; capital Phnom Penh. “Kampuchea” is the romanised Khmer name "
             "(as in Democratic Kampuchea, 1975-1979). Khmer spelling កម្ពុជា confirmed in a "
             f"{WORD_LIST}."},
    {"kind": "place", "id": "l-phnom-penh", "name": "Phnom Penh", "variants": ["ភ្នំពេញ"],
     "lat": 11.5564, "lon": 104.9282, "part_of": "l-cambodia",
     "note": f"Capital of Cambodia. Khmer spelling ភ្នំពេញ confirmed in a {WORD_LIST}."},
    {"kind": "place", "id": "l-california", "name": "California", "variants": ["កាលីហ្វ័រញ៉ា"],
     "lat": 36.78, "lon": -119.42, "part_of": "l-united-states",
     "note": "US state. Coordinates: approximate centre of the state. Khmer spelling កាលីហ្វ័រញ៉ា "
             f"confirmed in a {WORD_LIST}."},
    {"kind": "place", "id": "l-long-beach-california", "name": "Long Beach, California",
     "variants": ["Long Beach"], "lat": 33.77, "lon": -118.19, "part_of": "l-california",
     "note": "City in Los Angeles County, California, home to one of the largest Cambodian communities "
             "outside Cambodia."},
    {"kind": "place", "id": "l-thailand", "name": "Thailand", "variants": ["ប្រទេសថៃ"],
     "lat": 15.87, "lon": 100.99, "part_of": None,
     "note": f"Country in Southeast Asia. Khmer spelling ប្រទេសថៃ confirmed in a {WORD_LIST}."},
    {"kind": "place", "id": "l-thai-cambodian-border-camps", "name": "Thai–Cambodian border refugee camps",
     "variants": ["Thai refugee camp", "Thai refugee camps", "Cambodian refugee camps in Thailand"],
     "lat": None, "lon": None, "part_of": "l-thailand",
     "note": "Camps on the Thai side of the Thai–Cambodian border that sheltered Cambodian refugees "
             "from 1979 (Khao-I-Dang was the largest). The 2017 open letter says the author's father "
             "died in 1981 in a “Thai refugee concentration camp” without naming the camp; no "
             "coordinates for that reason."},
]

PEOPLE = [
    {"kind": "person", "id": "p-justin-c-sok", "name": "Justin C. Sok", "variants": ["Justin Sok"],
     "dates": None,
     "note": "Cambodian American living in Long Beach, California, who signs his 2017 open letter to "
             "the UN Secretary-General as a survivor of the “Killing Fields”."},
    {"kind": "person", "id": "p-antonio-guterres", "name": "António Guterres",
     "variants": ["Antonio Guterres"], "dates": "1949/..",
     "note": "Secretary-General of the United Nations since 1 January 2017; born 30 April 1949."},
    {"kind": "person", "id": "p-hun-sen", "name": "Hun Sen", "variants": ["ហ៊ុន សែន"],
     "dates": "1952/..",
     "note": "Prime Minister of Cambodia from 1985 to 2023 and leader of the Cambodian People's Party; "
             "a former Khmer Rouge commander who defected to Vietnam in 1977. Born 5 August 1952 "
             "according to his official biography (some sources give 1951). Khmer spelling ហ៊ុន សែន "
             f"confirmed in a {WORD_LIST}, which lists ហ៊ុនសែន, លោកហ៊ុនសែន and សម្តេចហ៊ុនសែន."},
    {"kind": "person", "id": "p-kem-sokha", "name": "Kem Sokha", "variants": ["កឹម សុខា", "Kim Sokha"],
     "dates": "1953/..",
     "note": "Cambodian opposition politician, born 27 June 1953; president of the Cambodia National "
             "Rescue Party (CNRP) from March 2017; arrested at his home in Phnom Penh on 3 September "
             "2017 and charged with treason. “Kim Sokha” is another romanisation of his name. Khmer "
             f"spelling កឹម សុខា: both parts (កឹម, សុខា) are in a {WORD_LIST}, the full name is not; "
             "it matches the spelling given by Wikipedia."},
    {"kind": "person", "id": "p-sam-rainsy", "name": "Sam Rainsy", "variants": ["សម រង្ស៊ី", "សម រង្ស៉ី"],
     "dates": "1949/..",
     "note": "Cambodian opposition politician, born 10 March 1949; founder of the Sam Rainsy Party, "
             "co-founder of the Cambodia National Rescue Party (CNRP) and its president until February "
             "2017; in exile since 2015. Khmer spelling សម រង្ស៊ី not verified against the project's "
             f"Khmer sources (the {WORD_LIST} has សម but only រង្សី, without the triisap); it matches "
             "the spelling given by Wikipedia and Khmer-language news sites. The second variant, with "
             "muusikatoan (រង្ស៉ី), occurs in some Khmer-language news sites."},
    {"kind": "person", "id": "p-hun-manet", "name": "Hun Manet", "variants": ["ហ៊ុន ម៉ាណែត"],
     "dates": "1977/..",
     "note": "Eldest son of Hun Sen, born 20 October 1977; general in the Royal Cambodian Armed Forces "
             "(in 2017, head of the National Counter-Terrorism Task Force and deputy commander of the "
             "Prime Minister's Bodyguard Unit); Prime Minister of Cambodia since 22 August 2023. Khmer "
             f"spelling ហ៊ុន ម៉ាណែត: both parts (ហ៊ុន, ម៉ាណែត) are in a {WORD_LIST}, the full name "
             "is not; it matches the spelling given by Wikipedia."},
    {"kind": "person", "id": "p-kim-sok", "name": "Kim Sok", "variants": [], "dates": None,
     "note": "Independent Cambodian political analyst, named in the 2017 open letter as arrested and "
             "jailed. Khmer spelling not recorded here (not verified against a source)."},
    {"kind": "person", "id": "p-donald-trump", "name": "Donald Trump",
     "variants": ["Donald J. Trump", "ដូណាល់ ត្រាំ"], "dates": "1946/..",
     "note": "President of the United States (2017-2021, and again from 2025), born 14 June 1946. The "
             "2017 open letter quotes his speech to the 72nd United Nations General Assembly "
             f"(19 September 2017). Khmer spelling ដូណាល់ ត្រាំ confirmed in a {WORD_LIST}, which lists "
             "ដូណាល់ត្រាំ."},
]

EVENTS = [
    {"kind": "event", "id": "e-khmer-rouge-regime", "name": "Khmer Rouge regime",
     "variants": ["Democratic Kampuchea", "ខ្មែរក្រហម", "របបខ្មែរក្រហម", "កម្ពុជាប្រជាធិបតេយ្យ"],
     "date": "1975/1979",
     "places": [{"id": "l-cambodia", "name": "Cambodia"}, {"id": "l-phnom-penh", "name": "Phnom Penh"}],
     "part_of": None,
     "note": "Rule of the Khmer Rouge over Cambodia, officially Democratic Kampuchea, from the fall of "
             "Phnom Penh on 17 April 1975 to the capture of Phnom Penh by Vietnamese forces on "
             "7 January 1979. Other names: Democratic Kampuchea; Khmer: របបខ្មែរក្រហម (Khmer Rouge "
             "regime), ខ្មែរក្រហម (Khmer Rouge), កម្ពុជាប្រជាធិបតេយ្យ (Democratic Kampuchea). "
             f"របបខ្មែរក្រហម and ខ្មែរក្រហម are confirmed in a {WORD_LIST}; for "
             "កម្ពុជាប្រជាធិបតេយ្យ only its two parts (កម្ពុជា, ប្រជាធិបតេយ្យ) are."},
    {"kind": "event", "id": "e-cambodian-genocide", "name": "Cambodian genocide", "date": "1975/1979",
     "places": [{"id": "l-cambodia", "name": "Cambodia"}], "part_of": "e-khmer-rouge-regime",
     "note": "The mass killings, forced labour and starvation under the Khmer Rouge regime, 1975-1979, "
             "in which between 1.5 and 2 million people died. Often called the “Killing Fields”; the "
             "2017 open letter also calls the period “Year Zero”. Khmer: វាលពិឃាត (“killing fields”: "
             f"វាល field, ពិឃាត killing): the spelling is in a {WORD_LIST}, its meaning is not checked "
             "against the project's data. A Khmer name for the genocide itself is not recorded here "
             "(not verified against a source)."},
    {"kind": "event", "id": "e-vietnamese-invasion-of-cambodia", "name": "Vietnamese invasion of Cambodia",
     "date": "1978-12-25/1979-01-07",
     "places": [{"id": "l-cambodia", "name": "Cambodia"}, {"id": "l-phnom-penh", "name": "Phnom Penh"}],
     "part_of": None,
     "note": "Vietnamese forces entered Cambodia on 25 December 1978 and took Phnom Penh on 7 January "
             "1979, ending the Khmer Rouge regime. The 2017 open letter dates it to 1979. Khmer name not "
             "recorded here (not verified against a source)."},
    {"kind": "event", "id": "e-arrest-of-kem-sokha", "name": "Arrest of Kem Sokha", "date": "2017-09-03",
     "places": [{"id": "l-phnom-penh", "name": "Phnom Penh"}], "part_of": None,
     "note": "Kem Sokha, president of the Cambodia National Rescue Party (CNRP), was arrested at his "
             "home in Phnom Penh shortly after midnight on 3 September 2017 and charged with treason. "
             "The Supreme Court dissolved the CNRP on 16 November 2017. Khmer ការចាប់ខ្លួន កឹម សុខា "
             "(“the arrest of Kem Sokha”) is a descriptive name made for this archive, not an attested "
             f"title; its parts (ការចាប់ខ្លួន, កឹម, សុខា) are in a {WORD_LIST}."},
    {"kind": "event", "id": "e-2018-cambodian-general-election", "name": "2018 Cambodian general election",
     "date": "2018-07-29", "places": [{"id": "l-cambodia", "name": "Cambodia"}], "part_of": None,
     "note": "Election of the National Assembly on 29 July 2018, held after the main opposition party, "
             "the CNRP, had been dissolved; the Cambodian People's Party won all 125 seats. Khmer "
             "ការបោះឆ្នោត ឆ្នាំ២០១៨ (“the 2018 election”, with Khmer digits) is a descriptive name made "
             f"for this archive, not an attested title; its words (ការបោះឆ្នោត, ឆ្នាំ) are in a {WORD_LIST}."},
]

# Khmer spellings and what the data must confirm for the notes above to be true:
# "entry" = the spelling (without spaces) is a word-list entry, "parts" = each listed part is,
# "udhr" = it occurs in the Khmer UDHR, "none" = not confirmed by the project's data.
KHMER_CLAIMS = [
    ("p-hun-sen", "ហ៊ុន សែន", "entry", None),
    ("p-kem-sokha", "កឹម សុខា", "parts", ["កឹម", "សុខា"]),
    ("p-sam-rainsy", "សម រង្ស៊ី", "none", None),
    ("p-sam-rainsy", "សម រង្ស៉ី", "none", None),
    ("p-hun-manet", "ហ៊ុន ម៉ាណែត", "parts", ["ហ៊ុន", "ម៉ាណែត"]),
    ("l-cambodia", "កម្ពុជា", "entry", None),
    ("l-phnom-penh", "ភ្នំពេញ", "entry", None),
    ("l-california", "កាលីហ្វ័រញ៉ា", "entry", None),
    ("l-thailand", "ប្រទេសថៃ", "entry", None),
    ("l-united-states", "សហរដ្ឋអាមេរិក", "entry", None),
    ("l-paris", "ប៉ារីស", "entry", None),
    ("e-khmer-rouge-regime", "របបខ្មែរក្រហម", "entry", None),
    ("e-khmer-rouge-regime", "ខ្មែរក្រហម", "entry", None),
    ("e-khmer-rouge-regime", "កម្ពុជាប្រជាធិបតេយ្យ", "parts", ["កម្ពុជា", "ប្រជាធិបតេយ្យ"]),
    ("e-udhr-adoption", "សេចក្ដីប្រកាសជាសកលស្ដីពីសិទ្ធិមនុស្ស", "udhr", None),
    ("p-donald-trump", "ដូណាល់ ត្រាំ", "entry", None),
    ("e-cambodian-genocide", "វាលពិឃាត", "entry", None),
    ("e-arrest-of-kem-sokha", "ការចាប់ខ្លួន កឹម សុខា", "parts", ["ការចាប់ខ្លួន", "កឹម", "សុខា"]),
    ("e-2018-cambodian-general-election", "ការបោះឆ្នោត ឆ្នាំ២០១៨", "parts", ["ការបោះឆ្នោត", "ឆ្នាំ"]),
]
_STRENGTH = {"none": 0, "parts": 1, "entry": 2, "udhr": 2}

# --------------------------------------------------------------------------------------------------
# The seed letter

SEED_TITLE = "The Cambodian people should no longer be left behind"
SEED_SITE_TITLE = "The Cambodian people should no longer be left behind as in the “Killing Fields.”"
# Paragraphs of the petition page that are not part of the letter.
SEED_CHROME_BEFORE = ["Petition Closed", SEED_SITE_TITLE, "This petition had 475 supporters"]
SEED_CHROME_FROM = "*Please help sign my petition."  # this paragraph and everything after it


def seed_letter_text(raw: str) -> str:
    """The letter's paragraphs (one blank line apart), without the petition site's lines around it."""
    paragraphs = [" ".join(line.strip() for line in block.splitlines()).strip()
                  for block in re.split(r"\n\s*\n", raw.replace("\r\n", "\n"))]
    paragraphs = [p for p in paragraphs if p]
    for chrome in SEED_CHROME_BEFORE:
        if paragraphs[0] != chrome:
            raise SystemExit(f"seed letter: expected {chrome!r} at the top, found {paragraphs[0]!r}")
        paragraphs.pop(0)
    if SEED_CHROME_FROM not in paragraphs:
        raise SystemExit(f"seed letter: {SEED_CHROME_FROM!r} not found")
    return "\n\n".join(paragraphs[:paragraphs.index(SEED_CHROME_FROM)])


def _links(ids: list[tuple[str, str | None]], by_id: dict[str, dict]) -> list[dict]:
    return [cc.link(by_id[i], role) for i, role in ids]


def seed_letter_record(data: Path, by_id: dict[str, dict]) -> dict:
    text = seed_letter_text((data / "seed-letter.txt").read_text(encoding="utf-8"))
    return {
        "kind": "record", "id": "r-seed-letter", "type": "open_letter", "title": SEED_TITLE,
        "summary": "Open letter and online petition from Justin C. Sok, a Cambodian American survivor of "
                   "the Khmer Rouge regime living in Long Beach, California, to UN Secretary-General "
                   "António Guterres. He recalls his family's losses under the Khmer Rouge and his "
                   "father's death in a Thai refugee camp in 1981, and asks the UN to condemn Prime "
                   "Minister Hun Sen and to demand the release of opposition leader Kem Sokha and other "
                   "political activists, the return of Sam Rainsy and of independent media, and a free "
                   "and fair election in July 2018.",
        "text": text, "language": ["en"], "date": "2017-10-04", "period": "1975/2018",
        "people": _links([("p-justin-c-sok", "author"), ("p-antonio-guterres", "recipient"),
                          ("p-hun-sen", "mentioned"), ("p-kem-sokha", "mentioned"),
                          ("p-sam-rainsy", "mentioned"), ("p-hun-manet", "mentioned"),
                          ("p-kim-sok", "mentioned"), ("p-donald-trump", "mentioned")], by_id),
        "events": _links([("e-khmer-rouge-regime", None), ("e-cambodian-genocide", None),
                          ("e-vietnamese-invasion-of-cambodia", None), ("e-arrest-of-kem-sokha", None),
                          ("e-2018-cambodian-general-election", None)], by_id),
        "places": _links([("l-long-beach-california", "written_at"), ("l-cambodia", "mentioned"),
                          ("l-thai-cambodian-border-camps", "mentioned"),
                          ("l-united-states", "mentioned")], by_id),
        "subjects": ["political prisoners", "elections", "Khmer Rouge", "diaspora", "refugees",
                     "human rights"],
        "collection": "Diaspora letters", "accession": "DL-2017-004",
        "source": {
            "citation": f"Justin C. Sok, “{SEED_SITE_TITLE}”, open letter and online petition to United "
                        "Nations Secretary-General António Guterres, October 4, 2017. Change.org "
                        "(petition closed; 475 supporters).",
            "url": "https://www.change.org/p/united-nations-the-cambodian-people-should-no-longer-be-left-"
                   "behind-as-in-the-killing-fields",
            "repository": "Change.org"},
        "rights": "© 2017 Justin C. Sok. Published by the author as an open letter and public petition; "
                  "quoted here for research and reference. Copyright remains with the author.",
        "access": "public", "embargo_until": None,
    }


# --------------------------------------------------------------------------------------------------

def khmer_status(spelling: str, parts: list[str] | None, words: set[str], udhr_km: str) -> str:
    if spelling.replace(" ", "") in words or spelling in words:
        return "entry"
    if spelling in udhr_km:
        return "udhr"
    if parts and all(p in words for p in parts):
        return "parts"
    if not parts and " " in spelling and all(p in words for p in spelling.split()):
        return "parts"
    return "none"


def check_khmer(lines: list[dict], data: Path) -> list[str]:
    """Check every Khmer spelling against the data; a note claiming more than the data gives stops the
    build. Returns a report, one line a spelling."""
    words = set((data / "khmer" / "khmer-words.txt").read_text(encoding="utf-8").split())
    udhr_km = "\n".join(r["title"] + "\n" + r["text"] for _, r in
                        cc.load_corpus([data / "corpus" / "udhr_un.jsonl"]) if r["language"] == "km")
    by_id = {obj["id"]: obj for obj in lines}
    khmer = re.compile(r"[\u1780-\u17ff]")
    claimed = {(i, s) for i, s, _, _ in KHMER_CLAIMS}
    report = []
    for obj in lines:  # every Khmer variant in the file must have a claim
        for variant in obj.get("variants", []):
            if khmer.search(variant) and (obj["id"], variant) not in claimed:
                raise SystemExit(f"{obj['id']}: Khmer variant {variant!r} has no entry in KHMER_CLAIMS")
    for aid, spelling, claim, parts in KHMER_CLAIMS:
        obj = by_id.get(aid)
        if obj is None or (spelling not in obj.get("variants", []) and spelling not in (obj.get("note") or "")):
            raise SystemExit(f"{aid}: Khmer spelling {spelling!r} is not in the authority")
        status = khmer_status(spelling, parts, words, udhr_km)
        if _STRENGTH[status] < _STRENGTH[claim]:
            raise SystemExit(f"{aid}: {spelling!r} is claimed '{claim}' but the data gives '{status}'")
        report.append(f"  {aid:32} {spelling:24} {status}")
    return report


def build(data: Path) -> tuple[list[dict], list[str]]:
    rows = cc.load_corpus([data / "corpus"])
    auth, records, _ = cc.convert_rows(rows)
    corpus_by_id = {r["id"]: r for r in records}
    selected = []
    for rid, expect in CORPUS_RECORDS.items():
        rec = corpus_by_id.get(rid)
        if rec is None or expect not in rec["title"]:
            raise SystemExit(f"corpus record {rid} missing or not about {expect!r}")
        if len(rec["text"] or "") > MAX_TEXT:
            raise SystemExit(f"{rid} is longer than {MAX_TEXT} characters")
        rec = dict(rec, subjects=rec["subjects"] + EXTRA_SUBJECTS.get(rid, []))
        selected.append(rec)

    # Authorities: those the chosen corpus records use (with their parents), then the letter's own.
    corpus_auth = {a["id"]: a for a in auth.lines()}
    for a in [*PLACES, *PEOPLE, *EVENTS]:
        if a["id"] in corpus_auth or a["id"] in corpus_by_id:
            raise SystemExit(f"id {a['id']} is already used by the corpus")
    by_id = {**corpus_auth, **{a["id"]: a for a in [*PLACES, *PEOPLE, *EVENTS]}}
    letter = seed_letter_record(data, by_id)
    records_out = [letter, *selected]

    used: set[str] = set()

    def use(aid: str) -> None:
        if aid in used:
            return
        used.add(aid)
        obj = by_id[aid]
        if obj.get("part_of"):
            use(obj["part_of"])
        for place in obj.get("places", []) if obj["kind"] == "event" else []:
            use(place["id"])

    for rec in records_out:
        for key in ("people", "events", "places"):
            for ref in rec[key]:
                use(ref["id"])

    def ordered(kind: str) -> list[dict]:
        items = [a for a in by_id.values() if a["kind"] == kind and a["id"] in used]
        if kind == "person":
            return items
        done: set[str] = set()
        out: list[dict] = []

        def emit(a: dict) -> None:  # parents first, so part_of always points backwards
            if a["id"] in done:
                return
            if a.get("part_of"):
                emit(by_id[a["part_of"]])
            done.add(a["id"])
            out.append(a)

        for a in items:
            emit(a)
        return out

    lines = [*ordered("place"), *ordered("person"), *ordered("event"), *records_out]
    return lines, check_khmer(lines, data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help=f"shared data folder ({DEFAULT_DATA})")
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUT, help=f"output file ({DEFAULT_OUT})")
    args = parser.parse_args(argv)
    lines, khmer_report = build(args.data)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8", newline="\n") as out:
        counts = cc.write_jsonl(lines, out)
    print(f"wrote {args.output} ({args.output.stat().st_size:,} bytes)", file=sys.stderr)
    print("lines: " + ", ".join(f"{counts.get(k, 0)} {k}" for k in ("place", "person", "event", "record")),
          file=sys.stderr)
    print("Khmer spellings (entry = in the word list, parts = each part is, udhr = in the Khmer UDHR, "
          "none = not confirmed by the data):", file=sys.stderr)
    print("\n".join(khmer_report), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
