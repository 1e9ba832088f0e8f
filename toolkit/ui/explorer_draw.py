"""What the Judge explorer draws, as plain functions (tested without a server): the Sankey (inline
SVG), the transition and kappa heatmaps (HTML tables), the agreement lines and a cell's items.

Why not Altair: plotly is not installed, Altair has no Sankey mark, an Altair spec costs tens of
milliseconds per chart (too much for the 20-client load target), and gr.Plot's label chip covers
the chart. The heatmaps are HTML tables: their text wraps, they take a phone's width, and a cell is
an element that can be clicked. The Sankey is drawn twice, wide and narrow (a CSS container query
shows the one that fits its box), so its text stays about 12 px instead of shrinking with the SVG. Text uses `currentColor` and follows
the light and dark themes; nothing loads from elsewhere. Every label, name and id from the data is
escaped; a response is sanitised markdown (`safe_markdown_html`: no script runs, no remote
resource loads). Clickable parts carry `data-from`/`data-to` (a matrix cell) or `data-j1`/`data-j2`
(a judge pair), read by the tab's click script.
"""
from __future__ import annotations

import functools
import html
import math
from typing import Any, Callable, Mapping
from urllib.parse import urlencode

import pandas as pd

from toolkit.core.labels import COLORS, canonical
from toolkit.query import agreement as ag, pages

from . import texts
from .columns import header
from .common import plain, safe_markdown_html

OTHER_COLOR = "#64748b"   # raw labels outside the palette
WIDE, NARROW = 560, 300   # the Sankey's two widths (px): half a desktop page, a phone's width
BLUES = [(0.0, (239, 246, 255)), (0.5, (96, 165, 250)), (1.0, (30, 64, 175))]
KAPPA = [(0.0, (254, 243, 199)), (0.5, (52, 211, 153)), (1.0, (6, 78, 59))]
COMPARE_LABEL = "Compare with another model's answer to this question"


def color_of(label: str) -> str:
    """Palette colour of a label; a raw code takes its canonical label's colour (ERROR_* -> ERROR)."""
    if label in COLORS:
        return COLORS[label]
    return COLORS.get(canonical(label), OTHER_COLOR) if label != ag.MISSING_RAW else OTHER_COLOR


def attr(value: Any) -> str:
    """A value as an HTML attribute (quotes escaped)."""
    return html.escape(str(value), quote=True)


def short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def trimmed(matrix: pd.DataFrame, rows: bool, columns: bool) -> pd.DataFrame:
    """The matrix without its all-zero rows (when `rows`) and columns (when `columns`): a raw label
    column lists every code the judge ever used, most of them absent under the chosen filters."""
    if matrix.empty:
        return matrix
    keep_rows = matrix.sum(axis=1) > 0 if rows else slice(None)
    keep_columns = matrix.sum(axis=0) > 0 if columns else slice(None)
    return matrix.loc[keep_rows, keep_columns]


# -- Sankey -------------------------------------------------------------------------------------
def _flow_path(x0: float, x1: float, y0: float, y1: float, thick: float) -> str:
    mid = (x0 + x1) / 2
    return (f"M{x0},{y0:.2f} C{mid},{y0:.2f} {mid},{y1:.2f} {x1},{y1:.2f} L{x1},{y1 + thick:.2f} "
            f"C{mid},{y1 + thick:.2f} {mid},{y0 + thick:.2f} {x0},{y0 + thick:.2f} Z")


def _stack(totals: dict[str, int], top: float, scale: float, gap: float) -> dict[str, float]:
    y, starts = top, {}
    for label, n in totals.items():
        starts[label] = y
        y += n * scale + gap
    return starts


