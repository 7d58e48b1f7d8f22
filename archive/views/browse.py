"""Blueprint `browse`: subjects and collections, each a list with counts and a page of its records.

`/subjects`, `/subjects/<slug>`, `/collections`, `/collections/<slug>`. The labels and counts come
from the store (`store.labels`), the records of one from the search (`finder.run` with its
`subject` or `collection` filter), so both hide what the viewer may not see; a subject that only
hidden records carry answers 404 like one that does not exist. Templates: `templates/browse/`.
"""
from __future__ import annotations

from flask import Blueprint, render_template, request

from .. import finder, store
from ..errors import NotFound
from ..messages import N_, Text
from .common import get_db, get_index, get_viewer, search_budget

bp = Blueprint("browse", __name__)

FIELDS = {"subjects": "subject", "collections": "collection"}
# Shown in the reader's language by the templates (`tr`).
TITLES = {"subjects": (N_("Subjects"), N_("Subject")), "collections": (N_("Collections"), N_("Collection"))}


@bp.get("/<any(subjects, collections):plural>")
def label_list(plural: str):
    labels = store.labels(get_db(), FIELDS[plural], get_viewer())
    return render_template("browse/labels.html", plural=plural, title=TITLES[plural][0], labels=labels)


@bp.get("/<any(subjects, collections):plural>/<slug>")
def label_page(plural: str, slug: str):
    """The records of one subject or collection, oldest first, a page at a time.

    :raise 404: when no record the viewer may see carries it.
    """
    field = FIELDS[plural]
    db, viewer = get_db(), get_viewer()
    found = next((label for label in store.labels(db, field, viewer) if label["slug"] == slug), None)
    if found is None:
        raise NotFound(Text("No subject %(slug)s.", slug=slug) if field == "subject" else
                       Text("No collection %(slug)s.", slug=slug))
    page = request.args.get("page", "1")
    params = finder.Params(sort="date", page=int(page) if page.isdigit() and int(page) > 0 else 1,
                           filters={field: [slug]})
    result = finder.run(db, get_index(), viewer, params, facets=False, snippets=False, suggest=False,
                        budget=search_budget())
    return render_template("browse/label.html", plural=plural, field=field, kind=TITLES[plural][1],
                           label=found, result=result, params=params)
