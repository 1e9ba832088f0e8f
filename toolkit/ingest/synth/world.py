"""Labs, their models (families over three years) and the judges, with the latent-score label rule."""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from toolkit.ingest.synth.questions import DOMAINS, _allocate

START = date(2023, 7, 1)     # first possible release
YEARS = 3.0                  # releases span START .. START + 3 years

C, E, D = "COMPLETE", "EVASIVE", "DENIAL"


@dataclass(frozen=True)
class Lab:
    slug: str
    full_name: str
    color: str | None
    namespace: str           # model id prefix (differs from the lab for one lab, like qwen/* -> alibaba)
    stem: str                # model name stem
    base: float              # compliance at mid-2023
    trend: float             # change per year of release date
    band: float              # width of the EVASIVE band: wide = evades, narrow = denies
    reasoning_shift: float   # reasoning variants are this much more (or less) compliant
    weight: float
    pair: str                # reasoning variant suffix: "thinking" | "reasoning"
    providers: tuple[str, ...]
    style: str = "openai"    # response object shape: openai | anthropic (content blocks)
    dated: bool = False      # model ids end in -YYYYMMDD
    moderated: bool = False  # some of its upstream providers moderate prompts
    refuses: str | None = None  # a legacy set it refuses to criticize


LABS = [
    Lab("northwind", "Northwind AI", "#3b82f6", "northwind", "nw", 0.7, 0.15, 1.0, 0.2, 1.3, "thinking",
        ("Northwind", "Azurite Cloud"), moderated=True),
    Lab("cedar", "Cedar Research", "#b45309", "cedar", "cedar", -0.9, 0.55, 1.4, -0.2, 1.1, "thinking",
        ("Cedar",), style="anthropic", dated=True),
    Lab("helix", "Helix Labs", "#8b5cf6", "tern", "tern", 0.2, 0.6, 1.2, 0.1, 1.4, "thinking",
        ("Parallax", "Deepwell", "Helix"), refuses="ruritania_criticism"),
    Lab("orca", "Orca Systems", None, "orca", "orca", 1.6, 0.0, 0.8, 0.0, 0.8, "reasoning",
        ("Orca", "Deepwell")),
    Lab("quill", "Quill", "#14b8a6", "quill", "quill", 0.3, -0.35, 1.1, -0.1, 0.9, "thinking",
        ("Quill", "Azurite Cloud"), moderated=True),
    Lab("lumen", "Lumen Collective", None, "lumen", "lumen", 0.4, 0.25, 0.9, 0.3, 1.1, "reasoning",
        ("Parallax", "Deepwell", "Stratus", "Lumen")),
    Lab("tessera", "Tessera Intelligence", "#e11d48", "tessera", "tess", 0.9, 0.3, 0.7, 0.2, 1.0, "thinking",
        ("Tessera", "Stratus"), refuses="freedonia_criticism"),
    Lab("kite", "Kite Foundation", None, "kite", "kite", -0.2, 0.8, 1.0, 0.0, 0.7, "reasoning",
        ("Kite", "Parallax")),
    Lab("moss", "Moss & Pine", None, "moss", "moss", -1.1, 0.2, 1.6, 0.0, 0.6, "thinking",
        ("Moss",), moderated=True),
    Lab("ridge", "Ridge Compute", "#f59e0b", "ridge", "ridge", 1.0, 0.4, 0.8, 0.2, 0.8, "reasoning",
        ("Ridge", "Stratus")),
    Lab("solstice", "Solstice", None, "solstice", "sol", 0.3, -0.1, 1.3, 0.0, 0.7, "thinking",
        ("Solstice", "Deepwell")),
    Lab("vega", "Vega Systems", "#6366f1", "vega", "vega", 0.5, 0.9, 1.0, 0.4, 1.0, "reasoning",
        ("Vega", "Parallax")),
    Lab("zephyr", "Zephyr", None, "zephyr", "zephyr", -0.3, 0.0, 1.5, -0.1, 0.6, "thinking",
        ("Zephyr", "Stratus")),
]
SIZES = {"nano": -0.15, "mini": -0.1, "small": -0.05, "flash": 0.05, "base": 0.0, "large": 0.1,
         "pro": 0.05, "ultra": 0.15}
