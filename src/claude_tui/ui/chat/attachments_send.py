"""What Enter checks about attachments before a prompt goes out, and the ``@path`` files.

Each check that fails leaves the prompt in the input and the chips above it, and says why:

* a chip still reading: the send waits for it and goes on by itself once every chip is ready,
  if the input (text and chips) is unchanged; Esc stops it;
* a file changed since it was attached: its chip is read again, and the person is told that
  the chip now holds the new version and Enter sends it (sending the old bytes silently, or
  the new ones unseen, would both surprise);
* ``@path`` words naming files: they are read first (the prompt still in the input); once
  read, the same Enter goes on, if the input is unchanged;
* an ``@`` word shaped like a path that names no file: refused once, so that a typo is not
  sent silently as text; Enter again with the same text sends it as text;
* the model cannot take images or PDFs, or the whole request would be over 32 MB
  (``attachment_fit.attachment_problem``, called by the send guard, so a queued prompt is
  checked too).

Nothing here touches the file system on the event loop: whatever Enter needs to know of the
files (changed? which does ``@`` name? read them) is found in a thread worker
(:func:`send_files.gather`), and the same Enter goes on once it is back.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from claude_tui.core.blocks import AttachmentBlock
from claude_tui.ui.chat.attachments import Attachments, in_thread, joined_names
from claude_tui.ui.chat.send_files import SendFiles, gather

if TYPE_CHECKING:
    from claude_tui.core.attachments.prepare import Prepared
    from claude_tui.ui.chat.screen import ChatScreen
    from claude_tui.ui.widgets.prompt import PromptInput

Input = tuple[str, tuple[int, ...]]
"""What the input held on Enter: its text and its chips' keys (an Enter goes on by itself only
while both are unchanged)."""


class AttachmentCheck:
    """The chat screen's checks of a prompt's files on Enter."""

    def __init__(self, chat: ChatScreen, attachments: Attachments) -> None:
        self._chat = chat
        self._attachments = attachments
        self._at_files: dict[Path, Prepared] = {}
        """``@path`` files read for a send, by path; used while their file is unchanged."""
        self._checking: Input | None = None
        """The Enter whose files a worker is looking at."""
        self._found: tuple[Input, SendFiles] | None = None
        """What the worker found, for the Enter it goes on with (used once)."""
        self._waiting: Input | None = None
        """The Enter waiting for its chips to be read."""
        self._told_missing: str | None = None
        """The text last refused for an ``@`` word naming no file: sent as text if Enter
        is pressed again on it."""

    def ready(self, text: str, prompt_input: PromptInput) -> tuple[AttachmentBlock, ...] | None:
        """The attachments to send with ``text``: the chips', then the ``@path`` files not
        already among them. None: not yet (said why, or the files are being looked at and
        the same Enter goes on after; the prompt and chips stay)."""
        chips = self._attachments
        typed = self._typed(prompt_input)
        if chips.reading:
            self._waiting = typed
            self._chat.notify(
                f"Still reading {joined_names(chips.reading)}: sent once its chip is ready "
                "(Esc: not sent).",
                title="Waiting",
                timeout=5,
            )
            return None
        self._waiting = None
        on_disk = [chip for chip in chips.chips if chip.path is not None]
        if not on_disk and "@" not in text:
            return chips.blocks()  # nothing on disk to look at
        found = self._found
        self._found = None
        if found is None or found[0] != typed:
            if self._checking == typed:
                self._chat.notify("Still reading the files…", timeout=3)
            else:
                self._gather(text, typed, prompt_input)
            return None
        return self._decide(text, found[1])

    def chip_ready(self, ok: bool) -> None:
        """A chip's file was read (``ok``) or could not be (its chip went): an Enter that
        waited for it goes on once none is reading, if the input is as it was."""
        waiting = self._waiting
        if waiting is None or self._attachments.reading:
            return
        self._waiting = None
        prompt_input = self._chat.prompt_input
        if ok and self._typed(prompt_input) == waiting:
            prompt_input.submit()
        else:
            self._chat.notify("Not sent: the prompt is still in the input.", timeout=4)

    def cancel(self) -> bool:
        """Esc while an Enter waits for its files: it does not go on when they are ready (the
        prompt stays in the input). ``False``: none was waiting."""
        if self._checking is None and self._waiting is None:
            return False
        self._checking = self._waiting = None
        self._chat.notify("Not sent: the prompt is still in the input.", timeout=3)
        return True

    def sent(self) -> None:
        """The prompt went out: its ``@path`` files need not be kept."""
        self._at_files.clear()
        self._told_missing = None

    def _typed(self, prompt_input: PromptInput) -> Input:
        return prompt_input.text, tuple(chip.key for chip in self._attachments.chips)

    def _gather(self, text: str, typed: Input, prompt_input: PromptInput) -> None:
        """Look at the files in a worker; then Enter again, if the input holds what it held."""
        chat = self._chat
        self._checking = typed
        chips = [
            (chip.key, chip.path, chip.prepared.signature)
            for chip in self._attachments.chips
            if chip.path is not None and chip.prepared is not None
        ]
        known = dict(self._at_files)
        edge = chat.session_settings(chat.current).image_max_edge
        cwd = Path.cwd()

        def reading(paths: list[Path]) -> None:
            said = f"Reading {joined_names(p.name for p in paths)}…"
            with contextlib.suppress(RuntimeError):
                chat.app.call_from_thread(chat.notify, said, timeout=3)

        def work() -> SendFiles:
            try:
                return gather(text, chips, known, cwd=cwd, image_max_edge=edge, reading=reading)
            except Exception as error:  # never leave the send waiting on a bug
                return SendFiles(failed=[f"The files could not be looked at: {error}"])

        in_thread(chat, work, lambda found: self._gathered(typed, found, prompt_input), "attach-at")

    def _gathered(self, typed: Input, found: SendFiles, prompt_input: PromptInput) -> None:
        if self._checking != typed:
            return  # Esc stopped this send (what was read is not kept: the file may change)
        self._checking = None
        for prepared in found.at_files:
            self._at_files[prepared.path] = prepared
        if self._typed(prompt_input) == typed:
            self._found = typed, found
            prompt_input.submit()  # the same Enter goes on, now that the files are known

    def _decide(self, text: str, found: SendFiles) -> tuple[AttachmentBlock, ...] | None:
        chat, chips = self._chat, self._attachments
        changed = [chip for chip in chips.chips if chip.key in found.changed]
        if changed:
            for chip in changed:
                chips.reread(chip)
            chat.notify(
                f"{joined_names(c.name for c in changed)} changed since it was attached: the chip "
                "now holds the new version; Enter sends it.",
                title="Not sent",
                severity="warning",
                timeout=8,
            )
            return None
        if found.failed:
            chat.notify(
                "\n".join(found.failed) + "\nNot sent: the prompt is still in the input.",
                title="Not attached",
                severity="error",
                timeout=10,
            )
            return None
        if found.missing and self._told_missing != text:
            self._told_missing = text
            chat.notify(
                f"No file {joined_names(found.missing)}: Enter again sends it as text.",
                title="Not sent",
                severity="warning",
                timeout=8,
            )
            return None
        blocks = list(chips.blocks())
        seen = {block.info.sha256 for block in blocks if block.info is not None}
        for prepared in found.at_files:
            block = prepared.block
            if block.info is None or block.info.sha256 not in seen:
                blocks.append(block)
                if block.info is not None:
                    seen.add(block.info.sha256)
        return tuple(blocks)
