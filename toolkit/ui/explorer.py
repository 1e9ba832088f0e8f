"""The "Judge explorer" tab: any two judges side by side, agreement, and the texts behind each cell.

The work is done by `toolkit.query.agreement` and `toolkit.query.pages`; this module renders it.
The Sankey and both heatmaps are self-contained SVG in gr.HTML: plotly is not installed, Altair has no
Sankey mark, an Altair spec costs tens of milliseconds per chart (too much for the 20-client load
target) and, with width="container", a layered Altair chart gets zero width in gr.Plot (Gradio 6.31).
SVG text uses `currentColor`, so it follows the light and dark themes; nothing is loaded from
elsewhere. A cell's items are HTML in which every response is sanitised markdown
(`safe_markdown_html`: no script runs, no remote resource loads) and every other text is escaped.
Event handlers have `api_name`s (explorer_compare, explorer_cell, ...) so that the same endpoints
serve the page, API clients and the load benchmark.
"""
from __future__ import annotations

import functools
import html
import math
from typing import Any, Callable

import gradio as gr
import pandas as pd

from toolkit.core.filters import REASONING_CHOICES, Filters, reasoning_choice
from toolkit.core.labels import COLORS, canonical
from toolkit.query import agreement as ag, pages
from toolkit.storage.store import Store

from . import texts
from .common import Rejected, csv_file, download_js, guarded, plain, query_params, safe_markdown_html, share_link
from .context import AppContext

TAB = "explorer"
# The filters shown as multi-select dropdowns (names from toolkit.core.filters), then the reasoning radio.
DROPDOWN_FILTERS = ("question_set", "domain", "theme", "model", "lab", "provider")
LIST_SEPARATOR = "|"  # in URLs: domain names contain commas
PAGE_SIZES = (20, 25, 50)
KIND_CHOICES = [("canonical label", "label"), ("raw label", "label_raw")]
OTHER_COLOR = "#64748b"  # raw labels outside the palette


def color_of(label: str) -> str:
    """Palette colour of a label; a raw code takes its canonical label's colour (ERROR_* -> ERROR)."""
    if label in COLORS:
        return COLORS[label]
    return COLORS.get(canonical(label), OTHER_COLOR) if label != ag.MISSING_RAW else OTHER_COLOR


