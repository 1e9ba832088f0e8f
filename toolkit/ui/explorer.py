"""The "Judge explorer" tab: any two judges side by side, agreement, and the texts behind each cell.

The work is done by `toolkit.query.agreement` and `toolkit.query.pages`; `explorer_draw` draws it;
this module keeps the view's state, lays the tab out and wires its events. Event handlers have
`api_name`s (explorer_compare, explorer_cell, ...) so that the same endpoints serve the page, API
clients and the load benchmark.

State in the URL (toolkit.ui.url_state): ?tab=explorer&j1=..&k1=label_raw&j2=..&k2=..&question_set=..
&domain=..&theme=..&model=..&lab=..&provider=.. (several values joined by "|": domain names contain
commas)&reasoning=yes|no&from=..&to=..&pg=..&size=.. (Gradio reserves `page`). A click on a Sankey
flow or a heatmap cell opens that cell; on the kappa heatmap it compares that pair of judges.
"""
from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass
from typing import Any, Mapping

import gradio as gr
import pandas as pd

from toolkit.core.filters import REASONING_CHOICES, Filters, reasoning_choice
from toolkit.query import agreement as ag, pages
from toolkit.query.facets import filter_counts, reasoning_counts
from toolkit.query.sensitivity import dependence_notes, flag_judges, sensitivity
from toolkit.storage.store import Store

from . import explorer_draw as draw, texts
from .columns import readable_theme, table_value
from .common import Rejected, csv_file, download_js, guarded, plain, query_params
from .context import AppContext
from .url_state import UrlBar, view_query

TAB = "explorer"
# The filters shown as multi-select dropdowns (names from toolkit.core.filters), then the reasoning radio.
DROPDOWN_FILTERS = ("question_set", "domain", "theme", "model", "lab", "provider")
LIST_SEPARATOR = "|"  # in URLs: domain names contain commas
PAGE_SIZES = (20, 25, 50)
DEFAULT_PAGE_SIZE = 25
KIND_CHOICES = [("canonical label", "label"), ("raw label", "label_raw")]
PER_LABEL_COLUMNS = ["label", "support", "predicted", "precision", "recall", "f1"]
GOLD_COLUMNS = ["gold", "judge", "n", "accuracy", "kappa"]


# -- the view's state ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ExplorerState:
    judge1: str
    judge2: str
    kind1: str = "label"
    kind2: str = "label"
    filter_values: tuple[tuple[str, ...], ...] = ((),) * len(DROPDOWN_FILTERS)  # per DROPDOWN_FILTERS
    reasoning: str = "any"
    source: str | None = None      # the open cell: judge 1's label ...
    target: str | None = None      # ... and judge 2's
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE

    @property
    def side1(self) -> ag.Side:
        return ag.Side(self.judge1, self.kind1)

    @property
    def side2(self) -> ag.Side:
        return ag.Side(self.judge2, self.kind2)

    @property
    def cell_open(self) -> bool:
        return bool(self.source and self.target)

    def chosen(self) -> dict[str, Any]:
        """The filter controls' values by name (lists), reasoning as any/yes/no."""
        return {**{n: list(v) for n, v in zip(DROPDOWN_FILTERS, self.filter_values)}, "reasoning": self.reasoning}

    def filters(self) -> Filters:
        return filters_from(self.chosen())

    def closed(self) -> "ExplorerState":
        """The same judges and filters with no cell open."""
        return dataclasses.replace(self, source=None, target=None, page=1)

    def query(self) -> dict[str, Any]:
        state = {"j1": self.judge1, "k1": None if self.kind1 == "label" else self.kind1,
                 "j2": self.judge2, "k2": None if self.kind2 == "label" else self.kind2,
                 **{n: LIST_SEPARATOR.join(v) for n, v in zip(DROPDOWN_FILTERS, self.filter_values)},
                 "reasoning": None if self.reasoning == "any" else self.reasoning,
                 "size": None if self.page_size == DEFAULT_PAGE_SIZE else self.page_size}
        if self.cell_open:
            state.update({"from": self.source, "to": self.target, "pg": self.page})
        return state


def filters_from(values: Mapping[str, Any]) -> Filters:
    """Tab inputs -> Filters (empty selections dropped; reasoning any/yes/no, anything else is any)."""
    return Filters.of({**{name: values.get(name) for name in DROPDOWN_FILTERS},
                       "reasoning": reasoning_choice(values.get("reasoning"))})


