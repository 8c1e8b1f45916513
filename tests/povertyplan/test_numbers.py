"""One half-up rounding for every figure the portal shows (povertyplan.numbers)."""

import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from povertyplan.numbers import half_up

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("40.915"), 2, Decimal("40.92")),  # half up, where Python's round() gives 40.91 or 40.92 by luck
        (Decimal("2.5"), 0, Decimal("3")),  # round(2.5) == 2
        (Decimal("-1.005"), 2, Decimal("-1.01")),  # away from zero, as tables print it
        (7, 1, Decimal("7.0")),
        (None, 2, None),
    ],
)
def test_half_up(value, places, expected):
    assert half_up(value, places) == expected


def test_no_other_module_rounds_half_up_by_itself():
    tracked = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True)
    users = [
        path
        for path in tracked.stdout.split()
        if not path.startswith("tests/") and "ROUND_HALF_UP" in (ROOT / path).read_text(encoding="utf-8")
    ]
    assert users == ["povertyplan/numbers.py"]