# -- pure renderers (tested without a server) -------------------------------------------------
def sankey_svg(matrix: pd.DataFrame, left_title: str, right_title: str, width: int = 720, height: int = 380) -> str:
    """A two-column Sankey of judge-1 labels (left) flowing to judge-2 labels (right), as inline SVG.

    Node heights are proportional to each side's label totals; a flow (i -> j) is a band whose
    thickness is proportional to M[i, j]. Text uses `currentColor`, so it follows the light/dark theme.
    Every label is escaped: raw labels come from the data.
    """
    total = int(matrix.to_numpy().sum()) if matrix.size else 0
    if not total:
        return '<div class="xp-empty">Nothing to draw: no response was judged by both judges.</div>'
    top, bottom, node_w, label_w = 28, 8, 14, 190
    x_left, x_right = label_w, width - label_w - node_w
    rows = {l: int(v) for l, v in matrix.sum(axis=1).items() if v}
    cols = {l: int(v) for l, v in matrix.sum(axis=0).items() if v}
    gap = 8
    usable = height - top - bottom - gap * (max(len(rows), len(cols)) - 1)
    scale = usable / total

    def stack(totals: dict[str, int]) -> dict[str, float]:
        y, starts = float(top), {}
        for label, n in totals.items():
            starts[label] = y
            y += n * scale + gap
        return starts

    left_y, right_y = stack(rows), stack(cols)
    left_cursor, right_cursor = dict(left_y), dict(right_y)
    parts = [f'<svg class="xp-sankey" viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'xmlns="http://www.w3.org/2000/svg" style="max-width:{width}px;font:12px sans-serif">',
             f'<text x="{x_left + node_w}" y="14" text-anchor="end" fill="currentColor" font-weight="600">'
             f'{html.escape(left_title)}</text>',
             f'<text x="{x_right}" y="14" fill="currentColor" font-weight="600">{html.escape(right_title)}</text>']
    mid = (x_left + node_w + x_right) / 2
    for source in rows:
        for target in cols:
            n = int(matrix.at[source, target])
            if not n:
                continue
            thick = n * scale
            y0, y1 = left_cursor[source], right_cursor[target]
            left_cursor[source] += thick
            right_cursor[target] += thick
            share = 100 * n / rows[source]
            path = (f"M{x_left + node_w},{y0:.2f} C{mid},{y0:.2f} {mid},{y1:.2f} {x_right},{y1:.2f} "
                    f"L{x_right},{y1 + thick:.2f} C{mid},{y1 + thick:.2f} {mid},{y0 + thick:.2f} "
                    f"{x_left + node_w},{y0 + thick:.2f} Z")
            parts.append(f'<path class="xp-flow" d="{path}" fill="{color_of(source)}" fill-opacity="0.45" '
                         f'stroke="none"><title>{html.escape(source)} \u2192 {html.escape(target)}: {n:,} '
                         f'({share:.1f}% of {html.escape(source)})</title></path>')
    for totals, starts, x, anchor, text_x in ((rows, left_y, x_left, "end", x_left - 6),
                                              (cols, right_y, x_right, "start", x_right + node_w + 6)):
        for label, n in totals.items():
            h = max(n * scale, 1.0)
            parts.append(f'<rect class="xp-node" x="{x}" y="{starts[label]:.2f}" width="{node_w}" height="{h:.2f}" '
                         f'fill="{color_of(label)}"><title>{html.escape(label)}: {n:,}</title></rect>')
            parts.append(f'<text x="{text_x}" y="{starts[label] + h / 2 + 4:.2f}" text-anchor="{anchor}" '
                         f'fill="currentColor">{html.escape(label)} ({n:,}, {100 * n / total:.1f}%)</text>')
    parts.append("</svg>")
    return "".join(parts)


def _mix(stops: list[tuple[float, tuple[int, int, int]]], x: float) -> str:
    """Linear interpolation in a list of (position, rgb) colour stops, x in [0, 1]."""
    x = min(1.0, max(0.0, x))
    for (p0, c0), (p1, c1) in zip(stops, stops[1:]):
        if x <= p1:
            t = (x - p0) / (p1 - p0) if p1 > p0 else 0.0
            return "#" + "".join(f"{round(a + (b - a) * t):02x}" for a, b in zip(c0, c1))
    return "#" + "".join(f"{v:02x}" for v in stops[-1][1])


BLUES = [(0.0, (239, 246, 255)), (0.5, (96, 165, 250)), (1.0, (30, 64, 175))]
KAPPA = [(0.0, (254, 243, 199)), (0.5, (52, 211, 153)), (1.0, (6, 78, 59))]


