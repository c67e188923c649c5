"""Reading received email: what it says and whether a person sent it.

Pure functions over the raw RFC 822 bytes; nothing here knows about tickets.
Text is decoded in the charset it declares, except that GB2312 and GBK are
read as GB18030, their superset: mail labelled GB2312 routinely contains
characters only GBK has, which Python's strict ``gb2312`` codec refuses.
Undeclared 8-bit text is tried as UTF-8, then GB18030. HTML is sanitised
with nh3 (no scripts, styles, forms or images, remote or not) and flattened
to plain text, which is all a message body holds.
"""

from __future__ import annotations

import hashlib
import html
import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes
from email.errors import HeaderParseError
from email.header import decode_header
from email.message import Message
from email.utils import parseaddr

import nh3

from servicedesk.mail.outgoing import LOOP_HEADER

# Charsets read as a superset that decodes everything their senders put in them.
_SUPERSETS = {
    **dict.fromkeys(
        ("gb2312", "gbk", "x-gbk", "cp936", "windows-936", "euc-cn", "x-euc-cn", "gb_2312-80"),
        "gb18030",
    ),
    **dict.fromkeys(("big5", "x-big5", "cp950"), "big5hkscs"),
}
_FALLBACKS = ("utf-8", "gb18030")

# Subjects of out-of-office and other automatic answers, in the languages our
# customers' mail programs use.
_AUTOMATIC_SUBJECT = re.compile(
    r"^\s*(out of (the )?office|automatic reply|auto[- ]?reply|autoreply|auto:|"
    r"自动回复|自動回覆|自动答复|不在办公室|休假)",
    re.IGNORECASE,
)
_BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
_DAEMONS = {"mailer-daemon", "postmaster"}
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")

