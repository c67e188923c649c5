"""Customers' files: checked on their content, stored outside the web root.

A file is accepted for what it *is*, not for what it is called: its first
bytes must be an image, a PDF or an Office document, or the whole of it must be
plain text that is not markup. It is written under a random name in
``ATTACHMENT_DIR`` (never below ``static/``), and the name the customer gave it
is kept, cleaned, for display and download only.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import filetype
from flask import current_app, send_file
from werkzeug.wrappers import Response

from servicedesk.i18n import gettext as _
from servicedesk.models import Attachment
from servicedesk.services.errors import NotFound, ValidationError

log = logging.getLogger(__name__)

FIELD = "attachments"
DISPLAY_NAME_MAX = 120
_SUFFIX_MAX = 10
_CHUNK = 64 * 1024

# What we accept, by the type found in the content, with the extensions a
# download may keep. Everything here is inert when saved and opened locally.
ACCEPTED: dict[str, tuple[str, ...]] = {
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg"),
    "image/gif": ("gif",),
    "image/webp": ("webp",),
    "application/pdf": ("pdf",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ("pptx",),
    "application/vnd.oasis.opendocument.text": ("odt",),
    "application/vnd.oasis.opendocument.spreadsheet": ("ods",),
    "application/vnd.oasis.opendocument.presentation": ("odp",),
}
TEXT_EXTENSIONS = ("txt", "log", "csv")

# Text a browser or viewer might treat as a page or an image with scripts.
_MARKUP = re.compile(
    rb"<(?:!doctype|html|head|body|script|svg|iframe|object|embed|\?xml|meta|style|a\s)",
    re.IGNORECASE,
)
# Control characters that plain text does not contain (tab, line breaks and
# form feed are fine).
_BINARY = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Upload:
    """A file as received: the name the sender's computer gave it, and its bytes."""

    filename: str
    stream: IO[bytes]


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed every check, ready to be stored."""

    upload: Upload
    display_name: str
    content_type: str
    size: int


def check_uploads(uploads: Sequence[Upload]) -> list[CheckedFile]:
    """Count, size and type of every file; all problems reported at once."""
    config = current_app.config
    if len(uploads) > config["ATTACHMENT_MAX_COUNT"]:
        raise ValidationError.single(
            FIELD,
            _("Attach at most %(count)d files.", count=config["ATTACHMENT_MAX_COUNT"]),
        )
    errors: list[str] = []
    checked: list[CheckedFile] = []
    for upload in uploads:
        try:
            checked.append(_check(upload, config["ATTACHMENT_MAX_BYTES"]))
        except ValidationError as error:
            errors.extend(error.errors[FIELD])
    total = sum(file.size for file in checked)
    if not errors and total > config["ATTACHMENT_TOTAL_MAX_BYTES"]:
        errors.append(
            _(
                "Your files come to %(size)s; together they may be at most %(max)s.",
                size=human_size(total),
                max=human_size(config["ATTACHMENT_TOTAL_MAX_BYTES"]),
            )
        )
    if errors:
        raise ValidationError({FIELD: errors})
    return checked


@contextmanager
def storing(files: Sequence[CheckedFile]) -> Iterator[list[Attachment]]:
    """Write the files and yield their ``Attachment`` rows for the caller's transaction.

    The files are on disk before the commit, so a committed row always has its
    file; if the block fails (validation, database, anything) they are removed.
    """
    written: list[Path] = []
    try:
        rows = [_write(file, written) for file in files]
        yield rows
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


def path_of(attachment: Attachment) -> Path:
    """Where an attachment's bytes are kept."""
    key = attachment.storage_key
    return Path(current_app.config["ATTACHMENT_DIR"]) / key[:2] / key[2:]


