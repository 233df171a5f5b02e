"""``masqlint lsp``: a Language Server over standard input/output.

Diagnostics are published when a document is opened, when it is saved, at once after a
single change, and after a burst of changes once it pauses; each finding with a fix is offered
as a quick fix (safe fixes preferred, unsafe ones labelled), and "Fix all safe problems" as the
``source.fixAll.masqlint`` action. Documents are linted from the editor's buffer, with the settings the command line
would use for the file (the nearest ``.masqlint.yaml`` / ``[tool.masqlint]`` above it).

Positions: findings carry 1-based line and character columns; LSP positions are 0-based
and count UTF-16 code units (or UTF-8 / UTF-32 units when the client negotiates them).
Line breaks are ``\\n``, ``\\r\\n`` and ``\\r``, as in the LSP specification.

The protocol itself (framing, JSON-RPC, the lifecycle) is masqlint.lsp.rpc; the open documents
are masqlint.lsp.documents. Up to the ``initialize`` reply nothing of the linter is loaded: it loads
with the first document.
"""

from __future__ import annotations

import os
import time

from masqlint import __version__
from masqlint.config.loader import ConfigError, find_settings_for_dir
from masqlint.engine.findings import Edit, FileResult, Finding, Severity, Span
from masqlint.lsp.documents import UNIT_COUNTERS, Document, Workspace, choose_encoding, units_utf16, uri_to_path
from masqlint.lsp.rpc import Connection, Timer, invalid_params, param
from masqlint.pipeline.runner import Options, lint_bytes, lint_prepared, prepare

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

SOURCE = "masqlint"
FIX_ALL_KIND = "source.fixAll.masqlint"
DEBOUNCE_SECONDS = 0.2  # a burst of changes is linted once it has paused this long
SETTLE_SECONDS = 0.0  # a single change waits for nothing: changes that arrived with it are handled first
SETTINGS_FILE_NAMES = (".masqlint.yaml", ".masqlint.yml", "masqlint.yaml", "pyproject.toml")


# --- command line -------------------------------------------------------------------------------


def add_parser(sub, common_settings_args) -> None:
    p = sub.add_parser("lsp", help="run the language server on standard input/output")
    p.add_argument("--stdio", action="store_true", help="talk over standard input/output (the default and only transport)")
    common_settings_args(p)


def run(args) -> int:
    """Serve one editor over standard input/output; 0 once it said ``shutdown`` then ``exit``, else 1."""
    from masqlint.cli.options import build_options  # noqa: PLC0415 - the command line's options, only when run as a command

    opts = build_options(args)  # a bad --config stops here, with one line on standard error
    conn = Connection.stdio()
    create_server(opts, conn)
    return conn.serve()


# --- positions ----------------------------------------------------------------------------------


class PositionMap:
    """Character offsets of a linted text ↔ LSP (line, character) in the client's units.

    ``shift`` is the number of characters the editor buffer holds before the linted text
    (a leading U+FEFF that decoding drops).
    """

    __slots__ = ("text", "encoding", "shift", "index", "_units")

    def __init__(self, text: str, encoding: str = "utf-16", shift: int = 0):
        from masqlint.text.source import LineIndex  # noqa: PLC0415 - lazy: the text modules load YAML, not needed before `initialize`

        self.text = text
        self.encoding = encoding
        self.shift = shift
        self.index = LineIndex(text)
        self._units = UNIT_COUNTERS.get(encoding, units_utf16)

    def position(self, offset: int) -> tuple[int, int]:
        """A character offset in the linted text → (0-based line, column in client units)."""
        offset = max(0, min(offset, len(self.text)))
        line, col = self.index.pos(offset)
        start = self.index.starts[line - 1]
        units = self._units(self.text[start:offset])
        if line == 1 and self.shift:
            units += self._units("\ufeff") * self.shift
        return line - 1, units

    def span_range(self, span: Span) -> tuple[tuple[int, int], tuple[int, int]]:
        start = self.index.offset(span.line, span.column)
        end = max(start, self.index.offset(span.end_line, span.end_column))
        return self.position(start), self.position(end)

    def edit_range(self, edit: Edit) -> tuple[tuple[int, int], tuple[int, int]]:
        return self.position(edit.start), self.position(edit.end)

    def end(self) -> tuple[int, int]:
        return self.position(len(self.text))


# --- linting a buffer ---------------------------------------------------------------------------


