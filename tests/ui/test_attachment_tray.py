"""The chips tray: a count when some chips are out of view, the newest kept in view after a
resize, and a scaled image saying what it was scaled from."""

from __future__ import annotations

from claude_tui.core.attachments.info import AttachmentInfo
from claude_tui.core.blocks import DocumentBlock, ImageBlock
from claude_tui.core.client import ApiSettings
from claude_tui.localapi.server import LocalAPIServer
from claude_tui.ui.chat.attachment_chip import Chip, size_words
from claude_tui.ui.widgets.attachment_tray import MAX_LINES, AttachmentTray, pack

from .helpers import make_app, wait_until


def test_a_count_leads_when_chips_are_out_of_view() -> None:
    few = [f"file{index}.py · text · 1 KB" for index in range(3)]
    assert [index for line in pack(few, 100) for index, _ in line] == [0, 1, 2]
    many = [f"file{index:02}.py · text · 1 KB" for index in range(19)]
    lines = pack(many, 60)
    assert len(lines) > MAX_LINES
    assert lines[-1][-1] == (-1, "19 files")
    assert [index for line in lines for index, _ in line][:-1] == list(range(19))


def test_a_scaled_image_says_its_original_size() -> None:
    scaled = AttachmentInfo(
        "photo.jpg", "image", "image/jpeg", 300_000, "a", 1568, 1045,
        original_width=3000, original_height=2000,
    )  # fmt: skip
    assert size_words(scaled) == ["1568×1045 (from 3000×2000)", "300 KB"]
    block = ImageBlock({"type": "image", "source": {}}, info=scaled)
    chip = Chip(1, "photo.jpg", None, block=block)
    assert chip.view().label == "photo.jpg · JPEG image · 1568×1045 (from 3000×2000) · 300 KB"
    kept = AttachmentInfo("s.png", "image", "image/png", 1000, "b", 40, 30)
    assert size_words(kept) == ["40×30", "1.0 KB"]


async def test_the_newest_chip_stays_in_view_after_a_resize(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    info = [AttachmentInfo(f"n{i:02}.py", "text", "text/plain", 10, f"{i}") for i in range(19)]
    blocks = [DocumentBlock({"type": "document", "source": {}}, info=each) for each in info]
    app = make_app(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: app.chat.ready)
        app.chat.attachments.restore(blocks)
        tray = app.query_one(AttachmentTray)
        await wait_until(
            pilot, lambda: tray.max_scroll_y > 0 and tray.scroll_y == tray.max_scroll_y
        )
        await pilot.resize_terminal(50, 30)
        await wait_until(pilot, lambda: tray.rows.size.width < 50)
        await wait_until(pilot, lambda: tray.scroll_y == tray.max_scroll_y > 0)
        assert "19 files" in str(tray.rows.render())