def state_from_query(store: Store, params: Mapping[str, str]) -> ExplorerState:
    """URL query parameters -> the tab's state; unknown judges, kinds, page sizes fall back to the
    defaults (a stale link shows a view, not an error); filter values are kept as given (a value
    the data lacks matches nothing, and the view says so)."""
    names = store.judge_names()
    default1 = store.default_judge()
    default2 = next((j for j in names if j != default1), default1)
    return ExplorerState(
        judge1=params.get("j1") if params.get("j1") in names else default1,
        judge2=params.get("j2") if params.get("j2") in names else default2,
        kind1=params.get("k1") if params.get("k1") in ag.LABEL_KINDS else "label",
        kind2=params.get("k2") if params.get("k2") in ag.LABEL_KINDS else "label",
        filter_values=tuple(tuple(v for v in (params.get(n) or "").split(LIST_SEPARATOR) if v)
                            for n in DROPDOWN_FILTERS),
        reasoning=reasoning_choice(params.get("reasoning")),
        source=params.get("from") or None, target=params.get("to") or None,
        page=page_of(params.get("pg")), page_size=size_of(params.get("size")))


def state_of_controls(names: list[str], values: tuple) -> ExplorerState:
    """Control values (judge 1, kind 1, judge 2, kind 2, the filters, reasoning[, from, to, page,
    size]) -> the state; Rejected for values no control can hold."""
    j1, k1, j2, k2, *rest = values
    if j1 not in names or j2 not in names:
        raise Rejected(texts.NOT_FOUND_JUDGES)
    if (k1 or "label") not in ag.LABEL_KINDS or (k2 or "label") not in ag.LABEL_KINDS:
        raise Rejected("Choose a label column from the lists.")
    boxes, rest = rest[:len(DROPDOWN_FILTERS)], rest[len(DROPDOWN_FILTERS):]
    reasoning = rest[0] if rest and isinstance(rest[0], str) else "any"
    source, target, number, size = (list(rest[1:5]) + [None] * 4)[:4]
    cell = isinstance(source, str) and isinstance(target, str) and source and target
    return ExplorerState(j1, j2, k1 or "label", k2 or "label", tuple(tuple(_as_choices(b)) for b in boxes),
                         reasoning_choice(reasoning), source if cell else None, target if cell else None,
                         page_of(number), size_of(size))


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
        return int(size) if int(size) in PAGE_SIZES else DEFAULT_PAGE_SIZE
    except (TypeError, ValueError):
        return DEFAULT_PAGE_SIZE


