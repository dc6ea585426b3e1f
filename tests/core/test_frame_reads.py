"""The body read once a frame (``core.frame_reads``): every chunk still comes through, in order;
what was read is handed on once a frame, at once after a stall, and during a burst."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from claude_tui.core.frame_reads import FramePacer

DONE = b""


class Source:
    """A body whose chunks the test puts in, when it likes; ``DONE`` ends it."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes] = asyncio.Queue()

    async def chunks(self) -> AsyncIterator[bytes]:
        while (chunk := await self.queue.get()) != DONE:
            yield chunk


class Reader:
    """The runner's side: reads chunks, keeps what is pending, and records each flush."""

    def __init__(self, refresh_rate: float, *, paced: bool = True) -> None:
        self.paced = paced
        self.read: list[bytes] = []
        self.pending: list[bytes] = []
        self.flushes: list[list[bytes]] = []
        self.pacer = FramePacer(refresh_rate, wanted=lambda: self.paced, flush=self._flush)

    def _flush(self) -> None:
        if self.pending:
            self.flushes.append(self.pending)
            self.pending = []

    async def run(self, source: Source, per_chunk: float = 0.0) -> None:
        async for chunk in self.pacer.chunks(source.chunks()):
            self.read.append(chunk)
            self.pending.append(chunk)
            if per_chunk:
                time.sleep(per_chunk)  # the work of reading a chunk's events, blocking
        self._flush()


async def until(condition: object, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.005)


class TestPacing:
    async def test_unpaced_chunks_pass_at_once_and_nothing_is_flushed(self) -> None:
        source, reader = Source(), Reader(1, paced=False)
        task = asyncio.create_task(reader.run(source))
        source.queue.put_nowait(b"a")
        await until(lambda: reader.read == [b"a"])
        assert reader.flushes == []
        source.queue.put_nowait(DONE)
        await task

    async def test_a_steady_stream_is_handed_on_once_a_frame_whole_and_in_order(self) -> None:
        source, reader = Source(), Reader(10)  # a frame is 100 ms
        task = asyncio.create_task(reader.run(source))
        sent = [str(i).encode() for i in range(60)]
        started = time.monotonic()
        for chunk in sent:  # one every 10 ms: ten a frame
            source.queue.put_nowait(chunk)
            await asyncio.sleep(0.01)
        seconds = time.monotonic() - started
        source.queue.put_nowait(DONE)
        await task
        assert reader.read == sent
        assert [c for flush in reader.flushes for c in flush] == sent
        # a flush a frame at most (one more at each edge); several chunks in most of them
        assert 2 <= len(reader.flushes) <= seconds * 10 + 2
        assert max(len(flush) for flush in reader.flushes) >= 3

    async def test_after_a_stall_what_was_read_is_handed_on_without_more_coming(self) -> None:
        source, reader = Source(), Reader(10)
        task = asyncio.create_task(reader.run(source))
        source.queue.put_nowait(b"first")
        source.queue.put_nowait(b"second")
        # nothing more comes: both must still go out, within about a frame
        await until(lambda: [c for f in reader.flushes for c in f] == [b"first", b"second"])
        source.queue.put_nowait(DONE)
        await task

    async def test_a_burst_is_handed_on_while_it_is_read(self) -> None:
        source, reader = Source(), Reader(30)
        for i in range(200):
            source.queue.put_nowait(str(i).encode())
        source.queue.put_nowait(DONE)
        await reader.run(source, per_chunk=0.002)  # 0.4 s of reading: a dozen frames
        assert len(reader.read) == 200
        assert len(reader.flushes) >= 4, "a burst must not wait for its end to be shown"

    async def test_a_new_rate_ends_a_long_frame_at_once(self) -> None:
        source, reader = Source(), Reader(0.2)  # a frame is 5 s
        task = asyncio.create_task(reader.run(source))
        source.queue.put_nowait(b"a")
        await until(lambda: reader.flushes == [[b"a"]])  # handed on after the wait for more
        source.queue.put_nowait(b"b")
        await until(lambda: reader.read == [b"a", b"b"])
        reader.pacer.set_rate(50)
        source.queue.put_nowait(b"c")
        await until(lambda: [c for f in reader.flushes for c in f] == [b"a", b"b", b"c"], 2.0)
        source.queue.put_nowait(DONE)
        await task
