"""The agent desk in a real browser: queues that update themselves, the ticket
page, routing through four departments with a different agent at each, the
supervisor's audit trail, and a conflict between two open pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from servicedesk.models import Role
from servicedesk.services import tickets
from servicedesk.testing import PASSWORD

pytestmark = pytest.mark.slow

SUBJECT = "Pump PX-200 keeps leaking after repair"
# Other work in the intake queue, so the screenshot shows a queue as it looks.
BACKGROUND = [
    ("液压柱塞泵 HP-A40 压力不稳定", "repair", "high", "宁波东海液压件有限公司", "张海涛"),
    ("询问伺服电机 SM-120 的交货期", "enquiry", "normal", "常州恒力电机有限公司", "李晓明"),
    (
        "Label printer ZT-410 prints blank labels",
        "repair",
        "urgent",
        "Northbridge Packaging Ltd.",
        "James Miller",
    ),
    ("齿轮箱 GR-97 异响，需要上门检修", "complaint", "high", "重庆长江齿轮箱有限公司", "王建国"),
    (
        "Training for our CNC operators in March",
        "training",
        "low",
        "Vantage Robotics Inc.",
        "Emma Hughes",
    ),
]


@pytest.fixture
def app_config() -> dict:
    # A browser posts real forms, CSRF token included; the queue polls every second.
    return {"WTF_CSRF_ENABLED": True, "DESK_POLL_SECONDS": 1}


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/desk/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My departments")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def route(page: Page, department: str, reason: str) -> None:
    page.get_by_label("Route to department").select_option(label=department)
    page.get_by_label("Reason").fill(reason)
    page.get_by_role("button", name="Route", exact=True).click()
    # The ticket left this agent's departments: back to the queue.
    expect(page.get_by_text("Ticket routed.")).to_be_visible()


def test_complaint_travels_through_four_departments(
    live_server, page, make_user, make_ticket, screenshot
):
    intake = make_user(name="Wang Fang", departments=("intake",))
    sales = make_user(name="Li Wei", departments=("sales",))
    follow_up = make_user(name="Zhao Lei", departments=("follow_up",))
    after_sales = make_user(name="Chen Jie", departments=("after_sales",))
    supervisor = make_user(
        name="Sun Mei",
        role=Role.SUPERVISOR,
        departments=("intake", "sales", "follow_up", "after_sales", "claims"),
    )
    colleague = make_user(name="Zhou Min", departments=("intake",))
    for subject, kind, priority, company, name in BACKGROUND:
        made = make_ticket(
            subject=subject, kind=kind, priority=priority, company=company, name=name
        )
        if priority == "urgent":
            tickets.assign(made.ticket.id, colleague, colleague.id, version=None)
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_in(page, live_server, intake.email)
    expect(page.locator("[data-queue-count=unassigned]")).to_have_text(str(len(BACKGROUND) - 1))

    # A complaint arrives while the queue is open: it appears without a reload.
    ticket = tickets.create_ticket(
        subject=SUBJECT,
        body="The seal we replaced last week is leaking again. 打印机 also jams.",
        email="purchasing@jinghua-pumps.example.cn",
        name="Liu Yang",
        company="Jinghua Pumps Co.",
        kind="complaint",
        priority="high",
    ).ticket
    row = page.get_by_role("row", name=re.compile(ticket.reference))
    expect(row).to_be_visible(timeout=10_000)
    expect(row).to_contain_text("Jinghua Pumps Co.")
    expect(page.locator("[data-queue-count=unassigned]")).to_have_text(str(len(BACKGROUND)))
    screenshot("desk-queue")

    page.get_by_role("link", name=SUBJECT).click()
    expect(page.get_by_role("heading", name=SUBJECT)).to_be_visible()
    page.get_by_role("button", name="Assign to me").click()
    expect(page.locator("[data-sd-fact=assignee]")).to_have_text("Wang Fang")

    page.get_by_label("Message", exact=True).fill("We are sorry: a technician will call you today.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Reply sent.")).to_be_visible()
    expect(page.locator(".sd-msg-reply")).to_contain_text("a technician will call you today")
    expect(page.get_by_label("Message", exact=True)).to_have_value("")

    # "n" (keyboard shortcut) switches the composer to an internal note and focuses it.
    page.keyboard.press("n")
    expect(page.get_by_label("Message", exact=True)).to_be_focused()
    page.keyboard.type("Second leak in a month: check the seal batch.")
    page.get_by_role("button", name="Send").click()
    note = page.locator(".sd-msg-note")
    expect(note).to_contain_text("check the seal batch")
    expect(note).to_contain_text("Internal note — not visible to the customer")
    screenshot("desk-ticket")

    route(page, "Sales", "Customer asks for a replacement quote")
    sign_out(page)

    steps = [
        (sales, "Follow-up", "Quote sent; follow up on the complaint"),
        (follow_up, "After-sales service", "Customer unhappy: technician needed"),
        (after_sales, "Claims", "Seal cannot be repaired: compensation"),
    ]
    for agent, target, reason in steps:
        sign_in(page, live_server, agent.email)
        expect(page.get_by_role("link", name=SUBJECT)).to_be_visible()
        page.get_by_role("link", name=SUBJECT).click()
        route(page, target, reason)
        sign_out(page)

    sign_in(page, live_server, supervisor.email)
    page.goto(f"{live_server}/desk/tickets/{ticket.reference}")
    history = page.locator("#ticket-timeline")
    for line in (
        "The customer opened the ticket in Intake",
        "Wang Fang assigned the ticket to Wang Fang",
        "Wang Fang changed the status from New to Open",
        "Wang Fang replied to the customer",
        "Wang Fang added an internal note",
        "Wang Fang routed from Intake to Sales: Customer asks for a replacement quote",
        "Li Wei routed from Sales to Follow-up: Quote sent; follow up on the complaint",
        "Zhao Lei routed from Follow-up to After-sales service: Customer unhappy",
        "Chen Jie routed from After-sales service to Claims: Seal cannot be repaired",
    ):
        expect(history).to_contain_text(line)
    expect(page.locator("[data-sd-fact=department]")).to_have_text("Claims")
    screenshot("desk-ticket-supervisor")


def test_second_page_is_told_of_the_conflict_and_keeps_its_draft(
    live_server, browser: Browser, make_user, make_ticket
):
    first_agent = make_user(name="Wang Fang", departments=("intake",))
    second_agent = make_user(name="Zhou Min", departments=("intake",))
    ticket = make_ticket(subject="Gearbox GX-9 overheats").ticket
    url = f"{live_server}/desk/tickets/{ticket.reference}"

    pages = []
    for agent in (first_agent, second_agent):
        page = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
        sign_in(page, live_server, agent.email)
        page.goto(url)
        pages.append(page)
    first, second = pages

    draft = "Please send us a photo of the type plate.\n请发送铭牌照片。"
    second.get_by_label("Message", exact=True).fill(draft)

    first.get_by_label("Message", exact=True).fill("We are on it.")
    first.get_by_role("button", name="Send").click()
    expect(first.get_by_text("Reply sent.")).to_be_visible()

    second.get_by_role("button", name="Send").click()
    expect(second.get_by_role("alert")).to_contain_text("was changed by someone else")
    expect(second.get_by_label("Message", exact=True)).to_have_value(draft)
    # The fresh state is on screen: the other agent's reply is in the thread.
    expect(second.locator("#ticket-thread")).to_contain_text("We are on it.")

    # Having seen it, the agent sends the kept draft.
    second.get_by_role("button", name="Send").click()
    expect(second.get_by_text("Reply sent.")).to_be_visible()
    expect(second.locator(".sd-msg-reply").last).to_contain_text("type plate")
    expect(second.locator(".sd-msg-reply")).to_have_count(2)
