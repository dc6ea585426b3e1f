"""Attaching files from the input: /attach, @path, a pasted path; the chips; the checks at send.

Each way of attaching ends in a request whose body carries the right blocks. The files are
tiny and made here (Pillow for the image, pypdf for the PDF).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot

from claude_tui.core.client import ApiSettings
from claude_tui.localapi.server import LocalAPIServer, Scenario
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.widgets.attachment_tray import AttachmentTray, ChipRows
from claude_tui.ui.widgets.completion import CommandCompletions
from claude_tui.ui.widgets.prompt import PromptInput

from .helpers import last_body, make_app, notices, replies_ended, send, wait_until


def make_files(folder: Path) -> dict[str, Path]:
    """A PNG, a two-page PDF and two source files in ``folder``."""
    from PIL import Image
    from pypdf import PdfWriter

    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / "shot.png"
    Image.new("RGB", (40, 30), (200, 30, 30)).save(shot)
    report = folder / "my report.pdf"
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_blank_page(200, 200)
    with report.open("wb") as out:
        writer.write(out)
    util = folder / "util.py"
    util.write_text("def twice(x):\n    return 2 * x\n")
    return {"shot": shot, "report": report, "util": util}


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """The files, in the current directory; ``~/notes.py`` in a home of the test's own."""
    work = tmp_path / "work"
    found = make_files(work)
    home = tmp_path / "home"
    home.mkdir()
    notes = home / "notes.py"
    notes.write_text("print('notes')\n")
    found["notes"] = notes
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    return found


def shown(app: ClaudeTUI) -> list[str]:
    """The labels the completion menu shows, or nothing while it is hidden."""
    menu = app.chat.query_one(CommandCompletions)
    return [c.label for c in menu.completions] if menu.display else []


def labels(app: ClaudeTUI) -> list[str]:
    return [chip.label for chip in app.query_one(AttachmentTray).chips]


def ready_chips(app: ClaudeTUI, count: int) -> Any:
    return lambda: len(app.chat.attachments.blocks()) == count and not app.chat.attachments.reading


def user_content(server: LocalAPIServer) -> list[dict[str, Any]]:
    content: list[dict[str, Any]] = last_body(server)["messages"][-1]["content"]
    return content


def shape(block: dict[str, Any]) -> tuple[str, str]:
    """``("image", "image/png")``, ``("document", "my report.pdf")``, ``("text", words)``."""
    if block["type"] == "image":
        return "image", block["source"]["media_type"]
    if block["type"] == "document":
        return "document", block["title"]
    return block["type"], block.get("text", "")


async def type_text(pilot: Pilot[None], prompt: PromptInput, text: str) -> None:
    prompt.focus()
    prompt.insert(text)
    await pilot.pause()


async def test_each_way_of_attaching_sends_the_blocks(
    server: LocalAPIServer, api: ApiSettings, files: dict[str, Path]
) -> None:
    app = make_app(api)
    async with app.run_test(size=(100, 30)) as pilot:
        prompt = app.query_one(PromptInput)
        # /attach: quotes, ~, several files; then Tab completes a path
        await send(pilot, '/attach "my report.pdf" ~/notes.py')
        await wait_until(pilot, ready_chips(app, 2))
        await type_text(pilot, prompt, "/attach sh")
        await wait_until(pilot, lambda: shown(app) == ["shot.png"])
        await pilot.press("tab")
        assert prompt.text == "/attach shot.png"
        await pilot.press("enter")
        await wait_until(pilot, ready_chips(app, 3))
        assert labels(app)[0].startswith("my report.pdf · PDF · ")
        assert labels(app)[1] == "notes.py · text · 15 B"
        assert labels(app)[2].startswith("shot.png · PNG image · 40×30 · ")
        await send(pilot, "what are these?")
        await wait_until(pilot, replies_ended(app, 1))
        assert [shape(b) for b in user_content(server)] == [
            ("document", "my report.pdf"),
            ("document", "notes.py"),
            ("image", "image/png"),
            ("text", "what are these?"),
        ]
        assert labels(app) == [] and not app.query_one(AttachmentTray).display
        # @path: completed from the current directory, attached on send, the words kept
        await type_text(pilot, prompt, "compare @sho")
        await wait_until(pilot, lambda: shown(app) == ["@shot.png"])
        await pilot.press("tab")
        await type_text(pilot, prompt, " with @util.py")
        await pilot.press("enter")
        await wait_until(pilot, replies_ended(app, 2))
        assert [shape(b) for b in user_content(server)] == [
            ("image", "image/png"),
            ("document", "util.py"),
            ("text", "compare @shot.png with @util.py"),
        ]
        # a pasted path (quoted, as a terminal drops a file) becomes a chip...
        pasted = f"'{files['report']}' {str(files['util']).replace(' ', chr(92) + ' ')}"
        prompt.post_message(events.Paste(pasted))
        await wait_until(pilot, ready_chips(app, 2))
        assert prompt.text == ""
        # ...and Backspace at the start turns it back into the text
        await pilot.press("backspace")
        await wait_until(pilot, lambda: prompt.text == pasted)
        assert labels(app) == []
        prompt.clear()
        prompt.post_message(events.Paste(f'"{files["report"]}"'))
        await wait_until(pilot, ready_chips(app, 1))
        await send(pilot, "summarise it")
        await wait_until(pilot, replies_ended(app, 3))
        assert [shape(b) for b in user_content(server)] == [
            ("document", "my report.pdf"),
            ("text", "summarise it"),
        ]
        # files alone, no words: Enter sends them (and an empty input without files does not)
        await pilot.press("enter")
        await pilot.pause()
        assert len(server.message_requests) == 3
        prompt.post_message(events.Paste(f"'{files['shot']}'"))
        await wait_until(pilot, ready_chips(app, 1))
        await pilot.press("enter")
        await wait_until(pilot, replies_ended(app, 4))
        assert [shape(b) for b in user_content(server)] == [("image", "image/png")]
        assert prompt.sent_prompts[-1] == "summarise it"  # nothing blank in the history


