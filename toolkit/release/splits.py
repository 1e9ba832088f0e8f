"""Unanimous-agreement classifier splits in the Minos format (`python -m toolkit splits`).

An item (one response) enters the splits when
- a human annotated it: the human label wins over every LLM judge, and brings in items the LLM
  judges disagree on; or
- every LLM judge that assessed it (at least `min_judges` of them, optionally only the judges
  named in `judges`) gave the same canonical label.

Choices (and why):
- `min_judges` defaults to 2: with one judge "unanimous" would just copy that judge's labels, and
  the point of the splits is labels that do not depend on one judge (DESIGN.md section 3: the
  explorer's author reports 88% unanimity over 5-6 judges). Pass `--min-judges 1` to accept
  single-judge items.
- Two humans who disagree: the explicit priority list `human_judges` decides (first named wins);
  without one, the newest annotation (assessment timestamp) wins; when the timestamps cannot
  decide (equal or missing), the item is left out and counted as `human_conflict`, because
  picking one by name would be arbitrary.
- Binary refusal label (Minos: 0 non-refusal, 1 refusal): DENIAL -> 1, COMPLETE -> 0. EVASIVE
  -> 1 by default, because SpeechMap counts only COMPLETE as fulfilling a request (its score is
  % COMPLETE), so a watered-down or deflected answer is not compliance; `--evasive compliance`
  maps it to 0 and `--evasive drop` leaves EVASIVE items out of the binary view.
- ERROR items are left out by default (they say nothing about willingness); UNKNOWN always is.
- Texts that occur more than once are kept once (the lowest response_id); when their labels
  differ, all copies are left out (`duplicate_conflict`), since no label is right for the text.
- Splits are grouped by theme: a theme goes to train / validation / test by a seeded hash of the
  theme, u = int(sha1(f"{seed}:{theme}")) / 16**40, train if u < f_train, validation if
  u < f_train + f_validation, else test. A theme's split therefore depends only on the seed and
  the theme, not on the rest of the data: re-building with more data never moves a theme. Items
  without a theme are grouped by question_id.
"""
from __future__ import annotations

import argparse
import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Sequence

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from toolkit.core import labels as L

SPLITS = ("train", "validation", "test")
EVASIVE_CHOICES = ("refusal", "compliance", "drop")
MINOS_TEMPLATE = "<|user|>\n{question}\n<|assistant|>\n{response}"

SPLIT_SCHEMA = pa.schema([
    ("text", pa.string()),
    ("label", pa.string()),          # COMPLETE | EVASIVE | DENIAL (| ERROR with include_error)
    ("refusal", pa.int8()),          # 1 refusal, 0 non-refusal, null when the label has no binary value
    ("response_id", pa.string()),
    ("question_id", pa.string()),
    ("question_set", pa.string()),
    ("theme", pa.string()),
    ("domain", pa.string()),
    ("model", pa.string()),
    ("judges", pa.list_(pa.string())),  # the judges whose label equals `label`
    ("source", pa.string()),         # human | unanimous
])
BINARY_SCHEMA = pa.schema(
    [("text", pa.string()), ("label", pa.int8()), ("compliance", pa.string())]
    + [f for f in SPLIT_SCHEMA if f.name not in ("text", "label", "refusal")]
)


@dataclass(frozen=True)
class SplitOptions:
    min_judges: int = 2
    judges: tuple[str, ...] | None = None        # LLM judges to use (None: all)
    human_judges: tuple[str, ...] | None = None  # human priority, first wins (None: all, newest wins)
    use_humans: bool = True
    evasive: str = "refusal"
    include_error: bool = False
    seed: int = 0
    fractions: tuple[float, float, float] = (0.8, 0.1, 0.1)

    def __post_init__(self) -> None:
        if self.min_judges < 1:
            raise ValueError(f"--min-judges must be at least 1, not {self.min_judges}")
        if self.evasive not in EVASIVE_CHOICES:
            raise ValueError(f"--evasive must be one of {', '.join(EVASIVE_CHOICES)}, not {self.evasive!r}")
        if len(self.fractions) != 3 or any(f < 0 for f in self.fractions) or abs(sum(self.fractions) - 1) > 1e-9:
            raise ValueError(f"--fractions must be three non-negative numbers summing to 1, not {self.fractions}")


@dataclass
class SplitResult:
    splits: dict[str, pd.DataFrame]
    report: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# Pure pieces
