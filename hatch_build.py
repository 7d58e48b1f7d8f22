"""Build hook: the wheel carries compiled catalogs (`.mo`), made here from the `.po` files.

The `.mo` files are not committed (they are built, like any compiled file); hatch leaves out
git-ignored files unless a hook names them as artifacts, which this one does. It writes them next to
their `.po`, so an editable install (whose package is the source tree) finds them too.
"""
from __future__ import annotations

from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def compile_catalogs(root: Path) -> list[Path]:
    """Compile every messages.po under root/archive/translations into its messages.mo."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    made = []
    for po in sorted((root / "archive" / "translations").glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as f:
            catalog = read_po(f, locale=po.parent.parent.name)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as f:
            write_mo(f, catalog, use_fuzzy=False)
        made.append(mo)
    return made


class CatalogHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version, build_data):
        root = Path(self.root)
        for mo in compile_catalogs(root):
            build_data["artifacts"].append(mo.relative_to(root).as_posix())
