"""Every command has help text, and the commands also run as `flask --app archive ...`."""
import os
import subprocess
import sys

import click
from click.testing import CliRunner

from archive.cli import cli


def all_commands(group: click.Group, prefix=()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from all_commands(command, (*prefix, name))


def test_every_command_has_help_text():
    runner = CliRunner()
    for path, command in all_commands(cli):
        assert command.help, f"{' '.join(path)} has no help text"
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{' '.join(path)} {param.opts[0]} has no help text"


def test_flask_cli_runs_the_same_commands(tmp_path):
    env = {**os.environ, "ARCHIVE_HOME": str(tmp_path / "f")}
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "archive", "init", "--sample"],
                          env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "f" / "records" / "archive.db").exists()
    check = subprocess.run([sys.executable, "-m", "flask", "--app", "archive", "reindex", "--check"],
                           env=env, capture_output=True, text=True)
    assert check.returncode == 0 and "agree" in check.stdout


def test_runner_fixture_uses_the_apps_home(runner, app):
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0 and app.config["ARCHIVE_HOME"] in result.output
