"""Blueprint `oai`: an OAI-PMH 2.0 data provider at /oai, for harvesters of the public records.

All six verbs, over GET and POST; metadata in `oai_dc`, mapped by `crosswalk.dublin_core` (the same
mapping the JSON-LD export uses); sets by record type (`type:interview`) and by collection
(`collection:<slug>`); `from`/`until` at day or second granularity. Lists come a page at a time with a
resumption token that encodes the last (datestamp, id) delivered, not an offset, so a harvest stays
correct while records change: a record changed mid-harvest moves to the end of the order and is
delivered again there. Only public records are shown; one that stops being public (deleted, made
restricted or private, embargoed) is reported with status="deleted" (deletedRecord: persistent).
The rules of who is harvested live in `db.harvest_*`. Read-only, so exempt from CSRF. The names,
address and page size come from the `OAI_*` settings (settings.py).
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
# Builds XML only and never parses input, so the XML parsing attacks bandit warns of do not apply.
import xml.etree.ElementTree as ET  # nosec B405
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, request

from .. import crosswalk, kinds, store
from . import common
from .common import get_archive, get_db
from .security import csrf

bp = Blueprint("oai", __name__)

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"

GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
TYPES = tuple(t.code for t in kinds.RECORD_TYPES)  # each is a set, type:<code>
ARGUMENTS = {
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), set()),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set"}),
}
RESUMABLE = ("ListIdentifiers", "ListRecords", "ListSets")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


@bp.record_once
def register_namespaces(state) -> None:
    """Name our namespaces in the XML we write (`oai_dc:dc`, not `ns0:dc`). ElementTree keeps its
    prefixes for the whole process, so this is done once, when the blueprint is registered."""
    for prefix, uri in (("", OAI), ("oai_dc", OAI_DC), ("dc", DC), ("xsi", XSI)):
        ET.register_namespace(prefix, uri)


class OAIError(Exception):
    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


def q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def sub(parent, ns: str, tag: str, text: str | None = None, **attrs) -> ET.Element:
    element = ET.SubElement(parent, q(ns, tag), {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        element.text = crosswalk.xml_text(str(text))
    return element


def repository_id() -> str:
    """The middle of identifiers: OAI_REPOSITORY_ID, else the host name of BASE_URL."""
    return current_app.config["OAI_REPOSITORY_ID"] or urlsplit(common.base_url()).hostname or "localhost"


def oai_identifier(record_id: str) -> str:
    return f"oai:{repository_id()}:{record_id}"


def record_id_of(identifier: str) -> str | None:
    prefix = f"oai:{repository_id()}:"
    return identifier[len(prefix):] if identifier.startswith(prefix) else None


def base_url() -> str:
    """The endpoint's address at BASE_URL (never the request's Host)."""
    return common.external_url("oai.endpoint")


# --- sets --------------------------------------------------------------------------------------------

def collection_slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "c" + hashlib.sha1(name.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]


def set_filter(db, spec: str | None) -> dict:
    """The harvest filter of a setSpec. :raise OAIError: for a set we do not have."""
    if not spec:
        return {}
    if spec == "type":
        return {}
    if spec == "collection":
        return {"has_collection": True}
    group, _, value = spec.partition(":")
    if group == "type" and value in TYPES:
        return {"record_type": value}
    if group == "collection" and value:
        names = [c for c in store.harvest_collections(db) if collection_slug(c) == value]
        if names:
            return {"collections": names}
    raise OAIError("badArgument", f"there is no set {spec!r}; ListSets shows them")


def record_sets(row: dict) -> list[str]:
    specs = [f"type:{row['oai_type']}"] if row.get("oai_type") else []
    if row.get("oai_collection"):
        specs.append(f"collection:{collection_slug(row['oai_collection'])}")
    return specs


# --- arguments -------------------------------------------------------------------------------------

def arguments() -> dict[str, str]:
    source = request.form if request.method == "POST" else request.args
    args = {}
    for key in source:
        values = source.getlist(key)
        if len(values) > 1:
            if key == "verb":
                raise OAIError("badVerb", "the verb is repeated")
            raise OAIError("badArgument", f"the argument {key} is repeated")
        args[key] = values[0]
    return args


def parse_datestamp(value: str, name: str, end: bool) -> tuple[str, str]:
    """A `from`/`until` as a second-granularity stamp for comparison, and its granularity."""
    if DAY.match(value):
        fmt, granularity = "%Y-%m-%d", "day"
    elif SECOND.match(value):
        fmt, granularity = "%Y-%m-%dT%H:%M:%SZ", "second"
    else:
        raise OAIError("badArgument", f"{name} must be YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ")
    try:
        dt.datetime.strptime(value, fmt)
    except ValueError:
        raise OAIError("badArgument", f"{name} is not a real date: {value}") from None
    if granularity == "day":
        value += "T23:59:59Z" if end else "T00:00:00Z"
    return value, granularity


def encode_token(state: dict) -> str:
    raw = json.dumps(state, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _well_formed(state, verb: str) -> bool:
    """Whether a decoded token has exactly the shape `list_items` writes (a client may forge one)."""
    stamp = lambda v: v is None or (isinstance(v, str) and bool(SECOND.match(v)))
    after = state.get("after") if isinstance(state, dict) else None
    return (isinstance(state, dict) and set(state) == {"verb", "from", "until", "set", "after", "cursor"}
            and state["verb"] == verb and stamp(state["from"]) and stamp(state["until"])
            and (state["set"] is None or isinstance(state["set"], str))
            and isinstance(after, list) and len(after) == 2 and all(isinstance(a, str) for a in after)
            and isinstance(state["cursor"], int) and not isinstance(state["cursor"], bool)
            and state["cursor"] >= 0)


def decode_token(token: str, verb: str) -> dict:
    try:
        state = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not _well_formed(state, verb):
            raise ValueError("not one of ours")
        return state
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise OAIError("badResumptionToken", "the resumption token is not valid") from None


def list_state(db, verb: str, args: dict) -> dict:
    """The harvest of a List request: from its arguments or from its resumption token."""
    if "resumptionToken" in args:
        if len(args) > 2:
            raise OAIError("badArgument", "resumptionToken is an exclusive argument")
        return decode_token(args["resumptionToken"], verb)
    if args["metadataPrefix"] != "oai_dc":
        raise OAIError("cannotDisseminateFormat", f"metadataPrefix {args['metadataPrefix']!r} is not "
                                                  f"supported; oai_dc is")
    state = {"verb": verb, "from": None, "until": None, "set": args.get("set"), "after": None,
             "cursor": 0}
    granularities = set()
    for name, end in (("from", False), ("until", True)):
        if args.get(name):
            state[name], granularity = parse_datestamp(args[name], name, end)
            granularities.add(granularity)
    if len(granularities) > 1:
        raise OAIError("badArgument", "from and until must have the same granularity")
    if state["from"] and state["until"] and state["from"] > state["until"]:
        raise OAIError("badArgument", "from is later than until")
    return state


# --- the verbs -------------------------------------------------------------------------------------

def identify(root, db, args):
    element = sub(root, OAI, "Identify")
    sub(element, OAI, "repositoryName", current_app.config["OAI_REPOSITORY_NAME"])
    sub(element, OAI, "baseURL", base_url())
    sub(element, OAI, "protocolVersion", "2.0")
    # the protocol's schema wants a dotted domain; set ARCHIVE_OAI_ADMIN_EMAIL to a real address
    sub(element, OAI, "adminEmail", current_app.config["OAI_ADMIN_EMAIL"])
    sub(element, OAI, "earliestDatestamp", store.earliest_harvest_datestamp(db) or "1970-01-01T00:00:00Z")
    sub(element, OAI, "deletedRecord", "persistent")
    sub(element, OAI, "granularity", GRANULARITY)


def list_metadata_formats(root, db, args):
    if "identifier" in args:
        record_id = record_id_of(args["identifier"])
        if record_id is None or store.harvest_row(db, record_id) is None:
            raise OAIError("idDoesNotExist", f"no item {args['identifier']}")
    element = sub(root, OAI, "ListMetadataFormats")
    fmt = sub(element, OAI, "metadataFormat")
    sub(fmt, OAI, "metadataPrefix", "oai_dc")
    sub(fmt, OAI, "schema", OAI_DC_SCHEMA)
    sub(fmt, OAI, "metadataNamespace", OAI_DC)


def list_sets(root, db, args):
    if "resumptionToken" in args:
        if len(args) > 2:
            raise OAIError("badArgument", "resumptionToken is an exclusive argument")
        raise OAIError("badResumptionToken", "ListSets is never split: this token is not ours")
    element = sub(root, OAI, "ListSets")
    sets = [("type", "Records by type"),
            *((f"type:{t}", f"Type: {t.replace('_', ' ')}") for t in TYPES),
            ("collection", "Records by collection"),
            *((f"collection:{collection_slug(c)}", c) for c in store.harvest_collections(db))]
    for spec, name in dict(sets).items():
        item = sub(element, OAI, "set")
        sub(item, OAI, "setSpec", spec)
        sub(item, OAI, "setName", name)


def header(parent, row: dict) -> None:
    element = sub(parent, OAI, "header", status=None if row["oai_visible"] else "deleted")
    sub(element, OAI, "identifier", oai_identifier(row["id"]))
    sub(element, OAI, "datestamp", row["oai_datestamp"])
    for spec in record_sets(row):
        sub(element, OAI, "setSpec", spec)


def oai_dc(parent, record: dict) -> None:
    dc = sub(parent, OAI_DC, "dc")
    dc.set(q(XSI, "schemaLocation"), f"{OAI_DC} {OAI_DC_SCHEMA}")
    for element, value in crosswalk.dublin_core(record, common.base_url()):
        sub(dc, DC, element, value)


def full_record(parent, db, row: dict) -> None:
    element = sub(parent, OAI, "record")
    header(element, row)
    if row["oai_visible"]:
        oai_dc(sub(element, OAI, "metadata"), store.record_json(db, row))


def get_record(root, db, args):
    if args["metadataPrefix"] != "oai_dc":
        raise OAIError("cannotDisseminateFormat", f"metadataPrefix {args['metadataPrefix']!r} is not "
                                                  f"supported; oai_dc is")
    record_id = record_id_of(args["identifier"])
    row = store.harvest_row(db, record_id) if record_id else None
    if row is None:
        raise OAIError("idDoesNotExist", f"no item {args['identifier']}")
    full_record(sub(root, OAI, "GetRecord"), db, row)


def list_items(root, db, args, verb: str):
    state = list_state(db, verb, args)
    filters = {"from_": state["from"], "until": state["until"], **set_filter(db, state["set"])}
    page = current_app.config["OAI_PAGE_SIZE"]
    rows = store.harvest_rows(db, after=tuple(state["after"]) if state["after"] else None,
                              limit=page + 1, **filters)
    if not rows:
        if state["after"] is None:
            raise OAIError("noRecordsMatch", "no records match these arguments")
    element = sub(root, OAI, verb)
    for row in rows[:page]:
        if verb == "ListRecords":
            full_record(element, db, row)
        else:
            header(element, row)
    if state["after"] is not None or len(rows) > page:
        # the size counts the list as it is now; records changed since the harvest began come again
        token = sub(element, OAI, "resumptionToken", cursor=str(state["cursor"]),
                    completeListSize=str(store.count_harvest(db, **filters)))
        if len(rows) > page:
            last = rows[page - 1]
            token.text = encode_token({**state, "after": [last["oai_datestamp"], last["id"]],
                                       "cursor": state["cursor"] + page})


VERBS = {"Identify": identify, "ListMetadataFormats": list_metadata_formats, "ListSets": list_sets,
         "GetRecord": get_record,
         "ListIdentifiers": lambda root, db, args: list_items(root, db, args, "ListIdentifiers"),
         "ListRecords": lambda root, db, args: list_items(root, db, args, "ListRecords")}


def check_arguments(verb: str, args: dict) -> None:
    required, optional = ARGUMENTS[verb]
    given = set(args) - {"verb"}
    if verb in RESUMABLE and "resumptionToken" in given:
        return
    unknown = given - required - optional
    if unknown:
        raise OAIError("badArgument", f"{verb} does not take {', '.join(sorted(unknown))}")
    missing = required - given
    if missing:
        raise OAIError("badArgument", f"{verb} needs {', '.join(sorted(missing))}")


@bp.route("/oai", methods=["GET", "POST"])
@csrf.exempt
def endpoint():
    root = ET.Element(q(OAI, "OAI-PMH"))
    root.set(q(XSI, "schemaLocation"), f"{OAI} {OAI_SCHEMA}")
    sub(root, OAI, "responseDate", get_archive().clock.now())
    request_element = sub(root, OAI, "request", base_url())
    try:
        args = arguments()
        verb = args.get("verb")
        if verb not in VERBS:
            raise OAIError("badVerb", "no verb given" if not verb else f"{verb!r} is not an OAI-PMH verb")
        check_arguments(verb, args)
        for key, value in args.items():
            request_element.set(key, crosswalk.xml_text(value))
        VERBS[verb](root, get_db(), args)
    except OAIError as exc:
        if exc.code in ("badVerb", "badArgument"):
            request_element.attrib.clear()  # the protocol echoes no arguments then
        for child in list(root)[2:]:
            root.remove(child)
        sub(root, OAI, "error", str(exc), code=exc.code)
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body, mimetype="text/xml")
