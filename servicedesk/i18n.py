"""Language and time zone: English and Simplified Chinese from day one."""

from __future__ import annotations

from typing import Any

from babel import Locale, UnknownLocaleError
from babel.support import Translations
from flask import Flask, current_app, g, has_app_context, has_request_context, request, session
from flask_babel import LazyString, get_locale, get_translations
from flask_login import current_user

from servicedesk.extensions import babel

SESSION_KEY = "locale"

# Each language is offered in its own name, so a reader finds theirs whatever
# language the page is in.
LANGUAGE_NAMES = {"en": "English", "zh_Hans_CN": "简体中文"}


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=lambda: current_app.config["TIMEZONE"],
        default_translation_directories="translations",
    )
    # Templates translate a few hundred strings a page: find the catalogue once
    # per locale rather than through Flask-Babel's context lookups every time.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _catalogue().ugettext(s),  # Jinja formats the variables
        ngettext=lambda s, p, n: _catalogue().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: _catalogue().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals["current_locale"] = current_locale
    app.jinja_env.globals["html_lang"] = html_lang
    app.jinja_env.globals["available_languages"] = available_languages


def gettext(string: str, **variables: Any) -> str:
    """Flask-Babel's ``gettext`` through the remembered catalogue (hot paths)."""
    if not has_app_context():
        return string % variables if variables else string
    text = _catalogue().ugettext(string)
    return text % variables if variables else text


def lazy_gettext(string: str, **variables: Any) -> LazyString:
    """A label translated when shown, in the locale of whoever renders it."""
    return LazyString(gettext, string, **variables)


def _catalogue() -> Translations:
    """The current locale's translations (see ``language``)."""
    current = language()
    return current[1] if current is not None else get_translations()


def language() -> tuple[str, Translations] | None:
    """The locale in use and its catalogue; None outside an app context.

    Remembered beside Flask-Babel's locale, so a page's hundreds of lookups
    (labels, compiled templates) cost one attribute read each. ``force_locale``
    (mails in the recipient's language) swaps the locale object, which makes
    the remembered pair stale, so it is looked up again.
    """
    if not has_app_context():
        return None
    state = g.get("_flask_babel")
    cached = getattr(state, "sd_language", None)
    if cached is not None and cached[0] is getattr(state, "babel_locale", None):
        return cached[1], cached[2]
    locale = get_locale()
    if locale is None:
        return None
    translations = get_translations()
    state = g._flask_babel  # exists now: Flask-Babel keeps the locale there
    state.sd_language = (state.babel_locale, str(locale), translations)
    return str(locale), translations


def select_locale() -> str:
    """The signed-in user's choice, else this session's, else the browser's.

    Outside a request (CLI commands, background jobs) there is no user,
    session or browser: the default locale, unless ``force_locale`` says otherwise.
    """
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    chosen = session.get(SESSION_KEY)
    if chosen in languages:
        return chosen
    return _from_browser(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def _from_browser(languages: list[str]) -> str | None:
    # Browsers send zh-CN, zh-Hans or plain zh; all mean the Simplified catalogue.
    for tag, _quality in request.accept_languages:
        primary = tag.lower().replace("_", "-")
        if primary.startswith("zh") and not primary.startswith(("zh-tw", "zh-hk", "zh-hant")):
            match = next((lang for lang in languages if lang.startswith("zh")), None)
        else:
            match = next((lang for lang in languages if lang == primary.split("-")[0]), None)
        if match:
            return match
    return None


def current_locale() -> str:
    """The locale in use: the request's or one ``force_locale`` chose (``en`` without an app)."""
    current = language()
    return current[0] if current is not None else "en"


def html_lang(locale: str | None = None) -> str:
    """The BCP 47 tag for ``lang`` attributes: ``zh_Hans_CN`` becomes ``zh-Hans-CN``."""
    return (locale or current_locale()).replace("_", "-")


def available_languages() -> list[tuple[str, str, str]]:
    """``(locale, name in that language, BCP 47 tag)`` for every offered language."""
    result = []
    for code in current_app.config["LANGUAGES"]:
        name = LANGUAGE_NAMES.get(code)
        if name is None:
            try:
                name = Locale.parse(code).get_display_name(code) or code
            except (ValueError, UnknownLocaleError):
                name = code
        result.append((code, name, html_lang(code)))
    return result