class BufferLint:
    __slots__ = ("text", "findings", "linted", "shift", "error", "settings", "standalone")

    def __init__(self, text: str, findings: list[Finding], linted: str, shift: int = 0, error: str | None = None,
                 settings: Any = None, standalone: bool | None = None):
        self.text = text  # the buffer as the editor holds it
        self.findings = findings
        self.linted = linted  # the text the findings' offsets refer to
        self.shift = shift  # characters the buffer holds before `linted` (a leading BOM)
        self.error = error  # settings could not be loaded
        self.settings = settings
        self.standalone = standalone


def lint_buffer(path: str, text: str, opts: Options, root: str | None = None) -> BufferLint:
    """Lint an editor buffer as `masqlint check` would lint the file at ``path`` holding ``text``."""
    find_settings_for_dir.cache_clear()  # a settings file may have changed since the last lint
    try:
        p = prepare(path, path, opts, data=text.encode("utf-8", "surrogatepass"), root=root,
                    explicit=False)  # opening a file names no form
    except ConfigError as e:
        return BufferLint(text, [], text, error=str(e))
    if p.outcome is not None:  # too large to read
        return BufferLint(text, p.outcome.result.findings, text, settings=p.settings)
    if p.data is None:  # excluded, or it cannot hold a config
        return BufferLint(text, [], text, settings=p.settings)
    result = lint_prepared(p)
    linted = result.text if result.text is not None else text
    shift = len(text) - len(linted) if text.endswith(linted) else 0
    return BufferLint(text, result.findings, linted, shift, settings=p.settings, standalone=p.standalone)


def fix_all_safe(lint: BufferLint, path: str) -> str | None:
    """The buffer with every safe fix applied (re-checked until nothing more applies), or None."""
    settings = lint.settings
    if settings is None:
        return None

    def relint(text: str) -> FileResult:
        return lint_bytes(path, text.encode("utf-8", "surrogatepass"), settings, lint.standalone, path, explicit=False)

    from masqlint.pipeline.fix import fix_until_stable  # noqa: PLC0415 - lazy: fixes load on the first fix-all

    text, _, _ = fix_until_stable(lint.linted, lint.findings, relint, unsafe=False)
    if text == lint.linted:
        return None
    return lint.text[: lint.shift] + text


def minimal_edit(old: str, new: str) -> tuple[int, int, str]:
    """One replacement (start, end, text) turning ``old`` into ``new``, as small as a common prefix/suffix allows."""
    n = min(len(old), len(new))
    a = 0
    while a < n and old[a] == new[a]:
        a += 1
    b = 0
    while b < n - a and old[len(old) - 1 - b] == new[len(new) - 1 - b]:
        b += 1
    return a, len(old) - b, new[a: len(new) - b]


def change_delay(now: float, previous: float | None, pending: bool) -> float:
    """Seconds to wait before linting after a change at ``now`` (monotonic time): a change on its own
    is linted at once (the messages that arrived with it are handled before any lint runs); one
    within a burst (a lint still pending, or the previous change less than the debounce interval
    ago) waits for the burst to pause."""
    if pending or (previous is not None and now - previous < DEBOUNCE_SECONDS):
        return DEBOUNCE_SECONDS
    return SETTLE_SECONDS


# --- the server ---------------------------------------------------------------------------------

SEVERITIES = {Severity.ERROR: 1, Severity.WARNING: 2, Severity.INFO: 3}  # DiagnosticSeverity
QUICK_FIX = "quickfix"