def _grid_svg(rows: list[str], cols: list[str], cell: Callable[[int, int], tuple[str, str, str, bool]],
              row_title: str, col_title: str, cell_w: int = 104, cell_h: int = 40, label_w: int = 190) -> str:
    """A labelled grid of coloured cells; cell(i, j) -> (fill, text, tooltip, dark fill?)."""
    head_h = 84
    width, height = label_w + cell_w * len(cols) + 8, head_h + cell_h * len(rows) + 8
    parts = [f'<svg class="xp-grid" viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'xmlns="http://www.w3.org/2000/svg" style="max-width:{width}px;font:12px sans-serif">',
             f'<text x="{label_w}" y="13" fill="currentColor" font-weight="600">{html.escape(col_title)} →</text>',
             f'<text x="4" y="{head_h - 6}" fill="currentColor" font-weight="600">{html.escape(row_title)} ↓</text>']
    for j, col in enumerate(cols):
        x = label_w + j * cell_w + cell_w / 2
        parts.append(f'<text x="{x}" y="{head_h - 8}" transform="rotate(-25 {x} {head_h - 8})" fill="currentColor" '
                     f'text-anchor="start">{html.escape(_short(col))}<title>{html.escape(col)}</title></text>')
    for i, row in enumerate(rows):
        y = head_h + i * cell_h
        parts.append(f'<text x="{label_w - 6}" y="{y + cell_h / 2 + 4}" text-anchor="end" fill="currentColor">'
                     f'{html.escape(_short(row))}<title>{html.escape(row)}</title></text>')
        for j in range(len(cols)):
            fill, text, tip, dark = cell(i, j)
            x = label_w + j * cell_w
            parts.append(f'<g class="xp-cell"><rect x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" rx="3" '
                         f'fill="{fill}"/><text x="{x + cell_w / 2 - 1}" y="{y + cell_h / 2 + 4}" text-anchor="middle" '
                         f'fill="{"#ffffff" if dark else "#1f2937"}">{html.escape(text)}</text>'
                         f'<title>{html.escape(tip)}</title></g>')
    parts.append("</svg>")
    return "".join(parts)


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def matrix_heatmap_svg(matrix: pd.DataFrame, judge1: str, judge2: str) -> str:
    """The transition matrix as a heatmap: colour = row percentage, text = count (row %).

    SVG rather than Altair: it costs well under a millisecond (an Altair spec costs tens), so the
    explorer stays fast under load; text follows the theme through `currentColor`.
    """
    if not matrix.size or not matrix.to_numpy().sum():
        return '<div class="xp-empty">No transition matrix: nothing was judged by both judges.</div>'
    pct = ag.row_percentages(matrix).to_numpy()
    counts = matrix.to_numpy()
    rows, cols = [str(r) for r in matrix.index], [str(c) for c in matrix.columns]

    def cell(i: int, j: int) -> tuple[str, str, str, bool]:
        tip = f"{rows[i]} → {cols[j]}: {counts[i, j]:,} ({pct[i, j]:.1f}% of {rows[i]})"
        return _mix(BLUES, pct[i, j] / 100), f"{counts[i, j]:,} ({pct[i, j]:.0f}%)", tip, pct[i, j] > 55

    return _grid_svg(rows, cols, cell, f"Judge 1: {judge1}", f"Judge 2: {judge2}")


def kappa_heatmap_svg(pairs: pd.DataFrame) -> str:
    """Cohen's kappa for every pair of judges (colour from 0 to 1; '–' where none is shared)."""
    if pairs.empty:
        return '<div class="xp-empty">No judges.</div>'
    judges = list(dict.fromkeys(pairs["judge_a"]))
    lookup = {(a, b): (k, n) for a, b, k, n in pairs[["judge_a", "judge_b", "kappa", "n"]].itertuples(index=False)}

    def cell(i: int, j: int) -> tuple[str, str, str, bool]:
        kappa, n = lookup.get((judges[i], judges[j]), (None, 0))
        if kappa is None or (isinstance(kappa, float) and math.isnan(kappa)):
            return "transparent", "–", f"{judges[i]} / {judges[j]}: no kappa (n = {n:,})", False
        return (_mix(KAPPA, kappa), f"{kappa:.2f}", f"{judges[i]} / {judges[j]}: kappa {kappa:.3f}, n = {n:,}",
                kappa > 0.6)

    return _grid_svg(judges, judges, cell, "judge", "judge", cell_w=96, cell_h=34, label_w=220)


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "\u2013"
    return f"{value:.{digits}f}" if isinstance(value, float) else f"{value:,}" if isinstance(value, int) else str(value)


def agreement_markdown(report: dict[str, Any]) -> str:
    """The agreement panel: n, raw agreement, kappa with its analytic 95% interval."""
    if not report["n"]:
        return f"**{plain(report.get('message', 'No data.'))}**"
    low, high = report["kappa_ci95"]
    return (f"**{report['n']:,}** responses judged by both · raw agreement **{_fmt(report['agreement'])}** · "
            f"Cohen's kappa **{_fmt(report['cohen_kappa'])}** (95% CI {_fmt(low)} to {_fmt(high)}, "
            f"SE {_fmt(report['kappa_se'])})  \nPrecision / recall / F1 below score judge 2 against judge 1.")


def many_markdown(summary: dict[str, Any]) -> str:
    return (f"All {len(summary['judges'])} judges: Fleiss' kappa **{_fmt(summary['fleiss_kappa'])}** over the "
            f"{summary['n_all_judged']:,} responses judged by every judge · Krippendorff's alpha (nominal) "
            f"**{_fmt(summary['krippendorff_alpha'])}** over the {summary['n_pairable']:,} responses judged by "
            "two or more.")