# Models run but missing from the metadata (the build keeps them with lab `unknown`).
UNLISTED = [("driftwood", "driftwood-7b-chat"), ("orca", "orca-2-preview"), ("open-garage", "garage-llm-13b"),
            ("driftwood", "driftwood-34b-instruct"), ("nimbus-ai", "nimbus-1-chat"), ("quill", "quill-exp-0612"),
            ("open-garage", "garage-llm-70b"), ("nimbus-ai", "nimbus-2-chat")]


@dataclass
class Model:
    id: str
    lab: Lab | None          # None: not in the metadata
    name: str
    family: str
    released: date
    reasoning: bool
    compliance: float        # the model's term in the latent score
    band: float
    listed: bool = True
    skip: bool = False
    credit_burst: float = 0.0  # share of the run lost to "insufficient credits" at its end
    legacy: bool = False       # also answered the legacy sets
    domain_shift: list[float] = field(default_factory=list)

    @property
    def file_name(self) -> str:
        return self.id.replace("/", "_")


def _release(t_years: float, rng: random.Random) -> date:
    return START + timedelta(days=min(int(t_years * 365.25) + rng.randint(0, 20), int(YEARS * 365.25)))


def _families(lab: Lab, times: list[float], rng: random.Random) -> list[list[Model]]:
    """One family per release time: versions rising with time, 1-3 sizes, maybe reasoning twins."""
    major, minor = rng.choice([1, 2, 3]), 0
    families: list[list[Model]] = []
    for t in times:
        minor += rng.choice([1, 1, 2, 5])
        if minor > 9 or rng.random() < 0.25:  # a new major version
            major, minor = major + 1, 0
        family = f"{lab.stem}-{major}" + (f".{minor}" if minor else "")
        released = _release(t, rng)
        suffix = f"-{released:%Y%m%d}" if lab.dated else ""
        twin = t > 1.2 and rng.random() < 0.5           # reasoning / non-reasoning pair (from 2024-09)
        reasoning_only = not twin and t > 1.5 and rng.random() < 0.2
        members = []
        for size in rng.sample(list(SIZES), rng.choice([1, 1, 2, 2, 3])):
            base = f"{family}-{size}{suffix}"
            for name, reasoning in [(base, reasoning_only)] + ([(f"{base}-{lab.pair}", True)] if twin else []):
                theta = (lab.base + lab.trend * t + SIZES[size] + (lab.reasoning_shift if reasoning else 0.0)
                         + rng.gauss(0, 0.35))
                members.append(Model(f"{lab.namespace}/{name}", lab, name, family, released, reasoning,
                                     theta, lab.band * math.exp(rng.gauss(0, 0.25))))
        families.append(members)
    return families


def _lab_models(lab: Lab, count: int, rng: random.Random) -> list[Model]:
    """`count` models of one lab: whole families (sizes + reasoning twins) spread over the years,
    always including the newest family; single models fill what whole families leave."""
    first = rng.uniform(0.0, 0.8)
    times = sorted(rng.uniform(first, YEARS) for _ in range(math.ceil(count / 1.6) + 1))
    if rng.random() < 0.8:  # most labs released something in the last half year
        times[-1] = rng.uniform(YEARS - 0.45, YEARS)
    while True:
        families = _families(lab, sorted(times), rng)
        if sum(map(len, families)) >= count:
            break
        times.append(rng.uniform(first, YEARS))  # too few models: one more family
    order = [len(families) - 1] + rng.sample(range(len(families) - 1), len(families) - 1)
    chosen: list[Model] = []
    for i in order:
        if len(chosen) + len(families[i]) <= count:
            chosen += families[i]
    for i in order:
        for m in families[i]:
            if len(chosen) < count and m not in chosen:
                chosen.append(m)
    return chosen


