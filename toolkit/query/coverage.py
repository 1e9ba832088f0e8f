"""How much of the data a judge has judged: the base of a warning such as "this judge covers 1.2%
of the responses" (a human annotator labels a few hundred responses, an LLM judge all of them)."""
from __future__ import annotations

import math
from typing import NamedTuple, Sequence

from toolkit.core.filters import FilterInput
from toolkit.query.inputs import conditions
from toolkit.storage.store import Store


class Coverage(NamedTuple):
    judged: int   # responses with a label from the judge
    total: int    # responses under the question set and filters

    @property
    def share(self) -> float:
        """judged / total (NaN when there is no response)."""
        return self.judged / self.total if self.total else math.nan


def judge_coverage(store: Store, judge: str, question_set: str | Sequence[str] | None = None,
                   filters: FilterInput = None) -> Coverage:
    """(judged, total) over the responses the scores draw from: the question set (default as in
    `model_scores`), the filters, models with SpeechMap's `skip` left out. A response counts as
    judged when the judge's label column holds a label (NULL: the judge never saw it)."""
    label = store.judge_column(judge)
    where, params = conditions(store, question_set, filters)
    judged, total = store.rows(f"SELECT count({label}), count(*) FROM response_view WHERE TRUE {where}", params)[0]
    return Coverage(int(judged), int(total))
