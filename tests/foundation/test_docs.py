"""The README documents every setting a centre can give."""

from pathlib import Path

from servicedesk.config import DEFAULTS

ROOT = Path(__file__).resolve().parents[2]
# Flask and extension settings with safe defaults that a centre does not set.
INTERNAL_PREFIXES = ("SQLALCHEMY_", "SESSION_", "REMEMBER_", "WTF_", "LANGUAGES")


def test_readme_lists_every_setting():
    readme = (ROOT / "README.md").read_text()
    settings = [key for key in DEFAULTS if not key.startswith(INTERNAL_PREFIXES)]
    settings.remove("BABEL_DEFAULT_TIMEZONE")  # follows TIMEZONE
    missing = [key for key in settings if f"`SERVICEDESK_{key}`" not in readme]
    assert missing == []


def test_readme_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```sh", 1)[1].split("```", 1)[0]
    assert "make demo" in first_block
    assert "make test" in first_block
