"""What the per-view tabs (model, lab, domain, themes, timeline, judges) share: URL values checked
against the data, tables with CSV buttons that write a file only when pressed, loading a view from
the URL and recomputing it on any control, and following a clicked row to its page.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence
from urllib.parse import urlencode

import gradio as gr
import pandas as pd

from toolkit.query import inputs
from toolkit.storage.store import Store

from .common import Rejected, csv_file, download_js, guarded, query_params


def question_set_choices(store: Store) -> list[str]:
    return [*store.distinct("question_set"), inputs.ALL_SETS]


def default_question_set(store: Store) -> str:
    resolved = inputs.resolve_question_set(store, None)
    return resolved if isinstance(resolved, str) else inputs.ALL_SETS


def chosen(value: str | None, allowed: Sequence[str], default: Any, what: str) -> Any:
    """A URL or control value if it is one of the allowed ones, the default when it is missing;
    Rejected (a plain sentence that does not repeat the value) when it names something unknown."""
    if value in (None, ""):
        return default
    if value not in allowed:
        raise Rejected(f"This link names a {what} that is not in this data; pick one from the list.")
    return value


@dataclass(frozen=True)
class Download:
    """A table's visible CSV button and the hidden gr.DownloadButton that receives the file."""
    button: gr.Button
    file: gr.DownloadButton
    file_id: str


def table(label: str, elem_id: str) -> tuple[gr.Dataframe, Download]:
    """A read-only, searchable table (no pinned column: on a phone it would fill the screen) and its
    CSV button (the file is written only when the button is pressed, see `offer_csv`)."""
    frame = gr.Dataframe(label=label, interactive=False, elem_id=elem_id, show_search="search",
                         max_height=420, wrap=False)
    button = gr.Button(f"Download {label.lower()} (CSV)", size="sm", elem_id=f"{elem_id}-csv")
    file = gr.DownloadButton("CSV", visible="hidden", elem_id=f"{elem_id}-csv-file")
    return frame, Download(button, file, f"{elem_id}-csv-file")


def offer_csv(download: Download, name: str, frame_of: Callable[..., tuple[pd.DataFrame, str]],
              controls: list[gr.Component]) -> None:
    """On a click: `frame_of(*control values)` gives (table, file name), written as a CSV and handed
    to the browser. A refused value downloads nothing."""
    @guarded(name, lambda message: gr.skip())
    def write(*values):
        return csv_file(*frame_of(*values))

    download.button.click(write, controls, download.file, api_visibility="private").then(
        None, js=download_js(download.file_id))


def refusal(count: int, index: int, shown_as: Callable[[str], Any] = str) -> Callable[[str], list]:
    """Outputs for a refused call: the sentence at `index` (as `shown_as` renders it), the rest kept."""
    def outputs(message: str) -> list[Any]:
        values = [gr.skip()] * count
        values[index] = shown_as(message)
        return values
    return outputs


def on_url(blocks: gr.Blocks, name: str, compute: Callable[[Mapping[str, str], Any], list], outputs: list,
           refused: Callable[[str], list]) -> None:
    """Register the view's loader: `compute(URL parameters, request)`. The app runs it on page load
    when the URL opens this tab, else when the tab is first clicked (toolkit.ui.app.wire_lazy)."""
    @guarded(name, refused)
    def load(request: gr.Request):
        return compute(query_params(request), request)

    blocks.load(load, None, outputs, api_visibility="private")


def wire_view(blocks: gr.Blocks, name: str, keys: Sequence[str], controls: list, outputs: list,
              refused: Callable[[str], list], state_of: Callable[[Mapping[str, Any]], Any],
              compute: Callable[[Any], list], downloads: Mapping[str, Download],
              frame_of: Callable[[Any, str], tuple[pd.DataFrame, str]]) -> None:
    """The usual wiring of a view whose controls are URL parameters `keys` (in the order of
    `controls`): compute on the URL and on any control input, and CSVs `frame_of(state, key)`."""
    def state_from(values: tuple) -> Any:
        return state_of(dict(zip(keys, values)))

    on_url(blocks, f"{name}_load", lambda params, request: compute(state_of(params)), outputs, refused)
    on_change = guarded(f"{name}_change", refused)(lambda *values: compute(state_from(values)))
    for control in controls:
        control.input(on_change, controls, outputs)
    for key, download in downloads.items():
        offer_csv(download, f"{name}_csv_{key}", lambda *values, key=key: frame_of(state_from(values), key), controls)


def model_link(model: str, judge: str | None, question_set: str | None) -> str:
    """The relative URL of a model's view."""
    state = {"tab": "model", "model": model, "judge": judge, "set": question_set}
    return "?" + urlencode({k: v for k, v in state.items() if v})


def follow_link(component: gr.Dataframe, link_of_row: Callable[[Any, list], str | None], control: gr.Component) -> None:
    """Clicking a row opens the page the row's link names (a full page load: the URL is the state).
    `link_of_row(control's value, row values)` gives the link, None to stay."""
    target = gr.Textbox(visible="hidden", elem_classes=["row-link"])

    # Gradio injects gr.SelectData only into a named, annotated parameter (not into *args).
    @guarded("follow_link", lambda message: gr.skip())
    def on_select(value: Any, evt: gr.SelectData):
        return link_of_row(value, evt.row_value or []) or gr.skip()

    component.select(on_select, control, target, api_visibility="private").then(
        None, target, None, js="(url) => { if (url) { window.location.href = url; } }")
