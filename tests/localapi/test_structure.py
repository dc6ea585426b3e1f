"""The local server's modules import one another without cycles, and the connection handlers
know the server only through its small interface (``owner.ConnectionOwner``)."""

from __future__ import annotations

import grimp

PACKAGE = "claude_tui.localapi"
HANDLER_MODULES = ("handler", "reply", "routes")


def _local_imports() -> dict[str, set[str]]:
    graph = grimp.build_graph("claude_tui", include_external_packages=False)
    prefix = PACKAGE + "."
    modules = [m for m in graph.modules if m.startswith(prefix)]
    return {
        m.removeprefix(prefix): {
            i.removeprefix(prefix)
            for i in graph.find_modules_directly_imported_by(m)
            if i.startswith(prefix)
        }
        for m in modules
    }


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the path that closes it, or ``None``."""
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> list[str] | None:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return None
        for imported in sorted(edges.get(module, ())):
            found = visit(imported, [*path, module])
            if found:
                return found
        done.add(module)
        return None

    for module in sorted(edges):
        found = visit(module, [])
        if found:
            return found
    return None


def test_the_local_server_has_no_import_cycles() -> None:
    assert _cycle(_local_imports()) is None


def test_the_cycle_finder_finds_one() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_handlers_see_the_server_only_through_its_interface() -> None:
    edges = _local_imports()
    for module in HANDLER_MODULES:
        assert not edges[module] & {"server", "state"}, module
    assert "owner" in edges["handler"]
