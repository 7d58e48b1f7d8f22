"""The registry of kinds and record types agrees with the JSON Schemas and with the database."""
import pytest

from archive import kinds, validation


@pytest.mark.parametrize("kind", kinds.KINDS, ids=lambda k: k.name)
def test_each_kind_is_found_by_name_and_by_plural(kind):
    assert kinds.get(kind.name) is kind
    assert kinds.by_plural(kind.plural) is kind
    assert kinds.is_authority(kind.name) == (kind is not kinds.RECORD)


def test_unknown_kinds_are_refused():
    with pytest.raises(KeyError):
        kinds.get("people")
    with pytest.raises(KeyError):
        kinds.by_plural("person")
    assert not kinds.is_authority("record") and not kinds.is_authority("nobody")


def test_ids_and_urls_of_kinds_never_collide():
    assert len({k.id_prefix for k in kinds.KINDS}) == len(kinds.KINDS)
    assert len({k.plural for k in kinds.KINDS}) == len(kinds.KINDS)


@pytest.mark.parametrize("kind", kinds.AUTHORITIES, ids=lambda k: k.name)
def test_the_optional_parts_of_a_kind_are_the_fields_of_its_schema(kind):
    fields = set(validation.SCHEMAS[kind.name]["properties"])
    assert ("variants" in fields) == kind.has_variants
    assert ("part_of" in fields) == kind.has_part_of
    assert ({"lat", "lon"} <= fields) == kind.has_coordinates
    assert ("places" in fields) == kind.has_places
    assert {"date", "dates"} & fields == ({kind.date_field} if kind.date_field else set())


def test_the_record_types_are_those_of_the_record_schema():
    assert [t.code for t in kinds.RECORD_TYPES] == validation.SCHEMAS["record"]["properties"]["type"]["enum"]
    assert kinds.type_label("open_letter") == "Open letter"
    assert kinds.type_label("unheard_of") == "unheard_of"
    assert kinds.record_type("petition").dublin_core == "Text"


def test_the_tables_of_the_kinds_are_those_of_the_database(home):
    tables = set(home.db.table_names())
    for kind in kinds.KINDS:
        assert kind.table in tables
    for kind in kinds.AUTHORITIES:
        assert kind.link_column in home.db.table(kind.link_table).columns_dict
        assert ("role" in home.db.table(kind.link_table).columns_dict) == kind.link_has_role
