"""Helpers and fixtures for the training plugin's tests: the plugin registered, CSRF
on, and a desk client that fills in forms the way an agent's browser does.

A module of its own name (not conftest) so test modules can import its helpers."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

import servicedesk_plugins.training
from servicedesk.extensions import db
from servicedesk.models import Message, User
from servicedesk.testing import PASSWORD
from servicedesk_plugins.training.models import TrainingAttendee, TrainingSession

CENTRE = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def app_plugins() -> list[object]:
    return [servicedesk_plugins.training]


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"WTF_CSRF_ENABLED": True}


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


class Desk:
    """A staff member's browser: signs in and posts the forms of the pages it shows."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, user: User) -> None:
        token = csrf_token(self.client.get("/desk/login").get_data(as_text=True))
        response = self.client.post(
            "/desk/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]

    def logout(self) -> None:
        token = csrf_token(self.page("/desk/"))
        self.client.post("/desk/logout", data={"csrf_token": token})

    def page(self, path: str) -> str:
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data(as_text=True)

    def ticket_page(self, reference: str) -> str:
        return self.page(f"/desk/tickets/{reference}")

    def post(self, path: str, data: dict[str, Any], *, htmx: bool = False) -> Any:
        """POST as the page's form does: with its token, as a form field or (HTMX) a header."""
        token = csrf_token(self.page("/desk/"))
        if htmx:
            headers = {"HX-Request": "true", "X-CSRFToken": token}
            return self.client.post(path, data=data, headers=headers)
        return self.client.post(path, data={"csrf_token": token, **data})

    def schedule(self, reference: str, *, htmx: bool = False, **fields: Any) -> Any:
        return self.post(
            f"/training/tickets/{reference}/sessions", session_form(**fields), htmx=htmx
        )


@pytest.fixture
def desk(client: FlaskClient) -> Desk:
    return Desk(client)


def local_slot(days: int = 10, hour: int = 9, minute: int = 30) -> tuple[str, str, datetime]:
    """A date and time ``days`` ahead in the centre's zone: form values and the UTC instant."""
    day = (datetime.now(CENTRE) + timedelta(days=days)).date()
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=CENTRE)
    return day.isoformat(), f"{hour:02d}:{minute:02d}", local.astimezone(ZoneInfo("UTC"))


def session_form(**fields: Any) -> dict[str, Any]:
    """A valid scheduling form; keyword arguments replace fields (None removes one)."""
    day, time, _utc = local_slot()
    form = {
        "topic": "PX-200 pump maintenance",
        "date": day,
        "time": time,
        "duration_minutes": "120",
        "mode": "onsite",
        "place": "Plant 2, training room B",
        "online_link": "",
        "trainer": "",
        "attendees": "Zhang Wei <zhang.wei@pumps.example.cn>\nLi Na, li.na@pumps.example.cn\n"
        "Chen Jie",
    }
    form.update(fields)
    return {key: value for key, value in form.items() if value is not None}


@pytest.fixture
def training_ticket(make_ticket: Callable[..., Any]) -> Callable[..., Any]:
    """``training_ticket(**fields)``: a customer's training request, through the service."""

    def make(**fields: Any) -> Any:
        fields.setdefault("kind", "training")
        fields.setdefault("subject", "Maintenance training for our technicians")
        fields.setdefault("body", "Please train our technicians on the PX-200 pumps.")
        fields.setdefault("extra", {"training_attendees": 12})
        return make_ticket(**fields).ticket

    return make


def counts(_app: Flask | None = None) -> dict[str, int]:
    """Committed rows of the tables a training change writes."""
    db.session.expire_all()
    return {
        "sessions": db.session.scalar(select(func.count()).select_from(TrainingSession)),
        "attendees": db.session.scalar(select(func.count()).select_from(TrainingAttendee)),
        "messages": db.session.scalar(select(func.count()).select_from(Message)),
    }


def panel_of(page: str) -> str:
    start = page.index('id="training-panel"')
    return page[start : page.index("</section>", start)]


# --------------------------------------------------------------------------
# The customer's side
# --------------------------------------------------------------------------

REQUEST = {
    "kind": "training",
    "name": "Wang Fang",
    "company": "Shanghai Pump Works",
    "email": "wang.fang@pumps.example.cn",
    "subject": "Maintenance training for our technicians",
    "body": "We bought six PX-200 pumps; please train our maintenance team.",
    "training_attendees": "12",
    "training_preferences": "Week of 12 May, mornings; seal replacement",
}


class Customer:
    """A customer's browser on the public pages (no account, CSRF tokens from the forms)."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def submit(self, **fields: Any) -> Any:
        token = csrf_token(self.client.get("/").get_data(as_text=True))
        data = {"csrf_token": token, **REQUEST, **fields}
        data = {key: value for key, value in data.items() if value is not None}
        return self.client.post("/", data=data, content_type="multipart/form-data")

    def file_request(self, **fields: Any) -> tuple[str, str]:
        """Submit the form; return the reference and tracking path the confirmation shows."""
        response = self.submit(**fields)
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]
        page = self.client.get(response.headers["Location"]).get_data(as_text=True)
        reference = re.search(r'id="reference">([^<]+)<', page).group(1)
        url = re.search(r'id="tracking-link" type="text" readonly value="([^"]+)"', page).group(1)
        return reference, "/t/" + url.split("/t/", 1)[1]


@pytest.fixture
def customer(app: Flask, client: FlaskClient) -> Customer:
    # Its own cookie jar: the customer is not the signed-in agent.
    return Customer(app.test_client())
