"""docs/plugins.md documents every hook spec with its exact signature (after Datasette)."""

import inspect
import re
from pathlib import Path

from servicedesk import hookspecs

DOCS = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
HEADING = re.compile(r"^### `(\w+)\(([^)]*)\)`", re.MULTILINE)


def spec_signatures() -> dict[str, str]:
    specs = {}
    for name, function in inspect.getmembers(hookspecs, inspect.isfunction):
        if hasattr(function, f"{hookspecs.PROJECT_NAME}_spec"):
            specs[name] = ", ".join(inspect.signature(function).parameters)
    return specs


def documented_signatures(text: str | None = None) -> dict[str, str]:
    return dict(HEADING.findall(DOCS.read_text() if text is None else text))


def mismatches(documented: dict[str, str]) -> dict[str, tuple[str, str | None]]:
    return {
        name: (args, documented.get(name))
        for name, args in spec_signatures().items()
        if documented.get(name) != args
    }


def test_there_are_hooks_to_document():
    assert {"ticket_event", "register_blueprints", "public_form_fields"} <= set(spec_signatures())


def test_every_hook_is_documented_with_its_signature():
    wrong = mismatches(documented_signatures())
    assert wrong == {}, "undocumented or documented with another signature: (spec, docs)"


def test_the_check_catches_a_missing_or_stale_hook():
    text = DOCS.read_text()
    without = text.replace("### `ticket_event(app, ticket, actor, event)`", "")
    stale = text.replace(
        "### `ticket_event(app, ticket, actor, event)`", "### `ticket_event(ticket)`"
    )
    assert mismatches(documented_signatures(without)) == {
        "ticket_event": ("app, ticket, actor, event", None)
    }
    assert mismatches(documented_signatures(stale)) == {
        "ticket_event": ("app, ticket, actor, event", "ticket")
    }


def test_no_documented_hook_is_missing_from_the_specs():
    assert set(documented_signatures()) - set(spec_signatures()) == set()
