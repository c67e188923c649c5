"""Fixtures for the customer portal: a client that posts forms as a browser does.

CSRF protection is on for every portal test: each POST carries the token the
page gave, so the tests go through the same checks as a customer.
"""

from __future__ import annotations

import io
import re
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from servicedesk.extensions import db

VALID = {
    "kind": "repair",
    "name": "Wang Fang",
    "company": "Shanghai Pump Works",
    "email": "wang.fang@pumps.example.cn",
    "phone": "+86 21 5555 0100",
    "product_ref": "PX-200 / SN 4471",
    "subject": "Pump leaks at the seal",
    "body": "Since Monday the PX-200 pump leaks at the shaft seal.\nPlease advise.",
}

COUNTED = ("tickets", "messages", "contacts", "customers", "attachments", "outbox", "ticket_events")


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def valid() -> dict[str, str]:
    """A complete, valid request form (without the CSRF token)."""
    return dict(VALID)


@pytest.fixture
def png() -> bytes:
    return png_bytes()


def png_bytes(width: int = 8, height: int = 6) -> bytes:
    """A real, valid PNG image (a small red rectangle)."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        body = tag + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xc8\x1e\x1e" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


class Portal:
    """The customer's side of the client: fetch a form for its token, post it."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def token(self, path: str = "/", headers: dict[str, str] | None = None) -> str:
        page = self.client.get(path, headers=headers or {}).get_data(as_text=True)
        match = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def submit(
        self,
        files: list[tuple[bytes, str]] = (),
        headers: dict[str, str] | None = None,
        **fields: Any,
    ) -> Any:
        data: dict[str, Any] = {"csrf_token": self.token("/", headers)} | VALID | fields
        data = {key: value for key, value in data.items() if value is not None}
        if files:
            data["attachments"] = [(io.BytesIO(content), name) for content, name in files]
        return self.client.post(
            "/", data=data, content_type="multipart/form-data", headers=headers or {}
        )

    def file_request(self, **fields: Any) -> tuple[str, str]:
        """Submit a valid request; return (reference, tracking path) from the confirmation."""
        response = self.submit(**fields)
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]
        page = self.client.get(response.headers["Location"]).get_data(as_text=True)
        reference = re.search(r'id="reference">([^<]+)<', page).group(1)
        url = re.search(r'id="tracking-link" type="text" readonly value="([^"]+)"', page).group(1)
        return reference, "/t/" + url.split("/t/", 1)[1]

    def reply(self, track_path: str, files: list[tuple[bytes, str]] = (), **fields: Any) -> Any:
        data: dict[str, Any] = {"csrf_token": self.token(track_path)} | fields
        if files:
            data["attachments"] = [(io.BytesIO(content), name) for content, name in files]
        return self.client.post(
            track_path + "/reply", data=data, content_type="multipart/form-data"
        )

    def validate(self, name: str, **data: str) -> Any:
        """The HTMX request a field makes when the customer leaves it."""
        headers = {"X-CSRFToken": self.token(), "HX-Request": "true"}
        return self.client.post(f"/validate/{name}", data=data, headers=headers)

    def lost_link(self, email: str, **fields: Any) -> Any:
        data = {"csrf_token": self.token("/lost-link"), "email": email} | fields
        return self.client.post("/lost-link", data=data)


@pytest.fixture
def portal(client: Any) -> Portal:
    return Portal(client)


def stored_state(app: Any) -> dict[str, Any]:
    """Committed rows of every table a submission writes, and the files on disk."""
    tables = db.metadata.tables
    with db.engine.connect() as connection:
        state: dict[str, Any] = {
            name: connection.scalar(select(func.count()).select_from(tables[name]))
            for name in COUNTED
        }
    folder = Path(app.config["ATTACHMENT_DIR"])
    state["files"] = (
        sorted(str(p) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []
    )
    return state


@pytest.fixture
def state(app: Any) -> Any:
    """``state() -> {table: rows, "files": [...]}`` as committed."""
    return lambda: stored_state(app)


def outbox_rows(**where: Any) -> list[dict[str, Any]]:
    outbox = db.metadata.tables["outbox"]
    query = select(outbox).order_by(outbox.c.id)
    for column, value in where.items():
        query = query.where(outbox.c[column] == value)
    with db.engine.connect() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


@pytest.fixture
def outbox() -> Any:
    """``outbox(**column_values) -> [row, ...]`` as committed."""
    return outbox_rows
