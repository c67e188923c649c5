"""The departments and routes of the service centre (domain.md, seed 000 §6.1)."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select

from servicedesk.extensions import db
from servicedesk.models import Department, Route
from servicedesk.state import app_state
from servicedesk.workflow.steps import Step


class DepartmentSpec(NamedTuple):
    code: str
    name_en: str
    name_zh: str
    position: int


INTAKE = "intake"
SALES = "sales"
INFORMATION = "information"
FOLLOW_UP = "follow_up"
AFTER_SALES = "after_sales"
CLAIMS = "claims"
TRAINING = "training"
GENERAL_AFFAIRS = "general_affairs"
KEY_ACCOUNTS = "key_accounts"

DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    DepartmentSpec(INTAKE, "Intake", "客户咨询部", 10),
    DepartmentSpec(SALES, "Sales", "销售部", 20),
    DepartmentSpec(INFORMATION, "Information", "信息部", 30),
    DepartmentSpec(FOLLOW_UP, "Follow-up", "跟进部", 40),
    DepartmentSpec(AFTER_SALES, "After-sales service", "售后服务部", 50),
    DepartmentSpec(CLAIMS, "Claims", "理赔部", 60),
    DepartmentSpec(TRAINING, "Training", "培训部", 70),
    DepartmentSpec(GENERAL_AFFAIRS, "General affairs", "综合部", 80),
    DepartmentSpec(KEY_ACCOUNTS, "Key accounts", "大客户部", 90),
)

# (from, to); None stands for "any department".
ROUTES: tuple[tuple[str | None, str | None], ...] = (
    (INTAKE, SALES),
    (SALES, FOLLOW_UP),
    (SALES, INFORMATION),
    (FOLLOW_UP, AFTER_SALES),
    (AFTER_SALES, FOLLOW_UP),  # the complaint loop
    (AFTER_SALES, CLAIMS),
    (None, GENERAL_AFFAIRS),
    (GENERAL_AFFAIRS, None),
    (KEY_ACCOUNTS, None),
    (None, KEY_ACCOUNTS),
)


def seed_workflow() -> int:
    """Create the missing departments and routes; return how many rows were added.

    The core's departments come first, then the steps of the loaded plugins,
    each placed between the departments it names. Safe to run again: existing
    rows, including ones an admin edited, are kept.
    """
    by_code = {d.code: d for d in db.session.scalars(select(Department))}
    added = 0
    for spec in DEPARTMENTS:
        if spec.code not in by_code:
            by_code[spec.code] = _add(Department(**spec._asdict(), active=True))
            added += 1
    edges = list(ROUTES)
    for owner, step in app_state().steps:
        if step.code not in by_code:
            by_code[step.code] = _add(_step_department(owner, step, by_code))
            added += 1
        edges.extend(step.edges())
    db.session.flush()
    existing = {
        (r.from_department_id, r.to_department_id) for r in db.session.scalars(select(Route))
    }
    for source, target in edges:
        pair = (
            _id_of(by_code, source),
            _id_of(by_code, target),
        )
        if pair not in existing:
            db.session.add(Route(from_department_id=pair[0], to_department_id=pair[1]))
            existing.add(pair)
            added += 1
    db.session.commit()
    return added


def _add(department: Department) -> Department:
    db.session.add(department)
    return department


def _step_department(owner: str, step: Step, by_code: dict[str, Department]) -> Department:
    """The step's department, positioned between the ones it names."""
    after = _known(by_code, step.after, step)
    if step.before:
        before = _known(by_code, step.before, step)
        position = (after.position + before.position) // 2
    else:
        position = after.position + 1
    return Department(
        code=step.code,
        name_en=step.name_en,
        name_zh=step.name_zh,
        position=position,
        owner=owner,
        active=True,
    )


def _known(by_code: dict[str, Department], code: str, step: Step) -> Department:
    if code not in by_code:
        raise LookupError(f"workflow step {step.code!r} names unknown department {code!r}")
    return by_code[code]


def _id_of(by_code: dict[str, Department], code: str | None) -> int | None:
    return None if code is None else by_code[code].id
