"""How the code is put together, checked: domains do not import each other in a circle,
nothing private crosses a domain, includes fail loudly, labels live with their values, and
comments point at what a reader of the repository can open."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

WEBAPP = Path(__file__).resolve().parents[2] / "webapp"
# Files the project's own documents live in; not part of the repository.
OUTSIDE_DOCS = re.compile(r"\b(DESIGN|SECURITY|GBT9704|STYLE|TESTING|PERFORMANCE)\.md\b")


def _modules() -> dict[str, Path]:
    out = {}
    for path in WEBAPP.rglob("*.py"):
        parts = path.relative_to(WEBAPP.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _domain(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _in_type_checking(node: ast.AST, parents: dict) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def _imports(path: Path):
    """(imported module or name, line, is a package's lazy registration) of one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {c: p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}
    lazy_init = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("webapp"):
            names = [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names if a.name.startswith("webapp")]
        else:
            continue
        if _in_type_checking(node, parents):
            continue
        for name in names:
            yield name, node.lineno, lazy_init and node not in tree.body, node


def test_no_import_cycle_between_domains():
    """Module-level and in-function imports count; a package's __init__ registering its own
    parts lazily (init_app) does not, since importing any part runs it."""
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in _modules().items():
        for name, _, lazy, _node in _imports(path):
            a, b = _domain(module), _domain(name)
            if a and b and a != b and not lazy:
                graph[a].add(b)
    state: dict[str, int] = {}
    path_: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path_.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path_[path_.index(nxt):], nxt]
            if not state.get(nxt) and (found := visit(nxt)):
                return found
        state[node] = 2
        path_.pop()
        return None

    for node in sorted(graph):
        if not state.get(node):
            assert (cycle := visit(node)) is None, " -> ".join(cycle)
    assert len(graph) > 10  # the check saw the domains


def test_nothing_private_crosses_a_domain():
    offenders = []
    for module, path in _modules().items():
        for name, line, _, node in _imports(path):
            private = isinstance(node, ast.ImportFrom) and name.rpartition(".")[2].startswith("_")
            if private and _domain(module) != _domain(node.module):
                offenders.append(f"{path.relative_to(WEBAPP)}:{line} {name}")
    assert offenders == []


def test_includes_fail_loudly():
    quiet = [str(p.relative_to(WEBAPP)) for p in WEBAPP.rglob("*.html")
             if "ignore missing" in p.read_text(encoding="utf-8")]
    assert quiet == []


def test_labels_live_with_their_values():
    """No *_LABELS dict of enum members and no *_label property beside the enum: members carry
    `.label` (webapp.labels.Labelled). Wording of their own (a document's "加急") may differ."""
    offenders = []
    for path in WEBAPP.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            labels_dict = isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict) \
                and any(isinstance(t, ast.Name) and t.id.endswith("_LABELS")
                        for t in node.targets) \
                and all(isinstance(k, ast.Attribute) for k in node.value.keys)
            label_property = isinstance(node, ast.FunctionDef) and node.name.endswith("_label") \
                and any(ast.unparse(d) == "property" for d in node.decorator_list)
            if labels_dict or label_property:
                offenders.append(f"{path.relative_to(WEBAPP)}:{node.lineno}")
    assert offenders == []


def test_comments_point_at_what_the_repository_holds():
    cited = [f"{p.relative_to(WEBAPP.parent)}:{n}"
             for root in ("webapp", "tests", "benchmarks", "doc_templates")
             for p in (WEBAPP.parent / root).rglob("*") if p.suffix in (".py", ".html", ".js",
                                                                         ".j2", ".md")
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if OUTSIDE_DOCS.search(line) and p.name != "test_structure.py"]
    assert cited == []


def test_every_page_form_is_guarded():
    """Every POST form carries form_guard() (CSRF token and one-time key), so a double click
    does its work once; only the login form, which has no account yet, carries the bare token."""
    unguarded = []
    for path in WEBAPP.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for form in re.findall(r"<form[^>]*method=\"post\"[^>]*>.*?</form>", text, re.S | re.I):
            if "form_guard()" not in form and path.name != "login.html":
                unguarded.append(f"{path.relative_to(WEBAPP)}: {form[:80]}")
    assert unguarded == []
