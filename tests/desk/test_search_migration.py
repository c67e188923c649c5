"""A database built by the migrations (not create_all) searches the same way."""

from __future__ import annotations

from flask_migrate import upgrade
from sqlalchemy import select

from servicedesk import create_app
from servicedesk.extensions import db
from servicedesk.models import Ticket
from servicedesk.services import search, tickets
from servicedesk.workflow.seed import seed_workflow


def test_migrated_sqlite_database_indexes_tickets(tmp_path):
    # SQLite's index lives in triggers, which a later batch migration that
    # rebuilds a table would silently drop: this catches that.
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/migrated.db",
            "INSTANCE_PATH": str(tmp_path),
        },
        load_entrypoints=False,
    )
    with app.app_context(), app.test_request_context():
        upgrade(revision="heads")
        seed_workflow()
        tickets.create_ticket(
            subject="打印机卡纸",
            body="The label printer jams.",
            email="a@b.example.com",
            name="Zhao Lei",
            company="Northbridge Packaging",
        )
        for query in ("打印机", "打印", "printer", "Northbridge", "Zhao"):
            assert db.session.scalars(
                select(Ticket.subject).where(*search.conditions(query))
            ).all() == ["打印机卡纸"], query
        db.session.remove()
        db.engine.dispose()
