"""`masqlint lsp` driven as an editor drives it: JSON-RPC with Content-Length framing over the pipes."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from paths import REPO as ROOT

from masqlint.lsp.server import DEBOUNCE_SECONDS

TIMEOUT = 20.0  # seconds any single read may wait; generous for slow CI, never infinite

# Line 8 (0-based 7) holds Hangul (one UTF-16 unit each) and an astral emoji (two units) before
# the duplicate CIDR.
BROKEN = (
    "apiVersion: v1\n"
    "kind: ConfigMap\n"
    "metadata:\n"
    "  name: ip-masq-agent\n"
    "  namespace: kube-system\n"
    "data:\n"
    "  config: |\n"
    '    nonMasqueradeCIDRs: ["링크😀", 10.8.0.0/16, 10.8.0.0/16]\n'
    "    masqLinkLocal: false\n"
    "    resyncInterval: 60s\n"
)
DUP_LINE = 7
LINE = BROKEN.splitlines()[DUP_LINE]


def utf16_col(line: str, index: int) -> int:
    """A Python string index → UTF-16 code units (computed independently of the server)."""
    return len(line[:index].encode("utf-16-le")) // 2


def apply_text_edits(text: str, edits: list[dict]) -> str:
    """Apply LSP TextEdits (UTF-16 positions, \\n line breaks) the way an editor does."""
    lines = text.split("\n")

    def offset(pos):
        before = sum(len(ln) + 1 for ln in lines[: pos["line"]])
        units = lines[pos["line"]].encode("utf-16-le")[: 2 * pos["character"]]
        return before + len(units.decode("utf-16-le"))

    spans = sorted(((offset(e["range"]["start"]), offset(e["range"]["end"]), e["newText"]) for e in edits), reverse=True)
    for a, b, new in spans:
        text = text[:a] + new + text[b:]
    return text


class Client:
    """A minimal LSP client: requests, notifications, and the server's messages in a queue."""

    def __init__(self, cwd: Path, args=()):
        env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        env.pop("MASQLINT_DEBUG", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "masqlint", "lsp", *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env,
        )
        self.messages: queue.Queue = queue.Queue()
        self.stderr = ""
        self.notifications: list[dict] = []
        self._id = 0
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        out = self.proc.stdout
        while True:
            headers = {}
            while True:
                line = out.readline()
                if not line:
                    self.messages.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                k, _, v = line.decode("ascii").partition(":")
                headers[k.strip().lower()] = v.strip()
            body = out.read(int(headers["content-length"]))
            self.messages.put(json.loads(body.decode("utf-8")))

    def send(self, msg: dict):
        body = json.dumps(msg, ensure_ascii=False).encode("utf-8")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def send_many(self, msgs: list[dict]):
        """Several messages in one write, as a fast typist's editor sends them."""
        data = b""
        for msg in msgs:
            body = json.dumps(msg, ensure_ascii=False).encode("utf-8")
            data += b"Content-Length: %d\r\n\r\n" % len(body) + body
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def notify(self, method: str, params: dict):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def next_message(self) -> dict:
        try:
            msg = self.messages.get(timeout=TIMEOUT)
        except queue.Empty:
            raise AssertionError(f"no message from the server within {TIMEOUT}s") from None
        if msg is None:
            raise AssertionError("the server closed its output: " + self.proc.stderr.read().decode(errors="replace")[-2000:])
        if "method" in msg and "id" in msg:  # a request from the server (registerCapability, ...): accept it
            self.send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
        elif "method" in msg:
            self.notifications.append(msg)
        return msg

    def send_raw(self, data: bytes):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def reply_to(self, rid) -> dict:
        """The server's response to request ``rid`` (its notifications on the way are kept)."""
        while True:
            msg = self.next_message()
            if "method" not in msg and msg.get("id") == rid:
                return msg

    def call(self, method: str, params) -> dict:
        """A request; the whole response, result or error."""
        self._id += 1
        rid = self._id
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        return self.reply_to(rid)

    def request(self, method: str, params: dict):
        msg = self.call(method, params)
        assert "error" not in msg, msg["error"]
        return msg["result"]

    def wait_diagnostics(self, uri: str, version: int | None = None) -> dict:
        for i, n in enumerate(self.notifications):
            if n["method"] == "textDocument/publishDiagnostics" and n["params"]["uri"] == uri and (
                version is None or n["params"].get("version") == version
            ):
                return self.notifications.pop(i)["params"]
        while True:
            msg = self.next_message()
            if msg.get("method") == "textDocument/publishDiagnostics" and msg["params"]["uri"] == uri and (
                version is None or msg["params"].get("version") == version
            ):
                self.notifications.remove(msg)
                return msg["params"]

    def initialize(self, root: Path, capabilities: dict | None = None) -> dict:
        result = self.request("initialize", {
            "processId": os.getpid(),
            "rootUri": root.as_uri(),
            "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
            "capabilities": capabilities or {
                "textDocument": {
                    "publishDiagnostics": {"versionSupport": True, "codeDescriptionSupport": True},
                    "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source"]}},
                                   "isPreferredSupport": True},
                    "synchronization": {"didSave": True},
                },
            },
        })
        self.notify("initialized", {})
        return result

    def close(self) -> int:
        """Shut the server down as an editor does (unless it has ended already); its exit code."""
        if self.proc.stderr.closed:  # closed already
            return self.proc.returncode
        if self.proc.poll() is None:
            try:
                self.request("shutdown", None)
                self.notify("exit", None)
                self.proc.wait(timeout=TIMEOUT)
            except Exception:  # noqa: BLE001 - a server that does not shut down cleanly is killed
                self.proc.kill()
                self.proc.wait(timeout=TIMEOUT)
        self.stderr = self.proc.stderr.read().decode("utf-8", "replace")
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                stream.close()
            except OSError:
                pass
        return self.proc.returncode


