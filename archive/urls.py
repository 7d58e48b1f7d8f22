"""Which outside addresses the archive accepts and links to: web addresses (http and https) only.

A record's `source.url` is typed by archivists and imported from files, then shown as a link, put in
JSON-LD (`isBasedOn.url`) and harvested through OAI-PMH (`dc:source`). Any other scheme
(`javascript:`, `data:`, `vbscript:`, `file:` …) could run a script or reach the reader's own machine,
so input refuses it (the pattern below is also the one of `source.url` in the record's JSON Schema) and output never
makes a link of it, in case a record stored before this rule holds one. Archival identifiers that
are not web addresses (DOI, Handle, ARK, URN) are accepted through their https resolvers
(https://doi.org/…, https://hdl.handle.net/…, https://n2t.net/ark:/…), which readers can follow.
"""
from __future__ import annotations

import re

from .messages import N_

# http or https in any case, `://`, a host, then anything but spaces and control characters.
WEB_URL = re.compile(r"^[Hh][Tt][Tt][Pp][Ss]?://[^\x00-\x20\x7f/?#]+([/?#][^\x00-\x20\x7f]*)?$")

MESSAGE = N_("must be a web address starting with http:// or https:// (for a DOI, Handle or ARK, "
           "use its https:// resolver, e.g. https://doi.org/10.…)")


def is_web_url(value) -> bool:
    """Whether a value is a web address the archive may link to."""
    return isinstance(value, str) and WEB_URL.fullmatch(value) is not None


def web_url(value) -> str | None:
    """The value when it is a web address, else None (for outputs that would make it a link)."""
    return value if is_web_url(value) else None
