"""Chart helpers shared by the tabs (Altair in gr.Plot).

Altair charts in Gradio get neither Gradio's sizing nor its dark theme, so every chart is made
`width="container"` with a transparent background and mid-grey axes and text, readable on light
and dark pages alike. Data is pre-aggregated before it reaches a chart (Altair's 5,000-row limit).
"""
from __future__ import annotations

import altair as alt

from toolkit.core.labels import COLORS, ORDER

AXIS_GREY = "#8a8f98"
GRID_GREY = "#8a8f9833"


def label_scale(labels: list[str] | None = None) -> alt.Scale:
    """The label colour scale in the canonical order (COMPLETE green ... ERROR purple)."""
    present = [l for l in ORDER if labels is None or l in labels]
    present += [l for l in (labels or []) if l not in present]
    return alt.Scale(domain=present, range=[COLORS.get(l, "#4b5563") for l in present])


def themed(chart: alt.TopLevelMixin, height: int = 320) -> alt.TopLevelMixin:
    """Apply the shared look: container width, transparent background, grey axes and legends."""
    return (
        chart.properties(width="container", height=height)
        .configure(background="transparent")
        .configure_view(stroke=None)
        .configure_axis(labelColor=AXIS_GREY, titleColor=AXIS_GREY, gridColor=GRID_GREY,
                        domainColor=AXIS_GREY, tickColor=AXIS_GREY)
        .configure_legend(labelColor=AXIS_GREY, titleColor=AXIS_GREY)
        .configure_title(color=AXIS_GREY)
        .configure_text(color=AXIS_GREY)
    )