@pytest.fixture
def client(tmp_path):
    c = Client(tmp_path)
    yield c
    c.close()


def _open(client: Client, path: Path, text: str, version: int = 1) -> str:
    uri = path.as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": version, "text": text}})
    return uri


def _change(client: Client, uri: str, text: str, version: int) -> None:
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]})


def _by_code(diags: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for d in diags:
        out.setdefault(d["code"], []).append(d)
    return out


def _rng(line: int, start: int, end: int) -> dict:
    return {"start": {"line": line, "character": start}, "end": {"line": line, "character": end}}


def test_diagnostics_quick_fix_and_fix_all(client, tmp_path):
    init = client.initialize(tmp_path)
    caps = init["capabilities"]
    assert init["serverInfo"]["name"] == "masqlint"
    assert caps["textDocumentSync"]["openClose"] is True and caps["textDocumentSync"]["change"] == 1  # full text
    assert set(caps["codeActionProvider"]["codeActionKinds"]) == {"quickfix", "source.fixAll.masqlint"}
    assert caps.get("positionEncoding", "utf-16") == "utf-16"

    path = tmp_path / "ip-masq-agent.yaml"
    path.write_text("stale content on disk: the server must lint the buffer\n", encoding="utf-8")
    text = BROKEN.replace("masqLinkLocal: false", "masqLinkLocaL: no")
    uri = _open(client, path, text)

    # --- didOpen: diagnostics with exact UTF-16 ranges ---
    diags = client.wait_diagnostics(uri)
    assert diags["version"] == 1
    by = _by_code(diags["diagnostics"])
    dup_at = LINE.rindex("10.8.0.0/16")
    bad_at = LINE.index('"링크😀"')
    # Hangul counts one unit a character, the emoji two: UTF-16 columns differ from character columns
    assert utf16_col(LINE, dup_at) == dup_at + 1
    (dup,) = by["MQ305"]
    assert dup["range"] == _rng(DUP_LINE, utf16_col(LINE, dup_at), utf16_col(LINE, dup_at + len("10.8.0.0/16")))
    (bad,) = by["MQ301"]
    assert bad["range"] == _rng(DUP_LINE, bad_at, utf16_col(LINE, bad_at + len('"링크😀"')))
    assert bad["range"]["end"]["character"] == bad_at + 6  # 5 characters, 6 UTF-16 units
    for d in diags["diagnostics"]:
        assert d["source"] == "masqlint"
        assert d["codeDescription"]["href"].startswith("https://")
        assert d["code"].lower() in d["codeDescription"]["href"]
    assert bad["severity"] == 1  # error
    assert by["MQ201"][0]["severity"] == 2  # warning
    assert by["MQ201"][0]["range"] == _rng(8, 4, 4 + len("masqLinkLocaL"))

    # --- code actions: one quick fix per fixable finding in range, the duplicate's removal preferred ---
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": dup["range"], "context": {"diagnostics": [dup]},
    })
    quick = [a for a in actions if a["kind"] == "quickfix"]
    assert len(quick) == 1, actions
    (fix,) = quick
    assert fix["title"].startswith("MQ305") and fix["isPreferred"] is True
    assert fix["diagnostics"][0]["code"] == "MQ305"
    # MQ301 has no fix: no quick fix is offered for it
    assert not [a for a in client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": bad["range"], "context": {"diagnostics": [bad], "only": ["quickfix"]},
    })]

    # --- apply the edit, send the new text: the fixed finding disappears, the others stay ---
    text2 = apply_text_edits(text, fix["edit"]["changes"][uri])
    assert '["링크😀", 10.8.0.0/16]' in text2
    _change(client, uri, text2, 2)
    diags2 = client.wait_diagnostics(uri, version=2)
    by2 = _by_code(diags2["diagnostics"])
    assert "MQ305" not in by2
    assert by2["MQ301"][0]["range"] == bad["range"]
    assert "MQ201" in by2 and "MQ208" in by2

    # --- "Fix all safe problems" (source.fixAll.masqlint) fixes the key casing and the YAML 1.1 boolean ---
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": _rng(0, 0, 0), "context": {"diagnostics": [], "only": ["source.fixAll"]},
    })
    assert [a["kind"] for a in actions] == ["source.fixAll.masqlint"]
    text3 = apply_text_edits(text2, actions[0]["edit"]["changes"][uri])
    assert "    masqLinkLocal: false\n" in text3 and '["링크😀", 10.8.0.0/16]' in text3
    _change(client, uri, text3, 3)
    by3 = _by_code(client.wait_diagnostics(uri, version=3)["diagnostics"])
    assert set(by3) == {"MQ301"}  # only the unfixable finding is left

    # --- save: diagnostics are published again ---
    client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    assert set(_by_code(client.wait_diagnostics(uri, version=3)["diagnostics"])) == {"MQ301"}

    # --- close: diagnostics are cleared ---
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert client.wait_diagnostics(uri)["diagnostics"] == []