def _text(value: Any) -> str:
    return "" if value is None or value != value else str(value)  # None and NaN -> ""


def _badge(label: Any) -> str:
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


def items_html(page: pages.CellPage, side1: ag.Side, side2: ag.Side, from_label: str, to_label: str) -> str:
    """The items of one page: question, response (sanitised markdown), every judge's label and analysis."""
    if not page.total:
        return (f'<div class="xp-empty">No response in the cell {html.escape(str(from_label))} \u2192 '
                f'{html.escape(str(to_label))} under these filters.</div>')
    first = (page.page - 1) * page.page_size
    out = ['<div class="xp-items">']
    by_response: dict[str, list[dict]] = {}
    for judgement in page.judgements.to_dict("records"):
        by_response.setdefault(judgement["response_id"], []).append(judgement)
    for k, item in enumerate(page.items.itertuples(index=False), start=first + 1):
        meta = " · ".join(html.escape(str(v)) for v in (item.question_set, item.theme, item.domain) if v and v == v)
        out.append(
            f'<article class="xp-item" data-response-id="{html.escape(item.response_id)}">'
            f'<div class="xp-head"><b>#{k:,}</b> · {meta} · <code>{html.escape(str(item.question_id))}</code></div>'
            f'<div class="xp-question"><b>Question:</b> {html.escape(str(item.question or ""))}</div>'
            f'<div class="xp-model">Response by <b>{html.escape(str(item.model))}</b>'
            f'{" via " + html.escape(str(item.provider)) if item.provider and item.provider == item.provider else ""}'
            f' · <code>{html.escape(item.response_id)}</code></div>'
            f'<div class="xp-response">{rendered_markdown(_text(item.content))}</div>'
            '<table class="xp-judges"><thead><tr><th>judge</th><th>label</th><th>raw</th><th>analysis</th></tr></thead><tbody>')
        for j in by_response.get(item.response_id, []):
            marker = " (judge 1)" if j["judge"] == side1.judge else ""
            marker += " (judge 2)" if j["judge"] == side2.judge else ""
            kind = " · human" if j["judge_type"] == "human" else ""
            out.append(f'<tr><td>{html.escape(str(j["judge"]))}<small>{kind}{marker}</small></td>'
                       f'<td>{_badge(j["label"])}</td><td><code>{html.escape(str(j["label_raw"] or ""))}</code></td>'
                       f'<td class="xp-analysis">{html.escape(str(j["analysis"] or ""))}</td></tr>')
        out.append("</tbody></table></article>")
    out.append("</div>")
    return "".join(out)


def page_info(page: pages.CellPage, from_label: str, to_label: str) -> str:
    if not page.total:
        return "No items."
    first = (page.page - 1) * page.page_size + 1
    last = first + len(page.items) - 1
    return (f"Cell **{plain(from_label)} \u2192 {plain(to_label)}**: items {first:,}-{last:,} "
            f"of **{page.total:,}** · page {page.page:,} of {page.pages:,}")


def filters_from(values: dict[str, Any]) -> Filters:
    """Tab inputs -> Filters (empty selections dropped; reasoning any/yes/no, anything else is any)."""
    return Filters.of({**{name: values.get(name) for name in DROPDOWN_FILTERS},
                       "reasoning": reasoning_choice(values.get("reasoning"))})


def state_from_params(params: dict[str, str], store: Store) -> dict[str, Any]:
    """URL query parameters -> the tab's state; unknown judges or kinds fall back to defaults."""
    names = store.judge_names()
    default1 = store.default_judge()
    default2 = next((j for j in names if j != default1), default1)
    state: dict[str, Any] = {
        "judge1": params.get("j1") if params.get("j1") in names else default1,
        "judge2": params.get("j2") if params.get("j2") in names else default2,
        "kind1": params.get("k1") if params.get("k1") in ag.LABEL_KINDS else "label",
        "kind2": params.get("k2") if params.get("k2") in ag.LABEL_KINDS else "label",
        "reasoning": reasoning_choice(params.get("reasoning")),
        "from": params.get("from") or None, "to": params.get("to") or None,
    }
    for name in DROPDOWN_FILTERS:
        raw = params.get(name, "")
        state[name] = [v for v in raw.split(LIST_SEPARATOR) if v] if raw else []
    try:
        state["page"] = max(1, int(params.get("pg", 1)))
    except ValueError:
        state["page"] = 1
    try:
        state["page_size"] = int(params.get("size", 25)) if int(params.get("size", 25)) in PAGE_SIZES else 25
    except ValueError:
        state["page_size"] = 25
    return state