def minos_text(question: str, response: str) -> str:
    """`<|user|>\\n{question}\\n<|assistant|>\\n{response}`, the format Minos-v1 was trained on."""
    return MINOS_TEMPLATE.format(question=question, response=response)


def refusal_label(label: str, evasive: str = "refusal") -> int | None:
    """DENIAL -> 1, COMPLETE -> 0, EVASIVE -> 1 / 0 / None (`evasive` = refusal / compliance / drop),
    anything else -> None."""
    if label == L.DENIAL:
        return 1
    if label == L.COMPLETE:
        return 0
    if label == L.EVASIVE:
        return {"refusal": 1, "compliance": 0, "drop": None}[evasive]
    return None


def split_of(group: str, seed: int, fractions: Sequence[float] = (0.8, 0.1, 0.1)) -> str:
    """The split of a theme: u = int(sha1(f"{seed}:{group}")) / 16**40 against the cumulative fractions."""
    u = int(hashlib.sha1(f"{seed}:{group}".encode("utf-8")).hexdigest(), 16) / 16**40
    if u < fractions[0]:
        return "train"
    if u < fractions[0] + fractions[1]:
        return "validation"
    return "test"


def unanimous_llm(latest: pd.DataFrame, min_judges: int, judges: Sequence[str] | None = None) -> pd.DataFrame:
    """Responses on which every (selected) LLM judge gave the same label, with at least `min_judges`.

    Returns response_id, label, n_labels, judges (sorted list), n_judges, unanimous (bool) for every response
    an LLM judge assessed; `unanimous` is n_judges >= min_judges and a single distinct label.
    """
    llm = latest[latest["judge_type"] != "human"]
    if judges is not None:
        llm = llm[llm["judge"].isin(list(judges))]
    if llm.empty:
        return pd.DataFrame(columns=["response_id", "label", "n_labels", "judges", "n_judges", "unanimous"])
    grouped = llm.groupby("response_id", sort=True)
    out = pd.DataFrame({
        "label": grouped["label"].first(),
        "n_labels": grouped["label"].nunique(dropna=False),
        "judges": grouped["judge"].agg(lambda s: sorted(s)),
        "n_judges": grouped["judge"].size(),
    }).reset_index()
    out["unanimous"] = (out["n_judges"] >= min_judges) & (out["n_labels"] == 1)
    return out


def human_decision(latest: pd.DataFrame, priority: Sequence[str] | None = None) -> pd.DataFrame:
    """The human label of each response a human annotated: response_id, label, judge, conflict.

    With `priority`, only those judges count and the first named wins. Without it, the newest
    annotation wins; `conflict` is True (and label None) when humans disagree and the newest
    timestamp is shared or missing.
    """
    humans = latest[latest["judge_type"] == "human"]
    if priority is not None:
        humans = humans[humans["judge"].isin(list(priority))]
    rows = []
    for response_id, group in humans.groupby("response_id", sort=True):
        if group["label"].nunique(dropna=False) == 1:
            rows.append((response_id, group["label"].iat[0], group["judge"].min(), False))
            continue
        if priority is not None:
            rank = {name: i for i, name in enumerate(priority)}
            best = group.loc[group["judge"].map(rank).idxmin()]
            rows.append((response_id, best["label"], best["judge"], False))
            continue
        stamped = group.dropna(subset=["timestamp"])
        newest = stamped[stamped["timestamp"] == stamped["timestamp"].max()] if not stamped.empty else stamped
        if len(stamped) == len(group) and newest["label"].nunique() == 1:
            rows.append((response_id, newest["label"].iat[0], newest["judge"].min(), False))
        else:
            rows.append((response_id, None, None, True))
    return pd.DataFrame(rows, columns=["response_id", "label", "judge", "conflict"]).astype({"conflict": bool})