def _range(r: tuple[tuple[int, int], tuple[int, int]]) -> dict:
    (l1, c1), (l2, c2) = r
    return {"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}}


def _kind_requested(kind: str, only: list | None) -> bool:
    if not only:
        return True
    return any(kind == k or kind.startswith(f"{k}.") for k in only)


def _overlaps(a: dict, b: dict) -> bool:
    def key(p):
        return (p["line"], p["character"])

    return key(a["start"]) <= key(b["end"]) and key(b["start"]) <= key(a["end"])


def _position(params, path: str) -> tuple[int, int]:
    return param(params, f"{path}.line", int), param(params, f"{path}.character", int)


def _range_param(params, path: str) -> dict:
    return _range((_position(params, f"{path}.start"), _position(params, f"{path}.end")))


def path_of(uri: str) -> str:
    """The file a document is linted as: its path, or ``untitled.yaml`` in the working directory for
    a buffer with no file (``untitled:`` and other schemes)."""
    p = uri_to_path(uri) if uri.startswith("file:") else None
    return p or os.path.join(os.getcwd(), "untitled.yaml")


class Server:
    """masqlint's features on a :class:`Connection`: diagnostics for open documents, quick fixes and
    "fix all" as code actions, settings read again when a settings file is saved."""

    __slots__ = ("opts", "conn", "ws", "pending", "last_change", "cache", "infos")

    def __init__(self, opts: Options, conn: Connection):
        self.opts = opts
        self.conn = conn
        self.ws = Workspace()
        self.pending: dict[str, Timer] = {}  # uri -> its scheduled lint
        self.last_change: dict[str, float] = {}  # uri -> monotonic time of its latest change
        self.cache: dict[str, tuple[str, BufferLint]] = {}  # uri -> (buffer text, lint of it)
        self.infos: dict = {}  # the catalog, read on the first diagnostic rather than before `initialize`
        conn.requests["initialize"] = self.initialize
        conn.requests["textDocument/codeAction"] = self.code_action
        conn.notifications.update({
            "textDocument/didOpen": self.did_open,
            "textDocument/didChange": self.did_change,
            "textDocument/didSave": self.did_save,
            "textDocument/didClose": self.did_close,
            "workspace/didChangeWorkspaceFolders": self.did_change_folders,
        })

    # --- lifecycle ---

    def initialize(self, params) -> dict:
        params = {} if params is None else params
        self.ws.encoding = choose_encoding(param(params, "capabilities.general.positionEncodings", list, None))
        self.ws.root_uri = param(params, "rootUri", str, None)
        self.ws.root_path = param(params, "rootPath", str, None)
        self._add_folders(param(params, "workspaceFolders", list, []))
        return {
            "capabilities": {
                "positionEncoding": self.ws.encoding,
                "textDocumentSync": {"openClose": True, "change": 1, "save": {"includeText": False}},  # 1: full text
                "codeActionProvider": {"codeActionKinds": [QUICK_FIX, FIX_ALL_KIND], "resolveProvider": False},
                "workspace": {"workspaceFolders": {"supported": True, "changeNotifications": True}},
            },
            "serverInfo": {"name": SOURCE, "version": __version__},
        }

    def _add_folders(self, folders: list) -> None:
        for f in folders:
            self.ws.folders[_folder_uri(f)] = param(f, "name", str, "")

    def did_change_folders(self, params) -> None:
        removed = param(params, "event.removed", list, [])
        self._add_folders(param(params, "event.added", list, []))
        for f in removed:
            self.ws.folders.pop(_folder_uri(f), None)

    # --- documents ---

    def did_open(self, params) -> None:
        uri = param(params, "textDocument.uri", str)
        self.ws.documents[uri] = Document(uri, param(params, "textDocument.text", str),
                                          param(params, "textDocument.version", int, None),
                                          param(params, "textDocument.languageId", str, None))
        self.publish(uri)

    def did_change(self, params) -> None:
        # A change on its own is linted at once; one that follows another within the debounce
        # interval (typing, or several sent in one write) makes a burst, linted once it pauses.
        uri = param(params, "textDocument.uri", str)
        doc = self.ws.documents.get(uri)
        if doc is None:
            raise invalid_params(f"a change to a document that is not open: {uri}")
        changes: list[tuple[str, tuple[int, int] | None, tuple[int, int] | None]] = []
        for change in param(params, "contentChanges", list):
            text = param(change, "text", str)
            if param(change, "range", dict, None) is None:
                changes.append((text, None, None))
            else:
                changes.append((text, _position(change, "range.start"), _position(change, "range.end")))
        for text, start, end in changes:
            doc.apply(text, start, end, self.ws.encoding)
        doc.version = param(params, "textDocument.version", int, None)
        now = time.monotonic()
        delay = change_delay(now, self.last_change.get(uri), uri in self.pending)
        self.last_change[uri] = now
        self._schedule(uri, delay)

    def did_save(self, params) -> None:
        uri = param(params, "textDocument.uri", str)
        if os.path.basename(path_of(uri)) in SETTINGS_FILE_NAMES:
            self.cache.clear()  # new settings: every open document is linted again
            for other in list(self.ws.documents):
                if other != uri:
                    self.publish(other)
        self.cache.pop(uri, None)
        self.publish(uri)

    def did_close(self, params) -> None:
        uri = param(params, "textDocument.uri", str)
        self.ws.documents.pop(uri, None)
        self._cancel(uri)
        self.cache.pop(uri, None)
        self.last_change.pop(uri, None)
        self.conn.notify("textDocument/publishDiagnostics", {"uri": uri, "diagnostics": []})

    def _schedule(self, uri: str, delay: float) -> None:
        self._cancel(uri)
        self.pending[uri] = self.conn.call_later(delay, self.publish, uri)

    def _cancel(self, uri: str) -> None:
        old = self.pending.pop(uri, None)
        if old is not None:
            old.cancel()

    # --- linting ---

    def lint(self, uri: str, text: str) -> tuple[BufferLint, PositionMap]:
        hit = self.cache.get(uri)
        if hit is None or hit[0] != text:
            path = path_of(uri)
            hit = (text, lint_buffer(path, text, self.opts, self.ws.root_of(path)))
            self.cache[uri] = hit
        bl = hit[1]
        return bl, PositionMap(bl.linted, self.ws.encoding, bl.shift)

    def diagnostic(self, f: Finding, pm: PositionMap) -> dict:
        if not self.infos:
            from masqlint.engine.catalog import rule_infos  # noqa: PLC0415 - lazy: the catalog loads on the first diagnostic, not before initialize

            self.infos.update(rule_infos())
        info = self.infos.get(f.rule)
        d = {"range": _range(pm.span_range(f.span)), "message": f.message, "severity": SEVERITIES[f.severity],
             "code": f.rule, "source": SOURCE, "data": {"rule": f.rule, "name": f.name, "fixable": f.fix is not None}}
        if info and info.help_uri:
            d["codeDescription"] = {"href": info.help_uri}
        return d

    def publish(self, uri: str) -> None:
        self.pending.pop(uri, None)
        doc = self.ws.documents.get(uri)
        if doc is None:
            return
        try:
            bl, pm = self.lint(uri, doc.text)
        except Exception as e:  # noqa: BLE001 - never let one buffer take the server down
            self.conn.log(f"masqlint: internal error: {type(e).__name__}: {e}")
            return
        if bl.error is not None:
            diags = [{"range": _range(((0, 0), (0, 0))), "message": f"masqlint settings: {bl.error}", "severity": 1,
                      "source": SOURCE}]
        else:
            diags = [self.diagnostic(f, pm) for f in bl.findings]
        out: dict[str, Any] = {"uri": uri, "diagnostics": diags}
        if doc.version is not None:
            out["version"] = doc.version
        self.conn.notify("textDocument/publishDiagnostics", out)

    # --- code actions ---

    def _text(self, uri: str) -> str | None:
        """An open document's text; for one that is not open, the file's (None when there is none)."""
        doc = self.ws.documents.get(uri)
        if doc is not None:
            return doc.text
        path = uri_to_path(uri) if uri.startswith("file:") else None
        try:
            with open(path or "", encoding="utf-8", errors="replace", newline="") as fh:
                return fh.read()
        except OSError:
            return None

    def code_action(self, params) -> list:
        uri = param(params, "textDocument.uri", str)
        wanted = _range_param(params, "range")
        only = param(params, "context.only", list, None)
        text = self._text(uri)
        if text is None:
            return []
        bl, pm = self.lint(uri, text)
        actions: list[dict] = []
        if _kind_requested(QUICK_FIX, only):
            for f in bl.findings:
                if f.fix is None:
                    continue
                diag = self.diagnostic(f, pm)
                if not _overlaps(diag["range"], wanted):
                    continue
                title = f"{f.rule}: {f.fix.description[:1].upper()}{f.fix.description[1:]}"
                if not f.fix.safe:
                    title += " (unsafe fix: check the result)"
                edits = [{"range": _range(pm.edit_range(e)), "newText": e.text} for e in f.fix.edits]
                actions.append({"title": title, "kind": QUICK_FIX, "diagnostics": [diag], "isPreferred": f.fix.safe,
                                "edit": {"changes": {uri: edits}}})
        if _kind_requested(FIX_ALL_KIND, only):
            new = fix_all_safe(bl, path_of(uri))
            if new is not None:
                a, b, repl = minimal_edit(bl.text, new)
                whole = PositionMap(bl.text, self.ws.encoding)
                edit = {"range": _range((whole.position(a), whole.position(b))), "newText": repl}
                actions.append({"title": "masqlint: Fix all safe problems", "kind": FIX_ALL_KIND,
                                "edit": {"changes": {uri: [edit]}}})
        return actions


def _folder_uri(folder) -> str:
    return param(folder, "uri", str)


def create_server(opts: Options, conn: Connection) -> Server:
    """masqlint's language server on ``conn``, linting with ``opts`` (the command line's settings options)."""
    return Server(opts, conn)
