"""``masqlint lsp``: a Language Server over standard input/output.

Diagnostics are published when a document is opened, when it is saved, at once after a
single change, and after a burst of changes once it pauses; each finding with a fix is offered as a quick fix (safe fixes preferred,
unsafe ones labelled), and "Fix all safe problems" as the ``source.fixAll.masqlint``
action. Documents are linted from the editor's buffer, with the settings the command line
would use for the file (the nearest ``.masqlint.yaml`` / ``[tool.masqlint]`` above it).

Positions: findings carry 1-based line and character columns; LSP positions are 0-based
and count UTF-16 code units (or UTF-8 / UTF-32 units when the client negotiates them).
Line breaks are ``\\n``, ``\\r\\n`` and ``\\r``, as in the LSP specification.

Needs pygls 2 (``pip install 'masqlint[lsp]'``); nothing here imports it until the server starts.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Sequence

from masqlint.config.loader import ConfigError, find_settings_for_dir
from masqlint.engine.findings import Edit, FileResult, Finding, Severity, Span
from masqlint.pipeline.runner import Options, lint_bytes, lint_prepared, prepare

SOURCE = "masqlint"
FIX_ALL_KIND = "source.fixAll.masqlint"
DEBOUNCE_SECONDS = 0.2  # a burst of changes is linted once it has paused this long
SETTLE_SECONDS = 0.01  # a single change waits only for changes the editor sent along with it
SETTINGS_FILE_NAMES = (".masqlint.yaml", ".masqlint.yml", "masqlint.yaml", "pyproject.toml")


# --- command line -------------------------------------------------------------------------------


def add_parser(sub, common_settings_args) -> None:
    p = sub.add_parser(
        "lsp",
        help="run the language server on standard input/output (needs the lsp extra: pip install 'masqlint[lsp]')",
    )
    p.add_argument("--stdio", action="store_true", help="talk over standard input/output (the default and only transport)")
    common_settings_args(p)


def run(args) -> int:
    try:
        import lsprotocol.types  # noqa: F401, PLC0415 - lazy: only checks that the optional dependency is installed
        from pygls.lsp.server import LanguageServer  # noqa: F401, PLC0415 - lazy: as above (pygls 2)
    except ImportError:
        print("masqlint: error: `masqlint lsp` needs pygls 2: pip install 'masqlint[lsp]'", file=sys.stderr)
        return 2
    from masqlint.cli.options import build_options  # noqa: PLC0415 - the command line's options, only when run as a command

    server = create_server(build_options(args))
    server.start_io()
    return 0


# --- positions ----------------------------------------------------------------------------------


def _units_utf16(s: str) -> int:
    return len(s) + sum(1 for c in s if ord(c) > 0xFFFF)


def _units_utf8(s: str) -> int:
    return len(s.encode("utf-8", "surrogatepass"))


UNIT_COUNTERS: dict[str, Callable[[str], int]] = {"utf-16": _units_utf16, "utf-8": _units_utf8, "utf-32": len}


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
        self._units = UNIT_COUNTERS.get(str(getattr(encoding, "value", encoding)), _units_utf16)

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
    """Seconds to wait before linting after a change at ``now`` (loop time): a change on its own
    waits only for changes sent along with it; one within a burst (a lint still pending, or the
    previous change less than the debounce interval ago) waits for the burst to pause."""
    if pending or (previous is not None and now - previous < DEBOUNCE_SECONDS):
        return DEBOUNCE_SECONDS
    return SETTLE_SECONDS


# --- the server ---------------------------------------------------------------------------------


def _severity(types, s: Severity):
    return {
        Severity.ERROR: types.DiagnosticSeverity.Error,
        Severity.WARNING: types.DiagnosticSeverity.Warning,
        Severity.INFO: types.DiagnosticSeverity.Information,
    }[s]


def _range(types, r: tuple[tuple[int, int], tuple[int, int]]):
    (l1, c1), (l2, c2) = r
    return types.Range(start=types.Position(line=l1, character=c1), end=types.Position(line=l2, character=c2))


def _kind_requested(kind: str, only: Sequence[str] | None) -> bool:
    if not only:
        return True
    return any(kind == k or kind.startswith(k + ".") for k in only)


def _overlaps(types, a, b) -> bool:
    def key(p):
        return (p.line, p.character)

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def create_server(opts: "Options"):
    """A pygls ``LanguageServer`` linting with ``opts`` (the command line's settings options)."""
    import asyncio  # noqa: PLC0415 - lazy: the event loop only when the server starts

    from lsprotocol import types  # noqa: PLC0415 - lazy: pygls is an optional dependency, loaded when the server starts
    from pygls.lsp.server import LanguageServer  # noqa: PLC0415 - lazy: pygls is an optional dependency, loaded when the server starts
    from pygls.uris import to_fs_path  # noqa: PLC0415 - lazy: pygls is an optional dependency, loaded when the server starts

    from masqlint import __version__  # noqa: PLC0415 - lazy: the version only when the server starts

    server = LanguageServer("masqlint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
    pending: dict[str, asyncio.TimerHandle] = {}
    last_change: dict[str, float] = {}  # uri -> loop time of its latest change
    cache: dict[str, tuple[str, BufferLint]] = {}  # uri -> (buffer text, lint of it)
    infos: dict = {}  # the catalog, read on the first diagnostic rather than before `initialize`

    def path_of(uri: str) -> str:
        p = to_fs_path(uri) if uri.startswith("file:") else None
        return p or os.path.join(os.getcwd(), "untitled.yaml")

    def root_of(path: str) -> str | None:
        best = None
        for folder in server.workspace.folders.values():
            fp = to_fs_path(folder.uri)
            if fp and (path == fp or path.startswith(fp.rstrip(os.sep) + os.sep)) and (best is None or len(fp) > len(best)):
                best = fp
        return best or server.workspace.root_path

    def encoding() -> str:
        kind = server.workspace.position_encoding or "utf-16"
        return str(getattr(kind, "value", kind))  # PositionEncodingKind is a str enum

    def lint_uri(uri: str) -> tuple[BufferLint, PositionMap]:
        text = server.workspace.get_text_document(uri).source
        hit = cache.get(uri)
        if hit is None or hit[0] != text:
            path = path_of(uri)
            hit = (text, lint_buffer(path, text, opts, root_of(path)))
            cache[uri] = hit
        bl = hit[1]
        return bl, PositionMap(bl.linted, encoding(), bl.shift)

    def diagnostic(f: Finding, pm: PositionMap):
        if not infos:
            from masqlint.engine.catalog import rule_infos  # noqa: PLC0415 - lazy: the catalog loads on the first diagnostic, not before initialize

            infos.update(rule_infos())
        info = infos.get(f.rule)
        return types.Diagnostic(
            range=_range(types, pm.span_range(f.span)),
            message=f.message,
            severity=_severity(types, f.severity),
            code=f.rule,
            code_description=types.CodeDescription(href=info.help_uri) if info and info.help_uri else None,
            source=SOURCE,
            data={"rule": f.rule, "name": f.name, "fixable": f.fix is not None},
        )

    def publish(uri: str) -> None:
        pending.pop(uri, None)
        doc = server.workspace.get_text_document(uri)
        try:
            bl, pm = lint_uri(uri)
        except Exception as e:  # noqa: BLE001 - never let one buffer take the server down
            server.window_log_message(types.LogMessageParams(type=types.MessageType.Error,
                                                             message=f"masqlint: internal error: {type(e).__name__}: {e}"))
            return
        if bl.error is not None:
            diags = [types.Diagnostic(
                range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
                message=f"masqlint settings: {bl.error}", severity=types.DiagnosticSeverity.Error, source=SOURCE,
            )]
        else:
            diags = [diagnostic(f, pm) for f in bl.findings]
        server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diags, version=doc.version)
        )

    def schedule(uri: str, delay: float) -> None:
        old = pending.pop(uri, None)
        if old is not None:
            old.cancel()
        pending[uri] = asyncio.get_running_loop().call_later(delay, publish, uri)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls, params: types.DidOpenTextDocumentParams) -> None:
        publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls, params: types.DidChangeTextDocumentParams) -> None:
        # A change on its own is linted at once; one that follows another within the debounce
        # interval (typing, or several sent in one write) makes a burst, linted once it pauses.
        uri = params.text_document.uri
        now = asyncio.get_running_loop().time()
        delay = change_delay(now, last_change.get(uri), uri in pending)
        last_change[uri] = now
        schedule(uri, delay)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    async def did_save(ls, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        if os.path.basename(path_of(uri)) in SETTINGS_FILE_NAMES:
            cache.clear()  # new settings: every open document is linted again
            for other in list(server.workspace.text_documents):
                if other != uri:
                    publish(other)
        cache.pop(uri, None)
        publish(uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        old = pending.pop(uri, None)
        if old is not None:
            old.cancel()
        cache.pop(uri, None)
        last_change.pop(uri, None)
        server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND], resolve_provider=False),
    )
    def code_action(ls, params: types.CodeActionParams):
        uri = params.text_document.uri
        bl, pm = lint_uri(uri)
        only = params.context.only
        actions = []
        if _kind_requested(types.CodeActionKind.QuickFix, only):
            for f in bl.findings:
                if f.fix is None:
                    continue
                diag = diagnostic(f, pm)
                if not _overlaps(types, diag.range, params.range):
                    continue
                title = f"{f.rule}: {f.fix.description[:1].upper()}{f.fix.description[1:]}"
                if not f.fix.safe:
                    title += " (unsafe fix: check the result)"
                edits = [types.TextEdit(range=_range(types, pm.edit_range(e)), new_text=e.text) for e in f.fix.edits]
                actions.append(types.CodeAction(
                    title=title,
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diag],
                    is_preferred=f.fix.safe,
                    edit=types.WorkspaceEdit(changes={uri: edits}),
                ))
        if _kind_requested(FIX_ALL_KIND, only):
            new = fix_all_safe(bl, path_of(uri))
            if new is not None:
                a, b, repl = minimal_edit(bl.text, new)
                whole = PositionMap(bl.text, encoding())
                edit = types.TextEdit(range=_range(types, (whole.position(a), whole.position(b))), new_text=repl)
                actions.append(types.CodeAction(
                    title="masqlint: Fix all safe problems",
                    kind=FIX_ALL_KIND,
                    edit=types.WorkspaceEdit(changes={uri: [edit]}),
                ))
        return actions

    return server
