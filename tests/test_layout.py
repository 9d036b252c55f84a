"""Issue 14: the package's layout keeps its promises, checked from the source itself.

Independently of import-linter (``make lint``), which checks the same at the level of
sibling packages: no import cycle between any two modules, counting imports inside functions
and leaving out only those under ``if TYPE_CHECKING:``; no module importing another's private
names; no folder named ``build`` (pytest and packaging tools skip such folders).
"""

from __future__ import annotations

import ast
from pathlib import Path

import sharedservices

PKG = Path(sharedservices.__file__).resolve().parent


def _modules() -> dict[str, Path]:
    out = {}
    for f in sorted(PKG.rglob("*.py")):
        parts = ("sharedservices", *f.relative_to(PKG).with_suffix("").parts)
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = f
    return out


MODULES = _modules()


def _type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(name: str, path: Path) -> list[tuple[str, list[str]]]:
    """(module imported, names taken from it) for every import in the module, lazy ones included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: list[tuple[str, list[str]]] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if _type_checking(child):
                continue
            if isinstance(child, ast.Import):
                out.extend((a.name, []) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parts = package.split(".")[: len(package.split(".")) - (child.level - 1)]
                    base = ".".join([*parts, *([base] if base else [])])
                out.append((base, [a.name for a in child.names]))
            visit(child)

    visit(tree)
    return out


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for name, path in MODULES.items():
        for module, names in _imports(name, path):
            if not module.startswith("sharedservices"):
                continue
            targets = {f"{module}.{n}" for n in names if f"{module}.{n}" in MODULES}
            if not targets or len(targets) < len(names):
                targets.add(module)
            graph[name] |= {t for t in targets if t in MODULES and t != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            strong(v)
    return out


def test_no_import_cycle_between_any_two_modules() -> None:
    graph = _graph()
    assert sum(len(v) for v in graph.values()) > 200  # the graph was read, lazy imports included
    assert "sharedservices.model.scenario" in graph["sharedservices.model.uncertainty"]
    assert _cycles(graph) == []


def test_a_cycle_would_be_found() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_no_module_imports_another_s_private_names() -> None:
    offenders = []
    for name, path in MODULES.items():
        for module, names in _imports(name, path):
            if module.startswith("sharedservices") and module != name:
                offenders += [f"{name}: {module}.{n}" for n in names if n.startswith("_") and not n.startswith("__")]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {a.asname or a.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                    and (node.module or "").startswith("sharedservices") for a in node.names}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in imported
                    and node.attr.startswith("_") and not node.attr.startswith("__")):
                offenders.append(f"{name}: {node.value.id}.{node.attr}")
    assert offenders == []


def test_four_layers_and_no_folder_named_build() -> None:
    subpackages = sorted(p.name for p in PKG.iterdir() if (p / "__init__.py").is_file())
    assert subpackages == ["inputs", "model", "pipeline", "report"]
    assert not [p for p in PKG.rglob("build") if p.is_dir()]
    for layer in subpackages:
        doc = ast.get_docstring(ast.parse((PKG / layer / "__init__.py").read_text(encoding="utf-8"))) or ""
        assert "May import" in doc and "What lives here" in doc, layer
