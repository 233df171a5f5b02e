"""The base protocol of the Language Server Protocol: JSON-RPC 2.0 messages framed by ``Content-Length``
headers over a pair of byte streams, and the lifecycle every server shares.

A thread reads the input and splits it into messages; everything else (handlers, timers, every
write) runs on the thread that calls :meth:`Connection.serve`, one message at a time, so handlers
need no locks. Messages that arrived together are handled together: a ``$/cancelRequest`` among
them cancels the requests it names before they run.

Lifecycle, as the specification says: before ``initialize`` every request is answered
``ServerNotInitialized`` and notifications are dropped; after ``shutdown`` every request is answered
``InvalidRequest``; ``exit`` ends :meth:`Connection.serve` with 0 after a ``shutdown``, else 1 (so
does the end of the input). Bad input (a malformed header, a body that is not JSON, a message that
is not JSON-RPC) is logged with ``window/logMessage`` and answered with an error where a request id
is known; it never stops the server.
"""

from __future__ import annotations

import heapq
import json
import os
import queue
import re
import threading
import time

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any, Callable

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
SERVER_NOT_INITIALIZED = -32002
REQUEST_CANCELLED = -32800

# window/logMessage types
LOG_ERROR = 1
LOG_WARNING = 2
LOG_INFO = 3

READ_SIZE = 1 << 16
MAX_HEADER = 1 << 13  # bytes of header without its blank line before the input is taken for noise
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_HEADER_LINE = re.compile(rb"[A-Za-z0-9!#$%&'*+.^_`|~-]+[ \t]*:")


class RpcError(Exception):
    """An error answered to the request being handled (``code`` is a JSON-RPC error code)."""

    __slots__ = ("code", "message")

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def invalid_params(message: str) -> RpcError:
    return RpcError(INVALID_PARAMS, message)


_MISSING = object()
_KIND_NAMES = {dict: "an object", list: "an array", str: "a string", int: "an integer", bool: "a boolean"}


def param(params, path: str, kind: type, default=_MISSING):
    """``params`` at the dotted ``path`` (``"textDocument.uri"``), which must be a ``kind``;
    ``default`` when it is absent or null (without one, its absence is an InvalidParams error)."""
    value = params
    for key in path.split("."):
        if not isinstance(value, dict):
            raise invalid_params(f"{path}: expected an object around {key!r}")
        value = value.get(key)
        if value is None:
            if default is _MISSING:
                raise invalid_params(f"{path} is missing")
            return default
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise invalid_params(f"{path}: expected {_KIND_NAMES.get(kind, kind.__name__)}")
    return value


# --- framing ------------------------------------------------------------------------------------


class Framer:
    """Splits a byte stream into message bodies by their ``Content-Length`` headers.

    :meth:`feed` returns, in order, each complete body (``bytes``) and each problem found on the way
    (``str``: a header without a usable Content-Length, bytes between messages). After a problem it
    looks for the next ``Content-Length`` header, so one bad message costs only that message.
    """

    __slots__ = ("buf", "need")

    def __init__(self):
        self.buf = bytearray()
        self.need = -1  # length of the body being read, -1 while reading a header

    def feed(self, data: bytes) -> list[bytes | str]:
        self.buf += data
        out: list[bytes | str] = []
        while True:
            if self.need >= 0:
                if len(self.buf) < self.need:
                    return out
                out.append(bytes(self.buf[: self.need]))
                del self.buf[: self.need]
                self.need = -1
                continue
            m = _HEADER_END.search(self.buf)
            if m is None:
                if len(self.buf) > MAX_HEADER:
                    self._skip_noise(out)
                return out
            head = bytes(self.buf[: m.start()])
            del self.buf[: m.end()]
            self._header(head, out)

    def _skip_noise(self, out: list[bytes | str]) -> None:
        """A long run of input without a blank line: keep it from a ``Content-Length`` on, or its tail."""
        at = self.buf.lower().find(b"content-length", 1)
        keep = at if at > 0 else len(self.buf) - len(b"content-length")
        out.append(f"skipped {keep} bytes that are not a message header")
        del self.buf[:keep]

    def _header(self, head: bytes, out: list[bytes | str]) -> None:
        lines = head.replace(b"\r\n", b"\n").split(b"\n")
        first = next((i for i, ln in enumerate(lines) if b"content-length" in ln.lower()), None)
        if first is None:
            out.append(f"a message header without Content-Length: {_shown(head)}")
            return
        at = lines[first].lower().index(b"content-length")
        noise = [ln for ln in lines[:first] if not _HEADER_LINE.match(ln)]
        if at or noise:  # bytes before the header: the rest of a message sent with a wrong length, say
            skipped = sum(len(ln) + 1 for ln in noise) + at
            out.append(f"skipped {skipped} bytes that are not a message header: {_shown(b''.join(noise) + lines[first][:at])}")
        value = lines[first][at:].partition(b":")[2].strip()
        for ln in lines[first + 1:]:
            if ln and not _HEADER_LINE.match(ln):
                out.append(f"malformed header line: {_shown(ln)}")
        if not value.isdigit():
            out.append(f"Content-Length is not a number of bytes: {_shown(value)}")
            return
        self.need = int(value)


