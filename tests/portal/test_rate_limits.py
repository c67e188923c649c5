"""Rate limits on the public forms: per client address and per customer email address."""

from __future__ import annotations

import pytest


@pytest.fixture
def app_config():
    return {
        "WTF_CSRF_ENABLED": True,
        "SUBMIT_RATE_LIMIT": "3 per minute",
        "REPLY_RATE_LIMIT": "2 per minute",
        "LOST_LINK_RATE_LIMIT": "2 per minute",
        "EMAIL_RATE_LIMIT": "4 per 10 minutes",
    }


def from_address(portal, address: str):
    portal.client.environ_base["REMOTE_ADDR"] = address
    return portal


def assert_too_many(response):
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Too many requests</h1>" in page
    assert "Please wait a moment and try again." in page
    assert int(response.headers["Retry-After"]) > 0


def test_submissions_per_client_address(portal, state):
    for number in range(3):
        assert portal.submit(email=f"buyer{number}@example.com").status_code == 303
    before = state()
    assert_too_many(portal.submit(email="buyer9@example.com"))
    assert state() == before
    # Another client is not affected.
    assert from_address(portal, "198.51.100.7").submit().status_code == 303


def test_failed_submissions_count_too(portal):
    for _ in range(3):
        assert portal.submit(subject="").status_code == 422
    assert_too_many(portal.submit())


def test_mail_to_one_address_across_clients_and_forms(portal, state):
    email = "victim@example.com"
    for number in range(3):
        response = from_address(portal, f"203.0.113.{number}").submit(email=email)
        assert response.status_code == 303
    assert from_address(portal, "203.0.113.50").lost_link(email).status_code == 303
    before = state()
    assert_too_many(from_address(portal, "203.0.113.51").submit(email=email))
    assert_too_many(from_address(portal, "203.0.113.52").lost_link(email.upper()))
    assert state() == before


def test_replies_per_client_address(portal):
    _reference, path = portal.file_request()
    for number in range(2):
        assert portal.reply(path, body=f"Message {number}").status_code == 303
    assert_too_many(portal.reply(path, body="One more"))


def test_lost_link_requests_per_client_address(portal):
    for number in range(2):
        assert portal.lost_link(f"a{number}@example.com").status_code == 303
    assert_too_many(portal.lost_link("a9@example.com"))


def test_pages_and_inline_checks_are_not_limited(portal):
    for _ in range(10):
        assert portal.client.get("/").status_code == 200
        assert portal.validate("subject", subject="ok").status_code == 200


@pytest.mark.parametrize(
    "app_config",
    [{"WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": False, "SUBMIT_RATE_LIMIT": "1 per day"}],
)
def test_limits_can_be_switched_off(portal):
    for number in range(3):
        assert portal.submit(email=f"b{number}@example.com").status_code == 303
