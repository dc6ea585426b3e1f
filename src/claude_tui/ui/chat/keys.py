"""The chat screen's keys: each binding, and which of a key's bindings the footer shows.

Two keys have more than one binding, told apart by ``ChatScreen.check_action``: Esc shows
"Stop" only while there is a reply to stop (the other Esc binding, never shown, always takes the
key: menu, /edit, sidebar), and Ctrl+R shows "Continue" on a reply cut at max_tokens (or
paused), "Retry" when there is a prompt to send again, and still says why when there is neither.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

CHAT_BINDINGS: list[BindingType] = [
    # Two bindings for Esc: the first, shown as "Stop", only while there is a reply to stop
    # (``check_action``); the other, never shown, always takes the key (menu, /edit, sidebar).
    Binding("escape", "stop", "Stop", priority=True),
    Binding("escape", "escape", "Close", show=False, priority=True),
    Binding("ctrl+n", "new_conversation", "New", priority=True),
    Binding("ctrl+b", "toggle_sidebar", "Sessions", priority=True),
    Binding("ctrl+f", "search_sessions", "Search", priority=True),
    Binding("ctrl+z", "undo_delete", "Undo delete", show=False, priority=True),
    # Likewise Ctrl+R: "Continue" on a reply cut at max_tokens (or paused), "Retry" when
    # there is a prompt to send again; when there is not, the key still says why.
    Binding(
        "ctrl+r",
        "continue_reply",
        "Continue",
        tooltip="Continue a reply cut at max_tokens, else send the last prompt again",
        priority=True,
    ),
    Binding("ctrl+r", "retry", "Retry", priority=True),
    Binding("ctrl+r", "explain_retry", "Retry", show=False, priority=True),
    Binding("pageup", "scroll_conversation(-1)", "Scroll up", show=False, priority=True),
    Binding("pagedown", "scroll_conversation(1)", "Scroll down", show=False, priority=True),
    Binding("ctrl+end", "follow", "Latest / follow the reply", show=False, priority=True),
    Binding("ctrl+home", "jump_to_start", "First message", show=False, priority=True),
    Binding("ctrl+o", "toggle_thinking", "Show/hide thinking", show=False, priority=True),
    # priority: before the prompt's own copy and the app's ctrl+c (see ``copying``)
    Binding("ctrl+c", "copy", "Copy the selection", show=False, priority=True),
]
