"""Templates compiled once per language, with their fixed texts already translated.

A desk page translates two hundred fixed strings (``_("Status")``, ``{% trans
%}`` blocks ...) every time it is rendered: each one a call through Jinja's
context, Flask-Babel's locale and the catalogue. None of them changes between
renders in one language, so this environment compiles each template once per
language and replaces every ``_()``/``gettext()`` of a literal string by its
translation. What remains at render time is the ``%`` formatting of any
variables, with the escaping Jinja's "new style" gettext applies: the
translated text is trusted (it is ours), the values are escaped in HTML.

Calls that cannot be folded (plural forms, a message that is not a literal, a
template compiled outside a request) keep the runtime gettext, which is still
installed, so the output is the same either way.
"""

from __future__ import annotations

import weakref
from contextvars import ContextVar
from typing import Any

from babel.support import NullTranslations
from flask.templating import Environment
from jinja2 import Template, nodes
from jinja2.visitor import NodeTransformer

from servicedesk.i18n import language

# The catalogue of the language a template is being compiled for.
_compiling: ContextVar[NullTranslations | None] = ContextVar("compiling", default=None)

# The names under which templates call the "new style" gettext.
_GETTEXT_NAMES = frozenset({"_", "gettext"})


class LocalisedEnvironment(Environment):
    """Flask's template environment, with a compiled template per (name, language)."""

    def _load_template(self, name: str, globals: Any) -> Template:
        if self.loader is None:
            raise TypeError("no loader for this environment specified")
        locale, translations = _language()
        cache_key = (weakref.ref(self.loader), name, locale)
        if self.cache is not None:
            template = self.cache.get(cache_key)
            if template is not None and (not self.auto_reload or template.is_up_to_date):
                if globals:
                    template.globals.update(globals)
                return template
        token = _compiling.set(translations)
        try:
            template = self.loader.load(self, name, self.make_globals(globals))
        finally:
            _compiling.reset(token)
        if self.cache is not None:
            self.cache[cache_key] = template
        return template

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        translations = _compiling.get()
        if translations is not None:
            tree = FoldTranslations(translations).visit(tree)
        return tree


class FoldTranslations(NodeTransformer):
    """Replaces ``_("literal", **values)`` by the translation, formatted at render time."""

    def __init__(self, translations: NullTranslations) -> None:
        self.translations = translations

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        node = self.generic_visit(node)
        if not (
            isinstance(node.node, nodes.Name)
            and node.node.name in _GETTEXT_NAMES
            and len(node.args) == 1
            and isinstance(node.args[0], nodes.Const)
            and isinstance(node.args[0].value, str)
            and node.dyn_args is None
            and node.dyn_kwargs is None
        ):
            return node
        text = self.translations.ugettext(node.args[0].value)
        if not node.kwargs:
            try:
                # gettext always formats, so "%%" reads "%" even without values.
                text %= {}
            except (TypeError, ValueError, KeyError):
                return node  # fails at render time, as it would have
            return _at(nodes.MarkSafeIfAutoescape(_at(nodes.Const(text), node)), node)
        values = nodes.Dict(
            [_at(nodes.Pair(_at(nodes.Const(kw.key), node), kw.value), node) for kw in node.kwargs]
        )
        translated = _at(nodes.MarkSafeIfAutoescape(_at(nodes.Const(text), node)), node)
        return _at(nodes.Mod(translated, _at(values, node)), node)


def _at(new: nodes.Node, old: nodes.Node) -> Any:
    new.lineno = old.lineno
    new.environment = old.environment
    return new


def _language() -> tuple[str | None, NullTranslations | None]:
    """The locale of the current request or ``force_locale`` block, and its catalogue."""
    current = language()
    return current if current is not None else (None, None)
