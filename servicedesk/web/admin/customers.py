"""Customer pages under /desk/admin/customers: list, detail, edit and CSV upload.

Admins and supervisors may view; only admins edit or import (the service
functions check it again).
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from werkzeug.wrappers import Response

from servicedesk.extensions import db
from servicedesk.i18n import gettext as _
from servicedesk.models import Customer, CustomerRevenue, Position, Stage, Ticket, User
from servicedesk.services import customers_admin
from servicedesk.services.errors import NotFound, PermissionDenied, ValidationError
from servicedesk.sla.clock import sla_state
from servicedesk.web.admin import bp

PAGE_SIZE = 50
UPLOAD_MAX = 5 * 1024 * 1024


def _viewer() -> None:
    if not customers_admin.may_view_customers(current_user):
        abort(403)


@bp.get("/customers")
def customers_page(**context: Any) -> str:
    _viewer()
    q = (request.args.get("q") or "").strip()[:100]
    query = select(Customer).order_by(Customer.name, Customer.id).limit(PAGE_SIZE)
    if q:
        pattern = f"%{q.lower()}%"
        query = query.where(
            or_(
                func.lower(Customer.name).like(pattern), func.lower(Customer.industry).like(pattern)
            )
        )
    return _page(
        "pages/admin/customers.html",
        customers=db.session.scalars(query).all(),
        q=q,
        kinds=customers_admin.KINDS,
        may_edit=customers_admin.may_edit_customers(current_user),
        **context,
    )


@bp.get("/customers/<int:customer_id>")
def customer_page(customer_id: int, **context: Any) -> str:
    _viewer()
    customer = db.session.get(Customer, customer_id)
    if customer is None:
        abort(404)
    tickets = db.session.scalars(
        select(Ticket)
        .where(Ticket.customer_id == customer.id)
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
        .limit(100)
    ).all()
    revenue = db.session.scalars(
        select(CustomerRevenue)
        .where(CustomerRevenue.customer_id == customer.id)
        .order_by(CustomerRevenue.period.desc())
    ).all()
    staff = db.session.scalars(select(User).where(User.active).order_by(User.name)).all()
    return _page(
        "pages/admin/customer.html",
        customer=customer,
        tickets=tickets,
        revenue=revenue,
        staff=staff,
        positions=list(Position),
        stages=list(Stage),
        sla_state=sla_state,
        may_edit=customers_admin.may_edit_customers(current_user),
        **context,
    )


@bp.post("/customers/<int:customer_id>")
def update_customer(customer_id: int) -> Response | tuple[str, int]:
    _viewer()
    try:
        customers_admin.update_customer(current_user, customer_id, request.form)
    except ValidationError as error:
        db.session.rollback()
        return (
            customer_page(
                customer_id, form_name="edit", form=request.form.to_dict(), errors=error.errors
            ),
            422,
        )
    except (NotFound, PermissionDenied) as error:
        flash(error.message, "warning")
    else:
        flash(_("Customer saved."), "success")
    return redirect(url_for("admin.customer_page", customer_id=customer_id), code=303)


@bp.post("/customers/import")
def import_customers() -> Response | tuple[str, int]:
    _viewer()
    if not customers_admin.may_edit_customers(current_user):
        abort(403)
    upload = request.files.get("file")
    kind = request.form.get("kind", "customers")
    if upload is None or not upload.filename:
        flash(_("Choose a CSV file."), "warning")
        return redirect(url_for("admin.customers_page"), code=303)
    data = upload.stream.read(UPLOAD_MAX + 1)
    if len(data) > UPLOAD_MAX:
        flash(_("The file is too large (at most 5 MB)."), "warning")
        return redirect(url_for("admin.customers_page"), code=303)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        flash(_("The file must be UTF-8 text."), "warning")
        return redirect(url_for("admin.customers_page"), code=303)
    try:
        report = customers_admin.import_csv(text, kind)
    except ValidationError as error:
        return customers_page(form_name="import", form={}, errors=error.errors), 422
    return customers_page(report=report), 200


def _page(template: str, **context: Any) -> str:
    context.setdefault("form_name", None)
    context.setdefault("form", {})
    context.setdefault("errors", {})
    context.setdefault("report", None)
    return render_template(template, **context)
