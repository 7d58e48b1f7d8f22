"""OAI-PMH 2.0 at /oai: the six verbs, every error, sets, dates, resumption while records change,
deletions, oai_dc valid against its XML Schema, and a real harvester (oaipmh-scythe) on a live server.

Two error codes of the protocol cannot occur here: `noSetHierarchy` (the archive has sets) and
`noMetadataFormats` (every item is available as oai_dc).
"""
import datetime as dt
from pathlib import Path

import pytest
from lxml import etree
from oaipmh_scythe import Scythe
from oaipmh_scythe.config import HTTPConfig

from archive import records, store
from conftest import SAMPLE, SAMPLE_PUBLIC, LiveServer, read_jsonl

NS = {"o": "http://www.openarchives.org/OAI/2.0/", "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
      "dc": "http://purl.org/dc/elements/1.1/"}
XSD = Path(__file__).resolve().parent / "xsd"


class LocalSchemas(etree.Resolver):
    """The XML Schemas oai_dc imports, from the copies in tests/xsd (no network at test time)."""

    def resolve(self, url, pubid, context):
        name = url.rsplit("/", 1)[-1]
        if (XSD / name).exists():
            return self.resolve_filename(str(XSD / name), context)
        raise AssertionError(f"the schema asked for {url}, which tests/xsd does not hold")


def oai_dc_schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(LocalSchemas())
    return etree.XMLSchema(etree.parse(str(XSD / "oai_dc.xsd"), parser))


