"""The QBR packet's charts, drawn with matplotlib (imported only here, when a packet is made) as PNG images."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from ..delivery.findings import protection_label

COLORS = {"yes": "#2e7d32", "no": "#c62828", "unknown": "#9e9e9e", "due": "#c62828", "held": "#1f4e79"}
# Placed 6.5 inches wide in the packet; 100 dots per inch is sharp on paper at that size and keeps the
# PNGs small and quick to draw.
_WIDTH_IN, _HEIGHT_IN, _DPI = 6.5, 2.6, 100
_MARGIN = dt.timedelta(days=30)  # around the first and last date of the history chart


def load_matplotlib():
    """matplotlib with the Agg canvas (no display, no pyplot: the same pixels on every machine)."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams.update({"font.family": "DejaVu Sans", "font.size": 8,
                                "axes.spines.top": False, "axes.spines.right": False})
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    return Figure, FigureCanvasAgg


def _figure(height_in: float):
    figure_class, canvas_class = load_matplotlib()
    figure = figure_class(figsize=(_WIDTH_IN, height_in), dpi=_DPI)
    canvas_class(figure)
    return figure, figure.add_subplot()


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
    return buffer.getvalue()


def coverage_chart(coverage: list[dict[str, Any]]) -> bytes:
    """One stacked bar per promised protection: devices with it, without it, and not reported."""
    figure, axes = _figure(_HEIGHT_IN)
    if not coverage:
        axes.axis("off")
        axes.text(0.5, 0.5, "No device evidence imported: coverage cannot be shown", ha="center", va="center")
        return _png(figure)
    names = [sentence_case(protection_label(row["protection"])) for row in coverage]
    left = [0] * len(names)
    for key, label in (("yes", "in place"), ("no", "missing"), ("unknown", "not reported")):
        values = [row[key] for row in coverage]
        axes.barh(names, values, left=left, color=COLORS[key], label=label, height=0.6)
        left = [a + b for a, b in zip(left, values)]
    axes.invert_yaxis()
    axes.set_xlabel("devices")
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.legend(loc="lower right", frameon=False, ncols=3, bbox_to_anchor=(1, 1.02))  # the caption names it
    figure.subplots_adjust(left=0.16, right=0.98, top=0.84, bottom=0.17)  # fixed: no layout search
    return _png(figure)


def sentence_case(label: str) -> str:
    """`anti-virus` -> `Anti-virus`; `EDR` stays."""
    return label[:1].upper() + label[1:]


def history_chart(held: list[dt.date], due: list[dt.date], as_of: dt.date) -> bytes:
    """Reviews held (dots) against the dates each was due by the cadence (dashed lines), up to the agenda date."""
    figure, axes = _figure(_HEIGHT_IN * 0.7)
    for index, day in enumerate(due):
        axes.axvline(day, color=COLORS["due"], linestyle="--", linewidth=1,
                     label="due by the cadence" if index == 0 else None)
    if held:
        axes.plot(held, [1] * len(held), "o", color=COLORS["held"], markersize=8, label="review held")
    axes.axvline(as_of, color="#555555", linewidth=1.5, label="date of this document")
    start, end = min([*held, *due, as_of]) - _MARGIN, max([*held, *due, as_of]) + _MARGIN
    axes.set_xlim(start, end)
    ticks = quarter_starts(start, end)
    axes.set_xticks(ticks, [day.strftime("%b %Y") for day in ticks])
    axes.set_yticks([])
    axes.set_ylim(0.5, 1.5)
    axes.spines["left"].set_visible(False)
    axes.legend(loc="lower left", frameon=False, ncols=3, bbox_to_anchor=(0, 1.02))
    figure.subplots_adjust(left=0.03, right=0.97, top=0.78, bottom=0.2)
    return _png(figure)


def quarter_starts(start: dt.date, end: dt.date, most: int = 8) -> list[dt.date]:
    """The first days of quarters between two dates, every second or fourth one when there are many."""
    day = dt.date(start.year, (start.month - 1) // 3 * 3 + 1, 1)
    found = []
    while day <= end:
        if day >= start:
            found.append(day)
        month = day.month + 3
        day = dt.date(day.year + (month > 12), (month - 1) % 12 + 1, 1)
    step = 1
    while len(found[::step]) > most:
        step *= 2
    return found[::step]