def _shown(b: bytes, limit: int = 80) -> str:
    text = b[:limit].decode("utf-8", "replace")
    return repr(text + ("…" if len(b) > limit else ""))


def frame(msg: dict) -> bytes:
    try:
        body = json.dumps(msg, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from the client's text: escape it rather than send invalid UTF-8
        body = json.dumps(msg, separators=(",", ":")).encode("ascii")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


# --- timers -------------------------------------------------------------------------------------


class Timer:
    __slots__ = ("when", "seq", "fn", "args", "cancelled")

    def __init__(self, when: float, seq: int, fn: Callable, args: tuple):
        self.when = when
        self.seq = seq
        self.fn = fn
        self.args = args
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True

    def __lt__(self, other: Timer) -> bool:
        return (self.when, self.seq) < (other.when, other.seq)


# --- the connection -----------------------------------------------------------------------------

_EOF = None
_NEW, _RUNNING, _SHUT_DOWN = 0, 1, 2


class Connection:
    """One client over ``read`` (a function returning at most n bytes, b"" at the end) and ``write``
    (a function taking bytes). ``requests`` and ``notifications`` map method names to handlers
    taking the message's params; a request's handler returns its result or raises :class:`RpcError`.
    ``requests["initialize"]`` answers ``initialize``; ``shutdown`` cancels every timer."""

    __slots__ = ("read", "write", "requests", "notifications", "inbox", "timers", "seq", "state", "exit_code", "closed")

    def __init__(self, read: Callable[[int], bytes], write: Callable[[bytes], Any]):
        self.read = read
        self.write = write
        self.requests: dict[str, Callable[[Any], Any]] = {}
        self.notifications: dict[str, Callable[[Any], None]] = {}
        self.inbox: queue.SimpleQueue = queue.SimpleQueue()
        self.timers: list[Timer] = []
        self.seq = 0
        self.state = _NEW
        self.exit_code: int | None = None
        self.closed = False

    @classmethod
    def stdio(cls) -> Connection:
        """Over this process's standard input and output. Anything else printed to standard output
        would break the framing: ``sys.stdout`` becomes standard error."""
        import sys  # noqa: PLC0415 - lazy: only the command uses the process's streams

        stdin_fd = sys.stdin.fileno()
        stdout = sys.stdout  # held here: dropping the last reference to a text stream closes its buffer
        sys.stdout = sys.stderr

        def read(n: int) -> bytes:
            return os.read(stdin_fd, n)  # the raw descriptor: no buffer lock for the reading thread to hold at exit

        def write(data: bytes) -> None:
            stdout.buffer.write(data)
            stdout.buffer.flush()

        return cls(read, write)

    # --- out ---

    def send(self, msg: dict) -> None:
        if self.closed:
            return
        try:
            self.write(frame({"jsonrpc": "2.0", **msg}))
        except (OSError, ValueError):  # the client went away (a closed pipe): nothing more can be said
            self.closed = True

    def notify(self, method: str, params) -> None:
        self.send({"method": method, "params": params})

    def log(self, message: str, kind: int = LOG_ERROR) -> None:
        self.notify("window/logMessage", {"type": kind, "message": message})

    def _reply(self, rid, result) -> None:
        self.send({"id": rid, "result": result})

    def _error(self, rid, code: int, message: str) -> None:
        self.send({"id": rid, "error": {"code": code, "message": message}})

    # --- timers ---

    def call_later(self, delay: float, fn: Callable, *args) -> Timer:
        self.seq += 1
        t = Timer(time.monotonic() + delay, self.seq, fn, args)
        heapq.heappush(self.timers, t)
        return t

    def _run_due(self) -> None:
        now = time.monotonic()
        while self.timers and (self.timers[0].cancelled or self.timers[0].when <= now):
            t = heapq.heappop(self.timers)
            if not t.cancelled:
                self._guarded(t.fn, t.args, None)
            if self.exit_code is not None:
                return

    def _wait(self) -> float | None:
        while self.timers and self.timers[0].cancelled:
            heapq.heappop(self.timers)
        return max(0.0, self.timers[0].when - time.monotonic()) if self.timers else None

    # --- in ---

    def _reader(self) -> None:
        framer = Framer()
        while True:
            try:
                data = self.read(READ_SIZE)
            except OSError:
                data = b""
            if not data:
                self.inbox.put(_EOF)
                return
            items = framer.feed(data)
            if items:
                self.inbox.put(items)  # what arrived in one read is handled as one batch

    def serve(self) -> int:
        """Handle messages until ``exit`` or the end of the input; the process's exit code."""
        threading.Thread(target=self._reader, name="lsp-reader", daemon=True).start()
        while self.exit_code is None and not self.closed:
            try:
                first = self.inbox.get(timeout=self._wait())
            except queue.Empty:
                self._run_due()
                continue
            batch = [first]
            while batch[-1] is not _EOF:
                try:
                    batch.append(self.inbox.get_nowait())
                except queue.Empty:
                    break
            self._handle_batch(batch)
            if self.exit_code is None:
                self._run_due()
        return self.exit_code if self.exit_code is not None else int(self.state != _SHUT_DOWN)

    def _handle_batch(self, batch: list) -> None:
        items: list = []
        for b in batch:
            if b is _EOF:
                items.append(_EOF)
            else:
                items.extend(b)
        messages: list = []
        for item in items:
            if item is _EOF or isinstance(item, str):
                messages.append(item)
                continue
            try:
                messages.append(json.loads(item))
            except (ValueError, RecursionError) as e:  # not JSON, not UTF-8, or nested beyond reason
                messages.append(_BadJson(f"{type(e).__name__}: {e}"))
        cancelled = {_cancelled_id(m) for m in messages} - {None}
        for m in messages:
            if self.exit_code is not None or self.closed:
                return
            if m is _EOF:
                self.exit_code = int(self.state != _SHUT_DOWN)
            elif isinstance(m, str):
                self.log(f"masqlint: ignored input: {m}")
            elif isinstance(m, _BadJson):
                self.log(f"masqlint: a message that is not JSON: {m.detail}")
                self._error(None, PARSE_ERROR, f"Parse error: {m.detail}")
            else:
                self._dispatch(m, cancelled)

    def _dispatch(self, msg, cancelled: set) -> None:
        if not isinstance(msg, dict):
            self.log(f"masqlint: a message that is not a JSON object: {_shown(json.dumps(msg).encode())}")
            self._error(None, INVALID_REQUEST, "Invalid request: a message is a JSON object")
            return
        rid = msg.get("id")
        has_id = "id" in msg
        if has_id and (rid is None or isinstance(rid, bool) or not isinstance(rid, (int, str))):
            self._error(None, INVALID_REQUEST, "Invalid request: id must be an integer or a string")
            return
        method = msg.get("method")
        if msg.get("jsonrpc") != "2.0":
            self._invalid(msg, has_id, rid, 'Invalid request: "jsonrpc" must be "2.0"')
            return
        if method is None:
            if has_id and ("result" in msg or "error" in msg):
                return  # a response to a request of ours: this server sends none it waits for
            self._invalid(msg, has_id, rid, "Invalid request: no method")
            return
        if not isinstance(method, str):
            self._invalid(msg, has_id, rid, "Invalid request: method must be a string")
            return
        params = msg.get("params")
        if params is not None and not isinstance(params, (dict, list)):
            self._invalid(msg, has_id, rid, "Invalid request: params must be an object or an array")
            return
        if has_id:
            self._request(rid, method, params, rid in cancelled)
        else:
            self._notification(method, params)

    def _invalid(self, msg: dict, has_id: bool, rid, message: str) -> None:
        if has_id:
            self._error(rid, INVALID_REQUEST, message)
        else:
            self.log(f"masqlint: {message}: {_shown(json.dumps(msg).encode())}")

    def _request(self, rid, method: str, params, cancelled: bool) -> None:
        if cancelled:
            self._error(rid, REQUEST_CANCELLED, "Request cancelled")
            return
        if method == "initialize":
            if self.state != _NEW:
                self._error(rid, INVALID_REQUEST, "Invalid request: initialize was already received")
                return
            handler = self.requests.get(method)
            result = self._guarded(handler, (params,), rid) if handler else {"capabilities": {}}
            if result is not _FAILED:
                self.state = _RUNNING
                self._reply(rid, result)
            return
        if self.state == _NEW:
            self._error(rid, SERVER_NOT_INITIALIZED, f"Server not initialized: {method} before initialize")
            return
        if self.state == _SHUT_DOWN:
            self._error(rid, INVALID_REQUEST, f"Invalid request: {method} after shutdown")
            return
        if method == "shutdown":
            self.state = _SHUT_DOWN
            for t in self.timers:  # nothing more is published once the client asked to stop
                t.cancel()
            self._reply(rid, None)
            return
        handler = self.requests.get(method)
        if handler is None:
            self._error(rid, METHOD_NOT_FOUND, f"Method not found: {method}")
            return
        result = self._guarded(handler, (params,), rid)
        if result is not _FAILED:
            self._reply(rid, result)

    def _notification(self, method: str, params) -> None:
        if method == "exit":
            self.exit_code = int(self.state != _SHUT_DOWN)
            return
        if self.state != _RUNNING:
            return  # before initialize, and after shutdown, notifications are dropped
        handler = self.notifications.get(method)
        if handler is not None:
            self._guarded(handler, (params,), None)

    def _guarded(self, fn: Callable, args: tuple, rid):
        """``fn(*args)``; an exception is answered to request ``rid`` (if any) and logged, never raised."""
        try:
            return fn(*args)
        except RpcError as e:
            if rid is not None:
                self._error(rid, e.code, e.message)
            else:
                self.log(f"masqlint: {e.message}")
        except Exception as e:  # noqa: BLE001 - one bad message never takes the server down
            message = f"masqlint: internal error: {type(e).__name__}: {e}"
            self.log(message)
            if rid is not None:
                self._error(rid, INTERNAL_ERROR, message)
        return _FAILED


_FAILED = object()


def _cancelled_id(msg) -> int | str | None:
    """The request a ``$/cancelRequest`` notification names, else None."""
    if not isinstance(msg, dict) or msg.get("method") != "$/cancelRequest" or not isinstance(msg.get("params"), dict):
        return None
    rid = msg["params"].get("id")
    return rid if isinstance(rid, (int, str)) and not isinstance(rid, bool) else None


class _BadJson:
    __slots__ = ("detail",)

    def __init__(self, detail: str):
        self.detail = detail
