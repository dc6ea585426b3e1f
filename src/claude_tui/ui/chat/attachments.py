"""The files attached to the prompt being written: the chips above the input, and their work.

Each file is read and turned into its block (``core.attachments.prepare``) in a thread worker
(:func:`in_thread`, shared with the ``@path`` reads at send), never on the event loop: a 30 MB
PDF or a 20-megapixel photo must not stall typing. Meanwhile its chip says "reading…". Files
that cannot be attached get one notice per ``/attach`` or paste, a line each, and their chips
go; the prompt and the other chips are kept, and a pasted path that fails goes back into the
text where it was pasted. The same file twice (by content) is attached once. The chips belong
to the input, as its text does: sending takes them (:meth:`Attachments.take`), a prompt given
back to the input (an unqueue, ``/edit``) brings its attachments back as chips
(:meth:`Attachments.restore`), and ``/edit`` puts the draft's chips aside until it is sent or
cancelled (:meth:`Attachments.put_aside`).
"""

from __future__ import annotations

import contextlib
import glob
import itertools
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from textual.widget import Widget

from claude_tui.core.attachments.reading import AttachmentError
from claude_tui.core.blocks import AttachmentBlock
from claude_tui.core.sanitize import sanitize_line
from claude_tui.ui.chat.attachment_chip import Chip
from claude_tui.ui.widgets.attachment_tray import AttachmentTray

if TYPE_CHECKING:
    from claude_tui.core.attachments.prepare import Prepared
    from claude_tui.ui.chat.screen import ChatScreen

T = TypeVar("T")


def in_thread(owner: Widget, work: Callable[[], T], done: Callable[[T], None], name: str) -> None:
    """Run ``work`` in a thread worker of ``owner`` and hand its answer to ``done`` on the UI
    thread (dropped when the app is closing). For reading files: never on the event loop."""

    def run() -> None:
        result = work()
        with contextlib.suppress(RuntimeError):  # the app is closing
            owner.app.call_from_thread(done, result)

    owner.run_worker(run, name=name, group="attach", thread=True, exit_on_error=False)


def prepare_or_error(path: Path, image_max_edge: int) -> Prepared | AttachmentError:
    """``prepare_attachment``, its failure as a value; a bug becomes a failure too, so nothing
    waits forever on a file."""
    try:
        # imported here: reading images and PDFs is not needed to start the app
        from claude_tui.core.attachments.prepare import prepare_attachment

        return prepare_attachment(path, image_max_edge=image_max_edge)
    except AttachmentError as error:
        return error
    except Exception as error:
        return AttachmentError(f"{path.name} could not be read: {error}")


def joined_names(names: Iterable[str]) -> str:
    """``a.png, b.pdf``: file names made safe to print, for a notice."""
    return ", ".join(sanitize_line(name) for name in names)