def download(attachment: Attachment) -> Response:
    """The file as every page must send it: a download in its stored type.

    Whoever asks has been checked by the caller. A browser must never render
    it as a page nor guess another type from the bytes, and no shared cache
    may keep it. ``NotFound`` if the file has gone from the disk.
    """
    path = path_of(attachment)
    if not path.is_file():
        log.error("attachment %s has no file at %s", attachment.id, path)
        raise NotFound(_("No such file."))
    response = send_file(
        path,
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.filename,
        max_age=0,
    )
    # The stored type as it is: send_file would add a second charset to text/plain.
    response.headers["Content-Type"] = attachment.content_type
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def display_name(raw: str, extensions: Sequence[str] = ()) -> str:
    """A name safe to show and to send in a header, keeping Chinese and other scripts.

    NFC-normalised; control, format (bidi overrides, zero-width) and unassigned
    characters dropped; no folders; capped in length with the extension kept.
    Given the ``extensions`` the content allows, a name that ends otherwise
    gets the right one added.
    """
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in _DROPPED_CATEGORIES)
    name = " ".join(name.split()).strip(" .") or _("attachment")
    stem, dot, suffix = name.rpartition(".")
    if extensions and (not dot or suffix.lower() not in extensions):
        stem, suffix = name, extensions[0]
    elif not dot or len(suffix) > _SUFFIX_MAX:
        return name[:DISPLAY_NAME_MAX]
    room = DISPLAY_NAME_MAX - len(suffix) - 1
    return f"{stem[:room].rstrip(' .') or _('attachment')}.{suffix}"


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".0 ", " ")
    return f"{max(1, round(size / 1024))} KB"


# Cc control, Cf format (bidi overrides, zero-width), Cs surrogates, Co private
# use, Cn unassigned.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def _check(upload: Upload, max_bytes: int) -> CheckedFile:
    stream = upload.stream
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    shown = display_name(upload.filename)
    if size == 0:
        raise ValidationError.single(FIELD, _("“%(name)s” is empty.", name=shown))
    if size > max_bytes:
        raise ValidationError.single(
            FIELD,
            _(
                "“%(name)s” is too large: each file may be at most %(max)s.",
                name=shown,
                max=human_size(max_bytes),
            ),
        )
    head = stream.read(8192)
    stream.seek(0)
    kind = filetype.guess(head)
    if kind is not None and kind.mime in ACCEPTED:
        content_type, extensions = kind.mime, ACCEPTED[kind.mime]
    elif kind is None and (charset := _text_charset(stream.read())) is not None:
        stream.seek(0)
        content_type, extensions = f"text/plain; charset={charset}", TEXT_EXTENSIONS
    else:
        stream.seek(0)
        raise ValidationError.single(FIELD, _refusal(shown, head))
    return CheckedFile(
        upload=upload,
        display_name=display_name(upload.filename or "", extensions),
        content_type=content_type,
        size=size,
    )


def _text_charset(data: bytes) -> str | None:
    """The charset plain text decodes in, or None for binary data and markup."""
    if _MARKUP.search(data) or data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return None
    for charset in ("utf-8", "gb18030"):
        try:
            text = data.decode(charset)
        except UnicodeDecodeError:
            continue
        return None if _BINARY.search(text) else charset
    return None


def _refusal(name: str, head: bytes) -> str:
    if _MARKUP.search(head) or head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return _(
            "“%(name)s” is a web page, SVG or XML file, whatever its name says. "
            "We do not accept these for safety; please send a PDF or an image instead.",
            name=name,
        )
    return _(
        "“%(name)s” is not a type of file we accept. "
        "Please send images (PNG, JPEG, GIF, WebP), PDF, Office documents or plain text.",
        name=name,
    )


def _write(file: CheckedFile, written: list[Path]) -> Attachment:
    key = secrets.token_hex(16)
    path = Path(current_app.config["ATTACHMENT_DIR"]) / key[:2] / key[2:]
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    stream = file.upload.stream
    stream.seek(0)
    # "x": a key drawn twice would fail loudly instead of overwriting a file.
    with path.open("xb") as target:
        written.append(path)
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
            target.write(chunk)
    return Attachment(
        storage_key=key,
        filename=file.display_name,
        size=file.size,
        content_type=file.content_type,
        sha256=digest.hexdigest(),
    )
