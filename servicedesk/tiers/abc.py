"""ABC classification by share of revenue (the 80/20 rule, domain.md).

Customers are ranked by revenue; those that together make the first 80% of
the total are A, the next 15% B, the rest C. Cut-offs are configurable.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from decimal import Decimal

DEFAULT_CUTOFFS = (Decimal("0.80"), Decimal("0.95"))


def classify(
    revenue: Mapping[Hashable, Decimal], cutoffs: tuple[Decimal, Decimal] = DEFAULT_CUTOFFS
) -> dict[Hashable, str]:
    """The class (A, B or C) of every customer in ``revenue``.

    A customer belongs to the class in which its revenue *starts*: the one that
    crosses the 80% line is still A, so A is never empty while there is revenue.
    Customers with no positive revenue are C. Ties keep the mapping's order.
    """
    a_limit, b_limit = (Decimal(c) for c in cutoffs)
    if not Decimal(0) < a_limit <= b_limit <= Decimal(1):
        raise ValueError("cut-offs must satisfy 0 < A <= B <= 1")
    total = sum((amount for amount in revenue.values() if amount > 0), Decimal(0))
    classes = {customer: "C" for customer in revenue}
    if total == 0:
        return classes
    ranked = sorted(
        (item for item in revenue.items() if item[1] > 0), key=lambda item: item[1], reverse=True
    )
    before = Decimal(0)
    for customer, amount in ranked:
        share_before = before / total
        classes[customer] = (
            "A" if share_before < a_limit else "B" if share_before < b_limit else "C"
        )
        before += amount
    return classes
