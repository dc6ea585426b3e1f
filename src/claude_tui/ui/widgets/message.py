"""One turn of the conversation on screen: the user's prompt or Claude's reply.

Every text that reaches these widgets passes through ``sanitize`` first: model output is untrusted
and must never reach the terminal as control sequences.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.selection import Selection
from textual.widget import Widget
from textual.widgets import Collapsible, Static

from claude_tui.core.blocks import (
    AttachmentBlock,
    DocumentBlock,
    ImageBlock,
    attachments_of,
    plain_text,
    summaries_of,
)
from claude_tui.core.compaction import estimate_tokens
from claude_tui.core.conversation import Turn, TurnStatus
from claude_tui.core.prompt import Prompt
from claude_tui.core.sanitize import sanitize
from claude_tui.core.stop_reasons import stop_notice
from claude_tui.ui.textual_private import GrowsInPlace
from claude_tui.ui.widgets.attachment_preview import preview_rows
from claude_tui.ui.widgets.attachment_view import Attached, attached, draws_colour
from claude_tui.ui.widgets.markdown.view import MarkdownView
from claude_tui.ui.widgets.selectable_text import SelectableStatic, SelectsText, extract_lines


class UserMessage(SelectsText, Widget):
    """The user's prompt, shown as typed (not as Markdown), under a label; above the words, one
    muted 📎 line per attached file (``attachment_line``), and under an image's line its tiny
    picture where there is one and the terminal draws colour.

    One widget that draws all of it: a long session mounts up to 80 turns, and each widget costs
    about 270 objects that every full garbage collection walks (a label and a body as two
    ``Static``s in a container cost 455). The attachment lines are a few more lines of its text,
    and a picture is parsed once per preview string (``attachment_preview``)."""

    COMPONENT_CLASSES = {"user-message--label", "user-message--attachment"}

    DEFAULT_CSS = """
    UserMessage {
        height: auto;
        margin: 1 0 0 0;
        padding: 0 1;
        border-left: thick $accent;
        background: $boost;
        color: $foreground;
        & > .user-message--label { color: $accent; text-style: bold; }
        & > .user-message--attachment { color: $text-muted; }
        &.queued > .user-message--label { color: $text-muted; }
    }
    """

    def __init__(
        self,
        text: str,
        *,
        attachments: Sequence[AttachmentBlock] = (),
        queued: bool = False,
    ) -> None:
        super().__init__(classes="queued" if queued else "")
        self.text = text
        self._body = Content(sanitize(text))
        self.attachments: tuple[Attached, ...] = tuple(map(attached, attachments))
        self._picture_rows: frozenset[int] = frozenset()
        """Which lines of the text drawn last are a picture's: not text, so never copied."""

    @classmethod
    def for_prompt(cls, prompt: Prompt, *, queued: bool = False) -> UserMessage:
        return cls(prompt.text, attachments=prompt.attachments, queued=queued)

    @staticmethod
    def _label_text(queued: bool) -> str:
        return "You · queued, sends when the reply ends" if queued else "You"

    def render(self) -> Content:
        queued = self.has_class("queued")
        style = self.get_visual_style("user-message--label", partial=True)
        lines = [Content.styled(self._label_text(queued), style)]
        pictures: set[int] = set()
        if self.attachments:
            muted = self.get_visual_style("user-message--attachment", partial=True)
            colour = draws_colour(self.app)
            for item in self.attachments:
                lines.append(Content.styled(item.line, muted))
                rows = preview_rows(item.preview) if colour and item.preview else ()
                pictures.update(range(len(lines), len(lines) + len(rows)))
                lines.extend(rows)
        if self.text or not self.attachments:
            lines.append(self._body)
        self._picture_rows = frozenset(pictures)
        return Content("\n").join(lines)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """What is selected, as drawn, less any picture (its half blocks are not text)."""
        if not self._picture_rows:
            return super().get_selection(selection)
        lines = str(self._render()).split("\n")
        text = extract_lines(selection, lines, skip=self._picture_rows)
        return "\n".join(line.rstrip() for line in text.split("\n")), "\n"

    def click_lines(self) -> list[str]:
        """Every drawn line, pictures too, so a double click finds the line under it."""
        return str(self._render()).split("\n")

    @property
    def body(self) -> Content:
        """The prompt as drawn: sanitized, never a control sequence."""
        return self._body

    def mark_sent(self) -> None:
        self.remove_class("queued")
        self.refresh(layout=True)


