"""Typing that lands where nothing takes it goes to the prompt, so no keystroke is lost.

A click in the conversation focuses the conversation (it scrolls with the keys), and the user
then types the next message without clicking the input first. Letters reaching the conversation,
the status or the metrics line, or a screen with nothing focused, would do nothing there: the
prompt takes the focus and the key, which it types at its cursor. A paste goes the same way.

Keys some binding wants are left alone (PgUp and the arrows still scroll the conversation),
and so is the sidebar: its letters are its keys (r renames, d deletes) and its search box types.
"""

from __future__ import annotations

from collections.abc import Container

from textual import events
from textual.widget import Widget

from claude_tui.ui.widgets.prompt import PromptInput


def takes_no_typing(focused: Widget | None, reading: tuple[Widget, ...]) -> bool:
    """True when ``focused`` (``None``: nothing) is, or is inside, one of the ``reading``
    widgets, places that show text but type none."""
    if focused is None:
        return True
    return any(focused is widget or widget in focused.ancestors for widget in reading)


def redirect_key(
    event: events.Key,
    focused: Widget | None,
    reading: tuple[Widget, ...],
    prompt: PromptInput,
    bound: Container[str],
) -> bool:
    """Hand a printable key that ``focused`` does not use, and no binding in ``bound`` wants,
    to ``prompt``; True if it was.

    The key is posted to the prompt, not inserted here: the prompt types it as its own (at the
    cursor, over a selection, opening the command menu on "/"). Keys typed after it reach the
    prompt directly, behind it in the same queue, so their order is kept."""
    if not event.is_printable or event.key in bound:
        return False
    if not takes_no_typing(focused, reading):
        return False
    if prompt.read_only or not prompt.display:
        return False
    prompt.focus()
    prompt.post_message(events.Key(event.key, event.character))
    event.stop()
    event.prevent_default()
    return True


def redirect_paste(
    event: events.Paste, focused: Widget | None, reading: tuple[Widget, ...], prompt: PromptInput
) -> bool:
    """A paste where nothing takes it goes into ``prompt``, at its cursor; True if it did."""
    if not takes_no_typing(focused, reading) or prompt.read_only:
        return False
    prompt.focus()
    prompt.post_message(events.Paste(event.text))
    event.stop()
    event.prevent_default()
    return True