def _as_choices(value: Any) -> list[str]:
    """A multi-select's value as a list of strings (an API caller may send one string or junk)."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str)]
    raise Rejected("A filter holds a value no list offers.")


# -- what is computed (memoised: the store is read-only, Filters are hashable) -------------------
class Views:
    """The explorer's computations over one store, each memoised by its arguments."""

    def __init__(self, store: Store):
        self.store = store
        self.matrix = functools.lru_cache(maxsize=256)(lambda s1, s2, f: ag.transition_matrix(store, s1, s2, f))
        self.everything = functools.lru_cache(maxsize=256)(lambda f: ag.all_judges_report(store, f))
        self.pair = functools.lru_cache(maxsize=256)(self._pair)
        self.facets = functools.lru_cache(maxsize=256)(
            lambda judge1, judge2, f: filter_counts(store, ag.Side(judge1), ag.Side(judge2), f, DROPDOWN_FILTERS))
        self.reasoning_facets = functools.lru_cache(maxsize=256)(
            lambda judge1, judge2, f: reasoning_counts(store, ag.Side(judge1), ag.Side(judge2), f))

    @functools.cached_property
    def notes(self) -> dict[str, str]:
        """model -> judge-dependent note (as on the leaderboard), over the judges the flag compares."""
        judges = flag_judges(self.store)
        if len(judges) < 2:
            return {}
        return dependence_notes(sensitivity(self.store, None, None, judges).models)

    def model_choices(self) -> list[tuple[str, str]]:
        """The model filter's choices, judge-dependent models marked."""
        return [(self.model_label(m), m) for m in self.store.distinct("model")]

    def filter_choices(self, state: "ExplorerState") -> list[list[tuple[str, str]]]:
        """Per DROPDOWN_FILTERS, its choices under the judges and the other filters, each with its
        count ("D1 (1,234)"; the value stays the plain name); selected values stay, with 0 if need be."""
        counts = self.facets(state.judge1, state.judge2, state.filters())
        return [[(f"{self.choice_label(name, value)} ({n:,})", value) for value, n in counts[name]]
                for name in DROPDOWN_FILTERS]

    def reasoning_choices(self, state: "ExplorerState") -> list[tuple[str, str]]:
        """The reasoning radio's choices any/yes/no, each with its count under the judges and the other
        filters ("yes (1,234)"; the value, and so the URL, stays any/yes/no)."""
        counts = self.reasoning_facets(state.judge1, state.judge2, state.filters())
        return [(f"{choice} ({n:,})", choice) for choice, n in counts]

    def choice_label(self, name: str, value: str) -> str:
        """A filter value as a visitor reads it: a model with its judge-dependent mark, a theme in words."""
        return self.model_label(value) if name == "model" else readable_theme(value) if name == "theme" else value

    def model_label(self, model: str) -> str:
        return f"{model} \u26a0 judge-dependent" if model in self.notes else model

    def _pair(self, side1: ag.Side, side2: ag.Side, filters: Filters) -> tuple[list[Any], list[str]]:
        """Everything the compare event shows that depends only on the pair and the filters, and
        the matrix's row labels."""
        matrix = self.matrix(side1, side2, filters)
        report = ag.report_from_matrix(matrix, side1, side2, filters)
        everything = self.everything(filters)
        titles = (f"{side1.judge} ({side1.kind})", f"{side2.judge} ({side2.kind})")
        status = f"**{plain(self.empty_words(side1, side2, filters))}**" if not report["n"] else ""
        # The matrix is square over both sides' labels: with a raw label column most rows and
        # columns are empty, and are not drawn (the statistics keep the square matrix).
        raw = "label_raw" in (side1.kind, side2.kind)
        shown = draw.trimmed(matrix, raw, raw)
        per_label = pd.DataFrame(report["per_label"], columns=PER_LABEL_COLUMNS)
        per_label = per_label[(per_label["support"] > 0) | (per_label["predicted"] > 0)] if raw else per_label
        return [
            status, draw.sankey_html(shown, *titles), draw.matrix_heatmap_html(shown, *titles),
            draw.counts_table(shown) if len(shown) else pd.DataFrame({"message": ["Nothing judged by both."]}),
            draw.agreement_markdown(report), table_value(per_label),
            table_value(pd.DataFrame(everything["gold_accuracy"], columns=GOLD_COLUMNS)),
            draw.many_markdown(everything), draw.kappa_heatmap_html(pd.DataFrame(everything["pairwise"])),
        ], list(shown.index)

    def empty_words(self, side1: ag.Side, side2: ag.Side, filters: Filters) -> str:
        """Why nothing is shown, in words: the judges and the filter combination, and which filters
        match nothing on their own."""
        active = {k: v for k, v in filters.as_dict().items() if v not in (None, (), [])}
        if not active:
            return f"No response was judged by both {side1.judge} and {side2.judge}."
        words = "; ".join(f"{k.replace('_', ' ')} = {' or '.join(map(str, v)) if isinstance(v, (list, tuple)) else v}"
                          for k, v in active.items() if k != "reasoning")
        if "reasoning" in active:
            words += ("; " if words else "") + ("reasoning models only" if active["reasoning"] else
                                                "non-reasoning models only")
        alone = [k.replace("_", " ") for k in active
                 if not int(self.matrix(side1, side2, Filters.of({k: filters.as_dict()[k]})).to_numpy().sum())]
        if len(alone) == 1:
            why = f" On its own, the {alone[0]} filter already leaves nothing."
        elif alone:
            why = f" On their own, the {', '.join(alone[:-1])} and {alone[-1]} filters each leave nothing."
        else:
            why = " Each filter alone leaves responses; together they leave none."
        return f"No response was judged by both {side1.judge} and {side2.judge} with {words}.{why}"