def sankey_svg(matrix: pd.DataFrame, width: int = WIDE, height: int = 340) -> str:
    """A two-column Sankey of judge-1 labels (left) flowing to judge-2 labels (right), as inline SVG.

    Node heights are proportional to each side's label totals; a flow (i -> j) is a band whose
    thickness is proportional to M[i, j]. At the wide width labels sit outside the nodes; at a
    narrow one inside, over the flows (with a halo). The SVG is never drawn below its width, so its
    12 px text stays 12 px.
    """
    total = int(matrix.to_numpy().sum()) if matrix.size else 0
    if not total:
        return '<div class="xp-empty">Nothing to draw: no response was judged by both judges.</div>'
    wide = width >= 500
    node_w, label_w = 14, (160 if wide else 4)
    x_left, x_right = label_w, width - label_w - node_w
    rows = {l: int(v) for l, v in matrix.sum(axis=1).items() if v}
    cols = {l: int(v) for l, v in matrix.sum(axis=0).items() if v}
    gap, top = 8, 6
    scale = (height - 2 * top - gap * (max(len(rows), len(cols)) - 1)) / total
    left_y, right_y = _stack(rows, top, scale, gap), _stack(cols, top, scale, gap)
    height = max(height, int(top + LINE * max(len(rows), len(cols)) + 8))  # room for every label
    parts = [f'<svg class="xp-sankey" viewBox="0 0 {width} {height}" width="{width}" role="img" '
             f'aria-label="Sankey of the two judges\' labels" xmlns="http://www.w3.org/2000/svg" '
             f'style="width:100%;max-width:{width}px;font:12px sans-serif">']
    parts += _sankey_flows(matrix, rows, cols, dict(left_y), dict(right_y), scale, x_left + node_w, x_right)
    parts += _sankey_nodes(rows, cols, left_y, right_y, scale, total, x_left, x_right, node_w, wide)
    parts.append("</svg>")
    return "".join(parts)


def _sankey_flows(matrix, rows, cols, left, right, scale, x0, x1) -> list[str]:
    """One clickable band per non-empty cell, in the source label's colour."""
    parts = []
    for source in rows:
        for target in cols:
            n = int(matrix.at[source, target])
            if not n:
                continue
            thick = n * scale
            path = _flow_path(x0, x1, left[source], right[target], thick)
            left[source] += thick
            right[target] += thick
            tip = f"{source} \u2192 {target}: {n:,} ({100 * n / rows[source]:.1f}% of {source}). Click to read them."
            parts.append(f'<path class="xp-flow" d="{path}" fill="{color_of(source)}" fill-opacity="0.45" '
                         f'data-from="{attr(source)}" data-to="{attr(target)}" tabindex="0" role="button">'
                         f'<title>{html.escape(tip)}</title></path>')
    return parts


LINE = 14  # px between two node labels' baselines (12 px text)


def spread_out(wanted: list[float], gap: float = LINE) -> list[float]:
    """Baselines at least `gap` apart, each as close below its wanted place as that allows (the
    labels of small neighbouring nodes would otherwise overlap)."""
    placed: list[float] = []
    for y in wanted:
        placed.append(max(y, placed[-1] + gap) if placed else y)
    return placed


def _sankey_nodes(rows, cols, left_y, right_y, scale, total, x_left, x_right, node_w, wide) -> list[str]:
    """Each side's nodes with their label, count and share."""
    parts = []
    sides = ((rows, left_y, x_left, "end" if wide else "start", x_left - 6 if wide else x_left + node_w + 4),
             (cols, right_y, x_right, "start" if wide else "end", x_right + node_w + 6 if wide else x_right - 4))
    for totals, starts, x, anchor, text_x in sides:
        heights = {label: max(n * scale, 1.0) for label, n in totals.items()}
        baselines = spread_out([starts[label] + heights[label] / 2 + 4 for label in totals])
        for (label, n), y in zip(totals.items(), baselines):
            words = (f"{short(label, 18)} {n:,} ({100 * n / total:.0f}%)" if wide
                     else f"{short(label, 16)} {100 * n / total:.0f}%")
            parts.append(f'<rect class="xp-node" x="{x}" y="{starts[label]:.2f}" width="{node_w}" '
                         f'height="{heights[label]:.2f}" fill="{color_of(label)}"><title>{html.escape(label)}: '
                         f'{n:,}</title></rect>')
            parts.append(f'<text class="xp-halo" x="{text_x}" y="{y:.2f}" text-anchor="{anchor}" '
                         f'fill="currentColor">{html.escape(words)}</text>')
    return parts


