from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicedesk.tiers.abc import classify
from servicedesk.tiers.value import Factors, grade, scores


def test_pareto_split():
    revenue = {"big": Decimal(800), "mid": Decimal(150), "s1": Decimal(30), "s2": Decimal(20)}
    assert classify(revenue) == {"big": "A", "mid": "B", "s1": "C", "s2": "C"}


def test_customer_crossing_the_line_stays_in_the_upper_class():
    revenue = {"a": Decimal(50), "b": Decimal(40), "c": Decimal(10)}
    # a starts at 0% (A), b starts at 50% (A), c starts at 90% (B).
    assert classify(revenue) == {"a": "A", "b": "A", "c": "B"}


def test_no_revenue_is_c_and_custom_cutoffs():
    assert classify({"x": Decimal(0), "y": Decimal(-5)}) == {"x": "C", "y": "C"}
    revenue = {"a": Decimal(60), "b": Decimal(30), "c": Decimal(10)}
    assert classify(revenue, (Decimal("0.5"), Decimal("0.9"))) == {"a": "A", "b": "B", "c": "C"}
    with pytest.raises(ValueError):
        classify(revenue, (Decimal("0.9"), Decimal("0.5")))


@given(st.dictionaries(st.integers(), st.decimals(min_value=0, max_value=10**9, places=2)))
def test_classes_follow_revenue_order(revenue):
    classes = classify(revenue)
    assert set(classes) == set(revenue)
    order = "ABC"
    for x in revenue:
        for y in revenue:
            if revenue[x] > revenue[y]:
                assert order.index(classes[x]) <= order.index(classes[y])
    if any(v > 0 for v in revenue.values()):
        assert "A" in classes.values()


def test_value_score_and_grade():
    customers = {
        1: Factors(Decimal(1_000_000), Decimal(5_000_000), Decimal(100_000), 5, 12, 4.8),
        2: Factors(Decimal(100_000), Decimal(400_000), Decimal(80_000), 2, 1, 3.0),
    }
    result = scores(customers)
    assert result[1] > 90 and grade(result[1]) == "A"
    assert result[2] < 40 and grade(result[2]) in {"D", "E"}
    only_satisfaction = scores(customers, {"satisfaction": 1})
    assert only_satisfaction == {1: 95.0, 2: 50.0}
    with pytest.raises(ValueError):
        scores(customers, {"satisfaction": -1})
