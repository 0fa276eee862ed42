"""Check the layering: no module of openscore imports, at module level, a module that imports it back (directly or
through others). Imports inside functions (lazy ones) do not count; ``if TYPE_CHECKING:`` imports do.

    python benchmarks/import_cycles.py        # prints the module graph's cycles, exit status 1 if any
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "openscore"


def _module_name(path: Path) -> str:
    parts = ["openscore", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _top_level_imports(path: Path, name: str, known: set[str]) -> set[str]:
    """The openscore modules ``path`` imports outside any function or class body."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    nodes: list[ast.stmt] = list(tree.body)
    while nodes:
        node = nodes.pop()
        if isinstance(node, ast.If | ast.Try):
            nodes.extend(node.body + node.orelse + [s for h in getattr(node, "handlers", []) for s in h.body])
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            submodules = {f"{base}.{alias.name}" for alias in node.names} & known
            found.update(submodules or {base})  # "from . import errors" imports openscore.errors, not openscore
    return {m for m in found if m in known and m != name}


def main() -> int:
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {name: _top_level_imports(path, name, set(files)) for name, path in files.items()}
    cycles: list[list[str]] = []
    for start in sorted(graph):  # a path from start back to start, through modules after it (each cycle once)
        stack = [(start, [start])]
        seen: set[str] = set()
        while stack:
            node, path = stack.pop()
            for nxt in sorted(graph[node]):
                if nxt == start:
                    cycles.append(path)
                elif nxt > start and nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*path, nxt]))
    # A package's __init__ importing its own submodules, which import the package back, is how packages work.
    for cycle in cycles:
        print(" -> ".join([*cycle, cycle[0]]))
    print(f"{len(graph)} modules, {len(cycles)} import cycle(s)")
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())
