"""Absolute links name the archive's configured public address (BASE_URL), never the Host header a
request came with: permalinks, citations, JSON-LD `@id` and `@context`, OAI-PMH `baseURL`, its
identifiers and `dc:identifier`. TRUSTED_HOSTS, when set, refuses other Host headers outright."""
from __future__ import annotations

import pytest

from archive import create_app, records
from conftest import config

HOSTILE = "evil.example"


@pytest.fixture
def public_app(tmp_path):
    app = create_app(config(tmp_path / "home", BASE_URL="https://archive.example.org/testimonies/",
                            PROXY_FIX=True))
    home = app.extensions["archive"]
    records.save_record(home.db, home.index, {"id": "r-letter", "type": "open_letter", "access": "public",
                                              "title": "A letter", "people": [{"name": "Kem Sokha"}]})
    yield app
    home.close()


URLS = ["/records/r-letter", "/records/r-letter.jsonld", "/export.jsonld", "/people",
        "/oai?verb=Identify", "/oai?verb=ListRecords&metadataPrefix=oai_dc",
        "/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:archive.example.org:r-letter"]


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("how", ["host", "forwarded"])
def test_links_name_the_configured_address_whatever_the_host_header(public_app, url, how):
    client = public_app.test_client()
    if how == "host":
        response = client.get(url, base_url=f"http://{HOSTILE}")
    else:  # through a proxy that passes on what the client sent (ProxyFix trusts X-Forwarded-Host)
        response = client.get(url, headers={"X-Forwarded-Host": HOSTILE, "X-Forwarded-Proto": "http"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body
    assert HOSTILE not in body
    if url != "/people":
        assert "https://archive.example.org/testimonies/" in body or "oai:archive.example.org:" in body


def test_each_kind_of_link_uses_the_configured_address(public_app):
    client = public_app.test_client()
    base = "https://archive.example.org/testimonies/"
    page = client.get("/records/r-letter", base_url=f"http://{HOSTILE}").get_data(as_text=True)
    assert f'href="{base}records/r-letter"' in page  # the permalink, and the citations below it
    assert page.count(f"{base}records/r-letter") >= 3
    node = client.get("/records/r-letter.jsonld", base_url=f"http://{HOSTILE}").get_json()
    assert node["@id"] == f"{base}records/r-letter" and node["@context"] == f"{base}schema/context.jsonld"
    identify = client.get("/oai?verb=Identify", base_url=f"http://{HOSTILE}").get_data(as_text=True)
    assert f"<baseURL>{base}oai</baseURL>" in identify
    record = client.get(URLS[-1], base_url=f"http://{HOSTILE}").get_data(as_text=True)
    assert f"<dc:identifier>{base}records/r-letter</dc:identifier>" in record


def test_trusted_hosts_refuse_any_other_host(tmp_path):
    app = create_app(config(tmp_path / "home", TRUSTED_HOSTS=["archive.example.org"]))
    client = app.test_client()
    assert client.get("/", base_url="http://archive.example.org").status_code == 200
    refused = client.get("/", base_url=f"http://{HOSTILE}")
    assert refused.status_code == 400 and HOSTILE not in refused.get_data(as_text=True)
    assert client.get("/search.json", base_url=f"http://{HOSTILE}").get_json()["status"] == 400
    app.extensions["archive"].close()


@pytest.mark.parametrize("bad", ["archive.example.org", "javascript:alert(1)", "ftp://archive.example.org/"])
def test_a_base_url_that_is_not_a_web_address_is_refused_at_start(tmp_path, bad):
    with pytest.raises(ValueError, match="BASE_URL"):
        create_app(config(tmp_path / "home", BASE_URL=bad))
