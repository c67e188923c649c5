"""Reading received mail: charsets, HTML, and telling people from machines."""

from __future__ import annotations

import base64

import pytest

from servicedesk.mail.parse import decode_bytes, header_text, html_to_text, parse_mail


def _mail(headers: str, body: str = "Hello") -> bytes:
    return f"{headers}\r\n\r\n{body}\r\n".encode()


# --------------------------------------------------------------------------
# Charsets
# --------------------------------------------------------------------------


@pytest.mark.parametrize("label", ["gb2312", "GB2312", "gbk", "x-gbk", "cp936", "gb18030"])
def test_gb_labelled_text_decodes_as_gb18030(label):
    text = "王喆 镕 珺：数控车床"  # 喆镕珺 are in GBK, not in GB2312
    assert decode_bytes(text.encode("gbk"), label) == text


def test_big5_text_decodes_with_hong_kong_characters():
    text = "維修申請 邨"  # 邨 is in Big5-HKSCS only
    assert decode_bytes(text.encode("big5hkscs"), "big5") == text


@pytest.mark.parametrize("label", [None, "us-ascii", "unknown-8bit", "no-such-charset"])
def test_mislabelled_or_unlabelled_text_is_tried_as_utf8_then_gb18030(label):
    assert decode_bytes("交货期".encode(), label) == "交货期"
    assert decode_bytes("交货期".encode("gbk"), label) == "交货期"


def test_encoded_words_in_several_charsets_decode():
    subject = "=?gb2312?B?" + base64.b64encode("喆".encode("gbk")).decode() + "?="
    subject += " =?utf-8?Q?=E4=BA=A4=E8=B4=A7?= ok"
    assert header_text(subject) == "喆交货 ok"


def test_raw_8bit_headers_decode():
    raw = "Subject: 备件报价\r\nFrom: 李娜 <li.na@acme.example>\r\n\r\nx".encode("gbk")
    mail = parse_mail(raw)
    assert (mail.subject, mail.sender_name) == ("备件报价", "李娜")
    assert parse_mail("Subject: Überprüfung\r\n\r\nx".encode()).subject == "Überprüfung"


def test_a_malformed_encoded_word_is_kept_as_text():
    assert header_text("=?utf-8?B?not base64!?= rest").endswith("rest")


# --------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------


def test_html_becomes_safe_text_with_its_line_breaks():
    markup = (
        "<html><head><title>Hidden</title><style>p{color:red}</style></head><body>"
        "<p>Dear team,</p><p>the <b>valve</b>&nbsp;leaks &amp; drips.<br>Since Monday.</p>"
        "<script>steal()</script><img src='http://tracker.example/p.gif'>"
        "<table><tr><td>Part</td><td>V-20</td></tr></table><!-- note --></body></html>"
    )
    assert html_to_text(markup) == "Dear team,\nthe valve leaks & drips.\nSince Monday.\nPart V-20"


def test_an_html_only_email_is_read_as_text():
    raw = _mail("From: a@b.example\r\nContent-Type: text/html; charset=utf-8", "<p>x &lt; y</p>")
    assert parse_mail(raw).text == "x < y"


# --------------------------------------------------------------------------
# Machines
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        "Auto-Submitted: auto-replied",
        "Auto-Submitted: auto-generated",
        "X-Autoreply: yes",
        "X-Autorespond: vacation",
        "Precedence: bulk",
        "Precedence: junk",
        "Precedence: list",
        "List-Id: <news.example.com>",
        "Return-Path: <>",
        "Subject: Out of Office: back on Monday",
        "Subject: Automatic reply: your request",
        "Subject: 自动回复：您好",
        'Content-Type: multipart/report; report-type=disposition-notification; boundary="b"',
    ],
)
def test_automatic_mail_is_recognised(headers):
    assert parse_mail(_mail(f"From: a@b.example\r\n{headers}")).automatic == "automatic"


@pytest.mark.parametrize(
    "headers",
    [
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
        "From: MAILER-DAEMON@mx.example.com",
        "From: postmaster@mx.example.com",
        "X-Failed-Recipients: old@plant.example.com",
    ],
)
def test_bounces_are_recognised(headers):
    raw = _mail(headers if headers.startswith("From") else f"From: a@b.example\r\n{headers}")
    assert parse_mail(raw).automatic == "bounce"


def test_mail_a_person_wrote_is_not_automatic():
    raw = _mail("From: a@b.example\r\nAuto-Submitted: no\r\nSubject: Office chairs out of stock?")
    assert parse_mail(raw).automatic is None


def test_thread_ids_run_from_the_nearest_message_back():
    raw = _mail(
        "From: a@b.example\r\nIn-Reply-To: <c@x>\r\nReferences: <a@x> <b@x>\r\n <c@x>",
    )
    assert parse_mail(raw).thread_ids == ("<c@x>", "<b@x>", "<a@x>")
