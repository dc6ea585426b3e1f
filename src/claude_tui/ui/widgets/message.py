"""One turn of the conversation on screen: the user's prompt or Claude's reply.

Every text that reaches these widgets passes through ``sanitize`` first: model output is untrusted
and must never reach the terminal as control sequences.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Collapsible, Static

from claude_tui.core.blocks import (
    Block,
    DocumentBlock,
    ImageBlock,
    attachments_of,
    plain_text,
    summaries_of,
)
from claude_tui.core.conversation import Turn, TurnStatus
from claude_tui.core.reply_parts import ReplyParts, has_web_calls, reply_parts
from claude_tui.core.sanitize import sanitize
from claude_tui.core.stop_reasons import stop_notice
from claude_tui.ui.textual_private import GrowsInPlace
from claude_tui.ui.widgets.markdown.view import MarkdownView
from claude_tui.ui.widgets.reply_layout import WebParts
from claude_tui.ui.widgets.selectable_text import SelectableStatic
from claude_tui.ui.widgets.summary_fold import SummaryFold
from claude_tui.ui.widgets.user_message import UserMessage, turn_frame
from claude_tui.ui.widgets.web_card import WebCard

__all__ = ["AssistantMessage", "SummaryFold", "UserMessage", "turn_notice", "widget_for_turn"]


class AssistantMessage(GrowsInPlace, Vertical):
    """Claude's reply: rendered as Markdown while it streams, with an inline cursor, and marked
    cancelled or failed when it ends that way. The text on screen is never taken away.

    A reply that searched or fetched shows its parts instead of the one view: views and web
    cards in order, then its sources (``reply_layout.WebParts``; :meth:`show_parts`)."""

    DEFAULT_CSS = (
        """
    AssistantMessage {"""
        + turn_frame("$primary")
        + """
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
    )

    def __init__(
        self,
        text: str = "",
        *,
        thinking: str = "",
        summary: str = "",
        streaming: bool = True,
        notice: str | None = None,
        kind: str = "",
        parts: ReplyParts | None = None,
    ) -> None:
        """``parts``: the reply's web layout (it searched or fetched), shown instead of
        ``text``."""
        super().__init__()
        self.text = sanitize(text)
        self.thinking_text = sanitize(thinking)
        self._streaming = streaming
        self._label = SelectableStatic("Claude", classes="label")
        self._web = None if parts is None else WebParts.build(parts, ended=not streaming)
        views = self._web.views if self._web is not None else []
        self._markdown = views[0] if views else MarkdownView(self.text, streaming=streaming)
        self._thinking: Collapsible | None = None
        self._thinking_body: Static | None = None
        self._summary = SummaryFold(summary) if summary else None
        self._notice = (notice, kind)
        if self.thinking_text:
            self._make_thinking(collapsed=not streaming or parts is not None)

    def compose(self) -> ComposeResult:
        yield self._label
        if self._summary is not None:
            yield self._summary
        if self._thinking is not None:
            yield self._thinking
        if self._web is not None:
            yield from self._web.all()
        else:
            yield self._markdown
        notice, kind = self._notice
        if notice:
            yield SelectableStatic(Content(sanitize(notice)), classes=f"notice {kind}")

    @property
    def streaming(self) -> bool:
        return self._streaming

    @property
    def markdown(self) -> MarkdownView:
        """The reply's (first) Markdown view."""
        return self._markdown

    @property
    def views(self) -> list[MarkdownView]:
        """Every Markdown view of the reply: one, or one per run of text between web cards."""
        return self._web.views if self._web is not None else [self._markdown]

    @property
    def web(self) -> WebParts | None:
        """The reply's parts, if it searched or fetched."""
        return self._web

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

    def _fold_thinking(self) -> None:
        """The reply itself has begun: the thinking folds away (a key opens it again)."""
        done = self._thinking_title(done=True)
        if self._thinking is not None and self._thinking.title != done:
            self._thinking.title = done
            self._thinking.collapsed = True

    def toggle_thinking(self) -> bool:
        """Expand or collapse the thinking block, the summary of the earlier conversation and
        the web cards (together, the first one's way); False if this reply has none."""
        folds: list[Collapsible | WebCard] = [
            fold for fold in (self._summary, self._thinking) if fold is not None
        ]
        if self._web is not None:
            folds.extend(self._web.cards)
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
            self.mount(self._summary, after=self._label)
        else:
            self._summary.update(summary)

    def append_text(self, fragment: str) -> None:
        """Add streamed text; only the tail block is parsed and rendered again. The thinking
        block folds away when the reply itself starts (a key opens it again)."""
        clean = sanitize(fragment)
        if not self.text and clean:
            self._fold_thinking()
        self.text += clean
        self._markdown.append(clean)

    def append_thinking(self, fragment: str) -> None:
        clean = sanitize(fragment)
        self.thinking_text += clean
        if self._thinking is None:
            above = self._summary if self._summary is not None else self._label
            self.mount(self._make_thinking(collapsed=False), after=above)
        assert self._thinking_body is not None and self._thinking is not None
        self._thinking_body.update(Content(self.thinking_text))
        self._thinking.title = self._thinking_title(done=bool(self.text) or self._web is not None)

    def show_web(self, blocks: Sequence[Block], *, ended: bool) -> bool:
        """Draw the reply from ``blocks`` as parts if it searched or fetched (from its first
        call on: :meth:`show_parts`); False for any other reply, whose text is appended as it
        comes instead."""
        if self._web is None and not has_web_calls(blocks):
            return False
        self.show_parts(reply_parts(blocks, ended=ended), ended=ended)
        return True

    def show_parts(self, laid_out: ReplyParts, *, ended: bool) -> None:
        """Show the reply as ``laid_out`` (it searched or fetched): the first time, its one view
        becomes the first text part's (or goes, if the reply began with a call)."""
        if not self.is_attached:
            return
        if self._web is None:
            self._web = WebParts()
            if self.text:
                self._web.adopt(self._markdown, self.text)
            else:
                self._markdown.remove()
            self._fold_thinking()
        above = self._thinking or self._summary or self._label
        self._web.sync(
            laid_out, ended=ended, mount=lambda w, at: self.mount(w, after=at), anchor=above
        )
        if self._web.views:
            self._markdown = self._web.views[0]

    def finish(
        self, text: str, *, thinking: str = "", notice: str | None = None, kind: str = ""
    ) -> None:
        """End the stream: the cursor goes, and the turn says how it ended if not well.

        ``text`` is the runner's whole text; it must equal what was streamed, and anything the
        batches somehow missed is added rather than lost. A reply shown as parts has had its
        end shown already, its views finished (:meth:`show_web`), and ``text`` is not used."""
        if not self.is_attached:
            return  # the conversation was cleared or the app is closing
        self._streaming = False
        clean_thinking = sanitize(thinking)
        if clean_thinking.startswith(self.thinking_text) and clean_thinking != self.thinking_text:
            self.append_thinking(clean_thinking[len(self.thinking_text) :])
        if self._web is None:
            clean = sanitize(text)
            if clean != self.text and clean.startswith(self.text):
                self.append_text(clean[len(self.text) :])
            self._markdown.finish()
        self._fold_thinking()
        if notice:
            self.mount(SelectableStatic(Content(sanitize(notice)), classes=f"notice {kind}"))


COMPACTED = "Compacted: the next prompt goes on from this summary · Ctrl+O shows it"
"""Under a reply that is a compaction alone (``/compact``'s pause)."""


def turn_notice(turn: Turn) -> tuple[str | None, str]:
    """What to say under a reply that did not end well, and the style class for it."""
    if turn.status is TurnStatus.CANCELLED:
        if turn.text:
            return "■ Cancelled · the partial reply is kept", "cancelled"
        if has_web_calls(turn.blocks):  # under a card that shows the query: not "before"
            return "■ Cancelled during the search · the prompt stays in the history", "cancelled"
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
    web = has_web_calls(turn.blocks)
    return AssistantMessage(
        "" if web else plain_text(turn.blocks),
        thinking=turn.thinking,
        summary=summaries_of(turn.blocks),
        streaming=streaming,
        notice=notice,
        kind=kind,
        parts=reply_parts(turn.blocks, ended=not streaming) if web else None,
    )


def markdown_views(widgets: Iterable[Widget]) -> list[MarkdownView]:
    """The Markdown views of the replies among ``widgets``."""
    return [view for w in widgets if isinstance(w, AssistantMessage) for view in w.views]
