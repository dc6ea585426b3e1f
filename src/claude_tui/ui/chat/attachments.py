"""The files attached to the prompt being written: the chips above the input, and their work.

Each file is read and turned into its block (``core.attachments.prepare``) in a thread worker,
never on the event loop: a 30 MB PDF or a 20-megapixel photo must not stall typing. Meanwhile
its chip says "reading…". A file that cannot be attached gets a notice naming it and its chip
goes; the prompt and the other chips are kept. The chips belong to the input, as its text does:
sending takes them (:meth:`Attachments.take`), and a prompt given back to the input (an
unqueue, ``/edit``) brings its attachments back as chips (:meth:`Attachments.restore`).
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from claude_tui.core.attachments.info import details, kind_word
from claude_tui.core.attachments.prepare import (
    AttachmentError,
    Prepared,
    file_signature,
    prepare_attachment,
)
from claude_tui.core.blocks import AttachmentBlock
from claude_tui.core.sanitize import sanitize_line
from claude_tui.ui.widgets.attachment_tray import READING, AttachmentTray, ChipView

if TYPE_CHECKING:
    from claude_tui.ui.chat.screen import ChatScreen


@dataclass(eq=False)
class Chip:
    """One attached file, read or being read."""

    key: int
    name: str
    path: Path | None
    """Where it was read from; None for one given back from a sent prompt (its file may be
    gone: the block is what counts)."""
    prepared: Prepared | None = None
    """The block and the file's version it was made from; None while reading."""
    block: AttachmentBlock | None = None
    pasted: str | None = None
    """The text pasted that made this chip (and the others of its ``group``): Backspace
    turns the group back into it."""
    group: int = 0

    @property
    def reading(self) -> bool:
        return self.block is None

    def view(self) -> ChipView:
        name = sanitize_line(self.name)
        info = self.block.info if self.block is not None else None
        if self.block is None:
            return ChipView(self.key, f"{name} · {READING}", reading=True)
        if info is None:
            return ChipView(self.key, name)
        return ChipView(self.key, " · ".join([name, kind_word(info), *details(info)]))


class Attachments:
    """The chips of the chat screen's input, and the workers that read their files."""

    def __init__(self, chat: ChatScreen, tray: AttachmentTray) -> None:
        self._chat = chat
        self.tray = tray
        self._chips: list[Chip] = []
        self._keys = itertools.count(1)

    # -- what there is ------------------------------------------------------------------------

    @property
    def chips(self) -> tuple[Chip, ...]:
        return tuple(self._chips)

    @property
    def reading(self) -> list[str]:
        """Names of the files still being read."""
        return [chip.name for chip in self._chips if chip.reading]

    def blocks(self) -> tuple[AttachmentBlock, ...]:
        """The blocks of the chips that are ready, in the order they were attached."""
        return tuple(chip.block for chip in self._chips if chip.block is not None)

    # -- adding -------------------------------------------------------------------------------

    def add(self, paths: Sequence[Path], *, pasted: str | None = None) -> None:
        """Attach the files at ``paths``: a chip each at once, "reading…" until its worker is
        done. ``pasted``: the text they were pasted as, which Backspace gives back."""
        group = next(self._keys)
        attached = {chip.path for chip in self._chips if chip.path is not None}
        again = [path for path in paths if path in attached]
        if again:
            self._chat.notify(
                f"Already attached: {', '.join(sanitize_line(p.name) for p in again)}.",
                timeout=4,
                markup=False,
            )
        for path in dict.fromkeys(path for path in paths if path not in attached):
            chip = Chip(next(self._keys), path.name, path, pasted=pasted, group=group)
            self._chips.append(chip)
            self._read(chip)
        self._show()

    def restore(self, blocks: Iterable[AttachmentBlock]) -> None:
        """Chips for the attachments of a prompt given back to the input."""
        for block in blocks:
            name = block.info.name if block.info is not None else "attachment"
            self._chips.append(Chip(next(self._keys), name, None, block=block))
        self._show()

    def reread(self, chip: Chip) -> None:
        """Read ``chip``'s file again (it changed since it was attached)."""
        chip.prepared = chip.block = None
        self._read(chip)
        self._show()

    def changed(self) -> list[Chip]:
        """The chips whose file is not the version that was read (edited, replaced, gone)."""
        return [
            chip
            for chip in self._chips
            if chip.prepared is not None
            and chip.path is not None
            and file_signature(chip.path) != chip.prepared.signature
        ]

    def _read(self, chip: Chip) -> None:
        chat = self._chat
        path = chip.path
        assert path is not None
        edge = chat.session_settings(chat.current).image_max_edge

        def work() -> None:
            result: Prepared | AttachmentError
            try:
                result = prepare_attachment(path, image_max_edge=edge)
            except AttachmentError as error:
                result = error
            except Exception as error:  # a bug must not leave the chip reading forever
                result = AttachmentError(f"{path.name} could not be read: {error}")
            with contextlib.suppress(RuntimeError):  # the app is closing
                chat.app.call_from_thread(self._prepared, chip, result)

        chat.run_worker(work, name="attach", group="attach", thread=True, exit_on_error=False)

    def _prepared(self, chip: Chip, result: Prepared | AttachmentError) -> None:
        if chip not in self._chips:
            return  # removed while it was read
        if isinstance(result, AttachmentError):
            self._chips.remove(chip)
            self._chat.notify(
                str(result), title="Not attached", severity="error", timeout=8, markup=False
            )
        else:
            chip.prepared, chip.block = result, result.block
        self._show()
        self._chat.attachment_check.chip_ready(not isinstance(result, AttachmentError))

    # -- removing -----------------------------------------------------------------------------

    def remove(self, key: int) -> Chip | None:
        """Take the chip ``key`` away (its ✕ was clicked)."""
        chip = next((chip for chip in self._chips if chip.key == key), None)
        if chip is not None:
            self._chips.remove(chip)
            self._show()
        return chip

    def backspace(self) -> bool:
        """Backspace at the very start of the input: the last chip goes. One that came from a
        pasted path turns back into the pasted text, at the cursor; another is removed with a
        short notice. ``False``: there was no chip."""
        if not self._chips:
            return False
        last = self._chips[-1]
        if last.pasted is None:
            self._chips.pop()
            self._chat.notify(f"Removed {sanitize_line(last.name)}.", timeout=3, markup=False)
        else:
            self._chips = [chip for chip in self._chips if chip.group != last.group]
            self._chat.prompt_input.insert(last.pasted)
        self._show()
        return True

    def detach(self, name: str = "") -> list[str]:
        """Remove the chips named ``name`` (every chip when empty); their names."""
        if not name:
            gone = self._chips
        else:
            gone = [chip for chip in self._chips if chip.name == name] or [
                chip for chip in self._chips if chip.name.casefold() == name.casefold()
            ]
        self._chips = [chip for chip in self._chips if chip not in gone]
        self._show()
        return [chip.name for chip in gone]

    def clear(self) -> None:
        """The prompt went out (or the edit was cancelled): no chips, and no ``@path`` files
        kept for it."""
        self._chat.attachment_check.sent()
        if self._chips:
            self._chips = []
            self._show()

    # -- showing ------------------------------------------------------------------------------

    def _show(self) -> None:
        self.tray.show([chip.view() for chip in self._chips])
        prompt = self._chat.prompt_input
        prompt.sends_blank = bool(self._chips)
        names = list(dict.fromkeys(chip.name for chip in self._chips))
        prompt.completion_choices = {**prompt.completion_choices, "detach": names}