def test_unsafe_fix_is_labelled_and_not_preferred(client, tmp_path):
    client.initialize(tmp_path)
    text = BROKEN.replace('["링크😀", 10.8.0.0/16, 10.8.0.0/16]', "[10.8.0.5/16]")
    uri = _open(client, tmp_path / "cm.yaml", text)
    (host_bits,) = _by_code(client.wait_diagnostics(uri)["diagnostics"])["MQ302"]
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": host_bits["range"], "context": {"diagnostics": [host_bits]},
    })
    (fix,) = [a for a in actions if a["kind"] == "quickfix"]
    assert "unsafe" in fix["title"] and fix["isPreferred"] is False
    assert "10.8.0.0/16" in apply_text_edits(text, fix["edit"]["changes"][uri])
    # an unsafe fix is never part of "fix all"
    assert not [a for a in actions if a["kind"] == "source.fixAll.masqlint"]


def test_changes_are_debounced(client, tmp_path):
    client.initialize(tmp_path)
    uri = _open(client, tmp_path / "cm.yaml", BROKEN)
    client.wait_diagnostics(uri, version=1)
    fixed = BROKEN.replace(", 10.8.0.0/16]", "]")
    # three edits in one burst: only the last version is linted
    client.send_many([
        {"jsonrpc": "2.0", "method": "textDocument/didChange",
         "params": {"textDocument": {"uri": uri, "version": v}, "contentChanges": [{"text": t}]}}
        for v, t in ((2, BROKEN + "#"), (3, BROKEN + "##"), (4, fixed))
    ])
    last = client.wait_diagnostics(uri, version=4)
    assert "MQ305" not in _by_code(last["diagnostics"])
    early = [n for n in client.notifications if n["method"] == "textDocument/publishDiagnostics" and n["params"].get("version") in (2, 3)]
    assert early == []


def test_edits_apart_are_each_linted(client, tmp_path):
    """Edits with the editor idle in between (each after the last one's diagnostics): every
    version gets its own diagnostics, in order, whatever the burst rule debounces."""
    client.initialize(tmp_path)
    uri = _open(client, tmp_path / "cm.yaml", BROKEN)
    client.wait_diagnostics(uri, version=1)
    fixed = BROKEN.replace(", 10.8.0.0/16]", "]")
    for version, text, dup in ((2, fixed, False), (3, BROKEN, True), (4, fixed, False)):
        _change(client, uri, text, version)
        diags = client.wait_diagnostics(uri, version=version)["diagnostics"]
        assert ("MQ305" in _by_code(diags)) is dup


