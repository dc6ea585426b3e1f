"""Attachments kept once: the bytes of an image or document live in the ``attachments`` table
keyed by SHA-256, the message's blocks keep a reference, and every read gives back exactly
what was written. The last use deleted frees them; the list and search never read them."""

from __future__ import annotations

import base64
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from claude_tui.core.blocks import STORE_MARK, Block, DocumentBlock, ImageBlock, TextBlock
from claude_tui.core.conversation import Conversation
from claude_tui.core.store import SessionStore
from claude_tui.core.store.history import conversation_from_stored

from .attached import PDF, PNG, attachment_rows, image, link_count, pdf, sha, text_document


@pytest.fixture
def store() -> Iterator[SessionStore]:
    with SessionStore.open() as opened:
        yield opened


def _prompt(*blocks: Block, text: str = "look at this") -> list[Block]:
    return [*blocks, TextBlock(text)]


def _blocks_column(store: SessionStore, message_id: int) -> str:
    row = store._conn.execute("SELECT blocks FROM messages WHERE id = ?", (message_id,)).fetchone()
    return str(row[0])


def test_the_same_file_in_two_turns_and_two_sessions_is_stored_once(store: SessionStore) -> None:
    report = pdf("report.pdf", PDF, pages=3)
    first = store.create_session(model="m").id
    second = store.create_session(model="m").id
    ids = [
        store.add_message(first, "user", blocks=_prompt(report)),
        store.add_message(first, "assistant", "read it"),
        store.add_message(first, "user", blocks=_prompt(report, text="again")),
        store.add_message(second, "user", blocks=_prompt(report, image("a.png", PNG))),
    ]
    assert attachment_rows(store._conn) == {sha(PDF): PDF, sha(PNG): PNG}
    assert link_count(store._conn) == 4
    size, media_type = store._conn.execute(
        "SELECT size, media_type FROM attachments WHERE sha256 = ?", (sha(PDF),)
    ).fetchone()
    assert (size, media_type) == (len(PDF), "application/pdf")
    # The message rows hold a reference in the app's mark, never the bytes.
    column = _blocks_column(store, ids[0])
    assert report.source["data"] not in column
    assert f'"{STORE_MARK}": {{"attachment": ' in column
    assert f'"stored": {{"sha256": "{sha(PDF)}", "encoding": "base64"}}' in column
    assert store.messages(first)[2].blocks == _prompt(report, text="again")
    assert store.messages(second)[0].blocks == _prompt(report, image("a.png", PNG))


def test_what_comes_out_equals_what_went_in_block_for_block(store: SessionStore) -> None:
    bare = ImageBlock(
        {"type": "image", "source": {"type": "base64", "media_type": "image/gif", "data": "R0lG"}}
    )  # no info: an old import; kept the same way, by the hash of its bytes
    wrapped = "\n".join(base64.encodebytes(PNG).decode().split())  # not canonical base64
    inline = ImageBlock(
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": wrapped}}
    )
    by_url = ImageBlock({"type": "image", "source": {"type": "url", "url": "https://x/y.png"}})
    blocks: list[Block] = [
        image("shot.png", PNG),
        pdf("report.pdf", PDF),
        text_document("notes.py", "print('hé')\n"),
        bare,
        inline,
        by_url,
        TextBlock("what are these?"),
    ]
    session = store.create_session(model="m").id
    message_id = store.add_message(session, "user", blocks=blocks)
    (message,) = store.messages(session)
    assert message.blocks == blocks
    assert store.all_messages(session)[0].blocks == blocks
    assert attachment_rows(store._conn) == {
        sha(PNG): PNG,
        sha(PDF): PDF,
        sha("print('hé')\n".encode()): "print('hé')\n".encode(),
        sha(b"GIF"): b"GIF",
    }
    column = _blocks_column(store, message_id)
    assert wrapped.replace("\n", "\\n") in column  # could not come back exactly: kept inline
    assert "print(" not in column
    # What is searched and listed names the files.
    assert "📎 shot.png · 3×2 · 1.0 KB" in message.content
    assert "📎 notes.py · 13 B" in message.content
    # And the API is sent the same blocks as before they were stored.
    assert Conversation([conversation_from_stored([message]).turns[0]]).api_messages() == [
        {"role": "user", "content": [block.to_api() for block in blocks]}
    ]