async def test_chips_are_removed_kept_and_refused(
    server: LocalAPIServer, api: ApiSettings, files: dict[str, Path]
) -> None:
    app = make_app(api, model="claude-3-haiku-20240307")  # no PDF input
    async with app.run_test(size=(60, 24)) as pilot:
        prompt = app.query_one(PromptInput)
        await type_text(pilot, prompt, "keep me")
        attachments = app.chat.attachments
        bad = [Path("missing.png"), Path.cwd(), Path("gone.pdf")]  # the middle one: a folder
        attachments.add([files["shot"], bad[0], files["report"], bad[1], files["util"], bad[2]])
        await wait_until(pilot, ready_chips(app, 3))
        # one notice for the /attach, a line per file that failed, none left unseen
        assert len(notices(app)) == 1
        lines = notices(app)[0].split("\n")
        assert [line.split()[0] for line in lines] == ["missing.png", "work", "gone.pdf"]
        assert "work is a folder" in lines[1]
        assert prompt.text == "keep me"
        assert [c.name for c in attachments.chips] == ["shot.png", "my report.pdf", "util.py"]
        # once is enough: the same path, or the same content by another path
        attachments.add([files["shot"], Path.cwd() / ".." / "work" / "util.py"])
        await wait_until(pilot, lambda: len(notices(app)) == 2)
        assert notices(app)[1] == "shot.png is already attached\nutil.py is already attached"
        assert len(attachments.chips) == 3
        # the ✕ of util.py
        rows = app.query_one(ChipRows)
        x, y = next(
            (first, line) for line, first, _, key in rows._closes if key == attachments.chips[2].key
        )
        await pilot.click(ChipRows, offset=(x, y))
        assert [c.name for c in attachments.chips] == ["shot.png", "my report.pdf"]
        # refused: the model reads no PDFs; nothing is sent, the prompt and the chips stay
        await pilot.press("enter")
        await pilot.pause()
        assert server.message_requests == []
        assert "PDF" in notices(app)[-1]
        assert prompt.text == "keep me" and len(attachments.chips) == 2
        # Backspace at the start removes a chip that was not pasted, and says so
        prompt.move_cursor((0, 0))
        await pilot.press("backspace")
        assert [c.name for c in attachments.chips] == ["shot.png"]
        assert notices(app)[-1] == "Removed my report.pdf."
        assert prompt.text == "keep me"
        prompt.clear()
        await send(pilot, "/detach")
        assert attachments.chips == () and not app.query_one(AttachmentTray).display


async def test_a_queued_prompt_keeps_its_attachments(
    server: LocalAPIServer, api: ApiSettings, files: dict[str, Path]
) -> None:
    server.push(Scenario(text="alpha beta gamma", stall_after=1))
    app = make_app(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "first")
        await wait_until(pilot, lambda: app.chat.current.reply is not None)
        app.chat.attachments.add([files["shot"]])
        await wait_until(pilot, ready_chips(app, 1))
        await send(pilot, "second")
        assert labels(app) == []
        assert [len(p.attachments) for p in app.chat.current.queue] == [1]
        await pilot.press("escape")  # the reply stops; the queued prompt comes back, chip too
        await wait_until(pilot, lambda: app.chat.current.reply is None)
        await pilot.pause()
        assert app.query_one(PromptInput).text == "second"
        assert [c.name for c in app.chat.attachments.chips] == ["shot.png"]
        assert len(server.message_requests) == 1


