"""Layout rules checked on the source: no stage imports from a stage after it, the UI runs no SQL, and
only the store touches its connection."""
from __future__ import annotations

import ast
from pathlib import Path

TOOLKIT = Path(__file__).resolve().parents[1] / "toolkit"
STORE_SQL = {"query", "rows", "scalar"}
# The data flows raw -> ingest -> tables -> storage -> query -> tabs and reports; release takes the tables
# out. A stage may import its own stage and the ones before it; stats holds pure formulas for all.
STAGE_ORDER = {"core": 0, "stats": 0, "ingest": 1, "storage": 2, "query": 3, "judge": 3, "arena": 3,
               "release": 4, "ui": 4, "cli": 5}


def _sql_calls(tree: ast.AST) -> list[str]:
    """Calls like `store.query(sql)`, `context.store.rows(...)`: a store method that runs SQL (a call
    with arguments, or on something named store; a state's `.query()` builds URL parameters)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in STORE_SQL:
            receiver = ast.unparse(node.func.value)
            if node.args or node.keywords or "store" in receiver.lower():
                found.append(f"line {node.lineno}: {ast.unparse(node)[:80]}")
    return found


def _connection_uses(tree: ast.AST) -> list[str]:
    return [f"line {n.lineno}" for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "_con"]


def test_ui_modules_run_no_sql():
    offenders = {}
    for path in sorted((TOOLKIT / "ui").rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        found = _sql_calls(tree) + _connection_uses(tree)
        if found:
            offenders[str(path.relative_to(TOOLKIT))] = found
    assert not offenders, f"UI modules must call query functions, not the store's SQL: {offenders}"


def test_only_the_store_touches_its_connection():
    offenders = {}
    for path in sorted(TOOLKIT.rglob("*.py")):
        if path == TOOLKIT / "storage" / "store.py":
            continue
        found = _connection_uses(ast.parse(path.read_text(), str(path)))
        if found:
            offenders[str(path.relative_to(TOOLKIT))] = found
    assert not offenders, f"use the Store's public methods, not store._con: {offenders}"


def test_the_scan_sees_a_violation():
    bad = ast.parse("def f(store, context):\n    store.query('SELECT 1')\n    context.store.rows('x')\n"
                    "    store.scalar('SELECT 1')\n    return store._con\n")
    assert len(_sql_calls(bad)) == 3 and len(_connection_uses(bad)) == 1
    assert not _sql_calls(ast.parse("link = state.query()"))


def _toolkit_imports(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("toolkit."):
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("toolkit.")]
    return found


def _upward_imports(stage: str, tree: ast.AST) -> list[str]:
    return [f"line {line}: {module}" for line, module in _toolkit_imports(tree)
            if STAGE_ORDER.get(module.split(".")[1], -1) > STAGE_ORDER[stage]]


def test_no_stage_imports_a_later_stage():
    offenders = {}
    for stage in STAGE_ORDER:
        for path in sorted((TOOLKIT / stage).rglob("*.py")):
            found = _upward_imports(stage, ast.parse(path.read_text(), str(path)))
            if found:
                offenders[str(path.relative_to(TOOLKIT))] = found
    assert not offenders, f"a stage imports from a later stage: {offenders}"
    assert sorted(p.name for p in TOOLKIT.iterdir() if p.is_dir() and (p / "__init__.py").exists()) == \
        sorted(STAGE_ORDER), "a new package needs its place in STAGE_ORDER"


def test_the_stage_scan_sees_a_violation():
    tree = ast.parse("from toolkit.query.scores import model_scores\nimport toolkit.ui.app\n"
                     "from toolkit.core import schema\n")
    assert _upward_imports("ingest", tree) == ["line 1: toolkit.query.scores", "line 2: toolkit.ui.app"]