class AssistantMessage(GrowsInPlace, Vertical):
    """Claude's reply: rendered as Markdown while it streams, with an inline cursor, and marked
    cancelled or failed when it ends that way. The text on screen is never taken away."""

    DEFAULT_CSS = """
    AssistantMessage {
        height: auto;
        margin: 1 0 0 0;
        padding: 0 1;
        border-left: thick $primary;
        & > .label { color: $primary; text-style: bold; }
        & > .notice { margin-top: 1; }
        & > .notice.cancelled { color: $warning; }
        & > .notice.warning { color: $warning; text-style: bold; }
        & > .notice.error { color: $error; text-style: bold; }
        & > .notice.compacted { color: $text-muted; }
        & > Collapsible { margin: 0 0 1 0; padding: 0; border-top: none; background: transparent; }
        & > Collapsible Static { color: $text-muted; }
    }
    """

    def __init__(
        self,
        text: str = "",
        *,
        thinking: str = "",
        summary: str = "",
        streaming: bool = True,
        notice: str | None = None,
        kind: str = "",
    ) -> None:
        super().__init__()
        self.text = sanitize(text)
        self.thinking_text = sanitize(thinking)
        self._markdown = MarkdownView(self.text, streaming=streaming)
        self._thinking: Collapsible | None = None
        self._thinking_body: Static | None = None
        self._summary = SummaryFold(summary) if summary else None
        self._notice = (notice, kind)
        if self.thinking_text:
            self._make_thinking(collapsed=not streaming)

    def compose(self) -> ComposeResult:
        yield SelectableStatic("Claude", classes="label")
        if self._summary is not None:
            yield self._summary
        if self._thinking is not None:
            yield self._thinking
        yield self._markdown
        notice, kind = self._notice
        if notice:
            yield SelectableStatic(Content(sanitize(notice)), classes=f"notice {kind}")

    @property
    def streaming(self) -> bool:
        return self._markdown.streaming

    @property
    def markdown(self) -> MarkdownView:
        return self._markdown

    def _make_thinking(self, *, collapsed: bool) -> Collapsible:
        self._thinking_body = SelectableStatic(Content(self.thinking_text))
        self._thinking = Collapsible(
            self._thinking_body, title=self._thinking_title(done=collapsed), collapsed=collapsed
        )
        return self._thinking

    def _thinking_title(self, *, done: bool) -> str:
        """ "Thinking… ~120 tokens" while it streams, "Thinking · ~480 tokens" after. The API
        counts thinking and text together, so its own count is estimated from its length."""
        tokens = f"~{max(1, round(len(self.thinking_text) / 4)):,} tokens"
        return f"Thinking · {tokens}" if done else f"Thinking… {tokens}"

    def toggle_thinking(self) -> bool:
        """Expand or collapse the thinking block and the summary of the earlier conversation
        (together, the first one's way); False if this reply has neither."""
        folds = [fold for fold in (self._summary, self._thinking) if fold is not None]
        if not folds:
            return False
        collapsed = not folds[0].collapsed
        for fold in folds:
            fold.collapsed = collapsed
        return True

    @property
    def has_thinking(self) -> bool:
        return self._thinking is not None

    @property
    def summary_fold(self) -> SummaryFold | None:
        """The folded summary of the earlier conversation, if this reply compacted it."""
        return self._summary

    def show_summary(self, summary: str) -> None:
        """Show (or bring up to date) the summary a compaction block brought: folded, above
        the thinking and the text."""
        if not summary or not self.is_attached:
            return
        if self._summary is None:
            self._summary = SummaryFold(summary)
            self.mount(self._summary, after=0)  # under the label
        else:
            self._summary.update(summary)

    def append_text(self, fragment: str) -> None:
        """Add streamed text; only the tail block is parsed and rendered again. The thinking
        block folds away when the reply itself starts (a key opens it again)."""
        clean = sanitize(fragment)
        if not self.text and clean and self._thinking is not None:
            self._thinking.title = self._thinking_title(done=True)
            self._thinking.collapsed = True
        self.text += clean
        self._markdown.append(clean)

    def append_thinking(self, fragment: str) -> None:
        clean = sanitize(fragment)
        self.thinking_text += clean
        if self._thinking is None:
            self.mount(self._make_thinking(collapsed=False), before=self._markdown)
        assert self._thinking_body is not None and self._thinking is not None
        self._thinking_body.update(Content(self.thinking_text))
        self._thinking.title = self._thinking_title(done=bool(self.text))

    def finish(
        self, text: str, *, thinking: str = "", notice: str | None = None, kind: str = ""
    ) -> None:
        """End the stream: the cursor goes, and the turn says how it ended if not well.

        ``text`` is the runner's whole text; it must equal what was streamed, and anything the
        batches somehow missed is added rather than lost."""
        if not self.is_attached:
            return  # the conversation was cleared or the app is closing
        clean_thinking = sanitize(thinking)
        if clean_thinking.startswith(self.thinking_text) and clean_thinking != self.thinking_text:
            self.append_thinking(clean_thinking[len(self.thinking_text) :])
        clean = sanitize(text)
        if clean != self.text and clean.startswith(self.text):
            self.append_text(clean[len(self.text) :])
        self._markdown.finish()
        done = self._thinking_title(done=True)
        if self._thinking is not None and self._thinking.title != done:
            self._thinking.title = done
            self._thinking.collapsed = True
        if notice:
            self.mount(SelectableStatic(Content(sanitize(notice)), classes=f"notice {kind}"))


