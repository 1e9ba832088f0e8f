"""The tournament runner: Swiss tournaments of pairwise judgements -> matches, ratings, separability.

Input: one row per output (prompt id, prompt text, writer model, output text, optional reference
score). What an "output" is when a writer answered a prompt several times (EQ-Bench Creative Writing
has 3 iterations, each with its own seed modifier shared by all writers): `iteration="1"` (default)
keeps one iteration, so a prompt is the benchmark's prompt (32 of them); `iteration="all"` makes
every (prompt, iteration) a prompt of its own ("<prompt>#<iteration>"), so the texts compared were
always written to the same seeded prompt.

- Option A, prompt-isolated: an independent Swiss tournament of `prompt_rounds` rounds per prompt,
  one game = one comparison on that prompt -> one Elo per (model, prompt).
- Option B, bootstrap: `bootstraps` times, draw the prompts with replacement and run a global Swiss
  tournament of `rounds` rounds; one game = one comparison on every drawn prompt (or on
  `prompts_per_game` of them), its score the mean probability -> one Elo per (model, bootstrap).

Every round of all tournaments of an option is judged in one batch. Judgements are cached in
`<out>/judged/part-*.parquet`, written after every batch, under the pairwise judge's own cache key
(toolkit.judge.cache.cache_key of the judge name, the template hash and the sha256 of the prompt
and of the two texts as the judge sees them, after its truncation): a rerun, or a run that was
interrupted, judges only what is missing, and a pair met again (in another option, or a prompt
drawn twice) is not judged again, while another judge, template or length limit judges again.
"""
from __future__ import annotations

import hashlib
import json
import math
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from toolkit.judge.cache import cache_key
from toolkit.judge.types import Pair

from .summary import MATCH_COLUMNS, summarise
from .swiss import PairingError, SwissTournament, max_rounds


@dataclass(frozen=True)
class OutputColumns:
    """Where each field lives in the outputs file (defaults: EQ-Bench Creative Writing v3)."""

    model: str = "writer_model"
    prompt: str = "prompt_id"
    prompt_text: str = "prompt_text"
    text: str = "response_text"
    score: str | None = "overall_score"
    iteration: str | None = "iteration_id"


