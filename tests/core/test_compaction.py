"""``/compact``'s pure parts, and a compaction reply through the runner from the raw stream."""

from __future__ import annotations

from dataclasses import replace

from claude_tui.core.blocks import (
    CompactionBlock,
    TextBlock,
    ThinkingBlock,
    plain_text,
    summaries_of,
)
from claude_tui.core.capabilities import builtin_capabilities
from claude_tui.core.client import ApiSettings
from claude_tui.core.compaction import (
    COMPACT_PROMPT,
    SUMMARY_PROMPT,
    Way,
    branch_text,
    choose_way,
    compaction_edit,
    outcome_text,
    prompt_text,
    size_after,
    why_summary,
    with_compaction,
)
from claude_tui.core.config import Settings
from claude_tui.core.events import Finished
from claude_tui.core.metrics import StreamMetrics
from claude_tui.core.request import stream_request
from claude_tui.core.runner import StreamRequest, StreamRunner
from claude_tui.core.store.transcript import message_lines
from claude_tui.localapi.server import LocalAPIServer

from .runner_events import Recorder

SONNET = builtin_capabilities("claude-sonnet-5-5")
OLD = builtin_capabilities("claude-3-haiku-20240307")
AUTO = {"type": "compact_20260112", "trigger": {"type": "input_tokens", "value": 800_000}}


def test_the_server_way_needs_compaction_and_the_minimum() -> None:
    assert SONNET.compaction and not OLD.compaction
    assert choose_way(SONNET, 50_000) is Way.SERVER
    assert choose_way(SONNET, 49_999) is Way.SUMMARY
    assert choose_way(SONNET, None) is Way.SUMMARY
    assert choose_way(OLD, 900_000) is Way.SUMMARY


def test_why_a_summary_is_said_plainly() -> None:
    assert why_summary(OLD, "claude-3-haiku-20240307", 60_000) == (
        "claude-3-haiku-20240307 has no server-side compaction"
    )
    assert why_summary(SONNET, "claude-sonnet-5-5", 1_234) == (
        "the context, ~1,234 tokens, is under the API's 50,000-token minimum for server-side "
        "compaction"
    )


def test_the_context_size_is_the_last_requests_whole_input_and_output() -> None:
    assert size_after(None) is None
    assert size_after(StreamMetrics(model="m", started_at=0.0)) is None
    metrics = StreamMetrics(
        model="m",
        started_at=0.0,
        input_tokens=100,
        output_tokens=50,
        cache_read_tokens=40_000,
        cache_creation_tokens=10_000,
    )
    assert size_after(metrics) == 50_150


def test_the_prompts_say_the_instructions() -> None:
    assert prompt_text(Way.SERVER, "  ") == COMPACT_PROMPT
    assert prompt_text(Way.SUMMARY, "keep the code") == (
        f"{SUMMARY_PROMPT}\n\nInstructions: keep the code"
    )
    assert branch_text(" The summary. \n").endswith(":\n\nThe summary.")


def test_the_edit_compacts_now_and_pauses() -> None:
    assert compaction_edit("keep names") == {
        "type": "compact_20260112",
        "trigger": {"type": "input_tokens", "value": 50_000},
        "pause_after_compaction": True,
        "instructions": "keep names",
    }
    assert "instructions" not in compaction_edit("")


def test_with_compaction_replaces_auto_compacts_edit_and_adds_the_beta_once() -> None:
    settings = Settings(model="claude-sonnet-5-5", auto_compact=True)
    auto = stream_request(settings, [], SONNET)
    assert auto.context_management == {"edits": [AUTO]}
    assert auto.betas == ("compact-2026-01-12",)
    compacting = with_compaction(auto, "")
    assert compacting.context_management == {"edits": [compaction_edit("")]}
    assert compacting.betas == ("compact-2026-01-12",)
    plain = stream_request(replace(settings, auto_compact=False), [], SONNET)
    assert plain.betas == () and plain.context_management is None
    assert with_compaction(plain, "x").betas == ("compact-2026-01-12",)
    assert with_compaction(plain, "x").sdk_kwargs()["context_management"] == {
        "edits": [compaction_edit("x")]
    }


def test_the_outcome_names_the_way_and_the_sizes() -> None:
    server = outcome_text(Way.SERVER, 55_839, 97)
    assert server.startswith("Compacted on the server (compact_20260112): context ~55,839 → ~97")
    assert "Every earlier turn is kept in the session and in its exports." in server
    summary = outcome_text(Way.SUMMARY, None, 300, "no compaction here")
    assert summary.startswith(
        "Summarised by the model (no compaction here): a new branch starts from the summary, "
        "context ~300 tokens."
    )


def test_a_summary_is_shown_folded_not_as_a_line() -> None:
    block = CompactionBlock({"type": "compaction", "content": "Earlier: cats.", "x": 1})
    blocks = [block, TextBlock("Hello.")]
    assert plain_text(blocks) == "Hello."
    assert summaries_of(blocks) == "Earlier: cats."
    assert summaries_of([CompactionBlock({"type": "compaction", "content": None})]) == ""
    assert "\n".join(message_lines(blocks)) == (
        "<details><summary>Earlier conversation summarised</summary>\n\nEarlier: cats.\n\n"
        "</details>\n\nHello."
    )


def test_the_runner_reads_a_compaction_from_the_raw_stream(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    """The block starts with nulls and one delta overwrites both fields; the reply pauses."""
    big = "word " * 44_000
    request = StreamRequest(
        messages=[{"role": "user", "content": [{"type": "text", "text": big}]}],
        model="claude-sonnet-5-5",
    )
    final = StreamRunner(with_compaction(request, "keep it short"), Recorder(), api=api).run()
    assert isinstance(final, Finished)
    assert final.metrics.stop_reason == "compaction"
    [block] = final.blocks
    assert isinstance(block, CompactionBlock) and not block.partial
    assert block.summary.endswith("Summarised as instructed: keep it short")
    assert block.raw["encrypted_content"]
    sent = server.message_requests[-1]
    assert sent["headers"]["anthropic-beta"] == "compact-2026-01-12"
    assert sent["body"]["context_management"] == {"edits": [compaction_edit("keep it short")]}


def test_a_summary_or_thinking_cannot_close_its_fold_in_the_export() -> None:
    """Both are the model's words: a ``</details>`` in them must not end the fold early and
    spill the rest into the transcript."""
    hostile = "Before.</details>\n\n# Injected heading\n</SUMMARY>after"
    blocks = [CompactionBlock({"type": "compaction", "content": hostile}), TextBlock("Hi.")]
    text = "\n".join(message_lines(blocks))
    assert text.count("</details>") == 1 and text.count("</summary>") == 1
    assert "Before.&lt;/details>" in text and "&lt;/SUMMARY>after" in text
    thinking = "\n".join(message_lines([ThinkingBlock("a</details>b", "sig"), TextBlock("x")]))
    assert thinking.count("</details>") == 1 and "a&lt;/details>b" in thinking
