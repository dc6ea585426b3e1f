"""What Enter checks about attachments before a prompt goes out, and the ``@path`` files.

Each check that fails leaves the prompt in the input and the chips above it, and says why:

* a chip still reading: Enter again once it is ready;
* a file changed since it was attached: its chip is read again, and the person is told that
  the chip now holds the new version and Enter sends it (sending the old bytes silently, or
  the new ones unseen, would both surprise);
* ``@path`` words naming files: they are read in a worker first (the send waits for them,
  the prompt still in the input); once read, the same Enter goes on, if the input is unchanged;
* the model cannot take images or PDFs, or the whole request would be over 32 MB
  (``attachment_fit.attachment_problem``, called by the send guard, so a queued prompt is
  checked too).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from claude_tui.core.attachments.prepare import (
    AttachmentError,
    Prepared,
    file_signature,
    prepare_attachment,
)
from claude_tui.core.blocks import AttachmentBlock
from claude_tui.core.sanitize import sanitize_line
from claude_tui.ui.chat.attachments import Attachments

if TYPE_CHECKING:
    from claude_tui.ui.chat.screen import ChatScreen
    from claude_tui.ui.widgets.prompt import PromptInput


def _names(names: Iterable[str]) -> str:
    return ", ".join(sanitize_line(name) for name in names)


class AttachmentCheck:
    """The chat screen's checks of a prompt's files on Enter."""

    def __init__(self, chat: ChatScreen, attachments: Attachments) -> None:
        self._chat = chat
        self._attachments = attachments
        self._at_files: dict[Path, Prepared] = {}
        """``@path`` files read for a send, by path; used while their file is unchanged."""
        self._reading_at: str | None = None
        """The text whose ``@path`` files are being read."""

    def ready(self, text: str, prompt_input: PromptInput) -> tuple[AttachmentBlock, ...] | None:
        """The attachments to send with ``text``: the chips', then the ``@path`` files not
        already among them. None: not yet (said why; the prompt and chips stay)."""
        chat, chips = self._chat, self._attachments
        reading = chips.reading
        if reading:
            chat.notify(
                f"Still reading {_names(reading)}: Enter sends once its chip is ready.",
                title="Not sent",
                timeout=5,
                markup=False,
            )
            return None
        changed = chips.changed()
        if changed:
            for chip in changed:
                chips.reread(chip)
            chat.notify(
                f"{_names(c.name for c in changed)} changed since it was attached: the chip "
                "now holds the new version; Enter sends it.",
                title="Not sent",
                severity="warning",
                timeout=8,
                markup=False,
            )
            return None
        at_paths = self._at_paths(text)
        if at_paths is None:
            return None
        unread = [
            path
            for path in at_paths
            if path not in self._at_files or self._at_files[path].signature != file_signature(path)
        ]
        if unread:
            self._read_at(text, unread, prompt_input)
            return None
        blocks = list(chips.blocks())
        seen = {block.info.sha256 for block in blocks if block.info is not None}
        for path in at_paths:
            block = self._at_files[path].block
            if block.info is None or block.info.sha256 not in seen:
                blocks.append(block)
                if block.info is not None:
                    seen.add(block.info.sha256)
        return tuple(blocks)

    def cancel(self) -> bool:
        """Esc while the ``@path`` files of a send are read: the send does not go on when they
        are (the prompt stays in the input). ``False``: none were being read."""
        if self._reading_at is None:
            return False
        self._reading_at = None
        self._chat.notify("Not sent: the prompt is still in the input.", timeout=3)
        return True

    def sent(self) -> None:
        """The prompt went out: its ``@path`` files need not be kept."""
        self._at_files.clear()

    def _at_paths(self, text: str) -> list[Path] | None:
        """The files the ``@path`` words of ``text`` name, each once; None while they are
        being read for this very text (a second Enter)."""
        if "@" not in text:
            return []
        if self._reading_at == text:
            self._chat.notify("Still reading the @ files…", timeout=3)
            return None
        from claude_tui.core.attachments.paths import at_references

        return list(dict.fromkeys(path for _, _, path in at_references(text, Path.cwd())))

    def _read_at(self, text: str, paths: list[Path], prompt_input: PromptInput) -> None:
        """Read ``paths`` in a worker; then Enter again, if the input holds what it held."""
        chat = self._chat
        self._reading_at = text
        typed = prompt_input.text
        edge = chat.session_settings(chat.current).image_max_edge
        chat.notify(f"Reading {_names(p.name for p in paths)}…", timeout=3, markup=False)

        def work() -> None:
            done: list[Prepared] = []
            failed: list[str] = []
            for path in paths:
                try:
                    done.append(prepare_attachment(path, image_max_edge=edge))
                except AttachmentError as error:
                    failed.append(str(error))
                except Exception as error:  # never leave the send waiting on a bug
                    failed.append(f"{path.name} could not be read: {error}")
            with contextlib.suppress(RuntimeError):
                chat.app.call_from_thread(self._read_done, text, typed, done, failed, prompt_input)

        chat.run_worker(work, name="attach-at", group="attach", thread=True, exit_on_error=False)

    def _read_done(
        self,
        text: str,
        typed: str,
        done: list[Prepared],
        failed: list[str],
        prompt_input: PromptInput,
    ) -> None:
        if self._reading_at != text:
            return  # Esc stopped this send (what was read is not kept: the file may change)
        self._reading_at = None
        for prepared in done:
            self._at_files[prepared.path] = prepared
        if failed:
            self._chat.notify(
                "\n".join(failed) + "\nNot sent: the prompt is still in the input.",
                title="Not attached",
                severity="error",
                timeout=10,
                markup=False,
            )
            return
        if prompt_input.text == typed:
            prompt_input.submit()  # the same Enter goes on, now that the files are read
