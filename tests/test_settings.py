"""One list of settings (archive/settings.py): the README shows exactly it, the app and the command
line read it alike."""
from pathlib import Path

from click.testing import CliRunner

from archive import settings
from archive.cli import cli

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_configuration_table_is_the_list_of_settings():
    assert settings.table() in README.read_text(encoding="utf-8"), (
        "README's Configuration table differs from archive/settings.py; paste settings.table()")


def test_defaults_then_the_environment_then_the_caller(tmp_path):
    loaded = settings.load({"ARCHIVE_HOME": str(tmp_path), "OAI_PAGE_SIZE": 7, "SECRET_KEY": None},
                           environ={"ARCHIVE_RECORDS_PER_PAGE": "50", "ARCHIVE_OAI_PAGE_SIZE": "3",
                                    "ARCHIVE_OAI_REPOSITORY_NAME": "Our archive",
                                    "ARCHIVE_PROXY_FIX": "true", "HOME": "/elsewhere"})
    assert loaded["RECORDS_PER_PAGE"] == 50 and loaded["PROXY_FIX"] is True
    assert loaded["OAI_PAGE_SIZE"] == 7 and loaded["OAI_REPOSITORY_NAME"] == "Our archive"
    assert loaded["SIGN_IN_MAX_PER_USER"] == 5 and loaded["SECRET_KEY"] is None
    assert loaded["DATABASE"] == str(tmp_path.resolve() / "records" / "archive.db")
    assert loaded["SEARCH_INDEX"] == str(tmp_path.resolve() / "search_index")


def test_the_app_has_every_setting(app):
    assert all(setting.name in app.config for setting in settings.SETTINGS)
    assert app.config["SECRET_KEY"] and app.extensions["archive"].settings is app.config


def test_the_command_line_reads_the_environment_too(tmp_path):
    database = tmp_path / "elsewhere" / "archive.db"
    result = CliRunner().invoke(cli, ["--home", str(tmp_path / "home"), "init"],
                                env={"ARCHIVE_DATABASE": str(database)})
    assert result.exit_code == 0, result.output
    assert database.exists() and not (tmp_path / "home" / "records" / "archive.db").exists()