# Tags whose end starts a new line of text, and table cells, which end with a
# space; every other tag is dropped.
_BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"}
_BREAK = re.compile(r"<br\s*/?>|</(?:p|div|li|tr|h[1-6]|blockquote|pre)>", re.IGNORECASE)
_CELL = re.compile(r"</t[dh]>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class MailAttachment:
    filename: str
    content: bytes
    # Shown within the message (pasted pictures, signature logos) rather than attached.
    inline: bool


@dataclass(frozen=True)
class ParsedMail:
    message_id: str
    sender: str  # the address in From, as given
    sender_name: str
    subject: str
    text: str
    attachments: tuple[MailAttachment, ...]
    # In-Reply-To first, then References from the nearest ancestor back.
    thread_ids: tuple[str, ...]
    # "bounce" or "automatic" when no person wrote it, else None.
    automatic: str | None
    # Our own loop-detection header, when the message carries it.
    loop_marker: str | None


def parse_mail(raw: bytes) -> ParsedMail:
    message = message_from_bytes(raw)
    name, address = parseaddr(_raw(message, "From") or "")
    subject = " ".join(header_text(_raw(message, "Subject")).split())
    ids = _MESSAGE_ID.findall(_raw(message, "Message-ID") or "")
    in_reply_to = _MESSAGE_ID.findall(_raw(message, "In-Reply-To") or "")
    references = _MESSAGE_ID.findall(_raw(message, "References") or "")
    text, attachments = _content(message)
    marker = _raw(message, LOOP_HEADER)
    return ParsedMail(
        # Without a Message-ID the content identifies the message.
        message_id=ids[0] if ids else f"<sha256.{hashlib.sha256(raw).hexdigest()}@local>",
        sender=address.strip(),
        sender_name=" ".join(header_text(name).split()),
        subject=subject,
        text=text,
        attachments=tuple(attachments),
        thread_ids=tuple(dict.fromkeys([*in_reply_to, *reversed(references)])),
        automatic=_automatic(message, address, subject),
        loop_marker=None if marker is None else marker.strip(),
    )


def header_text(value: str | None) -> str:
    """A header's text, RFC 2047 encoded words and raw 8-bit bytes decoded."""
    if not value:
        return ""
    try:
        chunks = decode_header(value)
    except HeaderParseError:
        chunks = [(value, None)]  # a malformed encoded word: keep the text as it came
    pieces = []
    for chunk, charset in chunks:
        # Without encoded words the parser hands back text in which raw 8-bit
        # bytes are kept as surrogates; recover the bytes to decode them.
        data = chunk.encode("ascii", "surrogateescape") if isinstance(chunk, str) else chunk
        pieces.append(decode_bytes(data, charset))
    return "".join(pieces)


def decode_bytes(data: bytes, charset: str | None) -> str:
    """``data`` as text: in its declared charset if that works, else UTF-8, else GB18030."""
    declared = (charset or "").strip().lower()
    for candidate in (_SUPERSETS.get(declared, declared), *_FALLBACKS):
        if not candidate:
            continue
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", errors="replace")


def html_to_text(markup: str) -> str:
    """The text of an HTML body, sanitised first; block ends become line breaks."""
    safe = nh3.clean(
        markup,
        tags=_BLOCKS | {"td", "th"},
        attributes={},
        clean_content_tags={"script", "style", "title"},
        strip_comments=True,
    )
    # Line breaks in HTML source are mere spaces; the tags say where lines end.
    flat = _CELL.sub(" ", _BREAK.sub("\n", " ".join(safe.split())))
    text = html.unescape(_TAG.sub("", flat))
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _raw(message: Message, name: str) -> str | None:
    # raw_items, not get(): get() wraps undeclared 8-bit headers in an object
    # that decodes them as "unknown-8bit", losing the characters.
    wanted = name.lower()
    return next((value for key, value in message.raw_items() if key.lower() == wanted), None)


def _automatic(message: Message, address: str, subject: str) -> str | None:
    content_type = message.get_content_type()
    local_part = address.partition("@")[0].lower()
    if (
        (
            content_type == "multipart/report"
            and message.get_param("report-type") == "delivery-status"
        )
        or local_part in _DAEMONS
        or message.get("X-Failed-Recipients")
    ):
        return "bounce"
    auto_submitted = (message.get("Auto-Submitted") or "no").strip().lower()
    precedence = {
        (message.get(name) or "").strip().lower() for name in ("Precedence", "X-Precedence")
    }
    if (
        auto_submitted != "no"
        or content_type == "multipart/report"  # read receipts and other reports
        or precedence & _BULK_PRECEDENCE
        or any(message.get(name) for name in ("X-Autoreply", "X-Autorespond", "List-Id"))
        or (message.get("Return-Path") or "").strip() == "<>"
        or _AUTOMATIC_SUBJECT.match(subject)
    ):
        return "automatic"
    return None


def _content(message: Message) -> tuple[str, list[MailAttachment]]:
    """The body as text, and the files, in order: attached ones before inline ones."""
    plain = markup = None
    files = []
    for part in _leaves(message):
        if part.get_content_maintype() == "message":
            continue  # a forwarded or returned message is not the sender's text
        disposition = (part.get_content_disposition() or "").lower()
        filename = _filename(part)
        content_type = part.get_content_type()
        if disposition != "attachment" and filename is None and content_type.startswith("text/"):
            text = decode_bytes(part.get_payload(decode=True) or b"", part.get_content_charset())
            if content_type == "text/plain" and plain is None:
                plain = text
            elif content_type == "text/html" and markup is None:
                markup = text
            continue
        content = part.get_payload(decode=True)
        if content:
            extension = mimetypes.guess_extension(content_type) or ""
            files.append(
                MailAttachment(
                    filename=filename or f"attachment{extension}",
                    content=content,
                    inline=disposition != "attachment",
                )
            )
    if plain is not None and plain.strip():
        text = plain.replace("\r\n", "\n").strip()
    else:
        text = html_to_text(markup or "")
    return text, sorted(files, key=lambda file: file.inline)


def _leaves(part: Message) -> Iterator[Message]:
    if part.is_multipart() and part.get_content_maintype() == "multipart":
        for child in part.get_payload():
            yield from _leaves(child)
    else:
        yield part


def _filename(part: Message) -> str | None:
    value = part.get_param("filename", header="content-disposition") or part.get_param("name")
    if value is None:
        return None
    if isinstance(value, tuple):  # RFC 2231: (charset, language, the bytes as Latin-1)
        charset, _language, text = value
        return decode_bytes(text.encode("latin-1", "surrogateescape"), charset)
    # Many Chinese mail programs put RFC 2047 encoded words in the file name.
    return header_text(str(value)) or None