# -- layout -------------------------------------------------------------------------------------
@dataclass
class ExplorerUI:
    """The tab's components: the controls, the pair's panels, the open cell."""
    judge1: gr.Dropdown
    kind1: gr.Radio
    judge2: gr.Dropdown
    kind2: gr.Radio
    boxes: dict[str, gr.Dropdown]
    reasoning: gr.Radio
    url_bar: UrlBar
    pair: list[gr.Component]        # status, sankey, heatmap, counts, agreement, per-label, gold, many, kappa
    sankey: gr.HTML
    heatmap: gr.HTML
    kappa: gr.HTML
    counts: gr.Dataframe
    matrix_download: gr.Button
    matrix_file: gr.DownloadButton
    from_label: gr.Dropdown
    to_label: gr.Dropdown
    page_number: gr.Number
    page_size: gr.Dropdown
    info: gr.Markdown
    items: gr.HTML
    show: gr.Button
    previous: gr.Button
    following: gr.Button
    cell_download: gr.Button
    cell_file: gr.DownloadButton

    @property
    def selectors(self) -> list[gr.Component]:
        return [self.judge1, self.kind1, self.judge2, self.kind2, *self.boxes.values(), self.reasoning]

    @property
    def cell_inputs(self) -> list[gr.Component]:
        return [*self.selectors, self.from_label, self.to_label, self.page_number, self.page_size]

    @property
    def cell_outputs(self) -> list[gr.Component]:
        """What a cell's view sets: from, to, page, page size, the page line, the items, the URL."""
        return [self.from_label, self.to_label, self.page_number, self.page_size, self.info, self.items,
                self.url_bar.query]


# A click on a chart part: its data attributes go to the server as the click event's data.
CLICK_JS = """
const send = (event) => {
  const part = event.target.closest('[data-from], [data-j1]');
  if (!part || !element.contains(part)) { return; }
  if (event.type === 'keydown' && event.key !== 'Enter' && event.key !== ' ') { return; }
  event.preventDefault();
  trigger('click', {from: part.dataset.from || null, to: part.dataset.to || null,
                    j1: part.dataset.j1 || null, j2: part.dataset.j2 || null});
};
element.addEventListener('click', send);
element.addEventListener('keydown', send);
"""


def chart(elem_id: str) -> gr.HTML:
    return gr.HTML(elem_id=elem_id, padding=False, js_on_load=CLICK_JS, elem_classes=["xp-chart"])


def _controls(store: Store, views: Views, initial: ExplorerState) -> dict[str, Any]:
    names = store.judge_names()
    with gr.Row(equal_height=False):
        with gr.Column(min_width=300):
            judge1 = gr.Dropdown(names, value=initial.judge1, label="Judge 1 (rows, from)", elem_id="xp-judge1")
            kind1 = gr.Radio(KIND_CHOICES, value="label", label="Judge 1 label column", elem_id="xp-kind1")
        with gr.Column(min_width=300):
            judge2 = gr.Dropdown(names, value=initial.judge2, label="Judge 2 (columns, to)", elem_id="xp-judge2")
            kind2 = gr.Radio(KIND_CHOICES, value="label", label="Judge 2 label column", elem_id="xp-kind2")
    # "phone-collapsed": the app closes this accordion on a narrow screen (toolkit.ui.app).
    with gr.Accordion("Filters", open=True, elem_classes=["phone-collapsed"], elem_id="xp-filters"):
        with gr.Row():
            boxes = {name: gr.Dropdown(views.model_choices() if name == "model" else store.distinct(name), value=[],
                                       multiselect=True, label=name.replace("_", " "), min_width=220,
                                       elem_id=f"xp-filter-{name.replace('_', '-')}")
                     for name in DROPDOWN_FILTERS}
            reasoning = gr.Radio(list(REASONING_CHOICES), value="any", label="reasoning model", elem_id="xp-reasoning")
    return dict(judge1=judge1, kind1=kind1, judge2=judge2, kind2=kind2, boxes=boxes, reasoning=reasoning)