def test_a_change_on_its_own_is_not_debounced():
    from masqlint.lsp.server import DEBOUNCE_SECONDS, SETTLE_SECONDS, change_delay

    assert 0 <= SETTLE_SECONDS < DEBOUNCE_SECONDS
    assert change_delay(100.0, None, pending=False) == SETTLE_SECONDS  # the first change of a document
    assert change_delay(100.0, 100.0 - 2 * DEBOUNCE_SECONDS, pending=False) == SETTLE_SECONDS  # after a pause
    assert change_delay(100.0, 100.0 - DEBOUNCE_SECONDS / 2, pending=False) == DEBOUNCE_SECONDS  # typing
    assert change_delay(100.0, 100.0 - 2 * DEBOUNCE_SECONDS, pending=True) == DEBOUNCE_SECONDS  # one still queued


def test_settings_come_from_the_files_folder(client, tmp_path):
    client.initialize(tmp_path)
    strict = tmp_path / "strict"
    relaxed = tmp_path / "relaxed"
    strict.mkdir()
    relaxed.mkdir()
    (relaxed / ".masqlint.yaml").write_text("ignore: [MQ305]\n", encoding="utf-8")
    u1 = _open(client, strict / "cm.yaml", BROKEN)
    assert "MQ305" in _by_code(client.wait_diagnostics(u1)["diagnostics"])
    u2 = _open(client, relaxed / "cm.yaml", BROKEN)
    by = _by_code(client.wait_diagnostics(u2)["diagnostics"])
    assert "MQ305" not in by and "MQ301" in by

    # a broken settings file is reported on the document, not swallowed
    (relaxed / ".masqlint.yaml").write_text("ignore: 5\n", encoding="utf-8")
    client.notify("textDocument/didSave", {"textDocument": {"uri": u2}})
    (d,) = client.wait_diagnostics(u2)["diagnostics"]
    assert d["severity"] == 1 and ".masqlint.yaml" in d["message"]


def test_files_without_an_agent_config_get_no_diagnostics(client, tmp_path):
    client.initialize(tmp_path)
    uri = _open(client, tmp_path / "values.yaml", "key: [unclosed\n  - {{ template }}\n")
    assert client.wait_diagnostics(uri)["diagnostics"] == []


def test_utf8_positions_when_the_client_asks_for_them(tmp_path):
    c = Client(tmp_path)
    try:
        init = c.initialize(tmp_path, {"general": {"positionEncodings": ["utf-8", "utf-16"]}})
        assert init["capabilities"]["positionEncoding"] == "utf-8"
        uri = _open(c, tmp_path / "cm.yaml", BROKEN)
        (dup,) = _by_code(c.wait_diagnostics(uri)["diagnostics"])["MQ305"]
        at = LINE.rindex("10.8.0.0/16")
        assert dup["range"]["start"] == {"line": DUP_LINE, "character": len(LINE[:at].encode("utf-8"))}
    finally:
        c.close()


def _frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def _diagnostics_among(notifications: list[dict]) -> list[dict]:
    return [n for n in notifications if n["method"] == "textDocument/publishDiagnostics"]


def _logged(notifications: list[dict]) -> list[str]:
    return [n["params"]["message"] for n in notifications if n["method"] == "window/logMessage"]


def test_requests_before_initialize_are_refused_and_notifications_dropped(client, tmp_path):
    before = client.call("textDocument/codeAction", {
        "textDocument": {"uri": (tmp_path / "cm.yaml").as_uri()}, "range": _rng(0, 0, 0), "context": {"diagnostics": []},
    })
    assert before["error"]["code"] == -32002  # ServerNotInitialized
    _open(client, tmp_path / "cm.yaml", BROKEN)  # dropped: the server is not initialized
    assert client.call("shutdown", None)["error"]["code"] == -32002
    init = client.initialize(tmp_path)
    assert init["serverInfo"]["name"] == "masqlint"
    # messages are handled in order: diagnostics for the dropped didOpen would have come before this reply
    assert client.call("textDocument/codeAction", {
        "textDocument": {"uri": "untitled:Untitled-1"}, "range": _rng(0, 0, 0), "context": {"diagnostics": []},
    })["result"] == []
    assert _diagnostics_among(client.notifications) == []
    assert client.call("initialize", {"capabilities": {}})["error"]["code"] == -32600  # only once
    # the server still works: the document opened now is linted
    uri = _open(client, tmp_path / "cm.yaml", BROKEN)
    assert "MQ305" in _by_code(client.wait_diagnostics(uri, version=1)["diagnostics"])
    assert client.close() == 0 and client.stderr == ""