def sankey_html(matrix: pd.DataFrame, left_title: str, right_title: str) -> str:
    """Titles (HTML, so long judge names wrap) above the wide and the narrow Sankey."""
    if not matrix.size or not int(matrix.to_numpy().sum()):
        return sankey_svg(matrix)
    return (f'<div class="xp-chart-title"><span>From: <b>{html.escape(left_title)}</b></span>'
            f'<span>To: <b>{html.escape(right_title)}</b></span></div>'
            f'<div class="xp-sankey-box"><div class="xp-wide">{sankey_svg(matrix, WIDE)}</div>'
            f'<div class="xp-narrow">{sankey_svg(matrix, NARROW, 300)}</div></div>'
            '<p class="xp-hint">Click a flow to read its responses.</p>')


# -- heatmaps (HTML tables) ---------------------------------------------------------------------
def mix(stops: list[tuple[float, tuple[int, int, int]]], x: float) -> str:
    """Linear interpolation in a list of (position, rgb) colour stops, x in [0, 1]."""
    x = min(1.0, max(0.0, x))
    for (p0, c0), (p1, c1) in zip(stops, stops[1:]):
        if x <= p1:
            t = (x - p0) / (p1 - p0) if p1 > p0 else 0.0
            return "#" + "".join(f"{round(a + (b - a) * t):02x}" for a, b in zip(c0, c1))
    return "#" + "".join(f"{v:02x}" for v in stops[-1][1])


def _cell(fill: str, dark: bool, body: str, tip: str, data: Mapping[str, str]) -> str:
    marks = "".join(f' data-{k}="{attr(v)}"' for k, v in data.items())
    clickable = ' tabindex="0" role="button"' if data else ""
    return (f'<td class="xp-hcell{" xp-dark" if dark else ""}" style="background:{fill}" title="{attr(tip)}"'
            f'{marks}{clickable}>{body}</td>')


def heat_table(rows: list[str], cols: list[str], cell: Callable[[int, int], str], corner: str,
               col_names: list[str] | None = None) -> str:
    """A table of coloured cells: row labels on the left, column labels on top (full names as tips)."""
    head = "".join(f'<th scope="col" title="{attr(c)}">{html.escape(short(n, 24))}</th>'
                   for c, n in zip(cols, col_names or cols))
    body = "".join(f'<tr><th scope="row" title="{attr(r)}">{html.escape(short(r, 40))}</th>'
                   + "".join(cell(i, j) for j in range(len(cols))) + "</tr>" for i, r in enumerate(rows))
    return (f'<div class="xp-heat-wrap"><table class="xp-heat"><thead><tr><th class="xp-corner">'
            f'{html.escape(corner)}</th>{head}</tr></thead><tbody>{body}</tbody></table></div>')


def matrix_heatmap_html(matrix: pd.DataFrame, judge1: str, judge2: str) -> str:
    """The transition matrix as a heatmap: colour = row percentage, text = count and row %.
    Each cell opens its items when clicked."""
    if not matrix.size or not matrix.to_numpy().sum():
        return '<div class="xp-empty">No transition matrix: nothing was judged by both judges.</div>'
    pct = ag.row_percentages(matrix).to_numpy()
    counts = matrix.to_numpy()
    rows, cols = [str(r) for r in matrix.index], [str(c) for c in matrix.columns]

    def cell(i: int, j: int) -> str:
        tip = f"{rows[i]} \u2192 {cols[j]}: {counts[i, j]:,} ({pct[i, j]:.1f}% of {rows[i]})"
        return _cell(mix(BLUES, pct[i, j] / 100), pct[i, j] > 55,
                     f"{counts[i, j]:,}<small>{pct[i, j]:.0f}%</small>", tip, {"from": rows[i], "to": cols[j]})

    return (f'<div class="xp-chart-title"><span>Rows: <b>{html.escape(judge1)}</b> \u2193</span>'
            f'<span>Columns: <b>{html.escape(judge2)}</b> \u2192</span></div>'
            + heat_table(rows, cols, cell, "from \\ to")
            + '<p class="xp-hint">Count and share of the row; click a cell to read its responses.</p>')