def test_the_session_keeps_its_files_after_they_are_deleted(tmp_path: Path) -> None:
    from PIL import Image
    from pypdf import PdfWriter

    from claude_tui.core.attachments.prepare import prepare_attachment

    folder = tmp_path / "files"
    folder.mkdir()
    Image.new("RGB", (4, 3), (200, 10, 10)).save(folder / "shot.png")
    writer = PdfWriter()
    writer.add_blank_page(72, 72)
    with open(folder / "paper.pdf", "wb") as handle:
        writer.write(handle)
    (folder / "tool.py").write_text("def f():\n    return 1\n")
    prepared = [prepare_attachment(folder / name).block for name in ("shot.png", "paper.pdf")]
    prepared.append(prepare_attachment(folder / "tool.py").block)
    originals = {name: (folder / name).read_bytes() for name in ("shot.png", "paper.pdf")}
    db = tmp_path / "sessions.db"
    with SessionStore.open(db) as store:
        session = store.create_session(model="m").id
        store.add_message(session, "user", blocks=_prompt(*prepared))
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    with SessionStore.open(db) as store:
        (message,) = store.messages(session)
    assert message.blocks == _prompt(*prepared)
    shot, paper, tool = message.blocks[:3]
    assert isinstance(shot, ImageBlock) and isinstance(paper, DocumentBlock)
    assert base64.b64decode(paper.source["data"]) == originals["paper.pdf"]
    assert isinstance(tool, DocumentBlock) and tool.source["data"] == "def f():\n    return 1\n"
    assert shot.info is not None and sha(base64.b64decode(shot.source["data"])) == shot.info.sha256
    # The store refers to no path: only the file names are in it.
    dump = "\n".join(sqlite3.connect(db).iterdump())
    assert str(tmp_path) not in dump and "shot.png" in dump


def test_deleting_the_last_session_that_uses_a_file_frees_it(store: SessionStore) -> None:
    shared, own = pdf("shared.pdf", PDF), image("own.png", PNG)
    first = store.create_session(model="m").id
    second = store.create_session(model="m").id
    store.add_message(first, "user", blocks=_prompt(shared, own))
    store.add_message(first, "user", blocks=_prompt(own))
    store.add_message(second, "user", blocks=_prompt(shared))
    store.delete_session(first)
    assert attachment_rows(store._conn) == {sha(PDF): PDF}  # still used by the second
    assert store.messages(second)[0].blocks == _prompt(shared)
    store.delete_session(second)
    assert attachment_rows(store._conn) == {}
    assert link_count(store._conn) == 0


def test_a_failed_delete_keeps_the_files(store: SessionStore) -> None:
    session = store.create_session(model="m").id
    store.add_message(session, "user", blocks=_prompt(image("a.png", PNG)))
    store._conn.execute(
        "CREATE TEMP TRIGGER refuse BEFORE DELETE ON sessions BEGIN SELECT RAISE(ABORT, 'no'); END"
    )
    with pytest.raises(Exception, match="no"):
        store.delete_session(session)
    assert attachment_rows(store._conn) == {sha(PNG): PNG}


def test_a_rewritten_message_lets_go_of_what_it_no_longer_holds(store: SessionStore) -> None:
    session = store.create_session(model="m").id
    kept = store.add_message(session, "user", blocks=_prompt(image("a.png", PNG)))
    message_id = store.add_message(session, "user", blocks=_prompt(pdf("r.pdf", PDF)))
    store.update_message(message_id, blocks=_prompt(pdf("r.pdf", PDF)), status="complete")
    assert set(attachment_rows(store._conn)) == {sha(PNG), sha(PDF)}  # the same: kept
    store.update_message(message_id, blocks=_prompt(image("a.png", PNG)))
    assert set(attachment_rows(store._conn)) == {sha(PNG)}  # the PDF's only use is gone
    store.update_message(message_id, blocks=[TextBlock("nothing attached")])
    assert set(attachment_rows(store._conn)) == {sha(PNG)}  # the first message still has it
    assert store.all_messages(session)[0].id == kept
    assert link_count(store._conn) == 1


