"""The customer's side in a real browser: file a request in Chinese with a photo,
follow it with the private link, reply; hostile text stays text.

Labels are looked up through the catalogue (``zh``), so the locators match the
page whether or not a string has its Chinese translation yet.
"""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect
from sqlalchemy import select

from servicedesk.extensions import db
from servicedesk.models import Attachment, Message, MessageKind, Ticket
from servicedesk.state import app_state

pytestmark = pytest.mark.slow

ZH = "zh_Hans_CN"
REFERENCE = re.compile(r"SD-\d{4}-\d{6}")


def zh(text: str) -> str:
    """``text`` as the Chinese pages show it."""
    with force_locale(ZH):
        return gettext(text)


def kind_zh(app, code: str) -> str:
    with force_locale(ZH):
        return str(app_state(app).kinds[code])


def open_form_in_chinese(page, live_server):
    page.goto(live_server + "/")
    page.get_by_role("button", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans-CN")


def fill_request(page, app, *, subject: str, body: str):
    page.get_by_label(zh("Kind of request")).select_option(label=kind_zh(app, "repair"))
    page.get_by_label(zh("Your name")).fill("王芳")
    page.get_by_label(zh("Company")).fill("上海泵业有限公司")
    page.get_by_label(zh("Email address")).fill("wang.fang@pumps.example.cn")
    page.get_by_label(zh("Phone")).fill("+86 21 5555 0100")
    page.get_by_label(zh("Product, order or serial number")).fill("PX-200 / 序列号 4471")
    page.get_by_label(zh("Subject")).fill(subject)
    page.get_by_label(zh("Description")).fill(body)


def test_file_follow_and_reply_in_chinese_with_a_photo(app, page, live_server, screenshot):
    open_form_in_chinese(page, live_server)
    # A real PNG, made by the browser itself: a screenshot of the logo.
    photo = page.locator(".navbar-brand img").screenshot()
    fill_request(
        page,
        app,
        subject="水泵轴封漏水",
        body="自周一起，PX-200 水泵轴封处持续漏水。\n请尽快安排检修。",
    )
    page.get_by_label(zh("Attachments")).set_input_files(
        files=[{"name": "漏水照片.png", "mimeType": "image/png", "buffer": photo}]
    )
    page.locator("#request").scroll_into_view_if_needed()
    screenshot("portal-form")
    page.get_by_role("button", name=zh("Send request")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        zh("Thank you — we have your request")
    )
    reference = page.locator("#reference").inner_text()
    assert REFERENCE.fullmatch(reference)
    link = page.get_by_label(zh("Your private tracking link")).input_value()
    assert link.startswith(live_server + "/t/")
    screenshot("portal-confirmation")
    # Shown once: the page no longer holds the link after a reload.
    page.reload()
    expect(page.get_by_label(zh("Your private tracking link"))).to_have_count(0)

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("水泵轴封漏水")
    expect(page.get_by_text(reference).first).to_be_visible()
    expect(page.get_by_text(zh("Received"), exact=True).first).to_be_visible()
    expect(page.get_by_text("客户咨询部")).to_be_visible()  # the intake department, in Chinese
    expect(page.get_by_text("自周一起，PX-200 水泵轴封处持续漏水。")).to_be_visible()
    photo_link = page.get_by_role("link", name="漏水照片.png")
    expect(photo_link).to_be_visible()
    with page.expect_download() as download:
        photo_link.click()
    assert download.value.suggested_filename == "漏水照片.png"
    screenshot("portal-tracking")

    page.get_by_label(zh("Your message")).fill("补充：漏水量约每分钟 20 毫升。")
    page.get_by_role("button", name=zh("Send message")).click()
    expect(page.get_by_text(zh("Your message has been sent."))).to_be_visible()
    expect(page.locator(".sdp-msg").last).to_contain_text("补充：漏水量约每分钟 20 毫升。")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("portal-tracking-phone")

    db.session.expire_all()
    ticket = db.session.scalar(select(Ticket).where(Ticket.reference == reference))
    bodies = [(m.kind, m.body) for m in db.session.scalars(
        select(Message).where(Message.ticket_id == ticket.id).order_by(Message.id)
    )]  # fmt: skip
    assert bodies == [
        (MessageKind.CUSTOMER, "自周一起，PX-200 水泵轴封处持续漏水。\n请尽快安排检修。"),
        (MessageKind.CUSTOMER, "补充：漏水量约每分钟 20 毫升。"),
    ]
    files = db.session.scalars(select(Attachment)).all()
    assert [(f.filename, f.content_type, f.size) for f in files] == [
        ("漏水照片.png", "image/png", len(photo))
    ]
    assert ticket.contact.locale == ZH
    assert ticket.product_ref == "PX-200 / 序列号 4471"


def test_form_on_a_phone(app, page, live_server, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    open_form_in_chinese(page, live_server)
    page.get_by_role("button", name=zh("Send request")).click()
    # Refused without JavaScript's help: the summary is announced, the fields marked.
    expect(page.get_by_role("alert")).to_contain_text(zh("This field is required."))
    expect(page.get_by_label(zh("Subject"))).to_have_attribute("aria-invalid", "true")
    screenshot("portal-form-phone-errors")
    # The page fits the phone: nothing wider than the screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390


def test_inline_validation_shows_the_error_beside_the_field(app, page, live_server):
    page.goto(live_server + "/")
    email = page.get_by_label("Email address")
    email.fill("not-an-address")
    email.press("Tab")
    expect(page.locator("#f-email-error")).to_have_text("Enter a valid email address.")
    expect(page.get_by_label("Email address")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Email address").fill("buyer@example.com")
    page.get_by_label("Email address").press("Tab")
    expect(page.locator("#f-email-error")).to_have_count(0)


def test_script_in_subject_and_body_stays_text(app, page, live_server):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(live_server + "/")
    page.get_by_label("Kind of request").select_option("complaint")
    page.get_by_label("Your name").fill("<b>Mallory</b>")
    page.get_by_label("Email address").fill("mallory@example.com")
    page.get_by_label("Subject").fill("<script>alert(1)</script>")
    page.get_by_label("Description").fill('<img src=x onerror=alert(1)> "quoted" & more')
    page.get_by_role("button", name="Send request").click()
    link = page.get_by_label("Your private tracking link").input_value()

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("<script>alert(1)</script>")
    expect(page.locator(".sdp-msg-body")).to_have_text(
        '<img src=x onerror=alert(1)> "quoted" & more'
    )
    assert page.locator(".sdp-msg-body img").count() == 0
    page.get_by_label("Your message").fill("<svg onload=alert(2)>")
    page.get_by_role("button", name="Send message").click()
    expect(page.locator(".sdp-msg-body").last).to_have_text("<svg onload=alert(2)>")
    assert dialogs == []
