"""Blueprint `bulk`: archivists change the access of a search's records at once.

The search page offers the form (`templates/public/search.html`); `/search/access` with the search's
own arguments and `set_access` shows what would change and asks to confirm; the confirmed POST (CSRF
checked) goes through the one write path (`revising.set_access`, docs/architecture.md), each changed
record a new revision.
"""
from __future__ import annotations

from collections import Counter

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import ngettext

from .. import finder, revising, store
from ..access import ACCESS_LEVELS, ACCESS_NAMES
from ..errors import BadRequest
from ..i18n import number, translate
from ..messages import Text
from .common import editor_required, get_db, get_index, get_viewer, search_params
from .editing import check_confirmed
from .public import FACET_TITLES

bp = Blueprint("bulk", __name__)


def _chosen() -> str:
    """The access level asked for. :raise 400: when it is not one."""
    level = request.values.get("set_access", "")
    if level not in ACCESS_LEVELS:
        raise BadRequest(Text("Choose an access level: public, restricted or private."))
    return level


def _selection():
    """The search's parameters and the ids of every record it matches.

    :raise 400: without a search (words, filters or dates): the whole archive is not changed so."""
    params = search_params()
    if not (params.q.strip() or params.filters or params.date_from or params.date_to):
        raise BadRequest(Text("Search or filter first: access is changed for a search's records."))
    return params, list(finder.matching_ids(get_db(), get_index(), get_viewer(), params))


@bp.get("/search/access")
@editor_required
def confirm_access():
    level, (params, ids) = _chosen(), _selection()
    rows = [store.record_row(get_db(), record_id) for record_id in ids]
    now = Counter(row["access"] for row in rows if row is not None)
    active = finder.prepare(get_db(), get_viewer(), params).active  # the filters, named as on the search page
    return render_template("bulk/confirm_access.html", params=params, level=level, total=len(ids),
                           changing=len(ids) - now[level], now=sorted(now.items()), active=active,
                           facet_names=FACET_TITLES)


@bp.post("/search/access")
@editor_required
def change_access():
    check_confirmed()
    level, (params, ids) = _chosen(), _selection()
    changed = revising.set_access(get_db(), get_index(), ids, level, get_viewer().username)
    flash(ngettext("Access changed to %(level)s for %(n)s record.",
                   "Access changed to %(level)s for %(n)s records.", changed,
                   level=translate(ACCESS_NAMES[level]), n=number(changed))
          + (" " + ngettext("%(n)s already was.", "%(n)s already were.", len(ids) - changed,
                            n=number(len(ids) - changed)) if len(ids) > changed else ""), "info")
    return redirect(url_for("public.search_page", **params.args()))
