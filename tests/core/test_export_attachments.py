"""Export and import with attachments: the JSON export carries each file in its block as the API
takes it, an import restores the bytes exactly (and once, however often it is imported), and
the Markdown transcript names each file without its contents."""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from claude_tui.cli.subcommands import add_subcommands
from claude_tui.core.blocks import STORE_MARK, Block, ImageBlock, TextBlock
from claude_tui.core.store import SessionStore
from claude_tui.core.store.export import to_json, to_markdown

from .attached import PDF, PNG, attachment_rows, image, link_count, pdf, sha, text_document

CODE = "def main() -> None:\n    print('secret sauce')\n"
GIF = ImageBlock(
    {"type": "image", "source": {"type": "base64", "media_type": "image/gif", "data": "R0lGODdh"}}
)  # from an export made before the app knew its files: no info
PROMPT: list[Block] = [
    image("shot.png", PNG),
    pdf("report.pdf", PDF, pages=3),
    text_document("tool.py", CODE),
    GIF,
    TextBlock("what are these?"),
]


def _exported(tmp_path: Path) -> tuple[str, str]:
    """A session with attachments exported as JSON text; and its id."""
    with SessionStore.open(tmp_path / "first.db") as store:
        session = store.create_session(model="m").id
        store.add_message(session, "user", blocks=PROMPT)
        store.add_message(session, "assistant", "a picture, a report, a script, a gif")
        store.add_message(session, "user", blocks=[pdf("report.pdf", PDF, pages=3)])
        return to_json(store.export_session(session)), session


def test_an_import_restores_every_file_byte_for_byte(tmp_path: Path) -> None:
    text, session = _exported(tmp_path)
    data = json.loads(text)
    assert '"stored"' not in text  # the store's references never leave it
    shot, report, tool, gif, _ = data["messages"][0]["blocks"]
    assert base64.b64decode(shot["source"]["data"]) == PNG
    assert base64.b64decode(report["source"]["data"]) == PDF
    assert tool["source"] == {"type": "text", "media_type": "text/plain", "data": CODE}
    assert gif == GIF.raw
    with SessionStore.open(tmp_path / "fresh.db") as store:
        assert store.import_session(data) == session
        assert store.messages(session)[0].blocks == PROMPT
        stored = attachment_rows(store._conn)
        assert stored == {
            sha(PNG): PNG,
            sha(PDF): PDF,
            sha(CODE.encode()): CODE.encode(),
            sha(b"GIF87a"): b"GIF87a",
        }
        assert all(hashlib.sha256(data).hexdigest() == key for key, data in stored.items())
        assert to_json(store.export_session(session)) == text  # the same file again
        # The same export imported again is a second session, and no second copy of a file.
        again = store.import_session(json.loads(text))
        assert again != session
        assert attachment_rows(store._conn) == stored
        assert link_count(store._conn) == 2 * 5
        assert [m.blocks for m in store.messages(again)] == [
            m.blocks for m in store.messages(session)
        ]


def _markdown(tmp_path: Path, blocks: list[Block]) -> str:
    with SessionStore.open(tmp_path / "md.db") as store:
        session = store.create_session(model="m").id
        store.add_message(session, "user", blocks=blocks)
        data: dict[str, Any] = store.export_session(session)
    return to_markdown(data)


def test_markdown_names_each_file_and_never_holds_its_contents(tmp_path: Path) -> None:
    markdown = _markdown(tmp_path, PROMPT)
    lines = markdown.splitlines()
    assert "📎 shot.png · 3×2 · 1.0 KB" in lines
    assert "📎 report.pdf · 3 pages · 2.1 KB" in lines
    assert "📎 tool.py · 46 B" in lines
    assert "*(an image)*" in lines  # no info: what it is, at least
    assert "what are these?" in lines
    for contents in (base64.b64encode(PNG).decode()[:24], base64.b64encode(PDF).decode()[:24]):
        assert contents not in markdown
    assert "secret sauce" not in markdown and "R0lG" not in markdown


def test_markdown_shows_a_file_name_as_it_is_never_rendered(tmp_path: Path) -> None:
    markdown = _markdown(tmp_path, [text_document("*bold* [x](http://e) <b>_`.md", "x")])
    assert r"📎 \*bold\* \[x\](http://e) \<b\>\_\`.md · 1 B" in markdown.splitlines()


def test_the_cli_moves_a_session_with_files_to_another_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``claude-tui export --format json`` on one machine, ``import`` on another."""

    def run(*argv: str) -> int:
        parser = argparse.ArgumentParser()
        add_subcommands(parser.add_subparsers())
        args = parser.parse_args(argv)
        code = args.func(args)
        assert isinstance(code, int)
        return code

    with SessionStore.open() as store:
        session = store.create_session(model="m").id
        store.add_message(session, "user", blocks=PROMPT)
    target = tmp_path / "moved.json"
    assert run("export", session, "--format", "json", "-o", str(target)) == 0
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "elsewhere"))
    assert run("import", str(target)) == 0
    assert capsys.readouterr().out.strip() == session
    with SessionStore.open() as store:
        assert store.path.is_relative_to(tmp_path / "elsewhere")
        assert store.messages(session)[0].blocks == PROMPT
        assert attachment_rows(store._conn)[sha(PDF)] == PDF


def test_an_imported_reference_is_not_followed(tmp_path: Path) -> None:
    """A file can only bring its bytes with it: a block in it naming a stored attachment (the
    store's own mark, hand-written) comes in as it is written, never as that attachment."""
    text, _ = _exported(tmp_path)
    data = json.loads(text)
    shot = data["messages"][0]["blocks"][0]
    del shot["source"]["data"]
    shot[STORE_MARK]["stored"] = {"sha256": sha(PNG), "encoding": "base64"}
    with SessionStore.open(tmp_path / "first.db") as store:  # where that PNG is stored
        copy = store.import_session(data)
        (block, *_) = store.messages(copy)[0].blocks
    assert isinstance(block, ImageBlock) and "data" not in block.source
    assert block.info == image("shot.png", PNG).info