def oai_pmh_schema() -> etree.XMLSchema:
    """OAI-PMH.xsd together with oai_dc (its metadata is checked strictly), all from tests/xsd."""
    wrapper = f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
      <xs:import namespace="{NS['o']}" schemaLocation="{(XSD / 'OAI-PMH.xsd').as_uri()}"/>
      <xs:import namespace="{NS['oai_dc']}" schemaLocation="{(XSD / 'oai_dc.xsd').as_uri()}"/>
    </xs:schema>"""
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(LocalSchemas())
    return etree.XMLSchema(etree.fromstring(wrapper, parser))


def oai(client, method="get", **args):
    response = getattr(client, method)("/oai", **({"query_string": args} if method == "get" else {"data": args}))
    assert response.status_code == 200 and response.mimetype == "text/xml"
    return etree.fromstring(response.data)


def error_code(tree) -> str | None:
    errors = tree.findall("o:error", NS)
    return errors[0].get("code") if errors else None


def identifiers(tree) -> list[str]:
    return [h.findtext("o:identifier", namespaces=NS) for h in tree.iter("{%s}header" % NS["o"])]


def harvest(client, verb="ListIdentifiers", **args) -> list:
    """Every header of a list, following resumption tokens."""
    headers, tree = [], oai(client, verb=verb, metadataPrefix="oai_dc", **args)
    while True:
        if error_code(tree):
            return [error_code(tree)]
        headers += list(tree.iter("{%s}header" % NS["o"]))
        token = tree.find(".//o:resumptionToken", NS)
        if token is None or not token.text:
            return headers
        tree = oai(client, verb=verb, resumptionToken=token.text)


@pytest.fixture
def oai_app(app):
    app.config["OAI_PAGE_SIZE"] = 3
    return app


def save_many(save, n, **fields):
    return [save(id=f"r-a{i}", title=f"Record {i}", **fields) for i in range(n)]


def test_identify_formats_and_sets(client, save):
    save(title="Letter", type="open_letter", collection="Diaspora letters")
    save(title="សំបុត្រ", collection="លិខិត")
    tree = oai(client, verb="Identify")
    identify = tree.find("o:Identify", NS)
    assert identify.findtext("o:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("o:baseURL", namespaces=NS) == "http://localhost/oai"
    assert identify.findtext("o:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("o:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert tree.find("o:request", NS).get("verb") == "Identify"
    formats = oai(client, verb="ListMetadataFormats")
    assert [f.text for f in formats.iter("{%s}metadataPrefix" % NS["o"])] == ["oai_dc"]
    specs = [s.text for s in oai(client, verb="ListSets").iter("{%s}setSpec" % NS["o"])]
    assert {"type", "type:interview", "collection", "collection:diaspora-letters"} <= set(specs)
    khmer = next(s for s in specs if s.startswith("collection:c"))
    got = harvest(client, set=khmer)
    assert len(got) == 1 and harvest(client, set="collection:diaspora-letters")[0] is not None
    assert [h.findall("o:setSpec", NS)[0].text for h in harvest(client, set="type:open_letter")] == [
        "type:open_letter"]
    assert harvest(client, set="type:statement") == ["noRecordsMatch"]


def forged_tokens():
    from archive.views.oai import encode_token
    good = {"verb": "ListRecords", "from": None, "until": None, "set": None,
            "after": ["2026-01-01T00:00:00Z", "r-a0"], "cursor": 3}
    return [encode_token({**good, **change}) for change in (
        {"after": [1]}, {"after": ["a", "b", "c"]}, {"cursor": "3"}, {"cursor": -1}, {"from": "yesterday"},
        {"set": 5}, {"verb": "ListIdentifiers"}, {"extra": 1})] + ["e30", "WzFd", "%%%"]


def test_every_error_code(client, save):
    record = save(title="One")
    ident = f"oai:localhost:{record['id']}"
    cases = [
        ({}, "badVerb"),
        ({"verb": "Harvest"}, "badVerb"),
        ({"verb": ["Identify", "Identify"]}, "badVerb"),
        ({"verb": "Identify", "extra": "1"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "GetRecord", "identifier": ident}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": ["oai_dc", "oai_dc"]}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-02-30"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-01-01",
          "until": "2020-01-02T00:00:00Z"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2021-01-01", "until": "2020-01-01"},
         "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "colour:red"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "x"}, "badArgument"),
        ({"verb": "ListRecords", "resumptionToken": "not-a-token"}, "badResumptionToken"),
        ({"verb": "ListIdentifiers", "resumptionToken": "eyJ2ZXJiIjoxfQ"}, "badResumptionToken"),
        ({"verb": "ListSets", "resumptionToken": "x"}, "badResumptionToken"),
        *(({"verb": "ListRecords", "resumptionToken": forged}, "badResumptionToken") for forged in forged_tokens()),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        ({"verb": "GetRecord", "identifier": ident, "metadataPrefix": "mods"}, "cannotDisseminateFormat"),
        ({"verb": "GetRecord", "identifier": "oai:localhost:r-none", "metadataPrefix": "oai_dc"},
         "idDoesNotExist"),
        ({"verb": "GetRecord", "identifier": "some-other-scheme", "metadataPrefix": "oai_dc"},
         "idDoesNotExist"),
        ({"verb": "ListMetadataFormats", "identifier": "oai:localhost:r-none"}, "idDoesNotExist"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2999-01-01"}, "noRecordsMatch"),
        ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "until": "2000-01-01T00:00:00Z"},
         "noRecordsMatch"),
    ]
    for args, code in cases:
        tree = oai(client, **args)
        assert error_code(tree) == code, args
        request = tree.find("o:request", NS)
        assert request.text == "http://localhost/oai"
        if code in ("badVerb", "badArgument"):
            assert not request.attrib, args  # the protocol echoes no arguments then
    # control characters in an argument never make the answer unreadable XML
    assert error_code(oai(client, verb="Identify\x01")) == "badVerb"


def test_every_answer_is_valid_oai_pmh(oai_app, client, save):
    schema = oai_pmh_schema()
    save_many(save, 5, collection="Letters")
    db = store.connect(oai_app.config["DATABASE"])
    try:
        records.delete_record(db, oai_app.extensions["archive"].index, "r-a1")
    finally:
        db.close()
    first = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = first.find(".//o:resumptionToken", NS).text
    requests = [
        {"verb": "Identify"}, {"verb": "ListMetadataFormats"}, {"verb": "ListSets"},
        {"verb": "ListMetadataFormats", "identifier": "oai:localhost:r-a0"},
        {"verb": "GetRecord", "identifier": "oai:localhost:r-a0", "metadataPrefix": "oai_dc"},
        {"verb": "GetRecord", "identifier": "oai:localhost:r-a1", "metadataPrefix": "oai_dc"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "collection:letters"},
        {"verb": "ListIdentifiers", "resumptionToken": token},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2000-01-01", "until": "2999-01-01"},
        {"verb": "Nope"}, {"verb": "ListRecords"}, {"verb": "ListRecords", "resumptionToken": "zz"},
        {"verb": "GetRecord", "identifier": "x", "metadataPrefix": "oai_dc"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2999-01-01"},
    ]
    for args in requests:
        tree = oai(client, **args)
        assert schema.validate(tree), (args, schema.error_log.last_error)
    for page in (first, oai(client, verb="ListIdentifiers", resumptionToken=token)):
        assert schema.validate(page), schema.error_log.last_error


def test_post_works_with_csrf_on(sample_app):
    client = sample_app.test_client()
    tree = oai(client, "post", verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert error_code(tree) is None and len(identifiers(tree)) == SAMPLE_PUBLIC


def test_get_record_and_oai_dc_valid_against_its_schema(sample_app):
    client = sample_app.test_client()
    schema = oai_dc_schema()
    tree = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    dcs = tree.findall(".//oai_dc:dc", NS)
    assert len(dcs) == SAMPLE_PUBLIC
    for dc in dcs:
        schema.assertValid(etree.ElementTree(etree.fromstring(etree.tostring(dc))))
    record = oai(client, verb="GetRecord", metadataPrefix="oai_dc", identifier="oai:localhost:r-seed-letter")
    dc = record.find(".//oai_dc:dc", NS)
    schema.assertValid(etree.ElementTree(etree.fromstring(etree.tostring(dc))))
    values = {}
    for element in dc:
        values.setdefault(etree.QName(element).localname, []).append(element.text)
    assert values["title"] == ["The Cambodian people should no longer be left behind"]
    assert values["creator"] == ["Justin C. Sok"]
    assert "António Guterres" in values["contributor"]
    assert "Kem Sokha" in values["subject"]
    assert "http://localhost/records/r-seed-letter" in values["identifier"]
    assert values["date"] == ["2017-10-04"]
    # a broken oai_dc is caught by the schema (the check has teeth)
    bad = etree.fromstring(etree.tostring(dc))
    etree.SubElement(bad, "{%s}colour" % NS["dc"]).text = "red"
    assert not schema.validate(etree.ElementTree(bad))


def test_public_records_only_and_deletions_persist(oai_app, client, save):
    public = save(title="Open")
    gone = save(title="Deleted later")
    withdrawn = save(title="Made private later")
    save(title="Never public", access="private")
    save(title="Restricted", access="restricted")
    save(title="Embargoed", embargo_until="2999-01-01")
    index = oai_app.extensions["archive"].index
    db = store.connect(oai_app.config["DATABASE"])
    try:
        records.delete_record(db, index, gone["id"])
        records.save_record(db, index, {"id": withdrawn["id"], "type": "petition",
                                        "title": "Made private later", "access": "private",
                                        "collection": "Secret plans"})
    finally:
        db.close()
    headers = harvest(client)
    status = {h.findtext("o:identifier", namespaces=NS).split(":")[-1]: h.get("status") for h in headers}
    assert status == {public["id"]: None, gone["id"]: "deleted", withdrawn["id"]: "deleted"}
    record = oai(client, verb="GetRecord", metadataPrefix="oai_dc", identifier=f"oai:localhost:{gone['id']}")
    assert record.find(".//o:header", NS).get("status") == "deleted"
    assert record.find(".//o:metadata", NS) is None
    full = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert b"Made private later" not in etree.tostring(full)
    # harvesters know a withdrawn record by the sets of its last public version, nothing later
    assert harvest(client, set="type:petition") == ["noRecordsMatch"]
    assert sorted(str(h.get("status")) for h in harvest(client, set="type:testimony")) == [
        "None", "deleted", "deleted"]
    assert b"Secret" not in etree.tostring(oai(client, verb="ListSets"))
    assert b"secret" not in etree.tostring(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc"))
    for hidden in ("Never public", "Restricted", "Embargoed"):
        assert hidden.encode() not in etree.tostring(full)


def test_from_and_until_at_both_granularities(client, save):
    save_many(save, 4)
    stamps = sorted(h.findtext("o:datestamp", namespaces=NS) for h in harvest(client))
    first, last = stamps[0], stamps[-1]
    today = first[:10]
    yesterday = (dt.date.fromisoformat(today) - dt.timedelta(days=1)).isoformat()
    assert len(harvest(client, **{"from": today})) == 4
    assert len(harvest(client, until=today)) == 4
    assert harvest(client, until=yesterday) == ["noRecordsMatch"]
    assert len(harvest(client, **{"from": first, "until": last})) == 4
    after = (dt.datetime.strptime(last, "%Y-%m-%dT%H:%M:%SZ") + dt.timedelta(seconds=1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    assert harvest(client, **{"from": after}) == ["noRecordsMatch"]


def test_resumption_tokens_stay_correct_while_records_change(oai_app, client, save):
    made = save_many(save, 10)
    tree = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    seen = identifiers(tree)
    token = tree.find(".//o:resumptionToken", NS)
    assert len(seen) == 3 and token.get("cursor") == "0" and token.get("completeListSize") == "10"
    index = oai_app.extensions["archive"].index
    db = store.connect(oai_app.config["DATABASE"])
    try:  # while the harvest is under way: change, delete and add records
        records.save_record(db, index, {"id": "r-a5", "type": "testimony", "title": "Changed", "access": "public"})
        records.delete_record(db, index, "r-a6")
        records.save_record(db, index, {"id": "r-z", "type": "testimony", "title": "New", "access": "public"})
    finally:
        db.close()
    deleted = set()
    while token is not None and token.text:
        tree = oai(client, verb="ListRecords", resumptionToken=token.text)
        assert error_code(tree) is None
        seen += identifiers(tree)
        deleted |= {h.findtext("o:identifier", namespaces=NS) for h in tree.iter("{%s}header" % NS["o"])
                    if h.get("status") == "deleted"}
        token = tree.find(".//o:resumptionToken", NS)
    assert token.get("cursor") is not None and not token.text  # the last page ends the list
    expected = {f"oai:localhost:{r['id']}" for r in made} | {"oai:localhost:r-z"}
    assert set(seen) == expected and len(seen) == len(expected)
    assert deleted == {"oai:localhost:r-a6"}


@pytest.fixture
def harvested(sample_app):
    """A live server over the sample, plus records a harvester must not see and one deletion."""
    index = sample_app.extensions["archive"].index
    db = store.connect(sample_app.config["DATABASE"])
    try:
        for access in ("restricted", "private"):
            records.save_record(db, index, {"id": f"r-canary-{access}", "type": "testimony",
                                            "title": f"Canary {access}", "access": access})
        records.save_record(db, index, {"id": "r-canary-embargo", "type": "testimony", "title": "Embargo",
                                        "access": "public", "embargo_until": "2999-01-01"})
        records.save_record(db, index, {"id": "r-gone", "type": "document", "title": "Gone",
                                        "access": "public"})
        records.delete_record(db, index, "r-gone")
    finally:
        db.close()
    sample_app.config["OAI_PAGE_SIZE"] = 7  # several pages, so the harvester follows tokens
    with LiveServer(sample_app) as server:
        yield server


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_real_harvester_gets_every_public_record_and_nothing_else(harvested, method):
    public = {o["id"] for o in read_jsonl(SAMPLE.read_text()) if o.get("kind", "record") == "record"}
    with Scythe(f"{harvested.url}/oai", http_config=HTTPConfig(http_method=method)) as scythe:
        identify = scythe.identify()
        assert identify.deletedRecord == "persistent"
        live = list(scythe.list_records(metadata_prefix="oai_dc", ignore_deleted=True))
        ids = [r.header.identifier.split(":", 2)[2] for r in live]
        assert sorted(ids) == sorted(public)
        letter = next(r for r in live if r.header.identifier.endswith(":r-seed-letter"))
        assert letter.metadata["title"] == ["The Cambodian people should no longer be left behind"]
        every = list(scythe.list_identifiers(metadata_prefix="oai_dc"))
        assert {h.identifier.split(":", 2)[2] for h in every if h.deleted} == {"r-gone"}
        interviews = list(scythe.list_identifiers(metadata_prefix="oai_dc", set_="type:interview"))
        assert interviews and len(interviews) < len(public)
        sets = {s.setSpec for s in scythe.list_sets()}
        assert "collection:diaspora-letters" in sets
        record = scythe.get_record(identifier=letter.header.identifier)
        assert "Kem Sokha" in record.metadata["subject"]