@dataclass
class TournamentConfig:
    options: tuple[str, ...] = ("A", "B")
    prompt_rounds: int = 5          # Option A: rounds per prompt
    rounds: int = 20                # Option B: rounds per bootstrap tournament
    bootstraps: int = 10            # Option B: prompt resamples
    prompts_per_game: int | None = None  # Option B: None = every drawn prompt
    seed: int = 0
    k_factor: float = 32.0
    bye_score: float = 0.5
    ci_bootstraps: int = 1000
    ci_over: str = "prompts"
    cliff_pairs: str = "all"
    anchor: str | None = None
    anchor_value: float = 1000.0

    def check(self) -> None:
        if not set(self.options) <= {"A", "B"} or not self.options:
            raise ValueError("options must be A, B or both")
        for name in ("prompt_rounds", "rounds", "bootstraps"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.prompts_per_game is not None and self.prompts_per_game < 1:
            raise ValueError("prompts_per_game must be at least 1")
        if self.ci_over not in ("prompts", "matches"):
            raise ValueError("ci_over must be 'prompts' or 'matches'")


@dataclass
class RunResult:
    out_dir: Path
    matches: pd.DataFrame
    summary: dict
    judged_now: int                 # comparisons sent to the judge in this run
    notes: list[str] = field(default_factory=list)


def _read_table(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise FileNotFoundError(f"no such outputs file: {path}")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return pd.read_parquet(path)
    if suffix in (".jsonl", ".json"):
        return pd.read_json(path, lines=suffix == ".jsonl")
    if suffix == ".csv":
        return pd.read_csv(path)
    raise ValueError(f"cannot read {path.name}: use .parquet, .jsonl, .json or .csv")


def text_id(text: str) -> str:
    """A short stable hash of a text (the judgement cache's key)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def prepare_outputs(frame: pd.DataFrame, columns: OutputColumns = OutputColumns(),
                    iteration: str = "1") -> pd.DataFrame:
    """Canonical outputs: prompt_id, prompt_text, model, text, score, text_id (one per prompt and model)."""
    required = [columns.model, columns.prompt, columns.prompt_text, columns.text]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValueError(f"the outputs have no column(s) {', '.join(missing)}; columns present: "
                         f"{', '.join(map(str, frame.columns))}")
    prompt = frame[columns.prompt].astype(str)
    if columns.iteration and columns.iteration in frame.columns:
        iterations = frame[columns.iteration].astype(str)
        if iteration == "all":
            prompt = prompt + "#" + iterations
        else:
            keep = (iterations == str(iteration)).to_numpy()
            if not keep.any():
                raise ValueError(f"no output has {columns.iteration} = {iteration} "
                                 f"(present: {', '.join(sorted(iterations.unique()))})")
            frame, prompt = frame[keep], prompt[keep]
    has_score = columns.score is not None and columns.score in frame.columns
    outputs = pd.DataFrame({
        "prompt_id": prompt.to_numpy(),
        "prompt_text": frame[columns.prompt_text].fillna("").astype(str).to_numpy(),
        "model": frame[columns.model].astype(str).to_numpy(),
        "text": frame[columns.text].fillna("").astype(str).to_numpy(),
        "score": pd.to_numeric(frame[columns.score], errors="coerce").to_numpy(float) if has_score else np.nan,
    })
    duplicated = outputs.duplicated(["prompt_id", "model"], keep=False)
    if duplicated.any():
        first = outputs[duplicated].iloc[0]
        raise ValueError(f"{int(duplicated.sum())} rows share a (prompt, model), e.g. {first['model']} on "
                         f"prompt {first['prompt_id']}: choose one iteration, or iteration='all'")
    outputs["text_id"] = [text_id(t) for t in outputs["text"]]
    return outputs.sort_values(["prompt_id", "model"], ignore_index=True)


def load_outputs(path: str | Path, columns: OutputColumns = OutputColumns(), iteration: str = "1") -> pd.DataFrame:
    """Read an outputs file (.parquet, .jsonl, .csv) and return `prepare_outputs` of it."""
    return prepare_outputs(_read_table(Path(path)), columns, iteration)


_RECORD_FIELDS = ["p", "pass1_p_a", "pass1_p_b", "pass2_p_a", "pass2_p_b", "pass1_mass", "pass2_mass",
                  "consistent", "valid", "truncated_1", "truncated_2", "latency_s"]


class JudgedComparisons:
    """The judgements of a tournament run, keyed by `cache_key` of the texts the judge saw.

    Stored column-wise (one array per field, a slot per judgement); persisted as one parquet part
    per judged batch under `folder`. Parts written before keys existed are ignored (judged again).
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.slots: dict[str, int] = {}
        self.values = {name: np.empty(0) for name in _RECORD_FIELDS}
        self.backend = ""
        parts = sorted(folder.glob("part-*.parquet")) if folder.exists() else []
        stored = [frame for frame in map(pd.read_parquet, parts) if "key" in frame.columns]
        if stored:
            self._add(pd.concat(stored, ignore_index=True))
        self._parts = len(parts)

    def _add(self, records: pd.DataFrame) -> None:
        keys = records["key"].tolist()
        self.slots.update(zip(keys, range(len(self.slots), len(self.slots) + len(keys))))
        for name in _RECORD_FIELDS:
            self.values[name] = np.concatenate([self.values[name], records[name].to_numpy(float)])
        if len(records):
            self.backend = str(records["backend"].iloc[-1])

    def missing(self, keys: Sequence[str]) -> list[str]:
        return [k for k in dict.fromkeys(keys) if k not in self.slots]

    def store(self, keys: list[str], judgements: list, judge_name: str, persist: bool = True) -> None:
        def number(value):
            return np.nan if value is None else float(value)

        records = pd.DataFrame({
            "key": keys, "judge": judge_name, "backend": [j.backend for j in judgements],
            "p": [number(j.p_text1_better) for j in judgements],
            **{name: [number(getattr(j, name)) for j in judgements]
               for name in _RECORD_FIELDS if name not in ("p", "consistent", "valid")},
            "consistent": [number(j.consistent) for j in judgements],
            "valid": [float(bool(j.valid)) for j in judgements],
        })
        if persist:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._parts += 1
            records.to_parquet(self.folder / f"part-{self._parts:05d}.parquet", index=False)
        self._add(records)

    def lookup(self, keys: Sequence[str]) -> np.ndarray:
        return np.fromiter((self.slots[k] for k in keys), np.int64, len(keys))


@dataclass
class _Tournament:
    option: str
    number: int
    players: np.ndarray            # model indices taking part
    units: np.ndarray              # prompt indices of a game (Option B: the bootstrap sample)
    swiss: SwissTournament
    rng: np.random.Generator
    active: bool = True


class _Runner:
    def __init__(self, outputs: pd.DataFrame, judge: Any, out_dir: Path, config: TournamentConfig, progress: bool):
        self.judge = judge
        self.config = config
        self.progress = progress
        self.models = sorted(outputs["model"].unique())
        self.units = sorted(outputs["prompt_id"].unique())
        m_index = {m: i for i, m in enumerate(self.models)}
        u_index = {u: i for i, u in enumerate(self.units)}
        self.output_of = np.full((len(self.units), len(self.models)), -1, np.int64)
        self.output_of[outputs["prompt_id"].map(u_index), outputs["model"].map(m_index)] = np.arange(len(outputs))
        self.prompt_text = outputs.groupby("prompt_id")["prompt_text"].first().reindex(self.units).tolist()
        self.texts = outputs["text"].tolist()
        self.text_ids = outputs["text_id"].to_numpy(object)
        # What the judge reads of each output (its truncation): the cache key and the pair order use it.
        seen = [judge.seen_text(t) for t in self.texts]
        self.seen_ids = np.array([text_id(t) for t in seen], object)
        self.seen_digests = [sha256_text(t) for t in seen]
        self.prompt_digests = [sha256_text(t) for t in self.prompt_text]
        self.keys: dict[int, str] = {}  # comparison code (prompt, first, second) -> cache key
        self.lengths = outputs["text"].str.len().to_numpy(np.int64)
        self.scores = outputs["score"].to_numpy(float)
        self.cache = JudgedComparisons(out_dir / "judged")
        self.judged_now = 0
        self.notes: list[str] = []
        self.played: list[dict[str, np.ndarray]] = []

    # -- judging ---------------------------------------------------------------------------
    def _key(self, unit: int, first: int, second: int) -> str:
        """The cache key of judging output `first` against `second` on prompt `unit`.

        The judge cache's key over the full sha256 of each text rather than the texts themselves: as
        exact, without encoding every long text again for each of its comparisons.
        """
        return cache_key(self.judge.name, self.judge.template_hash, self.prompt_digests[unit],
                         self.seen_digests[first], self.seen_digests[second])

    def _judge(self, unit: np.ndarray, out_a: np.ndarray, out_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cache slots and flips (text a is the cache's text 2) for comparisons, judging what is new."""
        flip = self.seen_ids[out_a] > self.seen_ids[out_b]
        first, second = np.where(flip, out_b, out_a), np.where(flip, out_a, out_b)
        n = len(self.texts)
        codes, where, inverse = np.unique((unit.astype(np.int64) * n + first) * n + second,
                                          return_index=True, return_inverse=True)
        for code, i in zip(codes.tolist(), where.tolist()):
            if code not in self.keys:
                self.keys[code] = self._key(int(unit[i]), int(first[i]), int(second[i]))
        keys = [self.keys[code] for code in codes.tolist()]
        new = self.cache.missing(keys)
        if new:
            source = dict(zip(keys, where.tolist()))
            pairs = [Pair(self.prompt_text[unit[source[k]]], self.texts[first[source[k]]],
                          self.texts[second[source[k]]], pair_id=k) for k in new]
            judgements = self.judge.judge(pairs)
            if len(judgements) != len(pairs):
                raise RuntimeError(f"the judge returned {len(judgements)} judgements for {len(pairs)} pairs")
            self.cache.store(new, judgements, self.judge.name)
            self.judged_now += len(new)
        return self.cache.lookup(keys)[inverse], flip

    def _p_a(self, slots: np.ndarray, flip: np.ndarray) -> np.ndarray:
        p = self.cache.values["p"][slots]
        return np.where(flip, 1.0 - p, p)

    # -- tournaments -------------------------------------------------------------------------
    def _expand(self, t: _Tournament, games: list[tuple[int, int]]):
        """(game index, unit, model a, model b) of every comparison of a round's games."""
        a = t.players[[g[0] for g in games]]
        b = t.players[[g[1] for g in games]]
        if t.option == "A" or self.config.prompts_per_game is None:
            per_game = np.broadcast_to(t.units, (len(games), len(t.units)))
        else:
            per_game = t.rng.choice(t.units, size=(len(games), self.config.prompts_per_game), replace=True)
        game = np.repeat(np.arange(len(games)), per_game.shape[1])
        unit = per_game.ravel()
        ma, mb = a[game], b[game]
        slot = np.tile(np.arange(per_game.shape[1]), len(games))
        present = (self.output_of[unit, ma] >= 0) & (self.output_of[unit, mb] >= 0)
        return game[present], unit[present], ma[present], mb[present], slot[present]

    def play(self, tournaments: list[_Tournament], rounds: int, bar) -> None:
        """Play `rounds` rounds of all tournaments in lockstep, one judge batch per round."""
        for number in range(1, rounds + 1):
            batch = []
            for t in tournaments:
                if not t.active:
                    continue
                try:
                    games, bye = t.swiss.next_round()
                except PairingError as error:
                    t.active = False
                    self.notes.append(f"option {t.option} tournament {t.number} stopped before round {number}: {error}")
                    continue
                batch.append((t, games, bye, self._expand(t, games)))
            if not batch:
                break
            unit = np.concatenate([e[3][1] for e in batch])
            ma = np.concatenate([e[3][2] for e in batch])
            mb = np.concatenate([e[3][3] for e in batch])
            slots, flip = self._judge(unit, self.output_of[unit, ma], self.output_of[unit, mb])
            p_all = self._p_a(slots, flip)
            offset = 0
            for t, games, bye, (game, u, a, b, slot) in batch:
                p = p_all[offset:offset + len(game)]
                usable = np.isfinite(p)
                total = np.bincount(game[usable], weights=p[usable], minlength=len(games))
                count = np.bincount(game[usable], minlength=len(games))
                t.swiss.record(games, np.where(count > 0, total / np.maximum(count, 1), 0.5), bye)
                self.played.append({"option": t.option, "tournament": t.number, "round": number, "table": game,
                                    "slot": slot, "unit": u, "a": a, "b": b,
                                    "cache_slot": slots[offset:offset + len(game)],
                                    "flip": flip[offset:offset + len(game)]})
                offset += len(game)
            bar.update(1)
            bar.set_postfix(judged=self.judged_now)

    def tournaments(self, option: str, seeds: np.random.SeedSequence) -> tuple[list[_Tournament], int]:
        config = self.config
        everyone = np.arange(len(self.models))
        made = []
        if option == "A":
            rounds = config.prompt_rounds
            for u, seed in enumerate(seeds.spawn(len(self.units))):
                players = everyone[self.output_of[u] >= 0]
                if len(players) < 2:
                    self.notes.append(f"option A skips prompt {self.units[u]}: fewer than two outputs")
                    continue
                rng = np.random.default_rng(seed)
                made.append(_Tournament("A", u, players, np.array([u]),
                                        SwissTournament(len(players), rng, config.k_factor, config.bye_score), rng))
            most = max((len(t.players) for t in made), default=0)
        else:
            rounds = config.rounds
            for number, seed in enumerate(seeds.spawn(config.bootstraps)):
                rng = np.random.default_rng(seed)
                sample = np.sort(rng.integers(0, len(self.units), len(self.units)))
                made.append(_Tournament("B", number, everyone, sample,
                                        SwissTournament(len(everyone), rng, config.k_factor, config.bye_score), rng))
            most = len(everyone)
        if made and rounds > max_rounds(most):
            self.notes.append(f"option {option}: {rounds} rounds capped at {max_rounds(most)} "
                              f"(no rematches among {most} models)")
            rounds = max_rounds(most)
        return made, rounds

    def matches(self) -> pd.DataFrame:
        def cat(key):
            return np.concatenate([np.broadcast_to(np.asarray(p[key]), len(p["unit"])) for p in self.played])

        if not self.played:
            return pd.DataFrame(columns=MATCH_COLUMNS)
        unit, a, b, flip, slots = cat("unit"), cat("a"), cat("b"), cat("flip"), cat("cache_slot")
        out_a, out_b = self.output_of[unit, a], self.output_of[unit, b]
        values = {name: self.cache.values[name][slots] for name in self.cache.values}

        def swap(first, second):
            return np.where(flip, values[second], values[first])

        categorical = pd.Categorical.from_codes
        frame = pd.DataFrame({
            "option": cat("option"), "tournament": cat("tournament").astype(np.int64),
            "round": cat("round").astype(np.int64), "table": cat("table").astype(np.int64),
            "slot": cat("slot").astype(np.int64),
            "prompt_id": categorical(unit, categories=self.units),
            "model_a": categorical(a, categories=self.models), "model_b": categorical(b, categories=self.models),
            "text_id_a": self.text_ids[out_a], "text_id_b": self.text_ids[out_b],
            "p_a": np.where(flip, 1.0 - values["p"], values["p"]),
            # Flipped: game pass 1 (text a in A) is the cached pass 2 (cached text 2 in A), and so on.
            "pass1_p_a": swap("pass1_p_a", "pass2_p_a"), "pass1_p_b": swap("pass1_p_b", "pass2_p_b"),
            "pass2_p_a": swap("pass2_p_a", "pass1_p_a"), "pass2_p_b": swap("pass2_p_b", "pass1_p_b"),
            "pass1_mass": swap("pass1_mass", "pass2_mass"), "pass2_mass": swap("pass2_mass", "pass1_mass"),
            "consistent": pd.array(np.where(np.isnan(values["consistent"]), None, values["consistent"] > 0.5),
                                   dtype="boolean"),
            "valid": values["valid"] > 0.5,
            "len_a": self.lengths[out_a], "len_b": self.lengths[out_b],
            "truncated_a": swap("truncated_1", "truncated_2") > 0.5,
            "truncated_b": swap("truncated_2", "truncated_1") > 0.5,
            "score_a": self.scores[out_a], "score_b": self.scores[out_b],
            "judge": self.judge.name, "backend": self.cache.backend or getattr(self.judge, "backend", ""),
            "latency_s": values["latency_s"],
        })
        return frame[MATCH_COLUMNS]


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.floating, float)):
        return None if not math.isfinite(float(value)) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def ratings_table(summary: dict) -> pd.DataFrame:
    """ratings.parquet: the leaderboard (scope overall) and the per-tournament Elo of Options A and B."""
    overall = summary["leaderboard"].assign(scope="overall")
    parts = [overall] + [summary[f"option_{o}_ratings"].assign(scope=f"option_{o}")
                         for o in ("a", "b") if not summary[f"option_{o}_ratings"].empty]
    return pd.concat(parts, ignore_index=True)


def write_results(out_dir: Path, matches: pd.DataFrame, summary: dict, extra: dict) -> None:
    """matches.parquet, ratings.parquet, separability.json."""
    out_dir.mkdir(parents=True, exist_ok=True)
    matches.to_parquet(out_dir / "matches.parquet", index=False)
    ratings_table(summary).to_parquet(out_dir / "ratings.parquet", index=False)
    report = {key: summary[key] for key in ("option_a", "option_b", "position_bias", "length_bias",
                                             "meta_evaluation", "counts")}
    report.update(extra)
    (out_dir / "separability.json").write_text(json.dumps(_jsonable(report), indent=2) + "\n")


def run_tournaments(outputs: pd.DataFrame, judge: Any, out_dir: str | Path,
                    config: TournamentConfig = TournamentConfig(), progress: bool = False) -> RunResult:
    """Play Options A and/or B with `judge`, write the three result files, return them.

    `judge` has the pairwise judge's interface (toolkit.judge.Judge, arena.reference.ReferenceJudge):
    `name`, `template_hash`, `seen_text(text)` and `judge(pairs) -> list[Judgement]`.
    """
    from tqdm.auto import tqdm

    config.check()
    if outputs["model"].nunique() < 2:
        raise ValueError("a tournament needs outputs from at least two models")
    out_dir = Path(out_dir)
    runner = _Runner(outputs, judge, out_dir, config, progress)
    seeds = dict(zip(("A", "B"), np.random.SeedSequence(config.seed).spawn(2)))
    plans = [(option, *runner.tournaments(option, seeds[option])) for option in ("A", "B") if option in config.options]
    with tqdm(total=sum(rounds for _, _, rounds in plans), desc="tournament rounds", unit="round",
              disable=not progress, file=sys.stderr) as bar:
        for _, made, rounds in plans:
            runner.play(made, rounds, bar)
    matches = runner.matches()
    summary = summarise(matches, config.ci_over, config.ci_bootstraps, config.seed, config.cliff_pairs,
                        config.anchor, config.anchor_value, config.k_factor)
    extra = {"judge": judge.name, "config": asdict(config), "notes": runner.notes,
             "models": runner.models, "prompts": len(runner.units)}
    write_results(out_dir, matches, summary, extra)
    return RunResult(out_dir, matches, summary, runner.judged_now, runner.notes)
