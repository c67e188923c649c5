"""Templates are compiled once per language with their fixed texts translated in,
and render exactly what the runtime gettext would have rendered; dates are
formatted by compiled patterns exactly as Babel formats them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel import Locale, dates
from flask import render_template
from flask_babel import force_locale
from jinja2 import DictLoader, Environment, select_autoescape

from servicedesk.i18n import _catalogue
from servicedesk.templating import LocalisedEnvironment
from servicedesk.web.labels import compile_pattern

SNIPPETS = {
    "plain.html": '{{ _("Status") }}',
    "values.html": '{{ _("Dear %(name)s,", name=name) }}',
    "values.txt": '{{ _("Dear %(name)s,", name=name) }}',
    "trans.html": "{% trans ref=ref %}Select {{ ref }}{% endtrans %}",
    "percent.html": '{{ _("100%% of %(part)s", part=name) }} {{ _("50%% sure") }}',
    "set.html": '{% set label = _("Status") %}{{ label|length }}:{{ label }}',
    "nested.html": '{{ _("Due %(due)s", due=_("Status")) }}',
    "macro.html": '{% macro m(x) %}[{{ x }}]{% endmacro %}{{ m(_("Reply")) }}',
    "attribute.html": "<a title=\"{{ _('Keyboard shortcuts (?)') }}\">{{ _('Sign out') }}</a>",
    "plural.html": (
        "{% trans count=n %}{{ count }} file{% pluralize %}{{ count }} files{% endtrans %}"
    ),
    "dynamic.html": "{{ _(word) }}",
}
VALUES = {"name": "<b>Li & Co</b>", "ref": "SD-2026-000001 <x>", "n": 3, "word": "Status"}


class Counted:
    """The runtime gettext callables, counting how often templates call them."""

    def __init__(self) -> None:
        self.calls = 0

    def gettext(self, text: str) -> str:
        self.calls += 1
        return _catalogue().ugettext(text)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        self.calls += 1
        return _catalogue().ungettext(singular, plural, n)


def _environment(cls: type[Environment], app, counted: Counted) -> Environment:
    options = {
        "loader": DictLoader(SNIPPETS),
        "extensions": ["jinja2.ext.i18n"],
        "autoescape": select_autoescape(["html"]),
    }
    env = cls(app, **options) if cls is LocalisedEnvironment else cls(**options)
    env.install_gettext_callables(counted.gettext, counted.ngettext, newstyle=True)
    return env


@pytest.mark.parametrize("locale", ["en", "zh_Hans_CN"])
@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_folded_templates_render_what_gettext_renders(app, locale, name):
    runtime, folded = Counted(), Counted()
    with app.test_request_context(), force_locale(locale):
        expected = _environment(Environment, app, runtime).get_template(name).render(VALUES)
        actual = _environment(LocalisedEnvironment, app, folded).get_template(name).render(VALUES)
    assert actual == expected
    if name in ("plural.html", "dynamic.html"):
        assert folded.calls == runtime.calls == 1  # left to the runtime
    else:
        assert runtime.calls > 0
        assert folded.calls == 0


def test_the_escaping_of_values_is_kept(app):
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        env = _environment(LocalisedEnvironment, app, Counted())
        html = env.get_template("values.html").render(VALUES)
        text = env.get_template("values.txt").render(VALUES)
    assert "&lt;b&gt;Li &amp; Co&lt;/b&gt;" in html
    assert "<b>Li & Co</b>" in text


def test_each_language_has_its_own_compiled_template(app):
    with app.test_request_context():
        with force_locale("en"):
            english = render_template("partials/layout/_footer.html", layout_container="c")
        with force_locale("zh_Hans_CN"):
            chinese = render_template("partials/layout/_footer.html", layout_container="c")
        with force_locale("en"):
            again = render_template("partials/layout/_footer.html", layout_container="c")
    assert "Customer Service Centre" in english
    assert "客户服务中心" in chinese
    assert again == english


def test_outside_a_request_templates_still_translate_at_render_time(app):
    # No locale while compiling: nothing is folded, the runtime gettext answers.
    template = app.jinja_env.from_string('{{ _("Status") }}')
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        assert template.render() == _catalogue().ugettext("Status") != "Status"


@pytest.mark.parametrize("locale", ["en", "zh_Hans_CN", "de", "ja", "ar"])
def test_compiled_date_patterns_format_as_babel_does(locale):
    babel_locale = Locale.parse(locale)
    pattern = str(babel_locale.datetime_formats["short"]).format(
        babel_locale.time_formats["short"].pattern, babel_locale.date_formats["short"].pattern
    )
    compiled = compile_pattern(pattern, babel_locale)
    zone = ZoneInfo("Asia/Shanghai")
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    for step in range(0, 400 * 24 * 60, 97):  # a year and more, every 97 minutes
        shown = (moment + timedelta(minutes=step)).astimezone(zone)
        assert compiled(shown) == dates.format_datetime(shown, pattern, locale=babel_locale)