def test_a_message_that_cannot_be_added_stores_no_file(store: SessionStore) -> None:
    with pytest.raises(KeyError):
        store.add_message("nosuchsessio", "user", blocks=_prompt(image("a.png", PNG)))
    with pytest.raises(KeyError):
        store.update_message(999, blocks=_prompt(image("a.png", PNG)))
    assert attachment_rows(store._conn) == {}


def test_a_missing_attachment_loses_only_itself(store: SessionStore) -> None:
    """A damaged file: the row a reference names is gone. The message still opens, the block
    is a text placeholder naming the file, and what goes to the API is valid text."""
    bare = DocumentBlock(
        {"type": "document", "title": "old.txt", "source": {"type": "text", "data": "old"}}
    )
    session = store.create_session(model="m").id
    store.add_message(session, "user", blocks=_prompt(image("a.png", PNG), bare, pdf("r.pdf", PDF)))
    store._conn.execute("PRAGMA foreign_keys = OFF")  # as a damaged file would be
    store._conn.execute("DELETE FROM attachments WHERE sha256 IN (?, ?)", (sha(PNG), sha(b"old")))
    store._conn.execute("PRAGMA foreign_keys = ON")
    (message,) = store.messages(session)
    assert message.blocks == [
        TextBlock("[📎 a.png · 3×2 · 1.0 KB — missing from the session database]"),
        TextBlock("[📎 old.txt — missing from the session database]"),
        pdf("r.pdf", PDF),
        TextBlock("look at this"),
    ]
    assert "📎 a.png" in message.content  # the searched text is as it was written
    sent = conversation_from_stored([message]).api_messages()[0]["content"]
    assert [block["type"] for block in sent] == ["text", "text", "document", "text"]
    # A reference that cannot be read at all is missing too, never an error.
    store._conn.execute(
        "UPDATE messages SET blocks = json_set(blocks, '$[2]._claude_tui.stored.sha256', 7)"
    )
    (message,) = store.messages(session)
    assert message.blocks[2] == TextBlock(
        "[📎 r.pdf · 1 page · 2.1 KB — missing from the session database]"
    )


def test_a_session_read_fetches_its_attachments_in_one_query(store: SessionStore) -> None:
    session = store.create_session(model="m").id
    for index in range(5):
        data = PNG + bytes([index])
        store.add_message(
            session, "user", blocks=_prompt(image(f"{index}.png", data), pdf("r", PDF))
        )
        store.add_message(session, "assistant", "seen")
    plain = store.create_session(model="m").id
    store.add_message(plain, "user", "no files here")
    statements: list[str] = []
    store._conn.set_trace_callback(statements.append)
    assert len(store.messages(session)) == 10
    assert len([sql for sql in statements if "FROM attachments" in sql]) == 1
    statements.clear()
    store.all_messages(session)
    assert len([sql for sql in statements if "FROM attachments" in sql]) == 1
    statements.clear()
    store.messages(plain)
    assert not [sql for sql in statements if "attachments" in sql]


def test_listing_and_searching_never_read_the_attachments(store: SessionStore) -> None:
    """A session with a large PDF lists and searches as fast as one without: those queries
    never read the table the bytes are in (SQLite's authorizer names every table read)."""
    session = store.create_session(model="m").id
    store.add_message(
        session,
        "user",
        blocks=_prompt(pdf("quarterly-report.pdf", PDF), text_document("notes.md", "zebra")),
    )
    read: set[str] = set()

    def authorizer(action: int, table: str | None, *_: object) -> int:
        if action == sqlite3.SQLITE_READ and table:
            read.add(table)
        return sqlite3.SQLITE_OK

    store._conn.set_authorizer(authorizer)
    assert [info.id for info in store.search_sessions("quarterly-report.pdf")] == [session]
    assert [info.id for info in store.search_sessions("notes")] == [session]
    assert store.search_sessions("zebra") == []  # a file is named in search, not read
    assert [info.id for info in store.list_sessions()] == [session]
    assert store.get_session(session) is not None and store.count_sessions() == 1
    store.usage_totals()
    store.branch_counts(session)
    assert read and not read & {"attachments", "message_attachments"}
