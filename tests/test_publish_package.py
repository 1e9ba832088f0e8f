"""The package as pip installs it: a wheel built offline holds the card templates and the judge aliases,
declares every third-party module the toolkit imports, and `publish --dry-run` runs from the installed copy."""
from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GUARDS = {"ImportError", "ModuleNotFoundError"}


def declared(requirements: list[str]) -> set[str]:
    """Distribution names of `name==version` pins, normalised as pip does (lower case, - for _)."""
    return {r.split("==")[0].split("[")[0].strip().lower().replace("_", "-") for r in requirements}


def top_names(nodes) -> set[str]:
    """Top-level module names of the absolute imports among `nodes`."""
    names = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def imported_modules(package: Path) -> tuple[set[str], set[str]]:
    """(required, optional) modules the package imports, function-level imports included; optional
    ones are imported only inside `try:` with an ImportError handler (vllm, ZeroGPU's `spaces`, ...)."""
    required, optional = set(), set()
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        guarded = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Try) and any(
                    {getattr(n, "id", None) for n in ast.walk(h.type)} & GUARDS for h in node.handlers if h.type):
                guarded |= {id(n) for statement in node.body for n in ast.walk(statement)}
        optional |= top_names(n for n in ast.walk(tree) if id(n) in guarded)
        required |= top_names(n for n in ast.walk(tree) if id(n) not in guarded)
    return required, optional - required


def test_every_third_party_import_is_declared():
    pins = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    distributions = packages_distributions()
    required, optional = imported_modules(ROOT / "toolkit")
    assert "vllm" in optional  # the `gpu` extra, imported only when its backend is asked for
    third_party = {m for m in required if m not in sys.stdlib_module_names and m != "toolkit"}
    missing = {m: distributions.get(m) for m in third_party
               if not declared(distributions.get(m, [m])) & declared(pins)}
    assert not missing, f"imported but not in pyproject.toml's dependencies: {missing}"
    assert "pyyaml==6.0.4" in pins  # cards.py and space.py import yaml


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built offline from a copy of the sources (the build leaves build/ and *.egg-info behind)."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(ROOT / name, source / name)
    shutil.copytree(ROOT / "toolkit", source / "toolkit", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                    "--quiet", "-w", str(dist), str(source)], check=True, capture_output=True, text=True,
                   env={**os.environ, "PIP_NO_INDEX": "1"})
    [built] = dist.glob("*.whl")
    return built


@pytest.mark.slow
def test_the_wheel_carries_the_package_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = sorted(p.name for p in (ROOT / "toolkit" / "resources" / "dataset_cards").glob("*.md"))
    assert len(templates) == 6
    for template in templates:
        assert f"toolkit/resources/dataset_cards/{template}" in names
    assert "toolkit/resources/judge_aliases.json" in names
    sources = {p.relative_to(ROOT).as_posix() for p in (ROOT / "toolkit").rglob("*.py")}
    assert sources <= names
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    assert "Requires-Dist: pyyaml==6.0.4" in zipfile.ZipFile(wheel).read(metadata).decode()


@pytest.mark.slow
def test_publish_dry_run_from_the_installed_wheel(wheel, demo_data, tmp_path):
    """Installed with pip (not editable) and run outside the repository: the cards render from package data."""
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", "--target",
                    str(site), str(wheel)], check=True, capture_output=True, text=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "HF_HUB_OFFLINE": "1"}
    run = subprocess.run([sys.executable, "-m", "toolkit", "publish", "--dry-run", "--data", str(demo_data),
                          "--org", "x", "--stage", str(tmp_path / "stage")],
                         cwd=outside, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "x/speechmap-questions: dry run, would commit" in run.stdout
    found = subprocess.run([sys.executable, "-c", "import toolkit; print(toolkit.__file__)"], cwd=outside,
                           env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(found) == site / "toolkit" / "__init__.py"
    card = (tmp_path / "stage" / "speechmap-questions" / "README.md").read_text()
    assert card.startswith("---\n") and "SpeechMap" in card


def test_hub_code_imports():
    """hub_download uses hub_api; the Space bundle does not import publish (stage order in general:
    tests/test_layout_rules.py)."""
    def toolkit_imports(path: Path) -> set[str]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        return {node.module for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("toolkit")}

    assert "toolkit.storage.hub_api" in toolkit_imports(ROOT / "toolkit" / "storage" / "hub_download.py")
    assert not {m for m in toolkit_imports(ROOT / "toolkit" / "release" / "space.py") if "publish" in m}
