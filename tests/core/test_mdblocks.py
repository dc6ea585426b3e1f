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
