"""Lint files in forked worker processes while this process walks the tree (POSIX fork only).

Most files of a large tree take a few microseconds each (a read and a substring search),
so the machinery around them must cost less than that: no threads in this process (the
walk keeps the interpreter to itself), chunks of files sent over plain pipes, at most
two chunks outstanding per worker (whoever is free gets the next one), and a worker
answers only for the files that have something to report. Results are put back in input
order. Writes to workers never block, so a worker busy sending back a large result can
never deadlock against this process sending it more work.
"""

from __future__ import annotations

import gc
import os
import pickle
import select
import struct
import sys
from itertools import islice

TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

PIECE = 16  # items this process works on (with ``here``) before it looks whether a worker wants more
CHUNK = 4 * PIECE  # files per message to a worker (chunks and pieces start at multiples of PIECE)
_AHEAD = 4  # chunks a worker may have queued or in hand
_HEADER = struct.Struct("!Q")


def available() -> bool:
    # macOS and Windows: fork without exec is unsafe or missing there (multiprocessing uses spawn)
    return sys.platform.startswith("linux") and hasattr(os, "fork")


class WorkerFailed(RuntimeError):
    pass


class Unavailable(OSError):
    """Not a single worker could be started (nothing was consumed from the items)."""


class _Worker:
    def __init__(self, pid: int, to_fd: int, from_fd: int):
        self.pid = pid
        self.to_fd = to_fd  # non-blocking
        self.from_fd = from_fd
        self.out = bytearray()  # framed messages not yet written
        self.inbuf = bytearray()
        self.outstanding = 0


def _frame(obj) -> bytes:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(data)) + data


def _read_exact(fd: int, n: int) -> bytes | None:
    chunks = []
    while n:
        b = os.read(fd, min(n, 1 << 20))
        if not b:
            return None
        chunks.append(b)
        n -= len(b)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _child(rfd: int, wfd: int, work) -> None:
    """A worker's life: (chunk id, items) in, (chunk id, [(index, result)]) out, until None."""
    while True:
        head = _read_exact(rfd, _HEADER.size)
        if head is None:
            return
        body = _read_exact(rfd, _HEADER.unpack(head)[0])
        if body is None:
            return
        msg = pickle.loads(body)
        if msg is None:
            return
        cid, items = msg
        answer: tuple[Any, list[tuple[int, Any]], BaseException | None]
        try:
            answer = (cid, [(k, r) for k, item in enumerate(items) if (r := work(item)) is not None], None)
        except BaseException as e:  # noqa: BLE001 - a settings error (or worse) stops the run in the parent
            answer = (cid, [], e)
        try:
            data = _frame(answer)
        except Exception as e:  # noqa: BLE001 - an exception that does not pickle
            data = _frame((cid, [], WorkerFailed(f"{type(answer[2]).__name__}: {answer[2]}" if answer[2] else str(e))))
        _write_all(wfd, data)


def run(items, work, jobs: int, here: bool = False) -> list:
    """``work(item)`` for every item of the iterable ``items`` in ``jobs`` forked processes;
    the list of answers in input order (None where ``work`` answered None).

    ``here``: this process works too, on the next chunk whenever every worker has its fill (rather
    than wait for one): with as many processes as cores, none waits for a core."""
    workers: list[_Worker] = []
    gc.collect()
    gc.freeze()  # objects made so far are shared with the workers untouched (no copy-on-write by the GC)
    try:
        for _ in range(jobs):
            try:
                workers.append(_fork(workers, work))
            except OSError as e:  # out of processes or memory: go on with the workers there are
                if not workers:
                    raise Unavailable(str(e)) from e
                break
        return _dispatch(items, workers, work if here else None)
    finally:
        for w in workers:
            for fd in (w.to_fd, w.from_fd):
                try:
                    os.close(fd)
                except OSError:
                    pass
        for w in workers:
            try:
                os.waitpid(w.pid, 0)
            except ChildProcessError:
                pass
        gc.unfreeze()


def _fork(siblings: list[_Worker], work) -> _Worker:
    to_r, to_w = os.pipe()
    from_r, from_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker
        code = 0
        try:
            os.close(to_w)
            os.close(from_r)
            for s in siblings:  # their pipes are the parent's business
                os.close(s.to_fd)
                os.close(s.from_fd)
            _child(to_r, from_w, work)
        except BaseException:  # noqa: BLE001 - never return into the parent's code
            code = 1
        finally:
            os._exit(code)
    os.close(to_r)
    os.close(from_w)
    os.set_blocking(to_w, False)
    return _Worker(pid, to_w, from_r)


def _dispatch(items, workers: list[_Worker], work_here=None) -> list:
    results: list = []  # by chunk id: the answers of each chunk (or piece done here), in input order
    it = iter(items)
    while True:
        w = min(workers, key=lambda x: x.outstanding)
        if w.outstanding < _AHEAD:
            chunk = list(islice(it, CHUNK))
            if not chunk:
                break
            w.out += _frame((len(results), chunk))
            w.outstanding += 1
            results.append([None] * len(chunk))  # this chunk's answers, filled in as they come
        elif work_here is not None:  # every worker has its fill: a few items are done here meanwhile
            piece = list(islice(it, PIECE))
            if not piece:
                break
            results.append([work_here(item) for item in piece])
        else:
            _pump(workers, results, block=True)
            continue
        _pump(workers, results, block=False)
    for w in workers:
        w.out += _frame(None)
    while any(w.outstanding or w.out for w in workers):
        _pump(workers, results, block=True)
    return [r for chunk in results for r in chunk]


def _pump(workers: list[_Worker], results: list, block: bool) -> None:
    """One round of non-blocking writes and reads (waiting for one, if ``block``)."""
    readers = [w.from_fd for w in workers if w.outstanding]
    writers = [w.to_fd for w in workers if w.out]
    if not readers and not writers:
        return
    r, wr, _ = select.select(readers, writers, [], None if block else 0)
    for w in workers:
        if w.to_fd in wr:
            try:
                sent = os.write(w.to_fd, w.out[:1 << 16])
            except BlockingIOError:
                sent = 0
            except BrokenPipeError:  # not the user's pipe: the worker is gone
                raise WorkerFailed("a worker process ended before its work was done") from None
            del w.out[:sent]
        if w.from_fd in r:
            b = os.read(w.from_fd, 1 << 20)
            if not b:
                raise WorkerFailed("a worker process ended before its work was done")
            w.inbuf += b
            _take(w, results)


def _take(w: _Worker, results: list) -> None:
    while len(w.inbuf) >= _HEADER.size:
        size = _HEADER.unpack_from(w.inbuf)[0]
        if len(w.inbuf) < _HEADER.size + size:
            return
        cid, answers, error = pickle.loads(bytes(w.inbuf[_HEADER.size:_HEADER.size + size]))
        del w.inbuf[:_HEADER.size + size]
        w.outstanding -= 1
        if error is not None:
            raise error
        slot = results[cid]
        for k, r in answers:
            slot[k] = r