def test_bad_input_is_logged_and_answered_never_fatal(client, tmp_path):
    client.initialize(tmp_path)
    request = json.dumps({"jsonrpc": "2.0", "id": 90, "method": "textDocument/codeAction", "params": {
        "textDocument": {"uri": "untitled:Untitled-1"}, "range": _rng(0, 0, 0), "context": {"diagnostics": []}}}).encode()
    client.send_raw(
        b"Content-Lenght: 12\r\n\r\n"  # misspelt: no Content-Length
        + b"Content-Length: twelve\r\n\r\n"  # not a number
        + _frame(b'{"jsonrpc": "2.0", "id": 91, "method": ')  # cut short: not JSON
        + _frame(b'{"jsonrpc": "2.0", "id": 92, "method": "x", "params": "\xff\xfe"}')  # not UTF-8
        + _frame(b"[1, 2]")  # a batch: LSP has none
        + _frame(b'{"id": 93, "method": "shutdown"}')  # no "jsonrpc": "2.0"
        + _frame(b'{"jsonrpc": "2.0", "id": 94, "method": 7}')
        + _frame(b'{"jsonrpc": "2.0", "id": 95, "method": "textDocument/codeAction", "params": 3}')
        + _frame(b'{"jsonrpc": "2.0", "id": {"no": 1}, "method": "shutdown"}')
        + _frame(b"[" * 100_000 + b"]" * 100_000)  # nested beyond any parser's depth
        + b"Content-Length: 4\r\n\r\n" + request  # a length too short: the rest of the body is noise
        + _frame(request)  # the server finds its feet again at the next header
    )
    responses = _responses_until(client, 90)
    assert responses[-1]["result"] == []
    errors = [m for m in responses if "error" in m]
    codes = {m.get("id"): m["error"]["code"] for m in errors if m.get("id") is not None}
    assert codes == {93: -32600, 94: -32600, 95: -32600}
    parse_errors = [m for m in errors if m["id"] is None and m["error"]["code"] == -32700]
    assert len(parse_errors) >= 4  # cut short, not UTF-8, nested, the body cut at 4 bytes
    logged = _logged(client.notifications)
    assert any("without Content-Length" in m for m in logged)
    assert any("not a number" in m for m in logged)
    assert any("not a message header" in m for m in logged)
    # invalid params of a request: answered with its id, the server stays up
    bad = client.call("textDocument/codeAction", {"textDocument": {"uri": 5}, "range": _rng(0, 0, 0), "context": {}})
    assert bad["error"]["code"] == -32602 and "textDocument.uri" in bad["error"]["message"]
    assert client.call("masqlint/unknown", {})["error"]["code"] == -32601
    assert client.call("$/unknown", {})["error"]["code"] == -32601
    client.notify("$/setTrace", {"value": "off"})  # a notification the server does not handle: ignored
    client.notify("textDocument/didOpen", {"textDocument": {"uri": 5}})  # bad params of a notification: logged
    uri = _open(client, tmp_path / "cm.yaml", BROKEN)
    assert "MQ305" in _by_code(client.wait_diagnostics(uri)["diagnostics"])
    assert any("textDocument.uri" in m for m in _logged(client.notifications))
    assert client.close() == 0
    assert "Traceback" not in client.stderr and client.stderr == ""


def _responses_until(client: Client, rid) -> list[dict]:
    """The server's responses, in order, up to and including the one to request ``rid``."""
    seen = []
    while True:
        msg = client.next_message()
        if "method" in msg:
            continue
        seen.append(msg)
        if msg.get("id") == rid:
            return seen


