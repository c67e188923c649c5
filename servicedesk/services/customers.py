"""Finding the contact and customer behind a request."""

from __future__ import annotations

from sqlalchemy import func, select

from servicedesk import clock
from servicedesk.extensions import db
from servicedesk.models import Contact, Customer
from servicedesk.orm import dialect_insert


def contact_for(
    email: str, *, name: str, phone: str | None, company: str | None, locale: str | None
) -> Contact:
    """The contact with this (normalised) address, created if new.

    Runs inside the caller's transaction. A known contact keeps its name; a
    missing phone or company is filled in from the request.
    """
    contact = db.session.scalar(select(Contact).where(Contact.email == email))
    if contact is None:
        contact = _insert_contact(email, name=name, phone=phone, locale=locale)
    if phone and not contact.phone:
        contact.phone = phone
    if company and contact.customer_id is None:
        contact.customer = customer_named(company)
    return contact


def customer_named(name: str) -> Customer:
    """The customer with this name (case-insensitive), created if new."""
    customer = db.session.scalar(
        # lower() on both sides: SQLite's lower() folds ASCII only, so comparing
        # it with Python's str.lower() missed names such as "ÉLECTRICITÉ SA".
        select(Customer)
        .where(func.lower(Customer.name) == func.lower(name))
        .order_by(Customer.id)
        .limit(1)
    )
    if customer is None:
        customer = Customer(name=name)
        db.session.add(customer)
    return customer


def _insert_contact(email: str, *, name: str, phone: str | None, locale: str | None) -> Contact:
    # Two first requests from one address can arrive together: ON CONFLICT DO
    # NOTHING lets the loser of the unique-key race pick up the winner's row.
    # (Not a savepoint: with pysqlite, releasing a SAVEPOINT that opened the
    # transaction commits it, so a later failure left the contact behind.)
    db.session.execute(
        dialect_insert(db.session.get_bind().dialect.name, Contact)
        .values(email=email, name=name, phone=phone, locale=locale, created_at=clock.now())
        .on_conflict_do_nothing(index_elements=[Contact.email])
    )
    return db.session.scalars(select(Contact).where(Contact.email == email)).one()
