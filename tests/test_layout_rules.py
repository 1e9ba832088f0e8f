"""Layout rules checked on the source: the UI runs no SQL, and only the store touches its connection."""
from __future__ import annotations

import ast
from pathlib import Path

TOOLKIT = Path(__file__).resolve().parents[1] / "toolkit"
STORE_SQL = {"query", "rows", "scalar"}


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