def test_a_request_cancelled_before_it_runs_is_answered_cancelled(client, tmp_path):
    client.initialize(tmp_path)
    uri = _open(client, tmp_path / "cm.yaml", BROKEN)
    client.wait_diagnostics(uri)
    action = {"jsonrpc": "2.0", "method": "textDocument/codeAction", "params": {
        "textDocument": {"uri": uri}, "range": _rng(DUP_LINE, 0, 80), "context": {"diagnostics": []}}}
    client.send_many([{**action, "id": 500}, {"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 500}},
                      {**action, "id": 501}])
    assert client.reply_to(500)["error"]["code"] == -32800  # RequestCancelled
    assert [a["kind"] for a in client.reply_to(501)["result"]].count("quickfix") == 1
    # a cancellation for a request already answered changes nothing
    client.notify("$/cancelRequest", {"id": 501})
    assert client.request("textDocument/codeAction", action["params"])


def test_exit_codes_and_requests_after_shutdown(tmp_path):
    c = Client(tmp_path)
    c.initialize(tmp_path)
    uri = _open(c, tmp_path / "cm.yaml", BROKEN)
    c.wait_diagnostics(uri, version=1)
    c.send_many([  # a burst: linted once it pauses, which it does after shutdown
        {"jsonrpc": "2.0", "method": "textDocument/didChange",
         "params": {"textDocument": {"uri": uri, "version": v}, "contentChanges": [{"text": t}]}}
        for v, t in ((2, BROKEN + "#"), (3, BROKEN + "##"))
    ])
    assert c.request("shutdown", None) is None
    time.sleep(2 * DEBOUNCE_SECONDS)
    after = c.call("textDocument/codeAction", {"textDocument": {"uri": "untitled:x"}, "range": _rng(0, 0, 0),
                                               "context": {"diagnostics": []}})
    assert after["error"]["code"] == -32600  # InvalidRequest after shutdown
    assert _diagnostics_among(c.notifications) == []  # nothing is published after shutdown
    c.notify("exit", None)
    assert c.proc.wait(timeout=TIMEOUT) == 0
    assert c.close() == 0 and c.stderr == ""

    c = Client(tmp_path)
    c.initialize(tmp_path)
    c.notify("exit", None)  # without shutdown
    assert c.proc.wait(timeout=TIMEOUT) == 1
    c.close()

    c = Client(tmp_path)
    c.initialize(tmp_path)
    c.proc.stdin.close()  # the editor went away
    assert c.proc.wait(timeout=TIMEOUT) == 1
    assert c.close() == 1 and c.stderr == ""


def test_the_linter_loads_after_the_initialize_reply(tmp_path):
    """The modules loaded when the server writes its initialize reply: the protocol and the
    command line, nothing of the linter (YAML, the checks, the forms, the rule catalog)."""
    code = (
        "import io, os, sys\n"
        "seen = []\n"
        "class Out(io.RawIOBase):\n"
        "    def writable(self): return True\n"
        "    def write(self, b):\n"
        "        if not seen and b'serverInfo' in bytes(b): seen.append(sorted(sys.modules))\n"
        "        return os.write(1, b)\n"
        "sys.stdout = io.TextIOWrapper(io.BufferedWriter(Out()))\n"
        "from masqlint.cli.main import main\n"
        "code = main(['lsp'])\n"
        "print(' '.join(seen[0]), file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    init = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}}}).encode()
    r = subprocess.run([sys.executable, "-c", code], input=_frame(init), capture_output=True, cwd=tmp_path, env=env,
                       timeout=60)
    assert b'"serverInfo"' in r.stdout and r.returncode == 1  # the input ended without shutdown
    loaded = set(r.stderr.decode().split())
    assert {"masqlint.lsp.rpc", "masqlint.lsp.server", "json"} <= loaded  # what the reply needed
    heavy = {"yaml", "jsonschema", "netaddr", "pathspec", "asyncio", "masqlint.engine.lint", "masqlint.engine.catalog",
             "masqlint.checks", "masqlint.forms", "masqlint.text.source", "masqlint.agent"}
    assert heavy.isdisjoint(loaded), sorted(heavy & loaded)


def test_incremental_changes_count_utf16_units(client, tmp_path):
    """A client may send ranges instead of the whole text; they count UTF-16 units like every position.
    The edited buffer is linted exactly as the same text opened whole."""
    client.initialize(tmp_path)
    uri = _open(client, tmp_path / "cm.yaml", BROKEN)
    client.wait_diagnostics(uri, version=1)
    dup_at = LINE.rindex(", 10.8.0.0/16]")  # after the emoji: a code-point count would cut one unit short
    false_at = BROKEN.splitlines()[8].index("false")
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
        {"range": _rng(DUP_LINE, utf16_col(LINE, dup_at), utf16_col(LINE, dup_at + len(", 10.8.0.0/16"))), "text": ""},
        {"range": _rng(8, false_at, false_at + len("false")), "text": "no"},
    ]})
    edited = client.wait_diagnostics(uri, version=2)["diagnostics"]
    expected = BROKEN.replace(", 10.8.0.0/16]", "]").replace("masqLinkLocal: false", "masqLinkLocal: no")
    whole = client.wait_diagnostics(_open(client, tmp_path / "cm2.yaml", expected))["diagnostics"]
    assert edited == whole
    by = _by_code(edited)
    assert "MQ305" not in by and by["MQ208"][0]["range"] == _rng(8, false_at, false_at + 2)


