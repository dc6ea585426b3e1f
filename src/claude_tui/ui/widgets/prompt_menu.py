"""The completion menu the prompt drives, and the rule that its text is safe to draw.

``PromptInput`` is built on :class:`MenuTextArea`: as soon as the input is a single line
starting with ``/``, every edit shows what can follow in the screen's ``CommandCompletions``
(which never has the focus, so the prompt routes Up/Down/Tab/Esc/Enter there while it shows).
The same menu offers file paths for the last argument of ``/attach`` and for a ``@path`` word
(``path_fragment``): the folder is listed in a thread worker and the menu follows when the
answer comes, unless the text changed meanwhile.

Whatever lands in a ``TextArea`` is drawn raw, so a control character in it (from a pasted
text, a file name, a recalled prompt) would be obeyed by the terminal: every edit and every
loaded text goes through ``core.sanitize`` first, which keeps newline and tab and shows the
rest as visible placeholders (``␛``).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from textual.css.query import NoMatches
from textual.document._document import EditResult
from textual.document._edit import Edit
from textual.dom import NoScreen
from textual.widgets import TextArea

from claude_tui.core import slash, slash_table
from claude_tui.core.sanitize import sanitize
from claude_tui.core.slash import Completion
from claude_tui.ui.widgets.completion import CommandCompletions
from claude_tui.ui.widgets.path_fragment import Fragment, PathCompletion, fragment_at
from claude_tui.ui.widgets.path_fragment import completions as path_rows

PATH_LIMIT = 50
"""Paths offered at most: the menu shows eight at a time; more is typing a few letters away."""


class MenuTextArea(TextArea):
    """A ``TextArea`` holding only text safe to draw, that completes slash commands and paths
    in the ``CommandCompletions`` menu its screen composes (if any)."""

    def __init__(self, *, id: str | None = None, placeholder: str = "") -> None:
        super().__init__(
            id=id,
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            placeholder=placeholder,
        )
        self._completion_choices: Mapping[str, Sequence[str]] = {}
        self._completed_for: str | None = None
        """The text the menu was last worked out for: a later edit works it out again."""
        self._dismissed = False
        """Esc closed the menu; it stays closed until the next edit."""
        self._menu: CommandCompletions | None = None
        self._paths_for: str | None = None
        """The text the paths in the menu were listed for; Tab waits while they are stale."""

    # -- safe text ----------------------------------------------------------------------------

    def edit(self, edit: Edit) -> EditResult:
        """Every insert, replace, typed key and paste ends here: its control characters are
        made visible before they reach the document."""
        edit.text = sanitize(edit.text)
        return super().edit(edit)

    def load_text(self, text: str) -> None:
        super().load_text(sanitize(text))

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
            cursor = self.offset_of(self.cursor_location)
            fragment = fragment_at(text, cursor)
            if fragment is not None:
                self._list_paths(text, fragment)
                return  # the menu shows what it showed until the listing is in
        self._paths_for = None
        self._show(found)

    def offset_of(self, location: tuple[int, int]) -> int:
        """The text offset of a ``(row, column)`` location."""
        row, column = location
        return sum(len(line) + 1 for line in self.text.split("\n")[:row]) + column

    def location_of(self, offset: int) -> tuple[int, int]:
        """The ``(row, column)`` of a text offset."""
        before = self.text[:offset].split("\n")
        return len(before) - 1, len(before[-1])

    def _list_paths(self, text: str, fragment: Fragment) -> None:
        """List the paths that complete ``fragment``, in a thread (a directory may be large
        or on a slow disk); the menu follows if the text is still ``text`` then. One listing
        at a time: a newer key cancels the older (``exclusive``), and the folder's entries
        are kept a few seconds (``core.attachments.paths``), so fast typing reads it once."""

        def work() -> None:
            from claude_tui.core.attachments.paths import path_completions

            try:
                found = path_completions(fragment.value, Path.cwd(), limit=PATH_LIMIT)
            except OSError:
                found = []
            with contextlib.suppress(RuntimeError):  # the app is closing
                self.app.call_from_thread(self._paths_listed, text, fragment, found)

        self.run_worker(
            work, name="paths", group="paths", thread=True, exclusive=True, exit_on_error=False
        )

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
            self.move_cursor(self.location_of(completion.cursor))
        else:
            self.move_cursor(self.document.end)
        self._update_completions()
