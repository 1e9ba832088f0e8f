"""The two records the pairwise judge trades in: a `Pair` to judge and the `Judgement` it gets.

A pair is judged in two passes: pass 1 shows text 1 as `A` and text 2 as `B`; pass 2 swaps them.
Per pass, P(A) and P(B) are renormalised over the two tokens (P(A) + P(B) = 1) and the raw mass
P(A) + P(B) over the whole vocabulary is kept beside them (a low mass means the model wanted to
write something else). The swap-averaged probability is

    p_text1_better = (pass1_p_a + pass2_p_b) / 2

and the judgement is position-consistent when both passes prefer the same text.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

# A pass whose A/B mass over the whole vocabulary is below this is flagged (the model wanted
# another token, so its A/B split says little).
LOW_MASS = 0.5

VERDICT_TEXT_1 = "text_1"
VERDICT_TEXT_2 = "text_2"
VERDICT_TIE = "tie"
VERDICT_INVALID = "invalid"


@dataclass(frozen=True)
class Pair:
    """One instruction and two candidate responses; `pair_id` is carried through to the judgement."""

    instruction: str
    text_1: str
    text_2: str
    pair_id: str | None = None


@dataclass
class Judgement:
    """The swap-averaged verdict on one pair, with both passes and what produced them.

    `valid` is False when a pass had neither `A` nor `B` among the returned logprobs (outside the
    top k of a vLLM/HTTP backend) or when the backend failed (`error` says why); the probability
    fields are then None, never a silent 0.5. `verdict` is "text_1", "text_2", "tie" (exactly 0.5)
    or "invalid". `latency_s` is the wall time of the backend call that judged this pair (a batch
    shares one call), `truncated_1/2` say whether a text was cut to the maximum length.
    """

    pair_id: str | None
    p_text1_better: float | None
    pass1_p_a: float | None
    pass1_p_b: float | None
    pass2_p_a: float | None
    pass2_p_b: float | None
    pass1_mass: float
    pass2_mass: float
    consistent: bool | None
    valid: bool
    verdict: str
    truncated_1: bool
    truncated_2: bool
    model: str
    backend: str
    template_hash: str
    latency_s: float
    device: str | None = None
    error: str | None = None

    @property
    def low_mass(self) -> bool:
        """True when either pass put less than LOW_MASS of the vocabulary's mass on A and B."""
        return min(self.pass1_mass, self.pass2_mass) < LOW_MASS

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> "Judgement":
        """Rebuild from `to_dict` output (extra keys, e.g. a cache key, are ignored)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in row.items() if k in names})


JUDGEMENT_FIELDS = [f.name for f in fields(Judgement)]