class SummaryFold(Collapsible):
    """A compaction block: the summary of the earlier conversation, folded like thinking
    ("Earlier conversation summarised · ~N tokens"); a click or Ctrl+O opens it. The summary is
    the model's text, so it is sanitized like every other."""

    def __init__(self, summary: str) -> None:
        self.summary = sanitize(summary)
        self._summary_body = SelectableStatic(Content(self.summary))
        super().__init__(self._summary_body, title=self.title_for(summary), collapsed=True)
        self.add_class("summary")

    @staticmethod
    def title_for(summary: str) -> str:
        """The API does not count the summary on its own, so it is estimated from the raw
        ``summary`` the way ``/compact`` says it (``core.compaction.estimate_tokens``): the
        fold and the notice give the same figure."""
        return f"Earlier conversation summarised · ~{estimate_tokens(summary):,} tokens"

    def update(self, summary: str) -> None:
        clean = sanitize(summary)
        title = self.title_for(summary)
        if clean == self.summary and title == self.title:
            return
        self.summary = clean
        self._summary_body.update(Content(clean))
        self.title = title


COMPACTED = "Compacted: the next prompt goes on from this summary · Ctrl+O shows it"
"""Under a reply that is a compaction alone (``/compact``'s pause)."""


def turn_notice(turn: Turn) -> tuple[str | None, str]:
    """What to say under a reply that did not end well, and the style class for it."""
    if turn.status is TurnStatus.CANCELLED:
        if turn.text:
            return "■ Cancelled · the partial reply is kept", "cancelled"
        return "■ Cancelled before any text arrived · the prompt stays in the history", "cancelled"
    if turn.status is TurnStatus.ERROR:
        return f"⚠ {turn.error or 'The reply failed.'}  ·  Ctrl+R retries", "error"
    if turn.status is TurnStatus.INCOMPLETE:
        return "⚠ Incomplete: the app closed while this reply was streaming", "error"
    if turn.stop_reason == "compaction" and summaries_of(turn.blocks) and not turn.text:
        # The pause /compact asks for: the summary is the whole reply, and nothing was cut.
        return COMPACTED, "compacted"
    output = turn.metrics.output_tokens if turn.metrics is not None else None
    stopped = stop_notice(turn.stop_reason, output_tokens=output)
    if stopped is not None:  # a reply that ended, but not as a finished answer
        return stopped.text, "warning"
    return None, ""


def widget_for_turn(turn: Turn) -> UserMessage | AssistantMessage:
    """A widget showing ``turn`` as it stands now (streaming or ended)."""
    if turn.role == "user":
        attachments = attachments_of(turn.blocks)
        if not attachments:
            return UserMessage(plain_text(turn.blocks))
        rest = [b for b in turn.blocks if not isinstance(b, ImageBlock | DocumentBlock)]
        return UserMessage(plain_text(rest), attachments=attachments)
    streaming = turn.status is TurnStatus.STREAMING
    notice, kind = (None, "") if streaming else turn_notice(turn)
    return AssistantMessage(
        plain_text(turn.blocks),
        thinking=turn.thinking,
        summary=summaries_of(turn.blocks),
        streaming=streaming,
        notice=notice,
        kind=kind,
    )


def markdown_views(widgets: Iterable[Widget]) -> list[MarkdownView]:
    """The Markdown views of the replies among ``widgets``."""
    return [w.markdown for w in widgets if isinstance(w, AssistantMessage)]
