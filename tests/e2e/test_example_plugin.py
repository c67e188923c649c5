"""The tutorial's example plugin (examples/quality-inspection) in a real browser:
the customer gives the batch number of the goods on the request form, and an
inspector works the ticket in the new step, with the plugin's panel beside it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from servicedesk.extensions import db
from servicedesk.models import Ticket
from servicedesk.policy import SYSTEM
from servicedesk.services import tickets
from servicedesk.testing import PASSWORD

# The example is a package of its own; this in-process test imports it from its source.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples/quality-inspection/src"))
import servicedesk_inspection

pytestmark = pytest.mark.slow

BAD_BATCH = "Enter the batch number as printed on the label"


@pytest.fixture
def app_plugins() -> list[object]:
    return [servicedesk_inspection]


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/desk/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My departments")).to_be_visible()


def route(page: Page, department: str, reason: str) -> None:
    page.get_by_label("Route to department").select_option(label=department)
    page.get_by_label("Reason").fill(reason)
    page.get_by_role("button", name="Route", exact=True).click()


def test_the_form_checks_the_batch_number_of_goods(page, live_server, screenshot):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server + "/")
    batch = page.get_by_label("Batch or lot number")
    expect(batch).to_be_hidden()  # an enquiry is not about goods
    page.get_by_label("Kind of request").select_option(label="Claim")
    expect(batch).to_be_visible()

    batch.fill("LOT 2024/0173")
    batch.press("Tab")  # leaving the field checks it
    expect(page.locator("#field-batch")).to_contain_text(BAD_BATCH)
    expect(batch).to_have_attribute("aria-invalid", "true")
    page.locator("#field-batch").scroll_into_view_if_needed()
    screenshot("example-plugin-form")

    batch.fill("lot-2024-0173")
    page.get_by_label("Your name").fill("Liu Yang")
    page.get_by_label("Email address").fill("purchasing@jinghua-pumps.example.cn")
    page.get_by_label("Subject").fill("Shaft seals of the May delivery leak")
    page.get_by_label("Description").fill("Twelve of the forty seals leak after a day.")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you — we have your request")
    reference = page.locator("#reference").inner_text()
    ticket = db.session.scalar(select(Ticket).where(Ticket.reference == reference))
    assert ticket.extra == {"batch": "LOT-2024-0173"}


def test_the_inspector_sees_the_panel_and_records_a_verdict(
    live_server, page, make_user, make_ticket, screenshot
):
    inspector = make_user(name="Chen Jie", departments=("after_sales", "inspection"))
    ticket = make_ticket(
        subject="Shaft seals of the May delivery leak",
        body="Twelve of the forty seals leak after a day.",
        kind="claim",
        name="Liu Yang",
        email="purchasing@jinghua-pumps.example.cn",
        company="Jinghua Pumps Co.",
        extra={"batch": "LOT-2024-0173"},
    ).ticket
    tickets.route(ticket.id, SYSTEM, "after_sales", version=None, reason="Seals to be examined")
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, inspector.email)
    page.goto(f"{live_server}/desk/tickets/{ticket.reference}")
    panel = page.locator("[data-panel=inspection]")
    expect(panel.get_by_role("heading", name="Quality inspection")).to_be_visible()
    expect(panel).to_contain_text("LOT-2024-0173")
    expect(panel).to_contain_text("Not inspected")

    route(page, "Quality inspection", "Check the seal material of the batch")
    expect(page.get_by_text("Ticket routed.")).to_be_visible()
    page.goto(f"{live_server}/desk/tickets/{ticket.reference}")
    expect(panel).to_contain_text("In inspection")
    expect(panel).to_contain_text("None recorded yet")

    # No claim without a verdict: the plugin's veto, beside the routing form.
    route(page, "Claims", "Defect confirmed")
    expect(page.locator("#ticket-side")).to_contain_text(
        "Write the inspection verdict as an internal note before routing to claims."
    )

    page.locator("label[for=kind-note]").click()  # the "Internal note" toggle
    expect(page.get_by_label("Internal note")).to_be_checked()
    page.get_by_label("Message", exact=True).fill(
        "Verdict: seal lip cracked, material defect in batch LOT-2024-0173."
    )
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".sd-msg-note")).to_contain_text("material defect")
    page.goto(f"{live_server}/desk/tickets/{ticket.reference}")
    expect(panel).to_contain_text("Noted by Chen Jie")
    screenshot("example-plugin-panel")

    route(page, "Claims", "Material defect confirmed")
    expect(page.get_by_text("Ticket routed.")).to_be_visible()
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).department.code == "claims"