class Attachments:
    """The chips of the chat screen's input, and the workers that read their files."""

    def __init__(self, chat: ChatScreen, tray: AttachmentTray) -> None:
        self._chat = chat
        self.tray = tray
        self._chips: list[Chip] = []
        self._keys = itertools.count(1)
        self._failed: dict[int, list[tuple[int, str]]] = {}
        """What went wrong so far in each group still being read, by the order the files were
        named in (workers finish in any order): told once the group is done."""
        self._aside: tuple[str, list[Chip]] | None = None
        """The draft (text, chips) ``/edit`` put aside: back when the edit ends."""

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

    def add(self, paths: Sequence[Path]) -> None:
        """Attach the files at ``paths`` (``/attach``): a chip each at once, "reading…" until
        its worker is done. A wildcard that names no file is expanded first, in a worker."""
        if not any(glob.has_magic(str(path)) for path in paths):
            self._add([(path, None) for path in paths], 0, [])
            return
        from claude_tui.core.attachments.paths import expand_globs

        def expanded(result: tuple[list[Path], list[str]]) -> None:
            found, notes = result
            self._add([(path, None) for path in found], 0, notes)

        in_thread(self._chat, lambda: expand_globs(list(paths)), expanded, "attach-glob")

    def add_pasted(self, words: Sequence[tuple[str, Path]], offset: int) -> None:
        """Attach the files of a paste: ``words`` are their paths as pasted, ``offset`` where
        in the text the paste went (a failure, or Backspace, puts the words back there)."""
        self._add([(path, word) for word, path in words], offset, [])

    def _add(self, files: list[tuple[Path, str | None]], at: int, notes: list[str]) -> None:
        group = next(self._keys)
        attached = {chip.path for chip in self._chips if chip.path is not None}
        seen: set[Path] = set()
        problems = [(0, note) for note in notes]
        for path, word in files:
            if path in attached or path in seen:
                problems.append((next(self._keys), f"{path.name} is already attached"))
                continue
            seen.add(path)
            chip = Chip(next(self._keys), path.name, path, word=word, pasted_at=at, group=group)
            self._chips.append(chip)
            self._read(chip)
        self._failed[group] = problems
        self._tell(group)
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
        self._failed.setdefault(chip.group, [])
        self._read(chip)
        self._show()

    def _read(self, chip: Chip) -> None:
        path = chip.path
        assert path is not None
        edge = self._chat.session_settings(self._chat.current).image_max_edge
        in_thread(
            self._chat,
            lambda: prepare_or_error(path, edge),
            lambda result: self._prepared(chip, result),
            "attach",
        )

    def _prepared(self, chip: Chip, result: Prepared | AttachmentError) -> None:
        chips = self._chips if chip in self._chips else self._aside_chips()
        if chip not in chips:
            return  # removed while it was read
        problems = self._failed.setdefault(chip.group, [])
        if isinstance(result, AttachmentError):
            chips.remove(chip)
            problem = str(result)
            if chip.word is not None and chips is self._chips:
                self._put_back(chip.word, chip.pasted_at, follow=False)
                problem += " (its path is back in the input)"
            problems.append((chip.key, problem))
        elif self._same_as_another(chips, chip, result):
            chips.remove(chip)
            problems.append((chip.key, f"{chip.name} is already attached"))
        else:
            chip.prepared, chip.block = result, result.block
        self._tell(chip.group)
        self._show()
        self._chat.attachment_check.chip_ready(not isinstance(result, AttachmentError))

    @staticmethod
    def _same_as_another(chips: list[Chip], chip: Chip, result: Prepared) -> bool:
        """Whether another chip holds the same content (by SHA-256): sent once is enough."""
        info = result.block.info
        if info is None:
            return False
        return any(
            other is not chip
            and other.block is not None
            and other.block.info is not None
            and other.block.info.sha256 == info.sha256
            for other in chips
        )

    def _tell(self, group: int) -> None:
        """Once no file of ``group`` is being read, one notice with everything that failed."""
        everything = [*self._chips, *self._aside_chips()]
        if any(chip.group == group and chip.reading for chip in everything):
            return
        problems = [problem for _, problem in sorted(self._failed.pop(group, []))]
        if problems:
            self._chat.notify(
                "\n".join(sanitize_line(problem) for problem in problems),
                title="Not attached",
                severity="error",
                timeout=8 + 2 * min(len(problems), 6),
            )

    # -- removing -----------------------------------------------------------------------------

    def remove(self, key: int) -> Chip | None:
        """Take the chip ``key`` away (its ✕ was clicked). Its pasted word goes with it: a later
        Backspace gives back only the words of the chips still there."""
        chip = next((chip for chip in self._chips if chip.key == key), None)
        if chip is not None:
            self._chips.remove(chip)
            self._show()
        return chip

    def backspace(self) -> bool:
        """Backspace at the very start of the input: the last chip goes. One that came from a
        pasted path turns back into the pasted text (with the rest of its paste still here),
        where it was pasted; another is removed with a short notice. ``False``: no chip."""
        if not self._chips:
            return False
        last = self._chips[-1]
        if last.word is None:
            self._chips.pop()
            self._chat.notify(f"Removed {sanitize_line(last.name)}.", timeout=3)
        else:
            group = [chip for chip in self._chips if chip.group == last.group]
            self._chips = [chip for chip in self._chips if chip.group != last.group]
            words = " ".join(chip.word or "" for chip in group)
            self._put_back(words, last.pasted_at, follow=True)
        self._show()
        return True

    def _put_back(self, words: str, offset: int, *, follow: bool) -> None:
        """Put pasted ``words`` back in the input at ``offset`` (as far as the text still
        reaches), a space between them and any word they would touch. ``follow``: the cursor
        goes after them (Backspace); else it stays by the text it was in (a failure arriving
        while the person types must not move it)."""
        prompt = self._chat.prompt_input
        text = prompt.text
        at = min(offset, len(text))
        if text[:at] and not text[at - 1].isspace():
            words = " " + words
        if text[at:] and not text[at].isspace():
            words += " "
        cursor = prompt.offset_of(prompt.cursor_location)
        result = prompt.insert(words, prompt.location_of(at))
        if follow:
            prompt.move_cursor(result.end_location)
        else:
            moved = cursor + len(words) if cursor >= at else cursor
            prompt.move_cursor(prompt.location_of(moved))
        for chip in self._chips:
            if chip.word is not None and chip.pasted_at >= at:
                chip.pasted_at += len(words)

    def detach(self, name: str = "") -> list[str]:
        """Remove the chips named ``name`` (every chip when empty); their names. A name is
        matched as written or as shown (control characters made visible, as the menu offers)."""
        if not name:
            gone = self._chips
        else:
            gone = [c for c in self._chips if name in (c.name, sanitize_line(c.name))] or [
                c for c in self._chips if sanitize_line(c.name).casefold() == name.casefold()
            ]
        self._chips = [chip for chip in self._chips if chip not in gone]
        self._show()
        return [chip.name for chip in gone]

    def clear(self) -> None:
        """The prompt went out: no chips, and no ``@path`` files kept for it. A draft ``/edit``
        put aside comes back (the edit was what went out)."""
        self._chat.attachment_check.sent()
        self._chips = []
        self._bring_back()
        self._show()

    # -- /edit --------------------------------------------------------------------------------

    def put_aside(self, text: str) -> None:
        """``/edit`` is about to fill the input: the draft's chips (and ``text``, unless it is
        the command itself) wait until the edit is sent or cancelled. A second ``/edit`` keeps
        the first draft."""
        self._chat.attachment_check.sent()
        if self._aside is None:
            kept = "" if text.lstrip().startswith("/") else text
            self._aside = (kept, self._chips)
        self._chips = []
        self._show()

    def cancel_edit(self) -> None:
        """Esc on an edit: its text and chips go, the draft put aside comes back."""
        self._chat.prompt_input.clear()
        self.clear()

    def _aside_chips(self) -> list[Chip]:
        return self._aside[1] if self._aside is not None else []

    def _bring_back(self) -> None:
        if self._aside is None:
            return
        text, chips = self._aside
        self._aside = None
        self._chips = [*chips, *self._chips]
        prompt = self._chat.prompt_input
        if text and not prompt.text:
            prompt.load_text(text)
            prompt.move_cursor(prompt.document.end)
        for group in {chip.group for chip in chips}:
            self._tell(group)

    # -- showing ------------------------------------------------------------------------------

    def _show(self) -> None:
        self.tray.show([chip.view() for chip in self._chips])
        prompt = self._chat.prompt_input
        prompt.sends_blank = bool(self._chips)
        names = list(dict.fromkeys(sanitize_line(chip.name) for chip in self._chips))
        prompt.completion_choices = {**prompt.completion_choices, "detach": names}