class TestChips:
    """The tray above the prompt: three chips (a PNG, a PDF, a .py file) and one still being
    read, at 100 and at 60 columns (where they wrap)."""

    @staticmethod
    def chips_app(api: ApiSettings, monkeypatch: pytest.MonkeyPatch) -> ClaudeTUI:
        from claude_tui.core.attachments.info import AttachmentInfo
        from claude_tui.core.blocks import DocumentBlock, ImageBlock
        from claude_tui.ui.chat.attachments import Attachments

        monkeypatch.setattr(Attachments, "_read", lambda self, chip: None)  # reading forever
        source = {"type": "base64", "media_type": "image/png", "data": ""}
        blocks = [
            ImageBlock(
                {"type": "image", "source": source},
                info=AttachmentInfo(
                    "screenshot.png", "image", "image/png", 184_000, "a", 1280, 800
                ),
            ),
            DocumentBlock(
                {"type": "document", "source": source, "title": "report.pdf"},
                info=AttachmentInfo(
                    "report.pdf", "pdf", "application/pdf", 1_200_000, "b", pages=12
                ),
            ),
            DocumentBlock(
                {"type": "document", "source": source, "title": "notes.py"},
                info=AttachmentInfo("notes.py", "text", "text/plain", 2_300, "c"),
            ),
        ]
        app = make_app(api)

        async def fill() -> None:
            app.chat.attachments.restore(blocks)
            app.chat.attachments.add([Path("scan-2026-12-07.pdf")])

        app.call_after_refresh(fill)  # type: ignore[arg-type]
        return app

    @staticmethod
    async def settle(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, ClaudeTUI)
        await wait_until(pilot, lambda: len(labels(app)) == 4)
        app.query_one(PromptInput).cursor_blink = False
        await type_text(pilot, app.query_one(PromptInput), "What do these say?")

    def test_three_chips_and_one_reading(
        self, snap_compare: Any, api: ApiSettings, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        app = self.chips_app(api, monkeypatch)
        assert snap_compare(app, terminal_size=(100, 24), run_before=self.settle)

    def test_they_wrap_at_60_columns(
        self, snap_compare: Any, api: ApiSettings, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        app = self.chips_app(api, monkeypatch)
        assert snap_compare(app, terminal_size=(60, 24), run_before=self.settle)


async def test_esc_while_at_files_are_read_stops_the_send(
    server: LocalAPIServer,
    api: ApiSettings,
    files: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading

    from claude_tui.core.attachments import prepare

    release = threading.Event()
    real = prepare.prepare_attachment

    def slow(path: Path, **kwargs: Any) -> Any:
        release.wait(5)
        return real(path, **kwargs)

    monkeypatch.setattr(prepare, "prepare_attachment", slow)  # the UI imports it when used
    app = make_app(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "see @util.py")
        await wait_until(pilot, lambda: any(n.startswith("Reading util.py") for n in notices(app)))
        await pilot.press("escape")
        release.set()
        await wait_until(
            pilot, lambda: not any(w.name == "attach-at" and w.is_running for w in app.workers)
        )
        await pilot.pause()  # its answer, come back to the screen, is dropped
        assert server.message_requests == []
        assert app.query_one(PromptInput).text == "see @util.py"
        await pilot.press("enter")  # the files are read again, and this time it goes
        await wait_until(pilot, replies_ended(app, 1))
        assert [shape(b) for b in user_content(server)] == [
            ("document", "util.py"),
            ("text", "see @util.py"),
        ]


async def test_control_characters_in_file_names_never_reach_the_input(
    server: LocalAPIServer, api: ApiSettings, files: dict[str, Path]
) -> None:
    evil = Path.cwd() / "evil\x1b[31mred.txt"
    evil.write_text("red\n")
    (Path.cwd() / "evident.txt").write_text("plain\n")
    app = make_app(api)
    async with app.run_test(size=(100, 30)) as pilot:
        prompt = app.query_one(PromptInput)
        await type_text(pilot, prompt, "/attach evi")
        await wait_until(pilot, lambda: shown(app) == ["evident.txt"])  # the ESC one: not offered
        prompt.clear()
        # whatever lands in the input is drawn raw: no control character but newline and tab
        prompt.insert("a\x1b[2Jb\tc\n")
        app.post_message(events.Paste("\x1b]52;c;eA==\x07"))
        await pilot.pause()
        assert prompt.text == "a␛[2Jb\tc\n␛]52;c;eA==␇"
        prompt.load_text("\x9bx")
        assert prompt.text == "\ufffdx"
        prompt.clear()
        # a chip named with an ESC: /detach offers it made visible, and takes that name
        app.chat.attachments.add([evil])
        await wait_until(pilot, ready_chips(app, 1))
        await type_text(pilot, prompt, "/detach ")
        await wait_until(pilot, lambda: shown(app) == ["evil␛[31mred.txt"])
        await pilot.press("tab")
        assert prompt.text == "/detach evil␛[31mred.txt"
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.chat.attachments.chips == ())


async def test_a_pasted_path_gives_its_text_back_where_it_was(
    server: LocalAPIServer,
    api: ApiSettings,
    files: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading

    from claude_tui.ui.chat import attachments as attachments_module

    blob = Path.cwd() / "blob.bin"
    blob.write_bytes(bytes(range(256)) * 4)  # binary: cannot be attached
    release = threading.Event()
    real = attachments_module.prepare_or_error

    def slow(path: Path, edge: int) -> Any:
        release.wait(5)
        return real(path, edge)

    monkeypatch.setattr(attachments_module, "prepare_or_error", slow)
    app = make_app(api)
    async with app.run_test(size=(100, 30)) as pilot:
        prompt = app.query_one(PromptInput)
        await type_text(pilot, prompt, "why is ")
        prompt.post_message(events.Paste(str(blob)))
        await wait_until(pilot, lambda: len(app.chat.attachments.chips) == 1)
        await type_text(pilot, prompt, " so big?")
        release.set()
        # the chip failed: its path is back where it was pasted, the typing around it kept
        await wait_until(pilot, lambda: app.chat.attachments.chips == ())
        assert prompt.text == f"why is {blob} so big?"
        assert prompt.cursor_location == (0, len(prompt.text))
        assert "blob.bin" in notices(app)[-1] and "back in the input" in notices(app)[-1]
        # a relative word that happens to name a file is text: terminals drop absolute paths
        prompt.clear()
        app.post_message(events.Paste("util.py"))
        await wait_until(pilot, lambda: prompt.text == "util.py")
        assert app.chat.attachments.chips == ()
        # two files pasted mid-sentence; one removed with its ✕; Backspace at the start
        # gives back only the other's path, where the paste went, spaced from the words
        prompt.clear()
        await type_text(pilot, prompt, "look at")
        pasted = f"{files['shot']} {files['util']}"
        prompt.post_message(events.Paste(pasted))
        await wait_until(pilot, ready_chips(app, 2))
        await type_text(pilot, prompt, "please")
        rows = app.query_one(ChipRows)
        shot = app.chat.attachments.chips[0].key
        x, y = next((first, line) for line, first, _, key in rows._closes if key == shot)
        await pilot.click(ChipRows, offset=(x, y))
        assert [c.name for c in app.chat.attachments.chips] == ["util.py"]
        prompt.move_cursor((0, 0))
        await pilot.press("backspace")
        assert prompt.text == f"look at {files['util']} please"
        assert app.chat.attachments.chips == ()


async def test_edit_keeps_the_drafts_chips_aside(
    server: LocalAPIServer, api: ApiSettings, files: dict[str, Path]
) -> None:
    app = make_app(api)
    async with app.run_test(size=(100, 30)) as pilot:
        attachments = app.chat.attachments
        attachments.add([files["shot"]])
        await wait_until(pilot, ready_chips(app, 1))
        await send(pilot, "first")
        await wait_until(pilot, replies_ended(app, 1))
        await send(pilot, "/attach util.py")
        await wait_until(pilot, ready_chips(app, 1))
        prompt = app.query_one(PromptInput)
        await send(pilot, "/edit")
        assert prompt.text == "first"
        assert [c.name for c in attachments.chips] == ["shot.png"]  # the turn's
        await pilot.press("escape")
        await wait_until(pilot, lambda: [c.name for c in attachments.chips] == ["util.py"])
        assert prompt.text == ""
        # sending the edit brings the draft back too
        await send(pilot, "/edit")
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(server.message_requests) == 2)
        await wait_until(pilot, lambda: app.chat.current.reply is None)
        assert [shape(b)[0] for b in user_content(server)] == ["image", "text"]
        assert [c.name for c in attachments.chips] == ["util.py"]


async def test_wildcards_in_attach_are_expanded(
    server: LocalAPIServer, api: ApiSettings, files: dict[str, Path]
) -> None:
    for index in (2, 1):
        (Path.cwd() / f"note_with_{index}.txt").write_text(f"note {index}\n")
    app = make_app(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "/attach note_with* nothing*")
        await wait_until(pilot, ready_chips(app, 2))
        names = [c.name for c in app.chat.attachments.chips]
        assert names == ["note_with_1.txt", "note_with_2.txt"]
        assert notices(app)[-1] == "nothing* matches no file"
