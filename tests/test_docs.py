"""The README is tested (as sqlite-utils' tests/test_docs.py tests its docs): every command of the
`archive` group is in the command table and every row there is a real command with real options;
every command's help shows an example that is itself a valid command line; every URL in the tables
of pages is a route of the app and answers."""
import itertools
import json
import re
import shlex
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from archive import cli_media
from archive.cli import cli
from conftest import SAMPLE, AuthActions, loaded_app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def table(heading: str) -> list[list[str]]:
    """The body rows of the first table under `heading`, as cells; an escaped `\\|` in a cell
    (alternatives: `jsonl\\|csv`) becomes `|`."""
    lines = README.split(f"\n{heading}\n", 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = list(itertools.takewhile(lambda line: line.startswith("|"), lines[start:]))[2:]
    return [[cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", row)[1:-1]]
            for row in rows]


def code(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


# --- the command line ------------------------------------------------------------------------------

def commands(group: click.Group = cli, path: tuple[str, ...] = ()):
    """(path, command) for the group itself and every command and subcommand under it."""
    yield path, group
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from commands(command, path + (name,))
        else:
            yield path + (name,), command


COMMANDS = dict(commands())
# "archive export [--format jsonl|json|csv|jsonld] [-o FILE]": the invocation without its brackets
DOCUMENTED = {code(row[0])[0].replace("[", "").replace("]", ""): row[1] for row in table("## Command line")}


def command_id(path: tuple[str, ...]) -> str:
    return " ".join(("archive", *path))


def named(line: str) -> tuple[str, ...]:
    """The command a documented line names (its leading command words), checking nothing else."""
    command, path = cli, ()
    for word in line.split()[1:]:
        if not isinstance(command, click.Group) or word not in command.commands:
            break
        command, path = command.commands[word], path + (word,)
    return path


def resolve(args: list[str]) -> tuple[str, ...]:
    """Walk a command line as click would and return the command's path. Fails on an unknown command
    or option, a value that is not one of an option's choices (`a|b|c` must list them all), an
    argument too many, or a missing argument or required option."""
    command, path, positional, given, tokens = cli, (), 0, set(), iter(args)
    for token in tokens:
        where = command_id(path)
        if token.startswith("-"):
            name, _, inline = token.partition("=")
            option = next((p for p in command.params if isinstance(p, click.Option)
                           and name in (*p.opts, *p.secondary_opts)), None)
            assert option is not None, f"`{where}` has no option {name}"
            given.add(option.name)
            if option.is_flag:
                continue
            value = inline or next(tokens)
            if isinstance(option.type, click.Choice):
                listed = value.split("|")
                assert set(listed) <= set(option.type.choices), f"`{where} {name}`: {value}"
                assert len(listed) == 1 or set(listed) == set(option.type.choices), \
                    f"`{where} {name}` lists {listed}, the command takes {option.type.choices}"
        elif isinstance(command, click.Group):
            assert token in command.commands, f"`{where}` has no command {token}"
            command, path, positional, given = command.commands[token], path + (token,), 0, set()
        else:
            positional += 1
            assert positional <= sum(isinstance(p, click.Argument) for p in command.params), \
                f"`{where}` takes no argument {token}"
    where = command_id(path)
    needed = [p.name.upper() for p in command.params if isinstance(p, click.Argument) and p.required]
    assert positional >= len(needed), f"`{where}` needs {' '.join(needed)}"
    for option in command.params:
        if isinstance(option, click.Option) and option.required:
            assert option.name in given, f"`{where}` needs {option.opts[0]}"
    return path


@pytest.mark.parametrize("path", [p for p, c in COMMANDS.items() if not isinstance(c, click.Group)],
                         ids=command_id)
def test_every_command_is_in_the_readme_table(path):
    assert path in {named(line) for line in DOCUMENTED}, \
        f"`{command_id(path)}` is missing from README.md's command table"


@pytest.mark.parametrize("line", DOCUMENTED)
def test_every_command_in_the_readme_table_exists(line):
    assert line.startswith("archive ")
    path = resolve(shlex.split(line)[1:])
    assert not isinstance(COMMANDS[path], click.Group), f"`{line}` names a group, not a command"
    assert DOCUMENTED[line], f"`{line}` says nothing about what it does"


@pytest.mark.parametrize("path", COMMANDS, ids=command_id)
def test_every_command_has_help_with_an_example(path):
    result = CliRunner().invoke(cli, [*path, "--help"], prog_name="archive")
    assert result.exit_code == 0, result.output
    summary = result.output.split("\n\n")[1].strip()
    assert summary and not summary.startswith("Example"), f"`{command_id(path)}` has no help text"
    examples = re.findall(r"^\s*Example: archive (.+)$", result.output, flags=re.MULTILINE)
    assert examples, f"`{command_id(path)} --help` shows no 'Example: archive …' line"
    for example in examples:
        # an example of a group may show any of its commands; one of a command shows that command
        shown = resolve(shlex.split(example))
        assert shown[:len(path)] == path and not isinstance(COMMANDS[shown], click.Group), example


# --- pages and JSON --------------------------------------------------------------------------------

QUERY = "letter"  # for `…`
SAMPLE_IDS = {"records": "r-seed-letter", "people": "p-kem-sokha", "events": "e-arrest-of-kem-sokha",
              "places": "l-cambodia"}  # for `<id>`: the seed letter, and people, events, places it links
SAMPLE_SLUGS = {"subjects": "political-prisoners", "collections": "diaspora-letters"}  # for `<slug>`


def url_patterns() -> list[str]:
    """Every URL in the first column of the README's tables of pages, with `(and events, places)`
    after a /people URL and `kind=a|b` spelled out: one pattern per page."""
    found = []
    for row in table("### Pages and JSON") + table("## Archivists at work"):
        also = re.search(r"\(and ((?:`\w+`(?:, )?)+)\)", row[0])
        for url in (u for u in code(row[0]) if u.startswith("/")):
            urls = [url]
            if also and url.startswith("/people"):
                urls += [url.replace("/people", f"/{plural}", 1) for plural in code(also.group(1))]
            for one in urls:
                choices = re.search(r"=(\w+(?:\|\w+)+)", one)  # kind=person|event|place
                alternatives = choices.group(1).split("|") if choices else [None]
                found += [one.replace(choices.group(1), c) if c else one for c in alternatives]
    return found


URLS = url_patterns()


def instance(pattern: str) -> str:
    """The URL a person would open for a pattern."""
    if "<id>" in pattern:
        kind = pattern.strip("/").split("/")[0]
        assert kind in SAMPLE_IDS, f"{pattern}: no sample id for {kind}"
        pattern = pattern.replace("<id>", SAMPLE_IDS[kind])
    if "<slug>" in pattern:
        pattern = pattern.replace("<slug>", SAMPLE_SLUGS[pattern.strip("/").split("/")[0]])
    return pattern.replace("<mid>", "m1").replace("…", QUERY)  # m1: the sample recording


def test_the_url_tables_are_read():
    assert len(URLS) > 30 and {"/", "/events/<id>.jsonld", "/suggest?q=&kind=place", "/import"} <= set(URLS)
    assert len(set(URLS)) == len(URLS)
    sample_ids = {json.loads(line)["id"] for line in SAMPLE.read_text(encoding="utf-8").splitlines()}
    assert set(SAMPLE_IDS.values()) <= sample_ids


@pytest.fixture(scope="module")
def signed_in(tmp_path_factory):
    """The sample archive, and an admin's client signed in through the form (admins may open every page)."""
    app = loaded_app(tmp_path_factory.mktemp("docs") / "home")
    archive = app.extensions["archive"]
    cli_media.load_sample_recording(archive.db, archive.index)  # as `archive init --sample` does
    client = app.test_client()
    AuthActions(client).sign_in_as("admin")
    yield client
    app.extensions["archive"].close()


@pytest.mark.parametrize("pattern", URLS)
def test_every_url_in_the_readme_is_a_route_and_answers(signed_in, pattern):
    url = instance(pattern)
    adapter = signed_in.application.url_map.bind("localhost")
    endpoint, _ = adapter.match(url.split("?")[0], method="GET")  # raises NotFound / MethodNotAllowed
    with signed_in.get(url) as response:
        assert response.status_code == 200, f"{pattern} ({url}, {endpoint}): {response.status_code}"
