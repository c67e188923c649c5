"""The customer admin pages: list, detail, edit, CSV upload."""

import io

from sqlalchemy import select

from servicedesk.extensions import db
from servicedesk.models import Customer


def _customer():
    customer = Customer(name="Steel Works", industry="steel", key_account=True, abc_class="A")
    db.session.add(customer)
    db.session.commit()
    return customer.id


def test_admin_lists_views_and_edits(client, auth, make_user, make_ticket):
    admin = make_user(role="admin")
    customer_id = _customer()
    make_ticket(company="Steel Works")
    auth.login(admin)
    page = client.get("/desk/admin/customers?q=steel")
    assert page.status_code == 200 and b"Steel Works" in page.data and b"Key account" in page.data
    detail = client.get(f"/desk/admin/customers/{customer_id}")
    assert detail.status_code == 200 and b"Printer jams" in detail.data
    saved = client.post(
        f"/desk/admin/customers/{customer_id}",
        data={
            "name": "Steel Works Ltd",
            "position": "gold",
            "stage": "growth",
            "industry_position": "4",
        },
    )
    assert saved.status_code == 303
    customer = db.session.get(Customer, customer_id)
    db.session.refresh(customer)
    assert customer.name == "Steel Works Ltd" and customer.position == "gold"
    assert customer.key_account is False
    refused = client.post(f"/desk/admin/customers/{customer_id}", data={"name": "", "stage": "x"})
    assert refused.status_code == 422


def test_upload_reports_bad_rows(client, auth, make_user):
    auth.login(make_user(role="admin"))
    data = {
        "kind": "customers",
        "file": (io.BytesIO(b"name,key_account\nGood Co,yes\nBad Co,perhaps\n"), "c.csv"),
    }
    page = client.post(
        "/desk/admin/customers/import", data=data, content_type="multipart/form-data"
    )
    assert page.status_code == 200
    assert b"line 3" in page.data
    assert db.session.scalar(select(Customer.name)) == "Good Co"


def test_agents_may_not_see_customers(client, auth, make_user):
    auth.login(make_user(role="agent"))
    assert client.get("/desk/admin/customers").status_code == 403
