"""CSV import (good rows in, bad rows reported by line) and the tier recompute."""

from decimal import Decimal

from sqlalchemy import select

from servicedesk.extensions import db
from servicedesk.models import Contact, Customer, CustomerRevenue
from servicedesk.services.customers_admin import import_csv, recompute_tiers
from servicedesk.tiers.cli import register_tier_commands

CUSTOMERS = """name,industry,key_account,position,stage,industry_position,cooperating_since
Steel Works,steel,yes,gold,growth,5,2016-03-01
,chemicals,no,,,,
Paper Mill,paper,maybe,,,,
Cement Co,cement,no,star,harvest,3,2021-01-01
Glass Ltd,glass,no,,,9,
Ink Inc,ink,no,,,2,last year
"""


def test_good_rows_are_imported_and_bad_ones_reported_by_line(app):
    report = import_csv(CUSTOMERS, "customers")
    assert report.imported == 2
    assert [e.line for e in report.errors] == [3, 4, 6, 7]
    assert "name" in report.errors[0].reason
    assert "key_account" in report.errors[1].reason
    assert "industry_position" in report.errors[2].reason
    assert "cooperating_since" in report.errors[3].reason
    names = set(db.session.scalars(select(Customer.name)))
    assert names == {"Steel Works", "Cement Co"}
    steel = db.session.scalar(select(Customer).where(Customer.name == "Steel Works"))
    assert steel.key_account and steel.position == "gold" and steel.industry_position == 5


def test_contacts_and_revenue(app):
    import_csv("name\nSteel Works\nCement Co\n", "customers")
    contacts = import_csv(
        "customer,name,email\nsteel works,Li Wei,li@steel.example.com\n"
        "Nobody,Ann,ann@x.example.com\nCement Co,Bob,not-an-address\n",
        "contacts",
    )
    assert contacts.imported == 1 and [e.line for e in contacts.errors] == [3, 4]
    assert db.session.scalar(select(Contact.customer_id)) is not None
    revenue = import_csv(
        "customer,period,revenue,gross_profit,marketing_cost\n"
        "Steel Works,2026-Q1,900000,200000,10000\n"
        "Cement Co,2026-Q1,100000,20000,5000\n"
        "Cement Co,2026-Q2,lots,,\n"
        "Ghost,2026-Q1,1,,\n",
        "revenue",
    )
    assert revenue.imported == 2 and [e.line for e in revenue.errors] == [4, 5]
    assert db.session.scalar(
        select(CustomerRevenue.revenue).where(CustomerRevenue.period == "2026-Q1").limit(1)
    ) in (Decimal("900000.00"), Decimal("100000.00"))
    report = recompute_tiers()
    assert report.customers == 2 and report.classes == {"A": 1, "B": 1, "C": 0}
    steel = db.session.scalar(select(Customer).where(Customer.name == "Steel Works"))
    assert steel.abc_class == "A" and steel.value_score is not None and steel.value_grade


def test_missing_columns_refuse_the_file(app):
    report = import_csv("customer,period\nSteel,2026-Q1\n", "revenue")
    assert report.imported == 0 and report.errors[0].line == 1


def test_the_commands(app, runner, tmp_path):
    register_tier_commands(app)
    path = tmp_path / "c.csv"
    path.write_text(CUSTOMERS, encoding="utf-8")
    result = runner.invoke(args=["customers", "import", str(path), "--kind", "customers"])
    assert result.exit_code == 1
    assert "line 3" in result.output and "2 rows imported" in result.output
    assert runner.invoke(args=["customers", "recompute"]).exit_code == 0
    assert runner.invoke(args=["sla", "seed"]).exit_code == 0
    assert runner.invoke(args=["sla", "scan"]).exit_code == 0


def test_the_daily_recompute_job_is_declared(app):
    from servicedesk import tiers
    from servicedesk.state import app_state
    from servicedesk.tiers import rules

    tiers.init_app(app)
    tiers.init_app(app)  # twice changes nothing
    jobs = [
        job for batch in app_state(app).plugin_manager.hook.scheduled_jobs(app=app) for job in batch
    ]
    (job,) = [j for j in jobs if j.name == rules.RECOMPUTE_JOB]
    import_csv("name\nSteel Works\n", "customers")
    assert job.run(app).customers == 1
