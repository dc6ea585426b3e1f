"""The input bar: multi-line, Enter sends, ctrl+j adds a line, Up recalls earlier prompts.

It also drives the slash-command menu (``CommandCompletions``): as soon as the input is a single
line starting with ``/``, every edit shows what can follow. The menu never has the focus, so
while it shows the prompt routes its keys there: Up/Down move the highlight, Tab accepts, Esc
closes, Enter accepts only an unfinished command name (so ``/help`` + Enter still runs it).

The same menu offers file paths for the last argument of ``/attach`` and for a ``@path`` word
(``path_fragment``): the directory is listed in a thread worker and the menu follows when the
answer comes, unless the text changed meanwhile. A directory keeps the menu open for the next
level. Two more things the input tells its screen, which holds the attachment chips: a paste
that is only paths of existing files (``PathsPasted``, not typed in), and Backspace at the
very start (``BackspaceAtStart``: the last chip goes).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from textual import events
from textual.css.query import NoMatches
from textual.dom import NoScreen
from textual.message import Message
from textual.widgets import TextArea

from claude_tui.core import slash, slash_table
from claude_tui.core.slash import Completion
from claude_tui.ui.fit import fit_line
from claude_tui.ui.widgets.completion import CommandCompletions
from claude_tui.ui.widgets.path_fragment import Fragment, PathCompletion, fragment_at
from claude_tui.ui.widgets.path_fragment import completions as path_rows

NEWLINE_KEYS = frozenset({"ctrl+j", "shift+enter", "alt+enter"})
"""ctrl+j works in every terminal; the others only where the terminal reports them."""
PLACEHOLDER = "Message Claude…   Enter send · Ctrl+J new line · ↑ earlier prompts"
"""Shown in the empty input; its hints go, whole, on a narrow screen (``fit_line``)."""
MENU_KEYS = frozenset({"up", "down", "tab", "enter", "escape"})
"""The keys the completion menu takes while it shows; otherwise they do what they always do."""
PATH_LIMIT = 50
"""Paths offered at most: the menu shows eight at a time; more is typing a few letters away."""


class PromptInput(TextArea):
    """A ``TextArea`` that sends on Enter, keeps a history of what was sent, and completes
    slash commands in the ``CommandCompletions`` menu its screen composes (if any)."""

    DEFAULT_CSS = """
    PromptInput {
        height: auto;
        min-height: 3;
        max-height: 12;
        border: tall $primary 40%;
        &:focus { border: tall $primary; }
    }
    """

    @dataclass
    class Submitted(Message):
        """The user pressed Enter on a prompt that is not blank."""

        prompt_input: PromptInput
        text: str

        @property
        def control(self) -> PromptInput:
            return self.prompt_input

    @dataclass
    class PathsPasted(Message):
        """A paste that is nothing but the paths of existing files: attach them, not type."""

        paths: list[Path]
        text: str

    class BackspaceAtStart(Message):
        """Backspace with the cursor at the very start of the input."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            id=id,
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            placeholder=PLACEHOLDER,
        )
        self.sent_prompts: list[str] = []
        self.sends_blank = False
        """Enter sends even with no text: files are attached ("what is in this screenshot"
        can go without words)."""
        self._history_index: int | None = None
        self._completion_choices: Mapping[str, Sequence[str]] = {}
        self._completed_for: str | None = None
        """The text the menu was last worked out for: a later edit works it out again."""
        self._dismissed = False
        """Esc closed the menu; it stays closed until the next edit."""
        self._menu: CommandCompletions | None = None
        self._paths_for: str | None = None
        """The text the paths in the menu were listed for; Tab waits while they are stale."""

    def on_resize(self) -> None:
        # the room for text: the content width less the column the cursor may take
        self.placeholder = fit_line(PLACEHOLDER, self.content_region.width - 1)

    # -- keys ---------------------------------------------------------------------------------

    async def _on_key(self, event: events.Key) -> None:
        if event.key in MENU_KEYS and self._menu_key(event.key):
            event.prevent_default()
            event.stop()
            return
        if event.key == "enter":
            event.prevent_default()
            event.stop()
            self._submit()
            return
        if event.key == "backspace" and self.cursor_location == (0, 0) and not self.selected_text:
            # There is nothing to delete here; the key must not reach the TextArea either, or
            # it could delete from a pasted path the screen puts back meanwhile.
            event.prevent_default()
            event.stop()
            self.post_message(self.BackspaceAtStart())
            return
        if event.key in NEWLINE_KEYS:
            event.prevent_default()
            event.stop()
            self.insert("\n")
            return
        if event.key == "up" and self._recall(-1):
            event.prevent_default()
            event.stop()
            return
        if event.key == "down" and self._recall(+1):
            event.prevent_default()
            event.stop()
            return
        await super()._on_key(event)

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        """Claim Esc while the menu shows, so it closes the menu: a key the focused widget
        consumes is left out of its ancestors' bindings, the screen's priority ones included."""
        if key == "escape" and self.completions_open:
            return True
        return super().check_consume_key(key, character)

    async def _on_paste(self, event: events.Paste) -> None:
        """Paths of existing files pasted (a file dropped on the terminal) become chips; any
        other paste goes on to the ``TextArea``, which types it."""
        if self.read_only:
            return
        from claude_tui.core.attachments.paths import pasted_paths

        paths = pasted_paths(event.text, Path.cwd())
        if paths:
            event.prevent_default()
            event.stop()
            self.post_message(self.PathsPasted(paths, event.text))

    def submit(self) -> None:
        """Enter, as if pressed (after the ``@path`` files of a send were read)."""
        self._submit()

    def _submit(self) -> None:
        text = self.text
        if not text.strip() and not self.sends_blank:
            return  # an empty prompt sends nothing
        self.post_message(self.Submitted(self, text))

    # -- history ------------------------------------------------------------------------------

    def remember(self, text: str) -> None:
        """Add a sent prompt to the history and clear the input."""
        if text.strip() and (not self.sent_prompts or self.sent_prompts[-1] != text):
            self.sent_prompts.append(text)
        self._history_index = None
        self.clear()

    def _recall(self, step: int) -> bool:
        """Step through history: Up starts on an empty input, then walks while browsing."""
        if not self.sent_prompts:
            return False
        row, _ = self.cursor_location
        if self._history_index is None:
            if step > 0 or self.text:
                return False
            index = len(self.sent_prompts) - 1
        else:
            last_row = self.document.line_count - 1
            if (step < 0 and row != 0) or (step > 0 and row != last_row):
                return False  # move within a multi-line recalled prompt first
            index = self._history_index + step
            if index < 0:
                return True  # already at the oldest prompt
            if index >= len(self.sent_prompts):
                self._history_index = None
                self.clear()
                return True
        self._history_index = index
        self.load_text(self.sent_prompts[index])
        self.move_cursor(self.document.end)
        # A recalled command opens no menu: Up/Down keep walking the history until an edit.
        self._completed_for = self.text
        self._dismissed = True
        self._show([])
        return True

    # -- completion ---------------------------------------------------------------------------

    @property
    def completion_choices(self) -> Mapping[str, Sequence[str]]:
        """Values the menu offers for a command's first argument, by command name without the
        slash (``{"model": [...ids], "theme": [...names]}``), after the command's own fixed
        ones. Setting it refreshes an open menu."""
        return self._completion_choices

    @completion_choices.setter
    def completion_choices(self, choices: Mapping[str, Sequence[str]]) -> None:
        self._completion_choices = choices
        if self._completed_for is not None and not self._dismissed:
            self._update_completions()

    @property
    def completions_open(self) -> bool:
        """Whether the menu shows, and so takes Up, Down, Tab, Esc (and Enter on a name)."""
        menu = self._menu
        return menu is not None and menu.is_attached and bool(menu.completions)

    def close_completions(self) -> bool:
        """Close the menu until the next edit; ``True`` if it was open."""
        was_open = self.completions_open
        self._dismissed = True
        self._show([])
        return was_open

    def _on_text_area_changed(self, event: TextArea.Changed) -> None:
        if event.text_area is self and self.text != self._completed_for:
            self._update_completions()

    def on_focus(self) -> None:
        if self.text.startswith(slash_table.PREFIX):
            self._update_completions()

    def on_blur(self) -> None:
        self._show([])  # a menu whose keys go elsewhere would only mislead

    def on_command_completions_chosen(self, event: CommandCompletions.Chosen) -> None:
        event.stop()
        self._accept(event.completion)
        self.focus()

    def _update_completions(self) -> None:
        """Work the menu out for the text as it is now, and show it."""
        text = self.text
        self._completed_for = text
        self._dismissed = False
        found = slash.complete(text, self._completion_choices)
        if len(found) == 1 and found[0].replacement == text:
            found = []  # the command is complete as typed: nothing left to offer
        if not found:
            cursor = self._offset_of(self.cursor_location)
            fragment = fragment_at(text, cursor)
            if fragment is not None:
                self._list_paths(text, fragment)
                return  # the menu shows what it showed until the listing is in
        self._paths_for = None
        self._show(found)

    def _offset_of(self, location: tuple[int, int]) -> int:
        """The text offset of a ``(row, column)`` location."""
        row, column = location
        return sum(len(line) + 1 for line in self.text.split("\n")[:row]) + column

    def _location_of(self, offset: int) -> tuple[int, int]:
        """The ``(row, column)`` of a text offset."""
        before = self.text[:offset].split("\n")
        return len(before) - 1, len(before[-1])

    def _list_paths(self, text: str, fragment: Fragment) -> None:
        """List the paths that complete ``fragment``, in a thread (a directory may be large
        or on a slow disk); the menu follows if the text is still ``text`` then."""

        def work() -> None:
            from claude_tui.core.attachments.paths import path_completions

            try:
                found = path_completions(fragment.value, Path.cwd(), limit=PATH_LIMIT)
            except OSError:
                found = []
            with contextlib.suppress(RuntimeError):  # the app is closing
                self.app.call_from_thread(self._paths_listed, text, fragment, found)

        self.run_worker(work, name="paths", group="paths", thread=True, exit_on_error=False)

    def _paths_listed(self, text: str, fragment: Fragment, found: list[str]) -> None:
        if text != self.text or self._completed_for != text or self._dismissed:
            return  # stale: the input changed, or Esc closed the menu
        self._paths_for = text
        self._show(path_rows(text, fragment, found))

    def _show(self, completions: list[Completion]) -> None:
        if not completions and not self.completions_open:
            return  # the common case, plain typing: no menu to look for
        menu = self._find_menu()
        if menu is None:
            return
        # The screen's focus, not ``has_focus``: that is set after this class's Focus handler.
        if completions and menu.screen.focused is self:
            menu.show_completions(completions, owner=self)
        else:
            menu.hide()

    def _find_menu(self) -> CommandCompletions | None:
        """The screen's menu; ``None`` where there is none (the prompt then works without)."""
        if self._menu is not None and self._menu.is_attached:
            return self._menu
        try:
            self._menu = self.screen.query_one(CommandCompletions)
        except (NoMatches, NoScreen):
            self._menu = None
        return self._menu

    def _menu_key(self, key: str) -> bool:
        """Route ``key`` to the menu if it shows; ``True`` when the key was used."""
        if self.text != self._completed_for:
            self._update_completions()  # an edit whose Changed message has not arrived yet
        menu = self._menu
        if not self.completions_open or menu is None:
            return False
        chosen = menu.highlighted_completion
        if key == "up":
            menu.action_cursor_up()
        elif key == "down":
            menu.action_cursor_down()
        elif key == "escape":
            self.close_completions()
        elif chosen is None:
            return False
        elif key == "tab":
            if not isinstance(chosen, PathCompletion) or self._paths_for == self.text:
                self._accept(chosen)  # (paths listed for an older text: wait for the new)
        elif key == "enter":
            if chosen.replacement == self.text or not self._typing_name():
                return False  # a whole command, or its arguments: Enter sends as usual
            self._accept(chosen)
        return True

    def _typing_name(self) -> bool:
        """The input is a command name still being typed: ``/mo``, not ``/model`` or ``/mo x``."""
        if not self.text.startswith(slash_table.PREFIX):
            return False  # a path after @: Tab takes it, Enter sends
        name = self.text[len(slash_table.PREFIX) :]
        return not re.search(r"\s", name) and name.lower() not in slash_table.BY_NAME

    def _accept(self, completion: Completion) -> None:
        """Put ``completion`` in the input, cursor at the end, and offer what may follow."""
        self.replace(completion.replacement, (0, 0), self.document.end)
        if isinstance(completion, PathCompletion):
            self.move_cursor(self._location_of(completion.cursor))
        else:
            self.move_cursor(self.document.end)
        self._update_completions()
