"""The kinds of request the centre handles (domain.md, "Kinds of request").

The core kinds are defaults; the app keeps its own copy (``app_state().kinds``)
so plugins can add kinds to one app without touching another.
"""

from __future__ import annotations

from servicedesk.i18n import lazy_gettext as _l

CORE_KINDS: dict[str, object] = {
    "enquiry": _l("Enquiry"),
    "sales": _l("Order or sales question"),
    "feedback": _l("Feedback"),
    "repair": _l("Repair or technical support"),
    "complaint": _l("Complaint"),
    "claim": _l("Claim"),
    "training": _l("Training request"),
}