def _pair_panels() -> dict[str, Any]:
    status = gr.Markdown(elem_id="xp-status")
    with gr.Row(equal_height=False):
        with gr.Column(min_width=360):
            sankey = chart("xp-sankey")
        with gr.Column(min_width=360):
            heatmap = chart("xp-heatmap")
    with gr.Row():
        counts = gr.Dataframe(label="Counts: click a cell to list its items", interactive=False,
                              elem_id="xp-matrix", max_height=320)
        matrix_download = gr.Button("Download matrix (CSV)", elem_id="xp-matrix-csv", size="sm", scale=0)
        matrix_file = gr.DownloadButton("CSV", visible="hidden", elem_id="xp-matrix-csv-file")
    agreement = gr.Markdown(elem_id="xp-agreement")
    with gr.Row():
        per_label = gr.Dataframe(label="Per label: judge 2 against judge 1", interactive=False,
                                 elem_id="xp-per-label", min_width=320)
        gold = gr.Dataframe(label="Accuracy against human (gold) judges", interactive=False, elem_id="xp-gold",
                            min_width=320)
    many = gr.Markdown(elem_id="xp-many")
    gr.Markdown("Cohen's kappa, every pair of judges (on the responses both judged); click a cell to compare "
                "that pair:")
    kappa = chart("xp-kappa")
    return dict(pair=[status, sankey, heatmap, counts, agreement, per_label, gold, many, kappa], sankey=sankey,
                heatmap=heatmap, kappa=kappa, counts=counts, matrix_download=matrix_download, matrix_file=matrix_file)


def _cell_panels(initial: ExplorerState) -> dict[str, Any]:
    gr.Markdown("### Items of one cell")
    with gr.Row():
        from_label = gr.Dropdown([], label="Judge 1 label (from)", elem_id="xp-from", allow_custom_value=True,
                                 min_width=150)
        to_label = gr.Dropdown([], label="Judge 2 label (to)", elem_id="xp-to", allow_custom_value=True,
                               min_width=150)
        page_size = gr.Dropdown(list(PAGE_SIZES), value=initial.page_size, label="per page", elem_id="xp-size",
                                min_width=100)
        page_number = gr.Number(value=1, precision=0, label="page", elem_id="xp-page", min_width=100)
    with gr.Row():
        show = gr.Button("Show items", variant="primary", elem_id="xp-show", size="sm")
        previous = gr.Button("\u2190 Previous", elem_id="xp-prev", size="sm")
        following = gr.Button("Next \u2192", elem_id="xp-next", size="sm")
        cell_download = gr.Button("Download cell (CSV)", elem_id="xp-cell-csv", size="sm")
        cell_file = gr.DownloadButton("CSV", visible="hidden", elem_id="xp-cell-csv-file")
    info = gr.Markdown(elem_id="xp-page-info")
    items = gr.HTML(elem_id="xp-items", padding=False)
    return dict(from_label=from_label, to_label=to_label, page_number=page_number, page_size=page_size, info=info,
                items=items, show=show, previous=previous, following=following, cell_download=cell_download,
                cell_file=cell_file)


def layout(store: Store, views: Views, initial: ExplorerState) -> ExplorerUI:
    gr.HTML(CSS, padding=False)
    gr.Markdown("Pick two judges (or one judge twice, on two label columns). Rows of the matrix are judge 1's "
                "labels, columns judge 2's. Click a flow of the Sankey, a cell of the heatmap or of the counts "
                "table, or pick a from/to pair, to read its items.")
    controls = _controls(store, views, initial)
    pair = _pair_panels()
    url_bar = UrlBar("xp")
    return ExplorerUI(**controls, url_bar=url_bar, **pair, **_cell_panels(initial))


# -- events -------------------------------------------------------------------------------------
def pair_values(views: Views, state: ExplorerState, with_url: bool = True) -> list[Any]:
    """The pair's panels and a closed cell: what a change of judges or filters shows."""
    shown, labels = views.pair(state.side1, state.side2, state.filters())
    url = view_query(TAB, state.closed().query()) if with_url else gr.skip()
    return [*shown,
            gr.Dropdown(choices=labels, value=labels[0] if labels else None),
            gr.Dropdown(choices=labels, value=labels[1] if len(labels) > 1 else None),
            1, gr.skip(), texts.PICK_CELL, "", url]


def cell_values(views: Views, state: ExplorerState) -> list[Any]:
    """The open cell's page (`cell_outputs`); a state without a cell asks for one."""
    if not state.cell_open:
        return [gr.skip(), gr.skip(), 1, gr.skip(), texts.PICK_CELL, "", view_query(TAB, state.query())]
    # The cell's count is in the pair's matrix, usually cached by the compare event just before.
    matrix = views.matrix(state.side1, state.side2, state.filters())
    source, target = state.source, state.target
    total = int(matrix.at[source, target]) if source in matrix.index and target in matrix.columns else 0
    page = pages.cell_page(views.store, state.side1, state.side2, source, target, state.filters(),
                           page=state.page, page_size=state.page_size, total=total)
    shown = dataclasses.replace(state, page=page.page)
    return [gr.skip(), gr.skip(), page.page, gr.skip(), draw.page_info(page, source, target),
            draw.items_html(page, state.side1, state.side2, source, target, views.notes),
            view_query(TAB, shown.query())]


