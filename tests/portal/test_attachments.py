"""Customers' files: accepted for what they are, stored apart, sent back as downloads."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from servicedesk.extensions import db
from servicedesk.models import Attachment
from servicedesk.services.attachments import Upload, check_uploads, display_name
from servicedesk.services.errors import ValidationError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_config():
    return {
        "WTF_CSRF_ENABLED": True,
        "ATTACHMENT_MAX_BYTES": 4096,
        "ATTACHMENT_TOTAL_MAX_BYTES": 10_000,
        "ATTACHMENT_MAX_COUNT": 3,
    }


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def files_of(path: str, client) -> list[tuple[str, str]]:
    page = client.get(path).get_data(as_text=True)
    return re.findall(r'<a href="(/t/[^"]+/files/\d+)" download>.*?</svg>([^<]+)</a>', page, re.S)


def test_accepted_files_are_stored_outside_static_under_random_names(app, portal, png):
    text = "检修记录：轴封更换。\n".encode("gb18030")
    files = [(png, "漏水照片.png"), (pdf_bytes(), "invoice.pdf"), (text, "记录.txt")]
    portal.file_request(files=files)

    rows = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert [(r.filename, r.content_type) for r in rows] == [
        ("漏水照片.png", "image/png"),
        ("invoice.pdf", "application/pdf"),
        ("记录.txt", "text/plain; charset=gb18030"),
    ]
    folder = Path(app.config["ATTACHMENT_DIR"])
    assert folder.is_relative_to(app.instance_path)
    assert not folder.is_relative_to(ROOT / "static")
    for row, (content, _name) in zip(rows, files, strict=True):
        stored = folder / row.storage_key[:2] / row.storage_key[2:]
        assert stored.read_bytes() == content
        assert row.sha256 == hashlib.sha256(content).hexdigest()
        assert row.size == len(content)
        assert re.fullmatch(r"[0-9a-f]{32}", row.storage_key)


def test_downloads_are_attachments_with_the_stored_type_and_no_sniffing(portal, png):
    _reference, path = portal.file_request(files=[(png, "漏水 照片.png")])
    ((url, name),) = files_of(path, portal.client)
    assert name == "漏水 照片.png"

    response = portal.client.get(url)
    assert response.status_code == 200
    assert response.data == png
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename=" .png"; '
        "filename*=UTF-8''%E6%BC%8F%E6%B0%B4%20%E7%85%A7%E7%89%87.png"
    )
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_office_documents_are_accepted(portal):
    portal.file_request(files=[(docx_bytes(), "offer.docx")])
    row = db.session.scalars(select(Attachment)).one()
    assert row.content_type.endswith("wordprocessingml.document")


def test_a_file_whose_name_lies_gets_the_right_extension(portal):
    portal.file_request(files=[(pdf_bytes(), "photo.png")])
    assert db.session.scalars(select(Attachment.filename)).one() == "photo.png.pdf"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("C:\\Users\\wang\\Desktop\\报价单.pdf", "报价单.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("invoice\u202egnp.pdf", "invoicegnp.pdf"),  # right-to-left override
        ("line\r\nbreak.pdf", "linebreak.pdf"),
        ("zero\u200bwidth.pdf", "zerowidth.pdf"),
        ("cafe\u0301.pdf", "café.pdf"),  # NFC
        ("   ", "attachment.pdf"),
        (".pdf", "pdf.pdf"),
        ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
    ],
)
def test_display_names_are_cleaned(app, raw, shown):
    assert display_name(raw, ("pdf",)) == shown


def test_a_file_too_large(portal, state, png):
    before = state()
    response = portal.submit(files=[(png + b"\x00" * 5000, "big.png")])
    assert response.status_code == 422
    assert "“big.png” is too large: each file may be at most 4 KB." in response.get_data(
        as_text=True
    )
    assert state() == before


def test_files_too_large_together(portal, state, png):
    before = state()
    files = [(png + b"\x00" * 3500, f"part{i}.png") for i in range(3)]
    response = portal.submit(files=files)
    assert response.status_code == 422
    assert re.search(
        r"Your files come to 1[01] KB; together they may be at most 10 KB\.",
        response.get_data(as_text=True),
    )
    assert state() == before


def test_too_many_files(portal, state, png):
    before = state()
    response = portal.submit(files=[(png, f"p{i}.png") for i in range(4)])
    assert response.status_code == 422
    assert "Attach at most 3 files." in response.get_data(as_text=True)
    assert state() == before


def test_every_bad_file_is_reported_at_once(app):
    uploads = [
        Upload("page.png", io.BytesIO(b"<html><body>hi</body></html>")),
        Upload("empty.pdf", io.BytesIO(b"")),
        Upload("archive.zip", io.BytesIO(b"PK\x03\x04" + b"\x00" * 100)),
    ]
    with pytest.raises(ValidationError) as refused:
        check_uploads(uploads)
    messages = refused.value.errors["attachments"]
    assert len(messages) == 3
    assert messages[0].startswith("“page.png” is a web page, SVG or XML file")
    assert messages[1] == "“empty.pdf” is empty."
    assert messages[2].startswith("“archive.zip” is not a type of file we accept.")


@pytest.mark.parametrize(
    "content",
    [
        b"plain\x00binary\x01data",
        b"\xff\xfe\xfd\xfc not text",
        b"Dear team,\n<script>alert(1)</script>\n",
        b"<?xml version='1.0'?><root/>",
        b"\xef\xbb\xbf<!doctype html><p>hi",
    ],
)
def test_text_must_be_text_and_not_markup(app, content):
    with pytest.raises(ValidationError):
        check_uploads([Upload("notes.txt", io.BytesIO(content))])


def test_plain_text_in_utf8_and_gb18030_is_accepted(app):
    checked = check_uploads(
        [
            Upload("a.txt", io.BytesIO("温度 < 80°C, pressure > 2 bar\n".encode())),
            Upload("b.log", io.BytesIO("错误代码 E42\r\n".encode("gb18030"))),
        ]
    )
    assert [c.content_type for c in checked] == [
        "text/plain; charset=utf-8",
        "text/plain; charset=gb18030",
    ]


def test_an_empty_file_picker_is_not_a_file(portal):
    response = portal.submit(files=[(b"", "")])
    assert response.status_code == 303
    assert db.session.scalars(select(Attachment)).all() == []


def test_replies_take_files_too(portal, png):
    _reference, path = portal.file_request()
    response = portal.reply(path, body="Photo attached.", files=[(png, "after.png")])
    assert response.status_code == 303
    ((_url, name),) = files_of(path, portal.client)
    assert name == "after.png"


def test_a_refused_reply_keeps_the_text_and_asks_for_the_files_again(portal, state, png):
    _reference, path = portal.file_request()
    before = state()
    response = portal.reply(path, body="See the page", files=[(b"<html></html>", "x.png")])
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert ">See the page</textarea>" in page
    assert "Please attach your files again" in page
    assert "is a web page, SVG or XML file" in page
    assert state() == before