def kappa_heatmap_html(pairs: pd.DataFrame) -> str:
    """Cohen's kappa for every pair of judges (colour from 0 to 1; '–' where none is shared). Columns
    are numbered like the rows (judge names are long); a click compares that pair."""
    if pairs.empty:
        return '<div class="xp-empty">No judges.</div>'
    judges = list(dict.fromkeys(pairs["judge_a"]))
    lookup = {(a, b): (k, n) for a, b, k, n in pairs[["judge_a", "judge_b", "kappa", "n"]].itertuples(index=False)}

    def cell(i: int, j: int) -> str:
        kappa, n = lookup.get((judges[i], judges[j]), (None, 0))
        pair = {"j1": judges[i], "j2": judges[j]}
        if kappa is None or (isinstance(kappa, float) and math.isnan(kappa)):
            return _cell("transparent", False, "\u2013", f"{judges[i]} / {judges[j]}: no kappa (n = {n:,})", pair)
        tip = f"{judges[i]} / {judges[j]}: kappa {kappa:.3f}, n = {n:,}. Click to compare them."
        return _cell(mix(KAPPA, kappa), kappa > 0.6, f"{kappa:.2f}", tip, pair)

    rows = [f"{k}. {j}" for k, j in enumerate(judges, start=1)]
    return heat_table(rows, judges, cell, "judge", [str(k) for k in range(1, len(judges) + 1)])


# -- agreement lines ----------------------------------------------------------------------------
def fmt(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "\u2013"
    return f"{value:.{digits}f}" if isinstance(value, float) else f"{value:,}" if isinstance(value, int) else str(value)


def agreement_markdown(report: dict[str, Any]) -> str:
    """The agreement panel: n, raw agreement, kappa with its analytic 95% interval."""
    if not report["n"]:
        return f"**{plain(report.get('message', 'No data.'))}**"
    low, high = report["kappa_ci95"]
    return (f"**{report['n']:,}** responses judged by both · raw agreement **{fmt(report['agreement'])}** · "
            f"Cohen's kappa **{fmt(report['cohen_kappa'])}** (95% CI {fmt(low)} to {fmt(high)}, "
            f"SE {fmt(report['kappa_se'])})  \nPrecision / recall / F1 below score judge 2 against judge 1.")


def many_markdown(summary: dict[str, Any]) -> str:
    return (f"All {len(summary['judges'])} judges: Fleiss' kappa **{fmt(summary['fleiss_kappa'])}** over the "
            f"{summary['n_all_judged']:,} responses judged by every judge · Krippendorff's alpha (nominal) "
            f"**{fmt(summary['krippendorff_alpha'])}** over the {summary['n_pairable']:,} responses judged by "
            "two or more.")


def counts_table(matrix: pd.DataFrame) -> pd.DataFrame:
    """The clickable counts table: first column the judge-1 label, then one column per judge-2 label,
    counts with thousands separators."""
    table = matrix.reset_index().rename(columns={"from": "judge 1 \u2193 / judge 2 \u2192"})
    table.columns = [str(c) for c in table.columns]
    for name in table.columns[1:]:
        table[name] = table[name].map(lambda n: f"{int(n):,}")
    return table


# -- a cell's items -----------------------------------------------------------------------------
def _text(value: Any) -> str:
    return "" if value is None or value != value else str(value)  # None and NaN -> ""


def badge(label: Any) -> str:
    """A verdict badge: tinted background, dark text (light on dark tint in dark mode), and a symbol
    (✓ ~ ✕ !), so that colour is not the only cue."""
    text = "\u2013" if label is None or (isinstance(label, float) and math.isnan(label)) else str(label)
    verdict = text if text in texts.VERDICTS else canonical(text) if text != "\u2013" else ""
    symbol = texts.VERDICTS.get(verdict, (texts.UNKNOWN_SYMBOL, ""))[0]
    kind = verdict.lower() if verdict in texts.VERDICTS else "other"
    return (f'<span class="xp-badge xp-badge-{kind}"><span aria-hidden="true">{symbol}</span> '
            f'{html.escape(text)}</span>')


@functools.lru_cache(maxsize=4096)
def rendered_markdown(content: str) -> str:
    """Sanitised HTML of a response, memoised by its text (paging back and forth renders once)."""
    return safe_markdown_html(content)


def flag_html(note: str | None) -> str:
    """The judge-dependent mark beside a model (`sensitivity.dependence_notes`), or nothing."""
    if not note:
        return ""
    return (f' <span class="xp-flag" title="This model\'s % complete or rank changes a lot with the judge">'
            f'judge-dependent {html.escape(note)}</span>')


def compare_link(response_id: str) -> str:
    """Opens the Pairwise tab with this response as Response 1 (the texts come from the store)."""
    query = urlencode({"tab": "pairwise", "response_a": response_id})
    return f'<a class="xp-compare" href="?{attr(query)}">{COMPARE_LABEL} \u2192</a>'


def judges_table(judgements: list[dict], side1: ag.Side, side2: ag.Side) -> str:
    """Every judge's verdict on one response; on a phone each row becomes a small card (CSS)."""
    heads = "".join(f"<th>{header(name)}</th>" for name in ("judge", "label", "label_raw", "analysis"))
    rows = []
    for j in judgements:
        marker = " (judge 1)" if j["judge"] == side1.judge else ""
        marker += " (judge 2)" if j["judge"] == side2.judge else ""
        kind = " · human" if j["judge_type"] == "human" else ""
        rows.append(f'<tr><td class="xp-judge-name">{html.escape(str(j["judge"]))}<small>{kind}{marker}</small></td>'
                    f'<td>{badge(j["label"])}</td><td><code>{html.escape(str(j["label_raw"] or ""))}</code></td>'
                    f'<td class="xp-analysis">{html.escape(str(j["analysis"] or ""))}</td></tr>')
    return f'<table class="xp-judges"><thead><tr>{heads}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def item_html(k: int, item: Any, judgements: list[dict], side1: ag.Side, side2: ag.Side,
              notes: Mapping[str, str]) -> str:
    meta = " · ".join(html.escape(str(v)) for v in (item.question_set, item.theme, item.domain) if v and v == v)
    provider = " via " + html.escape(str(item.provider)) if item.provider and item.provider == item.provider else ""
    return (f'<article class="xp-item" data-response-id="{attr(item.response_id)}">'
            f'<div class="xp-head"><b>#{k:,}</b> · {meta} · <code>{html.escape(str(item.question_id))}</code></div>'
            f'<div class="xp-question"><b>Question:</b> {html.escape(str(item.question or ""))}</div>'
            f'<div class="xp-model">Response by <b>{html.escape(str(item.model))}</b>'
            f'{flag_html(notes.get(item.model))}{provider} · <code>{html.escape(item.response_id)}</code></div>'
            f'<div class="xp-response">{rendered_markdown(_text(item.content))}</div>'
            f'{judges_table(judgements, side1, side2)}'
            f'<div class="xp-actions">{compare_link(item.response_id)}</div></article>')