def test_workspace_folders_are_the_roots_of_globs(tmp_path):
    """``exclude`` globs of a --config file elsewhere match relative to the workspace folder holding
    the document; a folder added later counts too."""
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / ".masqlint.yaml").write_text("exclude: ['vendor/**/cm.yaml']\n", encoding="utf-8")
    (tmp_path / "cwd").mkdir()
    ws, ws2 = tmp_path / "ws", tmp_path / "ws2"
    c = Client(tmp_path / "cwd", ["--config", str(tmp_path / "cfg" / ".masqlint.yaml")])
    try:
        c.initialize(ws)
        (ws / "vendor").mkdir(parents=True)
        (ws2 / "vendor").mkdir(parents=True)
        assert c.wait_diagnostics(_open(c, ws / "vendor" / "cm.yaml", BROKEN))["diagnostics"] == []
        u2 = _open(c, ws2 / "vendor" / "cm.yaml", BROKEN)
        assert "MQ305" in _by_code(c.wait_diagnostics(u2)["diagnostics"])
        c.notify("workspace/didChangeWorkspaceFolders", {"event": {"added": [{"uri": ws2.as_uri(), "name": "ws2"}],
                                                                   "removed": []}})
        c.notify("textDocument/didSave", {"textDocument": {"uri": u2}})
        assert c.wait_diagnostics(u2)["diagnostics"] == []
        c.notify("workspace/didChangeWorkspaceFolders", {"event": {"added": [],
                                                                   "removed": [{"uri": ws2.as_uri(), "name": "ws2"}]}})
        c.notify("textDocument/didSave", {"textDocument": {"uri": u2}})
        assert "MQ305" in _by_code(c.wait_diagnostics(u2)["diagnostics"])
    finally:
        c.close()


def test_templates_and_values_files_are_linted_on_open_and_save(client, tmp_path):
    """Every form reaches the editor: an Ansible template (languageId jinja), Cilium values, and a
    script the editor attached the server to (no diagnostic: it is of no form masqlint reads)."""
    client.initialize(tmp_path)
    j2 = tmp_path / "roles" / "r" / "templates" / "ip-masq-agent.yaml.j2"
    j2.parent.mkdir(parents=True)
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ip-masq-agent\n  namespace: kube-system\n"
        "data:\n  config: |\n"
        "{% if cidrs %}\n    nonMasqueradeCIDRs:\n{% for c in cidrs %}\n      - {{ c }}\n{% endfor %}\n{% endif %}\n"
        "    resyncInterval: 60\n"
    )
    j2.write_text(text, encoding="utf-8")
    uri = j2.as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "jinja", "version": 1, "text": text}})
    (d,) = client.wait_diagnostics(uri)["diagnostics"]
    assert d["code"] == "MQ204" and d["range"] == _rng(13, 20, 22)
    j2.write_text(text.replace("resyncInterval: 60", "resyncInterval: 60s"), encoding="utf-8")
    _change(client, uri, text.replace("resyncInterval: 60", "resyncInterval: 60s"), 2)
    client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    assert client.wait_diagnostics(uri)["diagnostics"] == []

    values = tmp_path / "values.yaml"
    vtext = "ipMasqAgent:\n  enabled: true\n  config:\n    nonMasqueradeCIDRs: [10.0.0.0/8, 10.1.0.0/16]\n"
    uri = _open(client, values, vtext)
    by = _by_code(client.wait_diagnostics(uri)["diagnostics"])
    assert by["MQ306"][0]["range"] == _rng(3, 37, 48)

    script = tmp_path / "configure-ip-masq.sh"
    uri = script.as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "shellscript", "version": 1,
                                                            "text": "#!/bin/sh\necho 'nonMasqueradeCIDRs: []'\n"}})
    assert client.wait_diagnostics(uri)["diagnostics"] == []
