"""English and Simplified Chinese: the catalogue is complete and the right one is chosen."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import force_locale, gettext

from servicedesk.extensions import db
from servicedesk.i18n import SESSION_KEY

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "servicedesk/translations/zh_Hans_CN/LC_MESSAGES/messages.po"
ZH = "zh_Hans_CN"


@pytest.fixture(scope="module")
def translations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The catalogue compiled from the .po, so the tests never read a stale .mo."""
    folder = tmp_path_factory.mktemp("translations")
    target = folder / ZH / "LC_MESSAGES"
    target.mkdir(parents=True)
    with CATALOGUE.open("rb") as po, (target / "messages.mo").open("wb") as mo:
        write_mo(mo, read_po(po))
    return folder


@pytest.fixture
def app_config(translations: Path) -> dict[str, object]:
    return {"BABEL_TRANSLATION_DIRECTORIES": str(translations)}


def test_catalogue_translates_every_extracted_string(tmp_path):
    template = tmp_path / "messages.pot"
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "lazy_gettext",
         "-k", "_l", "-o", str(template), str(ROOT)]
    )  # fmt: skip
    with template.open("rb") as handle:
        extracted = read_po(handle)
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)

    untranslated, fuzzy = [], []
    for message in extracted:
        if not message.id:
            continue
        translated = catalogue.get(message.id, message.context)
        strings = translated.string if translated else None
        forms = strings if isinstance(strings, tuple | list) else (strings,)
        if translated is None or not all(forms):
            untranslated.append(message.id)
        elif translated.fuzzy:
            fuzzy.append(message.id)
    assert not untranslated, "run `make translations-update` and translate these"
    assert not fuzzy, "review these fuzzy translations"
    problems = [(message.id, errors) for message, errors in catalogue.check()]
    assert not problems, "placeholders must match the English text"


def test_browser_asking_for_chinese_gets_chinese(client):
    page = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}).get_data(
        as_text=True
    )
    assert '<html lang="zh-Hans-CN">' in page
    assert "<span>服务台</span>" in page
    assert "<h3>客户咨询部</h3>" in page
    assert "<h3>投诉</h3>" in page
    assert ">提交请求</h2>" in page
    # The language switcher names each language in itself, whatever the page language.
    assert ">English</button>" in page


def test_browser_without_chinese_gets_english(client):
    page = client.get("/", headers={"Accept-Language": "de-DE,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "<h3>Intake</h3>" in page


def test_language_switch_is_remembered_in_the_session(client):
    response = client.post("/language", data={"locale": ZH, "next": "/desk/login"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/desk/login"
    with client.session_transaction() as session:
        assert session[SESSION_KEY] == ZH
    page = client.get("/desk/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "员工登录</h1>" in page
    client.post("/language", data={"locale": "en", "next": "/"})
    assert "Staff sign-in</h1>" in client.get("/desk/login").get_data(as_text=True)


def test_language_switch_refuses_unknown_languages_and_foreign_pages(client):
    response = client.post("/language", data={"locale": "fr", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert 'role="alert">That language is not available.</div>' in page
    with client.session_transaction() as session:
        assert SESSION_KEY not in session


def test_signed_in_users_language_wins(client, auth, make_user):
    auth.login(make_user(locale=ZH, name="Liu Yang"))
    with client.session_transaction() as session:
        session[SESSION_KEY] = "en"
    page = client.get("/desk/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "当前用户：<strong>Liu Yang</strong>（客服专员）" in page
    assert "所属部门：" in page


def test_switching_while_signed_in_is_kept_on_the_account(client, auth, make_user):
    user = make_user()
    auth.login(user)
    client.post("/language", data={"locale": ZH, "next": "/desk/"})
    db.session.refresh(user)
    assert user.locale == ZH
    # A new session (another browser, after signing out) still gets the chosen language.
    auth.logout()
    with client.session_transaction() as session:
        session.clear()
    auth.login(user)
    assert "工作台</h1>" in client.get("/desk/").get_data(as_text=True)


def test_desk_labels_are_translated(client, auth, make_user, make_ticket):
    make_ticket(kind="repair", priority=3)
    auth.login(make_user(locale=ZH))
    page = client.get("/desk/").get_data(as_text=True)
    assert '<span class="badge sd-badge sd-status-new">新建</span>' in page
    assert '<span class="badge sd-badge sd-priority-urgent">紧急</span>' in page
    assert "<td>维修或技术支持</td>" in page
    assert "<td>客户咨询部</td>" in page


def test_error_pages_are_translated(client):
    response = client.get("/no/such/page", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 404
    assert "页面不存在</h1>" in response.get_data(as_text=True)


def test_service_messages_are_translated(app):
    with app.test_request_context(), force_locale(ZH):
        assert gettext("This field is required.") == "此项为必填项。"


def test_outside_a_request_the_default_locale_is_used(app):
    # As in a CLI command or a background job: an app context and nothing else.
    with app.app_context():
        assert gettext("This field is required.") == "This field is required."
        with force_locale(ZH):
            assert gettext("This field is required.") == "此项为必填项。"


def test_current_locale_follows_force_locale_outside_a_request(app):
    from servicedesk.i18n import current_locale

    with app.app_context():
        assert current_locale() == "en"
        with force_locale(ZH):
            assert current_locale() == ZH
