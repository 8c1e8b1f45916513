"""The dashboards' charts (plain JSON for static/js/dashboard.js, drawn by the vendored Chart.js)
and the status map (units placed by the package's centroids on an SVG), from the snapshot rows."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from reports.dashboard import SUBGROUPS, UnitRow, band_target, start_of_year, trend_value
from reports.models import IndicatorValue
from reports.templatetags.progress_text import progress_text
from targets.models import Target
from targets.progress import ProgressStatus, Text

MAP_LEGEND = [
    ProgressStatus.EXCEEDED,
    ProgressStatus.ACHIEVED,
    ProgressStatus.MAINTAINED_AT_ZERO,
    ProgressStatus.NEEDS_ACCELERATION,
    ProgressStatus.LIMITED_PROGRESS,
    ProgressStatus.WORSENING,
    ProgressStatus.NO_DATA,
]


def band_legend(target: Target | None, bound: str) -> str:
    """ "Chỉ tiêu: giảm 30 %" for a band's bound, read from the target (so an edit in the admin
    shows at once), in the reader's language; "" without a band."""
    share = getattr(target, bound, None) if target is not None else None
    if share is None:
        return ""
    return progress_text(Text(gettext_noop("Chỉ tiêu: giảm {percent} %"), percent=f"{share.normalize():f}"))


def _number(value) -> float | int | None:
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal) else value


def chart_data(
    series: Mapping[int, IndicatorValue],
    year: int,
    targets: Iterable[Target],
    deprivation_labels: Sequence[str],
) -> dict:
    """Plain JSON for static/js/dashboard.js."""
    targets = list(targets)
    years = sorted(y for y in series if y <= year)
    poor_band = band_target(targets, "poor")
    near_band = band_target(targets, "near_poor")

    def band(code: str, target: Target | None, bound: str) -> list[float | None]:
        out: list[float | None] = []
        for y in years:
            previous = start_of_year(series, y, code)
            share = getattr(target, bound, None) if target else None
            if previous is None or share is None:
                out.append(None)
            else:
                out.append(round(previous * (1 - float(share) / 100), 1))
        return out

    row = series.get(year)
    deprivations = list(row.deprivations_poor or []) if row is not None else []
    labels = [
        deprivation_labels[i] if i < len(deprivation_labels) else f"{_('Chỉ số')} {i + 1}"
        for i in range(len(deprivations))
    ]
    return {
        "years": years,
        "poor": [series[y].poor for y in years],
        "near_poor": [series[y].near_poor for y in years],
        "poor_band_low": band("poor", poor_band, "upper_bound"),
        "poor_band_high": band("poor", poor_band, "lower_bound"),
        "near_poor_band_low": band("near_poor", near_band, "upper_bound"),
        "near_poor_band_high": band("near_poor", near_band, "lower_bound"),
        "escaped": [trend_value(series[y], "escaped") for y in years],
        "newly_poor": [trend_value(series[y], "newly_poor") for y in years],
        "re_poor": [trend_value(series[y], "re_poor") for y in years],
        "subgroups": {
            "labels": [str(label) for _, label in SUBGROUPS],
            "values": [getattr(row, name) if row else 0 for name, _ in SUBGROUPS],
        },
        "deprivations": {"labels": labels, "values": deprivations},
        "text": {
            "poor": str(_("Hộ nghèo")),
            "near_poor": str(_("Hộ cận nghèo")),
            "band_low": band_legend(poor_band, "upper_bound"),
            "band_high": band_legend(poor_band, "lower_bound"),
            "near_band_low": band_legend(near_band, "upper_bound"),
            "near_band_high": band_legend(near_band, "lower_bound"),
            "escaped": str(_("Thoát nghèo")),
            "newly_poor": str(_("Nghèo phát sinh")),
            "re_poor": str(_("Tái nghèo")),
            "households": str(_("Số hộ nghèo")),
        },
    }


@dataclass(frozen=True)
class MapPoint:
    x: float
    y: float
    r: float
    row: UnitRow


def map_points(
    rows: Iterable,
    size: Callable[[object], int | None] = lambda row: row.value.poor,
    width: int = 600,
    height: int = 600,
    pad: int = 20,
) -> list[MapPoint]:
    """Units placed by their centroids on a width × height SVG (equirectangular, north up),
    circle area growing with `size` (the poor count by default). A row is anything with a `unit`."""
    placed = [r for r in rows if r.unit.latitude is not None and r.unit.longitude is not None]
    if not placed:
        return []
    lats = [r.unit.latitude for r in placed]
    lons = [r.unit.longitude for r in placed]
    # Longitude degrees are shorter than latitude ones at Hanoi's 21° N.
    squeeze = math.cos(math.radians(sum(lats) / len(lats)))
    span = max((max(lons) - min(lons)) * squeeze, max(lats) - min(lats)) or 1.0
    scale = (min(width, height) - 2 * pad) / span
    # Centre the drawing in both directions.
    left = pad + (width - 2 * pad - (max(lons) - min(lons)) * squeeze * scale) / 2
    top_edge = pad + (height - 2 * pad - (max(lats) - min(lats)) * scale) / 2
    # A unit without data keeps the smallest circle (grey: no data), never the size of a zero.
    top = max(size(r) or 0 for r in placed) or 1
    points = []
    for r in placed:
        x = left + (r.unit.longitude - min(lons)) * squeeze * scale
        y = top_edge + (max(lats) - r.unit.latitude) * scale
        radius = 4 + 10 * math.sqrt((size(r) or 0) / top)
        points.append(MapPoint(round(x, 1), round(y, 1), round(radius, 1), r))
    return points