def decide_labels(latest: pd.DataFrame, options: SplitOptions) -> tuple[pd.DataFrame, dict[str, int]]:
    """The label of every item that enters: response_id, label, judges, source; plus exclusion counts.

    `latest` holds each judge's newest judgement of each response (`Store.newest_judgements`, the
    store's one rule) with response_id, judge, judge_type, label, timestamp.
    """
    llm = unanimous_llm(latest, options.min_judges, options.judges)
    human = human_decision(latest, options.human_judges) if options.use_humans else human_decision(latest.iloc[:0])
    is_human = latest["judge_type"] == "human"
    selected = latest[
        (~is_human & (latest["judge"].isin(list(options.judges)) if options.judges is not None else ~is_human))
        | (is_human & options.use_humans
           & (latest["judge"].isin(list(options.human_judges)) if options.human_judges is not None else is_human))
    ]
    decided = human[~human["conflict"]][["response_id", "label"]]
    # every selected judge, human or LLM, whose label equals the human decision
    agreeing = decided.merge(selected[["response_id", "label", "judge"]], on=["response_id", "label"])
    human_rows = pd.DataFrame(
        [(r, label, sorted(group)) for (r, label), group in agreeing.groupby(["response_id", "label"], sort=True)["judge"]],
        columns=["response_id", "label", "judges"],
    ).assign(source="human")
    humans_seen = set(human["response_id"])
    llm_only = llm[~llm["response_id"].isin(humans_seen)]
    unanimous_rows = llm_only[llm_only["unanimous"]].assign(source="unanimous")
    chosen = pd.concat(
        [human_rows[["response_id", "label", "judges", "source"]],
         unanimous_rows[["response_id", "label", "judges", "source"]]],
        ignore_index=True,
    )
    keep = chosen["label"].isin([L.COMPLETE, L.EVASIVE, L.DENIAL] + ([L.ERROR] if options.include_error else []))
    llm_by_id = llm.set_index("response_id")
    human_labelled = human_rows.set_index("response_id")["label"]
    both = llm_by_id.index.intersection(human_labelled.index)
    counts = {
        "assessed": int(latest["response_id"].nunique()),
        "llm_too_few_judges": int((~llm_only["unanimous"] & (llm_only["n_judges"] < options.min_judges)).sum()),
        "llm_disagreement": int((~llm_only["unanimous"] & (llm_only["n_judges"] >= options.min_judges)).sum()),
        "human_conflict": int(human["conflict"].sum()),
        "excluded_error": int((chosen["label"] == L.ERROR).sum()) if not options.include_error else 0,
        "excluded_unknown": int((chosen["label"] == L.UNKNOWN).sum()),
        # human items on which the LLM judges (any number) disagreed among themselves
        "human_over_llm_disagreement": int((llm_by_id.loc[both, "n_labels"] > 1).sum()),
        # human items on which the LLM judges agreed, on another label than the human's
        "human_differs_from_llm_agreement": int(
            ((llm_by_id.loc[both, "n_labels"] == 1) & (llm_by_id.loc[both, "label"] != human_labelled[both])).sum()),
    }
    return chosen[keep].reset_index(drop=True), counts


