"""Core and the local server are pure Python: no module under claude_tui.core or
claude_tui.localapi may import textual or rich, even at run time (which import-linter's static
contracts cannot see).

Each module is imported in a fresh interpreter, so one module's imports cannot hide another's.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import claude_tui.core
import claude_tui.localapi

CORE_MODULES = sorted(
    info.name
    for package in (claude_tui.core, claude_tui.localapi)
    for info in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}.")
)

CHECK = """
import importlib, sys
importlib.import_module({module!r})
bad = sorted(name for name in sys.modules if name.split(".")[0] in ("textual", "rich"))
print(",".join(bad))
"""


def test_core_has_modules() -> None:
    assert "claude_tui.core.runner" in CORE_MODULES
    assert "claude_tui.core.store.sessions" in CORE_MODULES
    assert "claude_tui.localapi.server" in CORE_MODULES


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_imports_no_ui(module: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECK.format(module=module)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "", f"{module} pulled in {result.stdout.strip()}"


def test_ui_app_does_import_textual() -> None:
    """The check above can fail: the same probe sees textual when it is there."""
    result = subprocess.run(
        [sys.executable, "-c", CHECK.format(module="claude_tui.ui.app")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "textual" in result.stdout
