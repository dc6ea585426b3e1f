"""Start-up never pays for Pillow or pypdf: the app's start-up modules and the attachment
modules import them only when a file needs them (issue 17: "the image and PDF libraries load
only when first used"). A fresh interpreter, as in test_import_hygiene: the same probe, once a
GIF and a PDF are attached, sees both libraries (so it can fail)."""

from __future__ import annotations

import subprocess
import sys

MODULES = [
    "claude_tui.ui.app",
    "claude_tui.cli.main",
    "claude_tui.core.attachments.prepare",
    "claude_tui.core.attachments.image",
    "claude_tui.core.attachments.pdf",
    "claude_tui.core.attachments.paths",
    "claude_tui.core.attachments.fit",
    "claude_tui.core.attachments.preview",
]

PROBE = """
import importlib, pathlib, sys, tempfile

def loaded():
    return ",".join(sorted({name.split(".")[0] for name in sys.modules} & {"PIL", "pypdf"}))

for module in MODULES:
    importlib.import_module(module)
print(loaded())

from claude_tui.core.attachments.prepare import AttachmentError, prepare_attachment
folder = pathlib.Path(tempfile.mkdtemp())
(folder / "a.gif").write_bytes(b"GIF89a\\x01\\x00\\x01\\x00\\x00\\x00\\x00;")
(folder / "a.pdf").write_bytes(b"%PDF-1.4 broken")
for name in ("a.gif", "a.pdf"):
    try:
        prepare_attachment(folder / name)
    except AttachmentError:
        pass
print(loaded())
"""


def test_start_up_loads_neither_library_until_a_file_needs_it() -> None:
    result = subprocess.run(
        [sys.executable, "-c", f"MODULES = {MODULES!r}\n{PROBE}"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split("\n")[:2] == ["", "PIL,pypdf"]
    assert result.stderr == ""  # nothing either library said reached the terminal
