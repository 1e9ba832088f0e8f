"""The raw SpeechMap layout: `questions/`, `responses/`, `analysis/` and every `analysis.<judge>/`;
and the published PITTI parquet layout (questions / responses / assessments), recognised by its files."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class RawLayout:
    root: Path
    questions: list[Path] = field(default_factory=list)
    responses: list[Path] = field(default_factory=list)
    analysis: list[tuple[str | None, Path]] = field(default_factory=list)  # (judge from folder, file)
    ignored: list[Path] = field(default_factory=list)


def analysis_folder_judge(folder_name: str) -> str | None:
    """`analysis.openai_gpt-4o-2024-11-20` -> `openai/gpt-4o-2024-11-20` (the first `_` was the `/`).

    Only a fallback for rows without `judge_model`; the main `analysis/` folder names no judge."""
    if not folder_name.startswith("analysis."):
        return None
    name = folder_name[len("analysis."):]
    return name.replace("_", "/", 1) if "_" in name else name


def discover_raw(root: Path) -> RawLayout:
    """Find the data files of a raw SpeechMap folder; everything else in its data folders is listed
    as ignored (e.g. notes.txt, LICENSE)."""
    layout = RawLayout(root)
    if not root.is_dir():
        raise FileNotFoundError(f"--raw {root}: not a folder")
    for child in sorted(root.iterdir()):
        if child.is_dir() and child.name in ("questions", "responses"):
            target = layout.questions if child.name == "questions" else layout.responses
            for f in sorted(child.iterdir()):
                (target if f.is_file() and f.suffix == ".jsonl" else layout.ignored).append(f)
        elif child.is_dir() and (child.name == "analysis" or child.name.startswith("analysis.")):
            judge = analysis_folder_judge(child.name)
            for f in sorted(child.iterdir()):
                if f.is_file() and f.suffix == ".jsonl" and f.name.startswith("compliance_"):
                    layout.analysis.append((judge, f))
                else:
                    layout.ignored.append(f)
        elif child.is_file():
            layout.ignored.append(child)
        elif child.is_dir():
            layout.ignored.append(child)
    if not (layout.questions or layout.responses or layout.analysis):
        raise FileNotFoundError(
            f"--raw {root}: no questions/, responses/ or analysis*/ folder with .jsonl files "
            "(expected the SpeechMap layout)")
    return layout


def is_pitti_layout(root: Path) -> bool:
    """The published PITTI datasets: questions / responses / assessments as parquet files."""
    return all(any(root.glob(f"{name}*.parquet")) or any((root / name).glob("*.parquet"))
               for name in ("questions", "responses", "assessments"))


def pitti_files(root: Path, name: str) -> list[Path]:
    return sorted(set(root.glob(f"{name}*.parquet")) | set((root / name).glob("**/*.parquet")))
