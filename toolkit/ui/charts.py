"""Chart helpers shared by the tabs (Altair in gr.Plot).

Altair charts in Gradio get neither Gradio's sizing nor its dark theme, so every chart is made
`width="container"` with a transparent background and mid-grey axes and text, readable on light
and dark pages alike. Data is pre-aggregated before it reaches a chart (Altair's 5,000-row limit).
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from toolkit.core.labels import COLORS, ORDER

AXIS_GREY = "#8a8f98"
FONT_SIZE = 12        # every chart text at least 11 px (axis labels, legends, marks' text)
TITLE_SIZE = 14
# Okabe and Ito's colour-blind-safe set (without black: it vanishes on a dark page), then grey.
COLOUR_BLIND_SAFE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
BEYOND_PALETTE = "#9ca3af"
# One colour per judge, in the order the judges are listed (their names in words for the key).
JUDGE_COLORS = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#b279a2", "#72b7b2", "#9d755d", "#eeca3b"]
COLOUR_NAMES = ["blue", "orange", "green", "red", "purple", "teal", "brown", "yellow"]
GRID_GREY = "#8a8f9833"


def label_scale(labels: list[str] | None = None) -> alt.Scale:
    """The label colour scale in the canonical order (COMPLETE green ... ERROR purple)."""
    present = [l for l in ORDER if labels is None or l in labels]
    present += [l for l in (labels or []) if l not in present]
    return alt.Scale(domain=present, range=[COLORS.get(l, "#4b5563") for l in present])


def judge_scale(judges: list[str]) -> alt.Scale:
    """JUDGE_COLORS over the judges in their order (repeating beyond eight)."""
    return alt.Scale(domain=list(judges), range=[JUDGE_COLORS[i % len(JUDGE_COLORS)] for i in range(len(judges))])


def judge_dots(data: pd.DataFrame, field: str, axis_title: str, title: str, chosen_judge: str | None,
               tooltip: list) -> alt.TopLevelMixin:
    """A dot per judge (rows of `data`: judge, `field`) on one 0-100 axis; the chosen judge's dot
    is larger: how much a score depends on the judge, at a glance."""
    data = data.assign(chosen=data["judge"] == chosen_judge, row=field)
    dots = alt.Chart(data).mark_circle(opacity=0.9).encode(
        x=alt.X(f"{field}:Q", title=axis_title, scale=alt.Scale(domain=[0, 100])),
        y=alt.Y("row:N", title=None, axis=None),
        size=alt.Size("chosen:N", scale=alt.Scale(domain=[False, True], range=[120, 320]), legend=None),
        color=alt.Color("judge:N", scale=judge_scale(data["judge"].tolist()),
                        legend=alt.Legend(orient="bottom", columns=1)),
        tooltip=tips(*tooltip))
    return themed(dots.properties(title=title), height=70)


def tips(*fields: str | alt.Tooltip) -> list[alt.Tooltip]:
    """Tooltip channels as Altair objects: a plain string or dict channel is converted through a
    schema lookup that costs ~3 ms per field (15 ms of a 20 ms chart), an object is used as it is."""
    return [f if isinstance(f, alt.Tooltip) else alt.Tooltip(f) for f in fields]


def themed(chart: alt.TopLevelMixin, height: int = 320) -> alt.TopLevelMixin:
    """Apply the shared look: container width, transparent background, grey axes and legends.
    (One Config set in place: each `configure_*` call deep-copies the whole chart, ~5 ms apiece.)"""
    chart = chart.properties(width="container", height=height)
    chart.config = alt.Config(
        background="transparent", view=alt.ViewConfig(stroke=None),
        axis=alt.AxisConfig(labelColor=AXIS_GREY, titleColor=AXIS_GREY, gridColor=GRID_GREY,
                            domainColor=AXIS_GREY, tickColor=AXIS_GREY, labelFontSize=FONT_SIZE,
                            titleFontSize=FONT_SIZE, labelLimit=220),
        legend=alt.LegendConfig(labelColor=AXIS_GREY, titleColor=AXIS_GREY, labelFontSize=FONT_SIZE,
                                titleFontSize=FONT_SIZE, labelLimit=220),
        title=alt.TitleConfig(color=AXIS_GREY, fontSize=TITLE_SIZE, limit=0),
        text=alt.MarkConfig(color=AXIS_GREY, fontSize=FONT_SIZE))
    return chart


def lab_palette(labs: list[str], given: dict[str, str | None] | None = None) -> dict[str, str]:
    """A colour per lab, in the order given: the metadata's own colour where it has one and it is
    not too close to an earlier lab's (three labs in three oranges cannot be told apart), else the
    next colour of the colour-blind-safe set that is not too close either, then grey."""
    given = given or {}
    colours: dict[str, str] = {}
    for lab in labs:
        taken = [_lab_coordinates(c) for c in colours.values() if c != BEYOND_PALETTE]
        free = [c for c in [(given.get(lab) or "").strip(), *COLOUR_BLIND_SAFE]
                if _lab_coordinates(c) and all(_distance(_lab_coordinates(c), t) >= MIN_COLOUR_DISTANCE
                                               for t in taken)]
        colours[lab] = free[0] if free else BEYOND_PALETTE
    return colours


# Colours closer than this (CIE76 delta E in CIELAB) count as the same colour on a chart.
MIN_COLOUR_DISTANCE = 25.0


def _lab_coordinates(colour: str) -> tuple[float, float, float] | None:
    """CIELAB (D65) of a `#rrggbb` colour; None for anything else.
    L* = 116 f(Y) - 16, a* = 500 (f(X) - f(Y)), b* = 200 (f(Y) - f(Z)), from linear sRGB."""
    text = colour.strip().lstrip("#")
    if len(text) != 6 or any(ch not in "0123456789abcdefABCDEF" for ch in text):
        return None
    rgb = [int(text[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116
    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _distance(p: tuple[float, float, float], q: tuple[float, float, float]) -> float:
    return sum((a - b) ** 2 for a, b in zip(p, q)) ** 0.5


def lab_scale(labs: list[str], given: dict[str, str | None] | None = None) -> alt.Scale:
    """An Altair colour scale for `labs` from `lab_palette`."""
    colours = lab_palette(labs, given)
    return alt.Scale(domain=list(colours), range=list(colours.values()))
