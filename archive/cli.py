"""The `archive` command line, thin over the store, the write path, the importer and the exporter.

`archive [--home DIR] COMMAND`; the same commands run as `flask --app archive COMMAND`. Both work on
one `Archive` (home.py): `archive` builds it from the settings (settings.py) of its home, `flask`
takes the app's. Any command initialises an empty home on first use. User errors print one line and
exit non-zero; long work shows progress on a terminal and a summary at the end.
"""
from __future__ import annotations

import getpass
import sys
import tempfile
import time
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import click

from . import accounts, bag, cli_media, export, importer, kinds, records, settings, store
from .access import ANONYMOUS, ROLES, SYSTEM
from .errors import ValidationError
from .home import Archive
from .index import Index, find_drift, rebuild_index


def get_archive() -> Archive:
    """The archive the command works on: the one `archive --home DIR` opened, or the app's own when
    running as `flask --app archive COMMAND`."""
    ctx = click.get_current_context()
    archive = ctx.find_object(Archive)
    if archive is None:  # running as `flask --app archive ...`: the app's Archive, closed with the app
        from flask.cli import ScriptInfo
        archive = ctx.ensure_object(ScriptInfo).load_app().extensions["archive"]
    return archive


def fail(message: str):
    raise click.ClickException(message)


@contextmanager
def progress_bar(stages: dict[str, tuple[str, int | None]]):
    """A rich progress display on a terminal (nothing otherwise); yields `advance(stage)`."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), disable=not sys.stderr.isatty(), transient=False) as bar:
        tasks = {name: bar.add_task(label, total=total) for name, (label, total) in stages.items()}
        yield lambda stage, n=1: bar.advance(tasks[stage], n)


def _count_lines(path: Path) -> int | None:
    if path.suffix.lower() != ".jsonl":
        return None
    with path.open("rb") as f:
        return sum(1 for line in f if line.strip())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--home", envvar="ARCHIVE_HOME", default=".", show_default=True,
              type=click.Path(file_okay=False), help="Archive folder (records/ and search_index/ live here).")
@click.pass_context
def cli(ctx, home):
    """The testimony archive: keep, link and search testimonies.

    Example: archive --home /srv/archive init --sample
    """
    from . import private_files
    private_files()
    ctx.obj = Archive(settings.load({"ARCHIVE_HOME": home}))
    ctx.call_on_close(ctx.obj.close)


@cli.command("init")
@click.option("--sample", is_flag=True, help="Load the bundled sample collection if the archive is empty.")
def init_command(sample):
    """Create the archive's folders, database and index (safe to repeat).

    Example: archive init --sample
    """
    archive = get_archive().start()
    count = store.count_records(archive.db, SYSTEM)
    if sample and count == 0:
        with resources.as_file(resources.files("archive").joinpath("sample/sample.jsonl")) as path:
            result = importer.run(archive.db, archive.index, path, user="sample")
        click.echo(f"Loaded the sample collection ({result.summary()}).")
        if cli_media.load_sample_recording(archive.db, archive.index):
            click.echo("Added the sample recording: the seed letter read aloud by a machine (espeak-ng).")
    elif sample:
        click.echo(f"The archive already holds {count} records; the sample was not loaded.")
        if cli_media.load_sample_recording(archive.db, archive.index):  # a sample loaded before recordings
            click.echo("Added the sample recording to the sample letter.")
    click.echo(f"Archive ready at {archive.settings['ARCHIVE_HOME']}.")


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on (0: any free one).")
@click.option("--threads", type=click.IntRange(1), help="Requests handled at once (setting THREADS, "
              f"default {settings.default('THREADS')}).")
@click.option("--connection-limit", type=click.IntRange(1), help="Open connections at most; more wait "
              f"(setting CONNECTION_LIMIT, default {settings.default('CONNECTION_LIMIT')}).")
@click.option("--channel-timeout", type=click.IntRange(1), help="Seconds a connection may stay idle or "
              "take to send its request's headers (setting CHANNEL_TIMEOUT, default "
              f"{settings.default('CHANNEL_TIMEOUT')}).")
@click.option("--trusted-proxy", help="Address of the reverse proxy whose X-Forwarded-For and "
              "X-Forwarded-Proto to trust (setting TRUSTED_PROXY).")
def serve_command(host, port, threads, connection_limit, channel_timeout, trusted_proxy):
    """Serve the archive with waitress (a production WSGI server).

    Idle connections, and requests whose headers come too slowly, are closed after the channel
    timeout, so that slow or half-open clients cannot keep others out (see SECURITY.md for a public
    address).

    Example: archive serve --host 127.0.0.1 --port 8080 --connection-limit 1000
    """
    from . import create_app, serving
    archive = get_archive()
    app = create_app(archive=archive)
    archive.index.merge_in_background()  # no save waits for a segment merge
    archive.lapse_daily()  # redactions whose day has passed become searchable by themselves
    archive.warm_in_background(ANONYMOUS)  # the first search does not build the facet table or labels
    try:
        server, listening = serving.make_server(
            app, archive.settings, host, port, threads=threads, connection_limit=connection_limit,
            channel_timeout=channel_timeout, trusted_proxy=trusted_proxy)
    except (OSError, ValueError) as exc:
        fail(f"cannot serve on {host}:{port}: {exc}")
    where = ", ".join(f"http://{f'[{h}]' if ':' in h else h}:{p}/" for h, p in listening)
    click.echo(f"Serving the archive at {where} (Ctrl+C stops); its links name "
               f"{archive.settings['BASE_URL']} (setting BASE_URL).")
    server.run()


@cli.command("import")
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check everything and report; write nothing.")
def import_command(file, dry_run):
    """Import records and authorities from a JSON, JSON Lines or CSV file (all or nothing), an OHMS
    XML file (versions 5 and 6), or a bag folder made by `archive export --format bag`.

    A record's media entry may give `path`, a file relative to the import file, to store.

    Example: archive import collection.jsonl --dry-run
    """
    archive = get_archive().start()
    files = cli_media.files_for(archive, base=file.parent)
    if file.is_dir():
        if dry_run:
            fail("--dry-run checks files, not bags")
        try:
            result = cli_media.import_bag(archive.db, archive.index, file, files)
        except importer.ImportFailed as exc:
            for problem in exc.problems[:10]:
                click.echo(f"  {problem}", err=True)
            fail(str(exc))
        click.echo(f"Restored the bag {file}: {result.summary()}, {len(files.measured)} files.")
        return
    if file.suffix.lower() == ".xml":
        with tempfile.TemporaryDirectory() as tmp:
            lines, notices = cli_media.ohms_as_jsonl(file, Path(tmp))
            for notice in notices:
                click.echo(f"  OHMS: {notice}", err=True)
            _import_file(archive, lines, dry_run, files)
        return
    _import_file(archive, file, dry_run, files)


def _import_file(archive, file: Path, dry_run: bool, files: records.Files) -> None:
    lines = _count_lines(file)
    started = time.perf_counter()
    stages = {"check": ("Checking", lines)}
    if not dry_run:
        stages.update({"store": ("Storing", lines), "index": ("Indexing", None)})
    with progress_bar(stages) as advance:
        try:
            if dry_run:
                result = importer.plan(archive.db, file, advance)
                if result.problems:
                    raise importer.ImportFailed(result.problems, result.more)
            else:
                result = importer.run(archive.db, archive.index, file, user="import", progress=advance,
                                      files=files)
        except importer.ImportFailed as exc:
            for problem in exc.problems[:10]:
                click.echo(f"  {problem}", err=True)
            fail(str(exc))
    seconds = time.perf_counter() - started
    rate = result.total / seconds if seconds else 0
    verb = "Would import" if dry_run else "Imported"
    click.echo(f"{verb} {result.summary()} in {seconds:.1f} s ({rate:.0f} objects/s).")
    if dry_run:
        _echo_new(result)


def _echo_new(result) -> None:
    """The authorities a dry run would create, each with its look-alikes in the archive."""
    for new in result.new:
        click.echo(f"  new {new.kind}: {new.name} ({new.where}"
                   f"{f', {new.uses} times' if new.uses > 1 else ''})")
        for other in new.near:
            seen_as = f" (as {other['matched']})" if other["matched"] != other["name"] else ""
            date = f", {other['date']}" if other["date"] else ""
            click.echo(f"    looks like {other['name']}{seen_as} [{other['id']}{date}, "
                       f"{other['count']} record(s)]")
    if result.new_more:
        click.echo(f"  and {result.new_more} more new")
    unsure = len(result.unsure)
    if unsure:
        click.echo(f"{unsure} new name(s) look like existing ones: check them on the import page "
                   f"(/import), where each can be linked to the existing one or confirmed as new.")


@cli.command("export")
@click.option("--format", "fmt", type=click.Choice([*export.FORMATS, "bag"]), default="jsonl", show_default=True,
              help="jsonl: one object a line; json: one array; csv: one row per record (UTF-8 with a "
                   "byte-order mark, for spreadsheets); jsonld: schema.org and Dublin Core; bag: a BagIt "
                   "folder with the JSON Lines export and every media file (DEST).")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="File to write (default: standard output); the new folder of a bag.")
@click.argument("dest", required=False, type=click.Path(path_type=Path))
@click.option("--base-url", help="The archive's public address, for the links of a JSON-LD export "
                                 "(default: the setting BASE_URL).")
def export_command(fmt, output, base_url, dest):
    """Export everything: places, people, events, then records, each with its kind (CSV: records),
    to -o FILE (a spreadsheet: --format csv -o records.csv) or, as a bag with the media files, to DEST.

    Example: archive export --format bag /media/archive-bag
    """
    archive = get_archive()
    output = output or dest
    if fmt == "bag":
        if output is None:
            fail("a bag needs a destination folder: archive export --format bag DEST")
        try:
            bag.write_bag(output, export.iter_objects(archive.db, SYSTEM), store.media_folder(archive.db),
                          info={"Source-Organization": archive.settings["OAI_REPOSITORY_NAME"]})
        except bag.BagError as exc:
            fail(str(exc))
        click.echo(f"Wrote the bag {output}.", err=True)
        return
    if output is not None and output.is_dir():
        fail(f"{output} is a folder; give a file name")
    db, base_url = archive.db, base_url or archive.settings["BASE_URL"]
    records_only = fmt == "csv"
    total = store.count_records(db, SYSTEM)
    if not records_only:
        total += sum(store.count_entities(db, k.name, SYSTEM) for k in kinds.AUTHORITIES)
    # newline="": the CSV writer ends its rows with CRLF itself, as RFC 4180 asks
    out = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    written = 0
    try:
        with progress_bar({"export": ("Exporting", total)}) as advance:
            def counted():
                nonlocal written
                source = export.iter_records(db, SYSTEM) if records_only else export.iter_objects(db, SYSTEM)
                for obj in source:
                    written += 1
                    advance("export")
                    yield obj
            export.write(counted(), out, fmt, base=base_url.rstrip("/") + "/")
    finally:
        if output:
            out.close()
    if output:
        click.echo(f"Exported {written} objects to {output}.", err=True)


@cli.command("reindex")
@click.option("--check", is_flag=True, help="Only report drift between index and database; "
                                            "exit 1 when there is any.")
def reindex_command(check):
    """Rebuild the search index from the database (into a new folder, then swap).

    Example: archive reindex --check
    """
    archive = get_archive()
    db, path = archive.db, archive.settings["SEARCH_INDEX"]
    if check:  # the index as it is, not `archive.index`, which would repair it first
        if not Index.exists(path):
            fail("there is no search index: run `archive reindex`")
        index = Index(path)
        drift = find_drift(index, records.IndexSource(db))
        index.close()
        click.echo(str(drift))
        for label, ids in (("missing", drift.missing), ("out of date", drift.stale),
                           ("not in the database", drift.extra)):
            if ids:
                click.echo(f"  {label}: {', '.join(ids[:20])}{' …' if len(ids) > 20 else ''}")
        sys.exit(1 if drift.any else 0)
    started = time.perf_counter()
    with progress_bar({"index": ("Indexing", store.count_records(db, SYSTEM))}) as advance:
        count = rebuild_index(path, records.IndexSource(db), lambda n: advance("index", n))
    click.echo(f"Reindexed {count} records in {time.perf_counter() - started:.1f} s.")


@cli.group("user")
def user_group():
    """Manage accounts.

    Example: archive user add ada --role archivist
    """


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the account may do.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def user_add_command(name, role, password_stdin):
    """Create an account (or reset its password and role, which signs it out everywhere).

    Example: archive user add ada --role researcher
    """
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat password: ") != password:
            fail("the passwords differ")
    try:
        accounts.add_user(get_archive().db, name, password, role)
    except ValidationError as exc:
        fail(str(exc))
    click.echo(f"User {name} ({role}) saved.")


@user_group.command("remove")
@click.argument("name")
def user_remove_command(name):
    """Remove an account; whoever is signed in with it is signed out at once.

    Example: archive user remove ada
    """
    try:
        removed = accounts.remove_user(get_archive().db, name)
    except ValidationError as exc:
        fail(str(exc))
    click.echo(f"User {removed} removed.")


@cli.command("backup")
@click.argument("dest", type=click.Path(path_type=Path))
def backup_command(dest):
    """Copy the database consistently, even while the archive is in use.

    DEST is a new folder, which becomes a complete archive home (run `archive --home DEST reindex`
    or just start it to rebuild its index), or a file name ending in .db.

    Example: archive backup /media/backup/archive-2026-11-30
    """
    archive = get_archive()
    target = dest if dest.suffix in (".db", ".sqlite", ".sqlite3") else dest / "records" / "archive.db"
    if target.exists():
        fail(f"{target} exists already; choose a new destination")
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    store.backup(archive.db, target)
    copied = 0 if target.name != "archive.db" else cli_media.copy_media(store.media_folder(archive.db),
                                                                        target.parent / "media")
    click.echo(f"Backed up the archive to {target} ({copied} media files).")


@cli.command("restore")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--force", is_flag=True, help="Replace an archive that already holds records.")
def restore_command(source, force):
    """Bring back a backup: SOURCE is a folder made by `archive backup` or a .db file.

    The database is copied into this archive home and the search index is rebuilt from it.

    Example: archive restore /media/backup/archive-2026-11-30
    """
    archive = get_archive()
    origin = source / "records" / "archive.db" if source.is_dir() else source
    if not origin.is_file():
        fail(f"{origin} is not a backup (no database there)")
    if Path(archive.settings["DATABASE"]).resolve() == origin.resolve():
        fail("the backup is this archive's own database")
    backup_db = store.connect(origin)
    try:
        store.create_tables(backup_db)  # a backup from an older version is upgraded first
        count = store.count_records(backup_db, SYSTEM)
        if store.count_records(archive.db, SYSTEM) and not force:
            fail("this archive already holds records; restore into an empty home or add --force")
        store.backup(backup_db, archive.settings["DATABASE"], into_open=archive.db)
    finally:
        backup_db.close()
    copied = cli_media.copy_media(origin.parent / "media", store.media_folder(archive.db))
    rebuild_index(archive.settings["SEARCH_INDEX"], records.IndexSource(archive.db))
    click.echo(f"Restored {count} records and {copied} media files from {origin} and rebuilt the search index.")


cli_media.add_commands(cli, get_archive)


def register(app) -> None:
    """Make the same commands available as `flask --app archive COMMAND`."""
    for command in cli.commands.values():
        app.cli.add_command(command)


def main() -> None:
    cli(prog_name="archive")


if __name__ == "__main__":
    main()