def _wire_pair(ui: ExplorerUI, views: Views, names: list[str]) -> None:
    """Judges and filters: the pair's view, the drill-down of the old choice cleared. A click on the
    kappa heatmap compares that pair of judges."""
    outputs = [*ui.pair, *ui.cell_outputs]

    def refused(message: str) -> list:
        return [plain(message), *[gr.skip()] * (len(outputs) - 1)]

    @guarded("explorer_compare", refused)
    def compare(*values):
        return pair_values(views, state_of_controls(names, values), with_url=False)

    @guarded("explorer_url", lambda message: gr.skip())
    def closed_url(*values):
        """The address of the pair's view: the controls and the page size, no cell."""
        return view_query(TAB, state_of_controls(names, values).closed().query())

    def pick_pair(event: gr.EventData):
        pair = getattr(event, "_data", None) or {}
        if pair.get("j1") in names and pair.get("j2") in names:
            return pair["j1"], pair["j2"]
        return gr.skip(), gr.skip()

    @guarded("explorer_filter_choices", lambda message: [gr.skip()] * (len(ui.boxes) + 1))
    def filter_choices(*values):
        state = state_of_controls(names, values)
        return [*(gr.Dropdown(choices=c) for c in views.filter_choices(state)),
                gr.Radio(choices=views.reasoning_choices(state))]

    # compare takes the selectors only (its API, used by bench/explorer.py); the URL, which also
    # holds the page size, is written by a second, cheap step; the filters' narrowed choices (with
    # counts) by a third, after the view is on screen.
    boxes = [*ui.boxes.values(), ui.reasoning]   # the filters whose choices carry counts
    gr.on([c.input for c in ui.selectors], compare, ui.selectors, outputs, api_name="explorer_compare").then(
        closed_url, ui.cell_inputs, ui.url_bar.query, api_visibility="private", queue=False).then(
        filter_choices, ui.selectors, boxes, api_visibility="private")
    ui.kappa.click(pick_pair, None, [ui.judge1, ui.judge2], api_visibility="private").then(
        compare, ui.selectors, outputs, api_visibility="private").then(
        closed_url, ui.cell_inputs, ui.url_bar.query, api_visibility="private", queue=False).then(
        filter_choices, ui.selectors, boxes, api_visibility="private")


def pick_table(table: pd.DataFrame, event: gr.SelectData):
    """A click on the counts table: its row is judge 1's label, its column judge 2's (from, to, page 1)."""
    row, column = event.index
    if column == 0 or table is None or row >= len(table):
        return gr.skip(), gr.skip(), gr.skip()
    return table.iat[row, 0], str(table.columns[column]), 1


def pick_chart(event: gr.EventData):
    """A click on a Sankey flow or a heatmap cell (its data-from / data-to): from, to, page 1."""
    part = getattr(event, "_data", None) or {}
    if not isinstance(part.get("from"), str) or not isinstance(part.get("to"), str):
        return gr.skip(), gr.skip(), gr.skip()
    return part["from"], part["to"], 1


def _wire_cell(ui: ExplorerUI, views: Views, names: list[str]) -> None:
    """The open cell: Show, page moves, a new from/to or page size, a click on a chart or table cell."""
    def refused(message: str) -> list:
        return [gr.skip()] * 4 + [plain(message), "", gr.skip()]

    @guarded("explorer_cell", refused)
    def cell(*values):
        return cell_values(views, state_of_controls(names, values))

    def moved(delta: int | None):
        @guarded("explorer_move", refused)
        def move(*values):
            state = state_of_controls(names, values)
            return cell_values(views, dataclasses.replace(state, page=1 if delta is None else state.page + delta))
        return move

    opened = [ui.from_label, ui.to_label, ui.page_number]
    gr.on([ui.show.click, ui.page_number.submit], cell, ui.cell_inputs, ui.cell_outputs, api_name="explorer_cell")
    gr.on([ui.from_label.input, ui.to_label.input, ui.page_size.input], moved(None), ui.cell_inputs,
          ui.cell_outputs, api_visibility="private")
    ui.previous.click(moved(-1), ui.cell_inputs, ui.cell_outputs, api_name="explorer_previous")
    ui.following.click(moved(+1), ui.cell_inputs, ui.cell_outputs, api_name="explorer_next")
    ui.counts.select(pick_table, ui.counts, opened, api_visibility="private").then(
        cell, ui.cell_inputs, ui.cell_outputs, api_visibility="private")
    for part in (ui.sankey, ui.heatmap):
        part.click(pick_chart, None, opened, api_visibility="private").then(
            cell, ui.cell_inputs, ui.cell_outputs, api_visibility="private")


