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

import re
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
# "%(name)s", or anything else that starts a conversion.
_PLACEHOLDER = re.compile(r"%%|%\((\w+)\)s|%")
# Marks the Concat nodes made from a translation (see visit_Output).
_PIECES = "servicedesk_translation_pieces"


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

    def visit_Output(self, node: nodes.Output) -> nodes.Node:
        """Printed straight out, a translation's pieces become template text and values.

        ``{{ _("Select %(ref)s", ref=r) }}`` renders as ``Select `` followed by
        ``r`` escaped like any printed value: no call, no string building.
        """
        node = self.generic_visit(node)
        spliced: list[nodes.Node] = []
        for child in node.nodes:
            if isinstance(child, nodes.Concat) and getattr(child, _PIECES, False):
                for piece in child.nodes:
                    if isinstance(piece, nodes.MarkSafeIfAutoescape):
                        spliced.append(_at(nodes.TemplateData(piece.expr.value), piece))
                    else:
                        spliced.append(piece)
            else:
                spliced.append(child)
        node.nodes = spliced
        return node

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
        joined = self._join(text, {kw.key: kw.value for kw in node.kwargs}, node)
        if joined is not None:
            return joined
        values = nodes.Dict(
            [_at(nodes.Pair(_at(nodes.Const(kw.key), node), kw.value), node) for kw in node.kwargs]
        )
        translated = _at(nodes.MarkSafeIfAutoescape(_at(nodes.Const(text), node)), node)
        return _at(nodes.Mod(translated, _at(values, node)), node)

    @staticmethod
    def _join(text: str, values: dict[str, nodes.Expr], node: nodes.Call) -> nodes.Node | None:
        """``"Select %(ref)s"`` as the pieces ``"Select "`` and ``ref``, joined at render time.

        Cheaper than ``%``-formatting the Markup, with the same escaping: the
        pieces of text are trusted, the values escaped (``markup_join``). Any
        other conversion than ``%(name)s`` keeps the formatting.
        """
        pieces: list[nodes.Expr] = []
        literal = []
        position = 0
        for match in _PLACEHOLDER.finditer(text):
            literal.append(text[position : match.start()])
            position = match.end()
            if match.group(0) == "%%":
                literal.append("%")
                continue
            name = match.group(1)
            if name is None or name not in values:
                return None
            pieces.append(
                _at(nodes.MarkSafeIfAutoescape(_at(nodes.Const("".join(literal)), node)), node)
            )
            pieces.append(values[name])
            literal = []
        literal.append(text[position:])
        pieces.append(
            _at(nodes.MarkSafeIfAutoescape(_at(nodes.Const("".join(literal)), node)), node)
        )
        joined = _at(nodes.Concat(pieces), node)
        setattr(joined, _PIECES, True)
        return joined


def _at(new: nodes.Node, old: nodes.Node) -> Any:
    new.lineno = old.lineno
    new.environment = old.environment
    return new


def _language() -> tuple[str | None, NullTranslations | None]:
    """The locale of the current request or ``force_locale`` block, and its catalogue."""
    current = language()
    return current if current is not None else (None, None)
