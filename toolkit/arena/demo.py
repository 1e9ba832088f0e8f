"""Generated writer outputs with reference scores, and the demo's matches file.

Nothing here is copied: every text is assembled from a small seeded vocabulary. Each writer has a
latent skill and a verbosity; an output's reference score is 60 + 12 skill + prompt noise (clipped to
0-100) and its length grows with verbosity, so the demo shows a real (score-driven) length effect.
The demo tournament uses the reference judge with a small position bias and noise, so that every
panel of the Elo tab has something to show.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from .reference import reference_judge_for
from .tournament import TournamentConfig, prepare_outputs, run_tournaments

DEMO_VERSION = 1
DEMO_JUDGE = {"temperature": 8.0, "position_bias": 0.25, "noise_sd": 0.6, "seed": 7}
DEMO_CONFIG = TournamentConfig(prompt_rounds=5, rounds=10, bootstraps=10, seed=7, ci_bootstraps=500)

_SUBJECTS = ["the lighthouse keeper", "a tired cartographer", "the last archivist", "the rival baker",
             "a retired astronaut", "the night ferry", "an apprentice clockmaker", "the orchard"]
_VERBS = ["remembers", "measures", "hides", "counts", "mends", "forgets", "follows", "carries"]
_OBJECTS = ["a map of rain", "the broken compass", "letters never sent", "salt and copper",
            "a winter of small lies", "the sound of engines", "an unpaid debt", "the first snow"]
_PLACES = ["by the harbour", "under the bridge", "before dawn", "in the empty hall",
           "at the edge of town", "through the fog", "behind the station", "on the roof"]
_PROMPTS = ["Write a scene about a promise kept too late.", "Write a story set on a night train.",
            "Write a monologue by someone who lost a map.", "Write a scene where a storm arrives.",
            "Write a letter to a future neighbour.", "Write a story about an honest thief.",
            "Write a scene in a closing bookshop.", "Write a fable about two rivers.",
            "Write a scene at a village fair.", "Write a story told by a lighthouse.",
            "Write a dialogue between a clock and its maker.", "Write a scene about the first snow."]


def _sentence(rng: np.random.Generator) -> str:
    parts = [rng.choice(_SUBJECTS), rng.choice(_VERBS), rng.choice(_OBJECTS), rng.choice(_PLACES)]
    return " ".join(parts).capitalize() + "."


def generate_outputs(n_models: int = 14, n_prompts: int = 10, seed: int = 0) -> pd.DataFrame:
    """Raw outputs in the runner's default layout (writer_model, prompt_id, iteration_id, prompt_text,
    response_text, overall_score), one iteration, generated and seeded."""
    if not 2 <= n_prompts <= len(_PROMPTS):
        raise ValueError(f"n_prompts must be between 2 and {len(_PROMPTS)}")
    rng = np.random.default_rng(seed)
    skill = np.sort(rng.normal(0.0, 1.0, n_models))[::-1]
    verbosity = rng.uniform(3, 9, n_models) + 1.5 * skill
    rows = []
    for m in range(n_models):
        for p in range(n_prompts):
            sentences = max(2, int(round(verbosity[m] + rng.normal(0, 1.5))))
            score = float(np.clip(60 + 12 * skill[m] + rng.normal(0, 6), 0, 100))
            rows.append({
                "writer_model": f"demo/writer-{m + 1:02d}",
                "prompt_id": f"p{p + 1:02d}",
                "iteration_id": 1,
                "prompt_text": _PROMPTS[p],
                "response_text": " ".join(_sentence(rng) for _ in range(sentences)),
                "overall_score": round(score, 1),
            })
    return pd.DataFrame(rows)


def ensure_demo_matches(cache_dir: str | Path) -> Path:
    """The demo's matches.parquet under cache_dir, made (about a second) unless already there."""
    cache_dir = Path(cache_dir)
    matches = cache_dir / "matches.parquet"
    stamp = cache_dir / "demo-version.json"
    wanted = {"version": DEMO_VERSION, "judge": DEMO_JUDGE}
    if matches.exists() and stamp.exists() and json.loads(stamp.read_text()) == wanted:
        return matches
    outputs = prepare_outputs(generate_outputs())
    run_tournaments(outputs, reference_judge_for(outputs, **DEMO_JUDGE), cache_dir, DEMO_CONFIG)
    stamp.write_text(json.dumps(wanted))
    return matches
