"""Customer records in bulk: CSV import and the ABC / value-score recompute.

CSV files are UTF-8 (a BOM is allowed) with a header row. ``kind`` says what
each row is (columns in ``COLUMNS``); customers are found by name
(case-insensitive). Every row is checked on its own: good rows are imported,
bad ones reported by line number and reason, nothing half-written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from servicedesk import clock
from servicedesk.extensions import db
from servicedesk.i18n import gettext as _
from servicedesk.models import Contact, Customer, CustomerRevenue, Position, Role, Stage, User
from servicedesk.services import validation as check
from servicedesk.services.errors import NotFound, PermissionDenied, ValidationError
from servicedesk.tiers.abc import DEFAULT_CUTOFFS, classify
from servicedesk.tiers.value import DEFAULT_WEIGHTS, Factors, grade, scores

KINDS = ("customers", "contacts", "revenue")
COLUMNS: dict[str, tuple[str, ...]] = {
    "customers": (
        "name",
        "phone",
        "address",
        "website",
        "industry",
        "key_account",
        "account_manager",
        "position",
        "stage",
        "industry_position",
        "cooperating_since",
    ),
    "contacts": ("customer", "name", "email", "phone", "locale"),
    "revenue": ("customer", "period", "revenue", "gross_profit", "marketing_cost"),
}
REQUIRED = {"customers": ("name",), "contacts": ("name", "email"), "revenue": ("customer",)}
_TRUE = {"1", "yes", "y", "true", "x", "是"}
_FALSE = {"", "0", "no", "n", "false", "否"}
# A neutral satisfaction until surveys exist.
DEFAULT_SATISFACTION = 3.0


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str


@dataclass
class ImportReport:
    kind: str
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)


class RowRefused(Exception):
    pass


def import_csv(text: str, kind: str) -> ImportReport:
    """Import the rows of one CSV text; commits the good rows."""
    if kind not in KINDS:
        raise ValidationError.single(
            "kind", _("Choose one of: %(options)s.", options=", ".join(KINDS))
        )
    report = ImportReport(kind=kind)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED[kind] if c not in header]
    if kind == "revenue":
        missing += [c for c in ("period", "revenue") if c not in header]
    if missing:
        report.errors.append(
            RowError(1, _("Missing columns: %(columns)s.", columns=", ".join(missing)))
        )
        return report
    reader.fieldnames = header
    handler = {"customers": _customer_row, "contacts": _contact_row, "revenue": _revenue_row}[kind]
    line = 1
    for row in reader:
        line = reader.line_num
        values = {k: (v or "").strip() for k, v in row.items() if k is not None}
        if not any(values.values()):
            continue
        try:
            # A savepoint per row: a refused row leaves nothing behind.
            with db.session.begin_nested():
                handler(values)
                db.session.flush()
        except RowRefused as error:
            report.errors.append(RowError(line, str(error)))
        except ValidationError as error:
            reason = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.errors.items())
            report.errors.append(RowError(line, reason))
        else:
            report.imported += 1
    db.session.commit()
    return report


def _customer_row(values: Mapping[str, str]) -> None:
    name = check.line(values.get("name"), "name", max_length=200)
    customer = _find_customer(name)
    if customer is None:
        customer = Customer(name=name)
        db.session.add(customer)
    for column, limit in (("phone", 40), ("address", 300), ("website", 200), ("industry", 100)):
        if values.get(column):
            setattr(customer, column, check.line(values[column], column, max_length=limit))
    if "key_account" in values:
        customer.key_account = _boolean(values["key_account"], "key_account")
    if values.get("account_manager"):
        manager = db.session.scalar(
            select(User).where(func.lower(User.email) == values["account_manager"].lower())
        )
        if manager is None:
            raise RowRefused(
                _("No staff member with the address %(email)s.", email=values["account_manager"])
            )
        customer.account_manager_id = manager.id
    if values.get("position"):
        customer.position = _member(values["position"], Position, "position")
    if values.get("stage"):
        customer.stage = _member(values["stage"], Stage, "stage")
    if values.get("industry_position"):
        number = values["industry_position"]
        if number not in {"1", "2", "3", "4", "5"}:
            raise RowRefused(_("industry_position must be a whole number from 1 to 5."))
        customer.industry_position = int(number)
    if values.get("cooperating_since"):
        customer.cooperating_since = _date(values["cooperating_since"], "cooperating_since")


def _contact_row(values: Mapping[str, str]) -> None:
    email = check.email(values.get("email"))
    name = check.line(values.get("name"), "name", max_length=100)
    customer = None
    if values.get("customer"):
        customer = _find_customer(values["customer"])
        if customer is None:
            raise RowRefused(_("No customer named %(name)s.", name=values["customer"]))
    contact = db.session.scalar(select(Contact).where(Contact.email == email))
    if contact is None:
        contact = Contact(email=email, name=name, created_at=clock.now())
        db.session.add(contact)
    contact.name = name
    if values.get("phone"):
        contact.phone = check.line(values["phone"], "phone", max_length=40)
    if values.get("locale"):
        contact.locale = check.line(values["locale"], "locale", max_length=16)
    if customer is not None:
        contact.customer = customer


def _revenue_row(values: Mapping[str, str]) -> None:
    customer = _find_customer(values.get("customer", ""))
    if customer is None:
        raise RowRefused(_("No customer named %(name)s.", name=values.get("customer", "")))
    period = values.get("period", "")
    if not period or len(period) > 16:
        raise RowRefused(_("Give the period, e.g. 2026-Q3."))
    amounts = {
        column: _money(values.get(column) or "0", column)
        for column in ("revenue", "gross_profit", "marketing_cost")
    }
    if not values.get("revenue"):
        raise RowRefused(_("Give the revenue."))
    row = db.session.scalar(
        select(CustomerRevenue).where(
            CustomerRevenue.customer_id == customer.id, CustomerRevenue.period == period
        )
    )
    if row is None:
        row = CustomerRevenue(customer=customer, period=period)
        db.session.add(row)
    for column, amount in amounts.items():
        setattr(row, column, amount)


# --------------------------------------------------------------------------
# Recompute
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class RecomputeReport:
    customers: int
    classes: dict[str, int]


def recompute_tiers(period_prefix: str | None = None, today: date | None = None) -> RecomputeReport:
    """ABC class and value score of every customer from the revenue table.

    ``period_prefix`` ("2026") limits the sums to matching periods. Cut-offs
    and weights come from ``ABC_CUTOFFS`` and ``VALUE_SCORE_WEIGHTS``.
    """
    config = current_app.config
    cutoffs = tuple(Decimal(str(c)) for c in config.get("ABC_CUTOFFS", DEFAULT_CUTOFFS))
    weights = config.get("VALUE_SCORE_WEIGHTS", DEFAULT_WEIGHTS)
    today = today or clock.now().date()
    query = select(
        CustomerRevenue.customer_id,
        func.coalesce(func.sum(CustomerRevenue.revenue), 0),
        func.coalesce(func.sum(CustomerRevenue.gross_profit), 0),
        func.coalesce(func.sum(CustomerRevenue.marketing_cost), 0),
    ).group_by(CustomerRevenue.customer_id)
    if period_prefix:
        query = query.where(CustomerRevenue.period.startswith(period_prefix, autoescape=True))
    sums = {cid: (Decimal(r), Decimal(g), Decimal(m)) for cid, r, g, m in db.session.execute(query)}
    customers = list(db.session.scalars(select(Customer).order_by(Customer.id)))
    zero = (Decimal(0), Decimal(0), Decimal(0))
    classes = classify({c.id: sums.get(c.id, zero)[0] for c in customers}, cutoffs)  # type: ignore[arg-type]
    factors = {
        c.id: Factors(
            gross_profit=sums.get(c.id, zero)[1],
            sales_volume=sums.get(c.id, zero)[0],
            marketing_cost=sums.get(c.id, zero)[2],
            industry_position=c.industry_position or 1,
            years_of_cooperation=_years(c.cooperating_since, today),
            satisfaction=c.satisfaction if c.satisfaction is not None else DEFAULT_SATISFACTION,
        )
        for c in customers
    }
    value = scores(factors, weights)
    tally: dict[str, int] = {"A": 0, "B": 0, "C": 0}
    for customer in customers:
        customer.abc_class = classes[customer.id]
        customer.value_score = value[customer.id]
        customer.value_grade = grade(value[customer.id])
        tally[customer.abc_class] += 1
    db.session.commit()
    return RecomputeReport(customers=len(customers), classes=tally)


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _find_customer(name: str) -> Customer | None:
    if not name:
        return None
    return db.session.scalar(
        select(Customer)
        .where(func.lower(Customer.name) == func.lower(name))
        .order_by(Customer.id)
        .limit(1)
    )


def _boolean(text: str, column: str) -> bool:
    if text.lower() in _TRUE:
        return True
    if text.lower() in _FALSE:
        return False
    raise RowRefused(_("%(column)s must be yes or no.", column=column))


def _member(text: str, choices: Iterable[Any], column: str) -> str:
    options = [c.value for c in choices]
    if text.lower() not in options:
        raise RowRefused(
            _("%(column)s must be one of: %(options)s.", column=column, options=", ".join(options))
        )
    return text.lower()


def _date(text: str, column: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise RowRefused(_("%(column)s must be a date like 2019-04-01.", column=column)) from None


def _money(text: str, column: str) -> Decimal:
    try:
        amount = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise RowRefused(_("%(column)s must be a number.", column=column)) from None
    if not amount.is_finite() or abs(amount) >= Decimal("1e14"):
        raise RowRefused(_("%(column)s is out of range.", column=column))
    return amount.quantize(Decimal("0.01"))


def _years(since: date | None, today: date) -> float:
    return max((today - since).days / 365.25, 0.0) if since else 0.0


# --------------------------------------------------------------------------
# Viewing and editing one customer (the admin pages)
# --------------------------------------------------------------------------


def may_view_customers(actor: object) -> bool:
    return isinstance(actor, User) and actor.active and actor.role in (Role.ADMIN, Role.SUPERVISOR)


def may_edit_customers(actor: object) -> bool:
    return isinstance(actor, User) and actor.active and actor.role == Role.ADMIN


def update_customer(actor: object, customer_id: int, form: Mapping[str, str]) -> Customer:
    """Change a customer's profile and tier inputs (admins only); all or nothing."""
    if not may_edit_customers(actor):
        raise PermissionDenied(_("Only administrators may edit customers."))
    customer = db.session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(_("No such customer."))
    errors = check.Errors()
    values = errors.collect(
        {
            "name": lambda: check.line(form.get("name"), "name", max_length=200),
            "phone": lambda: check.optional_line(form.get("phone"), "phone", max_length=40),
            "address": lambda: check.optional_line(form.get("address"), "address", max_length=300),
            "website": lambda: check.optional_line(form.get("website"), "website", max_length=200),
            "industry": lambda: check.optional_line(
                form.get("industry"), "industry", max_length=100
            ),
            "position": lambda: _optional_choice(form.get("position"), Position, "position"),
            "stage": lambda: _optional_choice(form.get("stage"), Stage, "stage"),
            "industry_position": lambda: _optional_choice(
                form.get("industry_position"), ["1", "2", "3", "4", "5"], "industry_position"
            ),
            "cooperating_since": lambda: _optional_date(form.get("cooperating_since")),
            "account_manager_id": lambda: _manager(form.get("account_manager_id")),
        }
    )
    errors.raise_if_any()
    for name, value in values.items():
        if name == "industry_position":
            value = int(value) if value else None
        setattr(customer, name, value)
    customer.key_account = form.get("key_account") in ("on", "1", "yes", "true")
    db.session.commit()
    return customer


def _optional_choice(value: object, choices: Iterable[Any], field_name: str) -> str | None:
    if value in (None, ""):
        return None
    options = [getattr(c, "value", c) for c in choices]
    if value not in options:
        raise ValidationError.single(
            field_name, _("Choose one of: %(options)s.", options=", ".join(options))
        )
    return str(value)


def _optional_date(value: object) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError.single(
            "cooperating_since", _("Give a date like 2019-04-01.")
        ) from None


def _manager(value: object) -> int | None:
    if value in (None, ""):
        return None
    user = db.session.get(User, check.record_id(value, "account_manager_id"))
    if user is None or not user.active:
        raise ValidationError.single("account_manager_id", _("Choose an active staff member."))
    return user.id
