"""Seeded synthetic SpeechMap data: the app's offline demo and the full-scale benchmark input.

`python -m toolkit demo --out DIR [--scale small|full] [--seed N] [--no-build]` writes DIR/raw/ in the
real raw SpeechMap layout and builds it into DIR/data with `toolkit.ingest.pipeline.build`:

    DIR/raw/speechmap-data/questions/<set>.jsonl
    DIR/raw/speechmap-data/responses/<set>_<model, "/" -> "_">.jsonl
    DIR/raw/speechmap-data/analysis/compliance_<response file stem>.jsonl          (main judge)
    DIR/raw/speechmap-data/analysis.<judge, "/" -> "_">/compliance_<stem>.jsonl   (each further judge)
    DIR/raw/site-metadata/model_metadata.json (JSONL) and lab_metadata.jsonl
    DIR/raw/annotations/human.jsonl                                                (one human annotator)
    DIR/raw/judge_aliases.json                       (the main judge's second spelling; passed to build)

Everything is fictional: labs, models, judges and texts are assembled from seeded word and sentence
pools (nothing is copied from the real data); only the shapes follow the real files.

How labels arise (one latent "compliance" score per response):
    s = model + domain + lab x domain + variation + question + N(0, 1)
    true label: COMPLETE if s > 0, EVASIVE if -band(model) < s <= 0, DENIAL otherwise;
    a judge labels s + N(0, sigma_j) against its own shifted cut points (plus rare COMPLETE <-> DENIAL
    flips), so judges disagree mostly across the EVASIVE boundaries, as the real ones do.
    model = lab base + lab trend x years since mid-2023 + size + reasoning shift + noise, so newer
    models of some labs are more compliant; satire (variation 3) and speeches (4) are refused more.
Error codes: provider errors (incl. a credit-exhausted run), provider moderation and truncation are
written by every judge as ERROR_ORIGINAL_* without judging (the older judge writes plain ERROR for runs
before those codes existed); judges also fail now and then (ERROR_JUDGE_CONTENT_FILTER, _FORMAT).

Modules: `questions` (domains, themes, legacy sets), `world` (labs, models, judges and the label rule),
`texts` (composers), `shapes` (provider response objects), `rows` (one file set: responses and every
judge's analysis rows), `writer` (generate / build_demo / ensure_demo).

Scales: `small` (75 themes = 300 us_hard questions x 30 models x 3 judges) builds in seconds and is the
app's default; `full` (530 themes = 2,120 questions x 380 models, ~810k responses x 3 judges, several
GB) is for benchmarks. At full scale the analysis rows omit the copy of the response the real files
carry (it would double the size); at small scale the main judge's rows keep it, as the real ones do.
Each (question set, model) file has its own random stream seeded from (seed, set, model), so files are
byte-identical for a seed and are written one at a time (streamed, nothing large held in memory).
"""
from __future__ import annotations

from toolkit.ingest.synth.writer import (
    MARKER,
    SCALES,
    build_demo,
    ensure_demo,
    generate,
)

__all__ = ["MARKER", "SCALES", "build_demo", "ensure_demo", "generate"]