def _wire_downloads(ui: ExplorerUI, views: Views, names: list[str]) -> None:
    @guarded("explorer_matrix_csv", lambda message: gr.skip())
    def matrix_csv(*values):
        state = state_of_controls(names, values)
        matrix = views.matrix(state.side1, state.side2, state.filters())
        return csv_file(matrix.reset_index(), f"matrix_{state.judge1}_{state.judge2}")

    @guarded("explorer_cell_csv", lambda message: gr.skip())
    def cell_csv(*values):
        state = state_of_controls(names, values)
        if not state.cell_open:
            raise Rejected("Pick a cell first.")
        frame = pages.cell_items_frame(views.store, state.side1, state.side2, state.source, state.target,
                                       state.filters())
        return csv_file(frame, f"cell_{state.source}_to_{state.target}")

    ui.matrix_download.click(matrix_csv, ui.selectors, ui.matrix_file, api_name="explorer_matrix_csv").then(
        None, js=download_js("xp-matrix-csv-file"))
    ui.cell_download.click(cell_csv, ui.cell_inputs, ui.cell_file, api_name="explorer_cell_csv").then(
        None, js=download_js("xp-cell-csv-file"))


def _wire_load(blocks: gr.Blocks, ui: ExplorerUI, views: Views) -> None:
    """The view of the URL: controls set from it, the pair's panels, and its cell when it names one."""
    store = views.store

    def load(request: gr.Request):
        state = state_from_query(store, query_params(request))
        shown = pair_values(views, state)
        if state.cell_open:
            cell = cell_values(views, state)
            labels = views.pair(state.side1, state.side2, state.filters())[1]
            shown[len(ui.pair):] = [gr.Dropdown(choices=labels, value=state.source),
                                    gr.Dropdown(choices=labels, value=state.target), *cell[2:]]
        boxes = [gr.Dropdown(value=list(values), choices=choices)
                 for choices, values in zip(views.filter_choices(state), state.filter_values)]
        shown[len(ui.pair) + 3] = state.page_size
        reasoning = gr.Radio(value=state.reasoning, choices=views.reasoning_choices(state))
        return [state.judge1, state.kind1, state.judge2, state.kind2, *boxes, reasoning, *shown]

    outputs = [*ui.selectors, *ui.pair, *ui.cell_outputs]
    blocks.load(guarded("explorer_load", lambda message: [gr.skip()] * len(ui.selectors) + [plain(message)]
                        + [gr.skip()] * (len(outputs) - len(ui.selectors) - 1))(load),
                None, outputs, api_visibility="private")


def build(blocks: gr.Blocks, context: AppContext) -> None:
    store = context.store
    names = store.judge_names()
    if not names:
        gr.Markdown("This data has no judgements, so there is nothing to compare.")
        return
    views = Views(store)
    ui = layout(store, views, state_from_query(store, {}))
    _wire_pair(ui, views, names)
    _wire_cell(ui, views, names)
    _wire_downloads(ui, views, names)
    _wire_load(blocks, ui, views)