def url_state(side1: ag.Side, side2: ag.Side, chosen: dict[str, Any], cell: dict[str, Any] | None = None) -> dict[str, Any]:
    """The view as query parameters (read back by `state_from_params`); Gradio reserves `page`."""
    state = {"j1": side1.judge, "j2": side2.judge, "k1": side1.kind, "k2": side2.kind,
             "reasoning": chosen.get("reasoning") if chosen.get("reasoning") not in (None, "any") else None,
             **{n: LIST_SEPARATOR.join(chosen.get(n) or []) for n in DROPDOWN_FILTERS}}
    return {**state, **(cell or {})}


def matrix_table(matrix: pd.DataFrame) -> pd.DataFrame:
    """The clickable counts table: first column the judge-1 label, then one column per judge-2 label."""
    table = matrix.reset_index().rename(columns={"from": "judge 1 \u2193 / judge 2 \u2192"})
    table.columns = [str(c) for c in table.columns]
    return table


# -- the tab -------------------------------------------------------------------------------------
CSS = """
<style>
.xp-badge {display:inline-block;padding:1px 7px;border-radius:9px;font-size:0.8em;font-weight:600;
  background:#e5e7eb;color:#1f2937;white-space:nowrap}
.xp-badge-complete {background:#dcfce7;color:#14532d} .xp-badge-evasive {background:#fef3c7;color:#713f12}
.xp-badge-denial {background:#fee2e2;color:#7f1d1d} .xp-badge-error {background:#ede9fe;color:#4c1d95}
.dark .xp-badge {background:#374151;color:#f3f4f6}
.dark .xp-badge-complete {background:#14532d;color:#dcfce7} .dark .xp-badge-evasive {background:#713f12;color:#fef3c7}
.dark .xp-badge-denial {background:#7f1d1d;color:#fee2e2} .dark .xp-badge-error {background:#4c1d95;color:#ede9fe}
.xp-item {border:1px solid var(--border-color-primary,#8884);border-radius:8px;padding:10px 12px;margin:10px 0}
.xp-head {font-size:0.85em;opacity:0.8;margin-bottom:4px}
.xp-question {margin:4px 0}
.xp-model {font-size:0.85em;opacity:0.8}
.xp-response {border-left:3px solid var(--border-color-primary,#8886);padding:2px 10px;margin:6px 0;
  max-height:420px;overflow:auto}
.xp-judges {width:100%;font-size:0.85em;border-collapse:collapse}
.xp-judges td,.xp-judges th {border-top:1px solid var(--border-color-primary,#8884);padding:3px 6px;
  vertical-align:top;text-align:left}
.xp-analysis {white-space:pre-wrap}
.xp-empty {padding:12px;opacity:0.85;font-style:italic}
</style>
"""