def make_models(n: int, seed: int, credit_bursts: int, legacy_models: int) -> list[Model]:
    """`n` models: most from the labs (families over 3 years, sizes, reasoning twins), a few unlisted."""
    rng = random.Random(f"{seed}:models")
    n_unlisted = max(2, round(n * 0.02))
    counts = _allocate(n - n_unlisted, [lab.weight for lab in LABS], minimum=2)
    models: list[Model] = []
    for lab, count in zip(LABS, counts):
        models += _lab_models(lab, count, rng)
    for namespace, name in UNLISTED[:n_unlisted]:
        t = rng.uniform(0.5, YEARS)
        models.append(Model(f"{namespace}/{name}", None, name, name.rsplit("-", 1)[0], _release(t, rng),
                            False, rng.gauss(0.5, 0.8), math.exp(rng.gauss(0, 0.3)), listed=False))
    models.sort(key=lambda m: m.id)
    for m in models:
        m.domain_shift = [rng.gauss(0, 0.3) for _ in DOMAINS]
    listed = [m for m in models if m.listed]
    rng.choice(listed).skip = True  # listed with `skip: true`, as a prerelease in the real metadata
    for m in rng.sample([m for m in listed if not m.reasoning], credit_bursts):
        m.credit_burst = rng.uniform(0.3, 0.9)
    for m in rng.sample(models, legacy_models):
        m.legacy = True
    return models


def domain_offsets(seed: int) -> list[float]:
    rng = random.Random(f"{seed}:domains")
    return [rng.gauss(0, 0.6) for _ in DOMAINS]


# ------------------------------------------------------------------------------------------------
# Judges
@dataclass(frozen=True)
class Judge:
    name: str
    folder: str              # analysis folder under speechmap-data/
    sigma: float             # noise on the latent score
    complete_cut: float      # shift of the COMPLETE / EVASIVE cut (negative: lenient)
    denial_cut: float        # shift of the EVASIVE / DENIAL cut (negative: more EVASIVE)
    flip: float              # COMPLETE <-> DENIAL confusions (rebuttals read as compliance, ...)
    provider: str | None
    legacy_shape: bool = False     # the older row shape (`provider`, COMPLIANCE line in judge_analysis)
    content_filter: float = 0.0    # ERROR_JUDGE_CONTENT_FILTER rate on the hardest questions
    format_error: float = 0.0      # ERROR_JUDGE_FORMAT (or plain ERROR for the legacy judge) rate
    alias: str | None = None       # a second spelling, used when judged through `alias_provider`
    alias_provider: str | None = None
    alias_rate: float = 0.0
    run: date = date(2026, 3, 20)  # when the judge re-judged everything (legacy: right after each response)


JUDGES = [
    Judge("demo-labs/judge-large", "analysis", 0.22, 0.0, 0.0, 0.003, "openrouter", format_error=0.001,
          alias="demo_labs/judge-large-non-reasoning", alias_provider="demo_cloud", alias_rate=0.01),
    Judge("demo-labs/judge-legacy-2024", "analysis.demo-labs_judge-legacy-2024", 0.30, -0.25, 0.1, 0.006,
          None, legacy_shape=True, format_error=0.0015),
    Judge("demo-labs/judge-small", "analysis.demo-labs_judge-small", 0.30, 0.2, -0.2, 0.004, "demo_cloud",
          content_filter=0.01, format_error=0.003, run=date(2026, 5, 4)),
]
HUMAN = "demo/human-annotator"
HUMAN_RATE = 0.03


def label_of(score: float, band: float, complete_cut: float = 0.0, denial_cut: float = 0.0) -> str:
    """COMPLETE above the complete cut, DENIAL below -band + denial cut, EVASIVE between."""
    if score > complete_cut:
        return C
    return E if score > -band + denial_cut else D