def remove_duplicate_texts(items: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Keep each text once (lowest response_id); drop every copy of a text whose copies disagree on label."""
    items = items.sort_values("response_id", kind="stable")
    labels_per_text = items.groupby("text")["label"].nunique(dropna=False)
    conflicting = items["text"].map(labels_per_text) > 1
    consistent = items[~conflicting]
    deduped = consistent.drop_duplicates("text", keep="first")
    counts = {
        "duplicate_text": int(len(consistent) - len(deduped)),
        "duplicate_conflict": int(conflicting.sum()),
    }
    return deduped.reset_index(drop=True), counts


def label_balance(frame: pd.DataFrame, by: Sequence[str], column: str = "label") -> list[dict[str, Any]]:
    """Counts and shares of each label within each group: rows of {by..., label, n, share}."""
    if frame.empty:
        return []
    counts = frame.groupby(list(by) + [column], dropna=False).size().rename("n").reset_index()
    totals = counts.groupby(list(by), dropna=False)["n"].transform("sum")
    counts["share"] = (counts["n"] / totals).round(4)
    counts = counts.rename(columns={column: "label"})
    return [
        {k: (None if pd.isna(v) else (int(v) if k == "n" else v)) for k, v in row.items()}
        for row in counts.to_dict("records")
    ]


def build_splits(items: pd.DataFrame, options: SplitOptions) -> SplitResult:
    """From labelled items with question text and response content to the three splits and a report.

    `items` needs response_id, label, judges, source, question, content, question_id, question_set,
    theme, domain, model.
    """
    frame = items.copy()
    no_text = frame["content"].isna() | frame["question"].isna()
    frame = frame[~no_text]
    frame["text"] = [minos_text(q, r) for q, r in zip(frame["question"], frame["content"])]
    frame["refusal"] = pd.array([refusal_label(x, options.evasive) for x in frame["label"]], dtype="Int8")
    frame, duplicate_counts = remove_duplicate_texts(frame)
    group = frame["theme"].where(frame["theme"].notna(), frame["question_id"])
    frame["split"] = [split_of(g, options.seed, options.fractions) for g in group]
    frame["_group"] = group
    splits = {
        name: frame[frame["split"] == name][list(SPLIT_SCHEMA.names)].sort_values("response_id").reset_index(drop=True)
        for name in SPLITS
    }
    report = {
        "options": {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(options).items()},
        "excluded": {"no_text": int(no_text.sum()), **duplicate_counts},
        "rows": {name: int(len(df)) for name, df in splits.items()},
        "themes": {name: int(frame.loc[frame["split"] == name, "_group"].nunique()) for name in SPLITS},
        "sources": {name: {str(k): int(v) for k, v in df["source"].value_counts().sort_index().items()}
                    for name, df in splits.items()},
        "balance": label_balance(frame, ["split"]),
        "balance_refusal": label_balance(frame.dropna(subset=["refusal"]), ["split"], "refusal"),
        "balance_by_domain": label_balance(frame, ["split", "domain"]),
        "judges_agreeing": {str(k): int(v) for k, v in frame["judges"].explode().value_counts().sort_index().items()},
    }
    return SplitResult(splits, report)


# --------------------------------------------------------------------------------------------
# From a data folder
def load_items(store, options: SplitOptions) -> tuple[pd.DataFrame, dict[str, int]]:
    """Decide the labels from the store's assessments and join question text and response content."""
    latest = store.newest_judgements(["response_id", "judge", "judge_type", "label", "timestamp"])
    known = set(store.judge_names())
    for name in (options.judges or ()) + (options.human_judges or ()):
        if name not in known:
            raise ValueError(f"unknown judge {name!r}; known: {', '.join(sorted(known))}")
    chosen, counts = decide_labels(latest, options)
    items = store.query(
        """
        SELECT c.response_id, c.label, c.judges, c.source, r.question_id, r.question_set, r.model, r.content,
               q.text AS question, q.theme, q.domain
        FROM chosen c JOIN responses r USING (response_id)
        LEFT JOIN questions q USING (question_uid)
        """,
        tables={"chosen": chosen},
    )
    counts["no_response_row"] = int(len(chosen) - len(items))
    items["judges"] = items["judges"].map(list)
    return items, counts


def make_splits(store, options: SplitOptions) -> SplitResult:
    items, counts = load_items(store, options)
    result = build_splits(items, options)
    result.report["counts"] = {**counts, **result.report.pop("excluded")}
    return result


def to_binary(frame: pd.DataFrame) -> pd.DataFrame:
    """The binary view: `label` is the refusal label (0/1), the 4-class label moves to `compliance`."""
    kept = frame.dropna(subset=["refusal"])
    out = kept.rename(columns={"label": "compliance"}).assign(label=kept["refusal"].astype("int8"))
    return out[list(BINARY_SCHEMA.names)].reset_index(drop=True)


def write_splits(result: SplitResult, out: Path, binary: bool = False) -> dict[str, Path]:
    """Write OUT/<split>.parquet (one per split) and OUT/report.json, replacing the folder atomically."""
    from toolkit.core.tables import atomic_folder

    paths = {}
    with atomic_folder(out) as tmp:
        for name, frame in result.splits.items():
            data = to_binary(frame) if binary else frame
            table = pa.Table.from_pandas(data, schema=BINARY_SCHEMA if binary else SPLIT_SCHEMA, preserve_index=False)
            pq.write_table(table, tmp / f"{name}.parquet", compression="zstd")
            paths[name] = out / f"{name}.parquet"
        (tmp / "report.json").write_text(json.dumps(result.report, indent=2, ensure_ascii=False))
    return paths


# --------------------------------------------------------------------------------------------
# CLI
def _names(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    return names or None


def _fractions(text: str) -> tuple[float, float, float]:
    try:
        values = tuple(float(x) for x in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not three numbers: {text!r}") from None
    if len(values) != 3:
        raise argparse.ArgumentTypeError(f"need three fractions (train,validation,test), got {text!r}")
    return values  # type: ignore[return-value]
