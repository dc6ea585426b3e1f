from __future__ import annotations

import random

from claude_tui.core.mdblocks import StreamingBlocks, split_blocks
from claude_tui.localapi.demo_replies import REPLIES

DOC = (
    "# Title\n\nA paragraph\nover two lines.\n\n- one\n- two\n\n  still two\n\n"
    "```python\nx = 1\n\ny = 2\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n---\n\n> quote\n"
    "\n1. first\n2. second\n\n日本語のテキスト 🎉 and emoji.\n"
)


def test_split_is_lossless_and_finds_blocks() -> None:
    blocks = split_blocks(DOC)
    assert "".join(blocks) == DOC
    assert blocks[0] == "# Title\n\n"
    assert any(b.startswith("```python") and "y = 2" in b for b in blocks)
    assert any(b.startswith("| a | b |") for b in blocks)
    assert any(b.startswith("- one") and "still two" in b for b in blocks)  # loose list: one block


def test_streaming_blocks_match_a_whole_parse_whatever_the_chunking() -> None:
    rng = random.Random(7)
    for doc in [DOC, *REPLIES]:
        for _ in range(5):
            blocks = StreamingBlocks()
            i = 0
            while i < len(doc):
                step = rng.randint(1, 12)
                blocks.append(doc[i : i + step])
                i += step
                assert blocks.text == doc[:i]
            blocks.finish()
            assert blocks.frozen == split_blocks(doc)


def test_unclosed_fence_stays_live() -> None:
    blocks = StreamingBlocks()
    blocks.append("Intro\n\n```python\ndef f():\n\n")
    blocks.append("    return 1\n\n# not a heading inside the fence\n")
    assert blocks.frozen == ["Intro\n\n"]
    assert blocks.live.startswith("```python") and "# not a heading" in blocks.live
    blocks.append("```\n\nAfter")
    assert blocks.live.startswith("```python")  # "After" could still become anything
    blocks.append(".\n")
    assert blocks.live == "After.\n"
    assert blocks.frozen[-1].startswith("```python")


class TestDefinitions:
    """Link reference definitions are found by the parse that splits the blocks."""

    DOC = (
        "Use [Choco][choco] and [scoop].\n\n[choco]: https://c.example/first\n\n"
        "A paragraph after it.\n\n[Scoop]:\n  https://s.example 'Title'\n"
        "[CHOCO]: https://c.example/second\n"
    )
    WHOLE = {
        "CHOCO": ("https://c.example/first", ""),
        "SCOOP": ("https://s.example", "Title"),
    }

    def test_a_finished_document_has_the_first_definition_of_each_label(self) -> None:
        assert StreamingBlocks.of(self.DOC).definitions == self.WHOLE

    def test_streamed_they_end_as_the_whole_and_change_only_when_one_arrives(self) -> None:
        blocks = StreamingBlocks()
        seen = [blocks.definitions]
        for char in self.DOC:
            blocks.append(char)
            if blocks.definitions is not seen[-1]:
                seen.append(blocks.definitions)
        assert [dict(d) for d in seen] == [{}, {"CHOCO": self.WHOLE["CHOCO"]}, self.WHOLE]
        blocks.finish()
        assert blocks.definitions == self.WHOLE

    def test_a_definition_is_used_once_its_lines_are_written(self) -> None:
        blocks = StreamingBlocks()
        blocks.append("Text [a].\n\n[a]: https://a.example/pa")
        assert blocks.definitions == {}  # the destination may still grow
        blocks.append("th")
        assert blocks.definitions == {}
        blocks.append("\n")
        assert blocks.definitions == {"A": ("https://a.example/path", "")}
        assert blocks.frozen == []  # still in the live block, which may change them

    def test_an_unfinished_last_line_counts_when_the_stream_ends(self) -> None:
        blocks = StreamingBlocks()
        blocks.append("Text [a].\n\n[a]: https://a.example")
        blocks.finish()
        assert blocks.definitions == {"A": ("https://a.example", "")}

    def test_final_says_what_finish_will_make(self) -> None:
        blocks = StreamingBlocks()
        blocks.append(self.DOC[:60])
        blocks.append(self.DOC[60:])
        expected = blocks.final()
        assert expected[1] == self.WHOLE
        assert blocks.finish() == expected[0]
        assert blocks.frozen == split_blocks(self.DOC)