# -- look ---------------------------------------------------------------------------------------
CSS = """
<style>
.xp-badge {display:inline-block;padding:1px 7px;border-radius:9px;font-size:0.8em;font-weight:600;
  background:#e5e7eb;color:#1f2937;white-space:nowrap}
.xp-badge-complete {background:#dcfce7;color:#14532d} .xp-badge-evasive {background:#fef3c7;color:#713f12}
.xp-badge-denial {background:#fee2e2;color:#7f1d1d} .xp-badge-error {background:#ede9fe;color:#4c1d95}
.dark .xp-badge {background:#374151;color:#f3f4f6}
.dark .xp-badge-complete {background:#14532d;color:#dcfce7} .dark .xp-badge-evasive {background:#713f12;color:#fef3c7}
.dark .xp-badge-denial {background:#7f1d1d;color:#fee2e2} .dark .xp-badge-error {background:#4c1d95;color:#ede9fe}
.xp-flag {display:inline-block;margin-left:4px;padding:0 6px;border-radius:9px;font-size:0.85em;
  border:1px solid #b45309;color:#92400e;white-space:nowrap}
.dark .xp-flag {color:#fcd34d;border-color:#fcd34d}
.xp-item {border:1px solid var(--border-color-primary,#8884);border-radius:8px;padding:10px 12px;margin:10px 0;
  overflow-wrap:break-word}
.xp-head {font-size:0.85em;opacity:0.8;margin-bottom:4px}
.xp-question {margin:4px 0}
.xp-model {font-size:0.85em;opacity:0.85}
.xp-response {border-left:3px solid var(--border-color-primary,#8886);padding:2px 10px;margin:6px 0;
  max-height:420px;overflow:auto}
.xp-judges {width:100%;font-size:0.85em;border-collapse:collapse;border:none !important}
.xp-judges tr,.xp-judges thead,.xp-judges tbody {border:none !important}
.xp-judges code {white-space:nowrap}
.xp-judges td,.xp-judges th {border:0 !important;border-top:1px solid var(--border-color-primary,#8884) !important;
  padding:3px 6px;vertical-align:top;text-align:left}
.xp-judge-name {min-width:10em}
.xp-analysis {white-space:pre-wrap}
.xp-actions {margin-top:6px;font-size:0.9em}
.xp-empty {padding:12px;opacity:0.85;font-style:italic}
.xp-chart-title {display:flex;flex-wrap:wrap;justify-content:space-between;gap:4px 16px;font-size:0.9em;
  margin:4px 0 6px;overflow-wrap:anywhere}
.xp-hint {font-size:0.85em;opacity:0.8;margin:4px 0}
.xp-sankey-box {container-type:inline-size}
.xp-wide {display:none}
@container (min-width: 540px) {.xp-wide {display:block} .xp-narrow {display:none}}
.xp-sankey .xp-flow {cursor:pointer} .xp-sankey .xp-flow:hover,.xp-sankey .xp-flow:focus {fill-opacity:0.75}
.xp-halo {paint-order:stroke;stroke:var(--block-background-fill,#fff);stroke-width:3px;stroke-linejoin:round}
.xp-heat-wrap {overflow-x:auto;max-width:100%}
.xp-heat-wrap table.xp-heat {width:max-content;border-collapse:separate;border-spacing:2px;font-size:13px;margin:0;
  border:none !important}
.xp-heat th,.xp-heat td {border:none !important}
.xp-heat th {font-weight:600;padding:2px 6px;white-space:nowrap;word-break:normal}
.xp-heat tbody th {text-align:right;white-space:normal;min-width:6em;max-width:14em;overflow-wrap:break-word}
.xp-heat thead th {text-align:center}
.xp-heat td.xp-hcell {min-width:4.5em;padding:6px;text-align:center;border-radius:4px;color:#1f2937 !important;
  cursor:pointer;font-variant-numeric:tabular-nums;line-height:1.2}
.xp-heat td.xp-hcell small {display:block;font-size:12px;color:inherit}
.xp-heat td.xp-hcell.xp-dark {color:#ffffff !important}
.xp-heat td.xp-hcell:hover,.xp-heat td.xp-hcell:focus {outline:2px solid #f59e0b;outline-offset:-2px}
.xp-heat td.xp-hcell[style*="transparent"] {color:inherit !important}
@media (max-width: 640px) {
  .xp-judges thead {display:none}
  .xp-judges tr {display:block;border-top:1px solid var(--border-color-primary,#8884) !important;padding:4px 0}
  .xp-judges td {display:inline-block;border:0 !important;padding:2px 4px}
  .xp-judges td.xp-analysis {display:block}
  .xp-judge-name {min-width:0}
  .xp-heat td.xp-hcell {min-width:3.4em;padding:4px}
  .xp-heat tbody th {min-width:0;font-size:12px}
}
</style>
"""