def build(blocks: gr.Blocks, context: AppContext) -> None:
    store = context.store
    names = store.judge_names()
    if not names:
        gr.Markdown("This data has no judgements, so there is nothing to compare.")
        return
    initial = state_from_params({}, store)
    gr.HTML(CSS, padding=False)
    gr.Markdown("Pick two judges (or one judge twice, on two label columns). Rows of the matrix are judge 1's "
                "labels, columns judge 2's. Click a cell of the counts table, or pick a from/to pair, to read "
                "its items.")
    with gr.Row():
        judge1 = gr.Dropdown(names, value=initial["judge1"], label="Judge 1 (rows, from)", elem_id="xp-judge1")
        kind1 = gr.Radio(KIND_CHOICES, value="label", label="Judge 1 label column", elem_id="xp-kind1")
        judge2 = gr.Dropdown(names, value=initial["judge2"], label="Judge 2 (columns, to)", elem_id="xp-judge2")
        kind2 = gr.Radio(KIND_CHOICES, value="label", label="Judge 2 label column", elem_id="xp-kind2")
    with gr.Accordion("Filters", open=True):
        with gr.Row():
            filter_boxes = {
                name: gr.Dropdown(store.distinct(name), value=[], multiselect=True, label=name.replace("_", " "),
                                  elem_id=f"xp-filter-{name.replace('_', '-')}")
                for name in DROPDOWN_FILTERS
            }
            reasoning = gr.Radio(list(REASONING_CHOICES), value="any", label="reasoning model", elem_id="xp-reasoning")
    status = gr.Markdown(elem_id="xp-status")
    with gr.Row():
        sankey = gr.HTML(elem_id="xp-sankey", padding=False)
        heatmap = gr.HTML(elem_id="xp-heatmap", padding=False)
    with gr.Row():
        counts = gr.Dataframe(label="Counts: click a cell to list its items", interactive=False,
                              elem_id="xp-matrix", max_height=320)
        matrix_download = gr.Button("Download matrix (CSV)", elem_id="xp-matrix-csv", size="sm", scale=0)
        matrix_file = gr.DownloadButton("CSV", visible="hidden", elem_id="xp-matrix-csv-file")
    with gr.Row():
        agreement_panel = gr.Markdown(elem_id="xp-agreement")
    with gr.Row():
        per_label = gr.Dataframe(label="Per label: judge 2 against judge 1", interactive=False, elem_id="xp-per-label")
        gold = gr.Dataframe(label="Accuracy against human (gold) judges", interactive=False, elem_id="xp-gold")
    many = gr.Markdown(elem_id="xp-many")
    gr.Markdown("Cohen's kappa, every pair of judges (on the responses both judged):")
    kappa_plot = gr.HTML(elem_id="xp-kappa", padding=False)
    link = gr.Textbox(label="Link to this view", interactive=False, buttons=["copy"], elem_id="xp-link")

    gr.Markdown("### Items of one cell")
    with gr.Row():
        from_label = gr.Dropdown([], label="Judge 1 label (from)", elem_id="xp-from", allow_custom_value=True)
        to_label = gr.Dropdown([], label="Judge 2 label (to)", elem_id="xp-to", allow_custom_value=True)
        page_size = gr.Dropdown(list(PAGE_SIZES), value=initial["page_size"], label="per page", elem_id="xp-size")
        page_number = gr.Number(value=1, precision=0, label="page", elem_id="xp-page")
    with gr.Row():
        show = gr.Button("Show items", variant="primary", elem_id="xp-show", size="sm")
        previous = gr.Button("\u2190 Previous", elem_id="xp-prev", size="sm")
        following = gr.Button("Next \u2192", elem_id="xp-next", size="sm")
        cell_download = gr.Button("Download cell (CSV)", elem_id="xp-cell-csv", size="sm")
        cell_file = gr.DownloadButton("CSV", visible="hidden", elem_id="xp-cell-csv-file")
    info = gr.Markdown(elem_id="xp-page-info")
    items = gr.HTML(elem_id="xp-items", padding=False)

    selectors = [judge1, kind1, judge2, kind2, *filter_boxes.values(), reasoning]

    def unpack(values: tuple) -> tuple[ag.Side, ag.Side, Filters, dict[str, Any]]:
        """Control values -> (side 1, side 2, filters, chosen); Rejected for values no control can hold."""
        j1, k1, j2, k2, *rest = values
        if j1 not in names or j2 not in names:
            raise Rejected(texts.NOT_FOUND_JUDGES)
        if (k1 or "label") not in ag.LABEL_KINDS or (k2 or "label") not in ag.LABEL_KINDS:
            raise Rejected("Choose a label column from the lists.")
        chosen = dict(zip(list(DROPDOWN_FILTERS) + ["reasoning"], rest))
        for name in DROPDOWN_FILTERS:
            chosen[name] = _as_choices(chosen.get(name))
        chosen["reasoning"] = chosen["reasoning"] if isinstance(chosen.get("reasoning"), str) else "any"
        return ag.Side(j1, k1 or "label"), ag.Side(j2, k2 or "label"), filters_from(chosen), chosen

    # The store is read-only, so views can be memoised by their arguments (Filters are hashable).
    @functools.lru_cache(maxsize=256)
    def cached_all_judges(filters: Filters) -> dict[str, Any]:
        return ag.all_judges_report(store, filters)

    @functools.lru_cache(maxsize=256)
    def pair_matrix(side1: ag.Side, side2: ag.Side, filters: Filters) -> pd.DataFrame:
        return ag.transition_matrix(store, side1, side2, filters)

    @functools.lru_cache(maxsize=256)
    def pair_view(side1: ag.Side, side2: ag.Side, filters: Filters) -> tuple:
        """Everything the compare event shows that depends only on the pair and the filters."""
        matrix = pair_matrix(side1, side2, filters)
        report = ag.report_from_matrix(matrix, side1, side2, filters)
        everything = cached_all_judges(filters)
        titles = (f"{side1.judge} ({side1.kind})", f"{side2.judge} ({side2.kind})")
        message = report.get("message") or ""
        return (
            f"**{plain(message)}**" if message else "",
            sankey_svg(matrix, *titles),
            matrix_heatmap_svg(matrix, *titles),
            matrix_table(matrix) if len(matrix) else pd.DataFrame({"message": [message]}),
            agreement_markdown(report),
            pd.DataFrame(report["per_label"]),
            pd.DataFrame(everything["gold_accuracy"]),
            many_markdown(everything),
            kappa_heatmap_svg(pd.DataFrame(everything["pairwise"])),
        ), list(matrix.index)

    compare_outputs = [status, sankey, heatmap, counts, agreement_panel, per_label, gold, many,
                       kappa_plot, link, from_label, to_label, info, items, page_number]

    def compare_refused(message: str) -> list:
        return [plain(message), *[gr.skip()] * (len(compare_outputs) - 1)]

    @guarded("explorer_compare", compare_refused)
    def compare(*values, request: gr.Request = None):
        """The pair's view; the drill-down of the old choice (items, cell line) is cleared."""
        side1, side2, filters, chosen = unpack(values[:len(selectors)])
        shown, labels = pair_view(side1, side2, filters)
        return (
            *shown,
            share_link(request, TAB, url_state(side1, side2, chosen)),
            gr.Dropdown(choices=labels, value=labels[0] if labels else None),
            gr.Dropdown(choices=labels, value=labels[1] if len(labels) > 1 else None),
            texts.PICK_CELL, "", 1,
        )

    def cell_refused(message: str) -> list:
        return [plain(message), "", gr.skip(), gr.skip()]

    @guarded("explorer_cell", cell_refused)
    def cell(*values, request: gr.Request = None):
        *chosen, source, target, number, size = values
        side1, side2, filters, picked = unpack(tuple(chosen))
        if not isinstance(source, str) or not isinstance(target, str) or not source or not target:
            return texts.PICK_CELL, "", 1, gr.skip()
        # The cell's count is in the pair's matrix, usually cached by the compare event just before.
        matrix = pair_matrix(side1, side2, filters)
        total = int(matrix.at[source, target]) if source in matrix.index and target in matrix.columns else 0
        page = pages.cell_page(store, side1, side2, source, target, filters,
                               page=page_of(number), page_size=size_of(size), total=total)
        state = url_state(side1, side2, picked, {"from": source, "to": target, "pg": page.page, "size": page.page_size})
        return (page_info(page, source, target), items_html(page, side1, side2, source, target), page.page,
                share_link(request, TAB, state))

    cell_inputs = selectors + [from_label, to_label, page_number, page_size]
    cell_outputs = [info, items, page_number, link]

    def step(delta: int):
        def move(*values, request: gr.Request = None):
            *rest, number, size = values
            return cell(*rest, page_of(number) + delta, size, request=request)
        return move

    def pick(table: pd.DataFrame, event: gr.SelectData):
        """A click on the counts table: its row is judge 1's label, its column judge 2's."""
        row, column = event.index
        if column == 0 or table is None or row >= len(table):
            return gr.Dropdown(), gr.Dropdown(), gr.Number()
        return table.iat[row, 0], str(table.columns[column]), 1

    @guarded("explorer_matrix_csv", lambda message: gr.skip())
    def matrix_csv(*values):
        side1, side2, filters, _ = unpack(values)
        return csv_file(pair_matrix(side1, side2, filters).reset_index(), f"matrix_{side1.judge}_{side2.judge}")

    @guarded("explorer_cell_csv", lambda message: gr.skip())
    def cell_csv(*values):
        *chosen, source, target = values
        side1, side2, filters, _ = unpack(tuple(chosen))
        if not isinstance(source, str) or not isinstance(target, str) or not source or not target:
            raise Rejected("Pick a cell first.")
        frame = pages.cell_items_frame(store, side1, side2, source, target, filters)
        return csv_file(frame, f"cell_{source}_to_{target}")

    gr.on([c.input for c in selectors], compare, selectors, compare_outputs, api_name="explorer_compare")

    def first_page(*values, request: gr.Request = None):
        return cell(*values[:-2], 1, values[-1], request=request)

    gr.on([show.click, page_number.submit], cell, cell_inputs, cell_outputs, api_name="explorer_cell")
    gr.on([from_label.input, to_label.input, page_size.input], first_page, cell_inputs, cell_outputs,
          api_visibility="private")
    previous.click(step(-1), cell_inputs, cell_outputs, api_name="explorer_previous")
    following.click(step(+1), cell_inputs, cell_outputs, api_name="explorer_next")
    counts.select(pick, counts, [from_label, to_label, page_number], api_visibility="private").then(
        cell, cell_inputs, cell_outputs, api_visibility="private")
    matrix_download.click(matrix_csv, selectors, matrix_file, api_name="explorer_matrix_csv").then(
        None, js=download_js("xp-matrix-csv-file"))
    cell_download.click(cell_csv, selectors + [from_label, to_label], cell_file, api_name="explorer_cell_csv").then(
        None, js=download_js("xp-cell-csv-file"))

    def load(request: gr.Request):
        """Initial view, from the URL's query parameters when there are any."""
        state = state_from_params(query_params(request), store)
        values = (state["judge1"], state["kind1"], state["judge2"], state["kind2"],
                  *[state[n] for n in DROPDOWN_FILTERS], state["reasoning"])
        compared = list(compare(*values, request=request))
        source, target = state["from"], state["to"]
        if source and target and isinstance(compared[10], gr.Dropdown):
            shown = list(cell(*values, source, target, state["page"], state["page_size"], request=request))
            compared[12:15], compared[9] = shown[:3], shown[3]
            compared[10] = gr.Dropdown(choices=compared[10].choices, value=source)
            compared[11] = gr.Dropdown(choices=compared[11].choices, value=target)
        boxes = [gr.Dropdown(value=state[n], choices=_with(store.distinct(n), state[n])) for n in DROPDOWN_FILTERS]
        return (state["judge1"], state["kind1"], state["judge2"], state["kind2"], *boxes, state["reasoning"],
                state["page_size"], *compared)

    blocks.load(load, None, selectors + [page_size] + compare_outputs, api_visibility="private")


def page_of(number: Any) -> int:
    """A page number as typed: anything below 1, empty or not a number is page 1 (the top is clamped
    by the query, which knows the number of pages)."""
    try:
        value = float(number)
    except (TypeError, ValueError):
        return 1
    return max(1, int(value)) if math.isfinite(value) else 1


def size_of(size: Any) -> int:
    try:
        return int(size) if int(size) in PAGE_SIZES else 25
    except (TypeError, ValueError):
        return 25


def _as_choices(value: Any) -> list[str]:
    """A multi-select's value as a list of strings (an API caller may send one string or junk)."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str)]
    raise Rejected("A filter holds a value no list offers.")


def _with(choices: list[Any], chosen: list[str]) -> list[Any]:
    """Keep a URL's filter value selectable even when the data has no such value (it matches nothing)."""
    return list(choices) + [c for c in chosen if c not in choices]
