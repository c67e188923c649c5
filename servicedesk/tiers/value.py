"""Customer value score (seed 004): current value and future value, weighted.

Current value: gross profit, sales volume, marketing cost (discounts and
financing; the less, the better). Future value: industry position, years of
cooperation, satisfaction. Each factor is scored 0–100, the weighted sum is
the score, and the score maps to a grade A–E (seed 003 ranks accounts A–E).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

DEFAULT_WEIGHTS: dict[str, float] = {
    "gross_profit": 0.25,
    "sales_volume": 0.20,
    "marketing_cost": 0.10,
    "industry_position": 0.15,
    "years_of_cooperation": 0.15,
    "satisfaction": 0.15,
}
GRADES = ((80, "A"), (60, "B"), (40, "C"), (20, "D"), (0, "E"))
# Ten years of cooperation count as a full score; loyalty beyond that adds nothing.
YEARS_FOR_FULL_SCORE = 10


@dataclass(frozen=True)
class Factors:
    gross_profit: Decimal
    sales_volume: Decimal
    marketing_cost: Decimal
    industry_position: int  # 1 (minor player) .. 5 (industry leader)
    years_of_cooperation: float
    satisfaction: float  # 1 .. 5, the average survey rating


def scores(
    customers: Mapping[int, Factors], weights: Mapping[str, float] = DEFAULT_WEIGHTS
) -> dict[int, float]:
    """The 0–100 value score of every customer.

    Money factors are scored against the best customer of the set (cost against
    the lowest cost ratio), so the score says where a customer stands among
    the centre's customers, not in absolute money.
    """
    total_weight = sum(weights.values())
    if total_weight <= 0 or any(w < 0 for w in weights.values()):
        raise ValueError("weights must be non-negative and not all zero")
    best_profit = max((f.gross_profit for f in customers.values()), default=Decimal(0))
    best_volume = max((f.sales_volume for f in customers.values()), default=Decimal(0))
    result = {}
    for customer, f in customers.items():
        points = {
            "gross_profit": _relative(f.gross_profit, best_profit),
            "sales_volume": _relative(f.sales_volume, best_volume),
            "marketing_cost": 100 - _relative(f.marketing_cost, f.sales_volume),
            "industry_position": (min(max(f.industry_position, 1), 5) - 1) * 25,
            "years_of_cooperation": min(f.years_of_cooperation / YEARS_FOR_FULL_SCORE, 1) * 100,
            "satisfaction": (min(max(f.satisfaction, 1), 5) - 1) * 25,
        }
        weighted = sum(points[name] * weights.get(name, 0) for name in points)
        result[customer] = round(weighted / total_weight, 1)
    return result


def grade(score: float) -> str:
    """A (≥ 80) … E (< 20)."""
    return next(letter for floor, letter in GRADES if score >= floor)


def _relative(value: Decimal, best: Decimal) -> float:
    if best <= 0 or value <= 0:
        return 0.0
    return float(min(value / best, Decimal(1)) * 100)