def items_html(page: pages.CellPage, side1: ag.Side, side2: ag.Side, from_label: str, to_label: str,
               notes: Mapping[str, str] | None = None) -> str:
    """The items of one page: question, response (sanitised markdown), every judge's label and analysis,
    the judge-dependent mark of its model (`notes`) and a link to compare it with another answer."""
    if not page.total:
        return (f'<div class="xp-empty">No response in the cell {html.escape(str(from_label))} \u2192 '
                f'{html.escape(str(to_label))} under these filters.</div>')
    first = (page.page - 1) * page.page_size
    by_response: dict[str, list[dict]] = {}
    for judgement in page.judgements.to_dict("records"):
        by_response.setdefault(judgement["response_id"], []).append(judgement)
    out = [item_html(k, item, by_response.get(item.response_id, []), side1, side2, notes or {})
           for k, item in enumerate(page.items.itertuples(index=False), start=first + 1)]
    return '<div class="xp-items">' + "".join(out) + "</div>"


def page_info(page: pages.CellPage, from_label: str, to_label: str) -> str:
    if not page.total:
        return "No items."
    first = (page.page - 1) * page.page_size + 1
    last = first + len(page.items) - 1
    return (f"Cell **{plain(from_label)} \u2192 {plain(to_label)}**: items {first:,}-{last:,} "
            f"of **{page.total:,}** · page {page.page:,} of {page.pages:,}")
