"""Who is looking: the viewer and what each role may see.

Every read of records, authorities, search hits, facets, exports and the timeline takes a `Viewer`;
the store (`archive/store/`) turns it into SQL and `archive.index` into index filters, so the rule lives
here once: anonymous visitors see public records, signed-in researchers also restricted ones,
archivists and admins everything. A record whose `embargo_until` lies in the future counts as private,
and so does a record whose narrator withdrew consent (`consent.status` = `withdrawn`). Passages of a
record may be hidden from viewers below a level (`archive/redaction.py`, by the same levels).
"""
from __future__ import annotations

from dataclasses import dataclass

from . import clock
from .messages import N_

ACCESS_LEVELS = ("public", "restricted", "private")
ROLES = ("researcher", "archivist", "admin")
# What pages call them (translated there); JSON and exports keep the codes.
ACCESS_NAMES = {"public": N_("public"), "restricted": N_("restricted"), "private": N_("private")}
ROLE_NAMES = {"researcher": N_("researcher"), "archivist": N_("archivist"), "admin": N_("admin")}


@dataclass(frozen=True)
class Viewer:
    username: str | None = None
    role: str | None = None  # None for an anonymous visitor

    @property
    def signed_in(self) -> bool:
        return self.role is not None

    @property
    def sees_everything(self) -> bool:
        """Archivists and admins see private records, drafts and embargoed records."""
        return self.role in ("archivist", "admin")

    @property
    def can_edit(self) -> bool:
        return self.sees_everything

    @property
    def levels(self) -> tuple[str, ...]:
        if self.sees_everything:
            return ACCESS_LEVELS
        if self.signed_in:
            return ("public", "restricted")
        return ("public",)

    def may_see(self, access: str, embargo_until: str | None, consent: dict | None = None) -> bool:
        """Whether this viewer may see a record with this access level, embargo and consent."""
        if self.sees_everything:
            return True
        if embargo_until and embargo_until > clock.today():
            return False
        return effective_access(access, consent) in self.levels


WITHDRAWN = "withdrawn"


def effective_access(access: str, consent: dict | str | None) -> str:
    """The level a record is seen at: private once its narrator withdrew consent (`consent` is the
    record's consent object or its status)."""
    status = consent.get("status") if isinstance(consent, dict) else consent
    return "private" if status == WITHDRAWN else access


ANONYMOUS = Viewer()
# The command line works on the whole archive, as an archivist at the machine would.
SYSTEM = Viewer("system", "admin")
