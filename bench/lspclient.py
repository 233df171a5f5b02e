"""A small JSON-RPC client for timing a real ``masqlint lsp`` process over its standard input/output.

Only what the two language-server figures need: the time from starting the process to the
``initialize`` reply, and the time from a ``didChange`` notification to the
``publishDiagnostics`` for that version. Messages use the Content-Length framing of the LSP
specification; every read has a deadline, so a server that hangs fails the figure instead of
the benchmark.
"""

from __future__ import annotations

import json
import os
import select
import statistics
import subprocess
import time

TIMEOUT = 30.0


class LspProcess:
    def __init__(self, argv: list[str], cwd: str, env: dict):
        self.t_start = time.perf_counter()
        self.proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.fd = self.proc.stdout.fileno()
        self.buf = b""
        self.next_id = 0

    # --- framing ---

    def send(self, msg: dict) -> None:
        body = json.dumps(msg).encode("utf-8")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def _fill(self, deadline: float) -> None:
        left = deadline - time.perf_counter()
        if left <= 0 or not select.select([self.fd], [], [], left)[0]:
            raise TimeoutError("the language server did not answer in time")
        chunk = os.read(self.fd, 1 << 16)
        if not chunk:
            raise EOFError("the language server closed its output")
        self.buf += chunk

    def receive(self, deadline: float) -> dict:
        while True:
            head, sep, rest = self.buf.partition(b"\r\n\r\n")
            if sep:
                length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length:"))
                if len(rest) >= length:
                    self.buf = rest[length:]
                    msg = json.loads(rest[:length])
                    if "method" in msg and "id" in msg:  # a request from the server: accept it
                        self.send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
                    return msg
            self._fill(deadline)

    # --- protocol ---

    def request(self, method: str, params) -> dict:
        self.next_id += 1
        rid = self.next_id
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        deadline = time.perf_counter() + TIMEOUT
        while True:
            msg = self.receive(deadline)
            if msg.get("id") == rid and "method" not in msg:
                return msg

    def notify(self, method: str, params) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def diagnostics(self, uri: str, version: int) -> dict:
        deadline = time.perf_counter() + TIMEOUT
        while True:
            msg = self.receive(deadline)
            if (msg.get("method") == "textDocument/publishDiagnostics" and msg["params"]["uri"] == uri
                    and msg["params"].get("version") == version):
                return msg["params"]

    def initialize(self, root: str) -> dict:
        uri = "file://" + root
        reply = self.request("initialize", {
            "processId": os.getpid(), "rootUri": uri,
            "workspaceFolders": [{"uri": uri, "name": os.path.basename(root)}],
            "capabilities": {"textDocument": {"publishDiagnostics": {"versionSupport": True},
                                              "synchronization": {"didSave": True}}},
        })
        self.notify("initialized", {})
        return reply

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                self.request("shutdown", None)
                self.notify("exit", None)
                self.proc.wait(timeout=TIMEOUT)
        except (OSError, TimeoutError, EOFError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass


def start_to_initialize(argv: list[str], cwd: str, env: dict, runs: int) -> list[float]:
    """Seconds from starting the process to its ``initialize`` reply, one sample per process."""
    out = []
    for _ in range(runs):
        lsp = LspProcess(argv, cwd, env)
        try:
            lsp.initialize(cwd)
            out.append(time.perf_counter() - lsp.t_start)
        finally:
            lsp.close()
    return out


def change_to_diagnostics(argv: list[str], cwd: str, env: dict, texts: list[str], edits: int,
                          pause: float) -> list[float]:
    """Seconds from a single ``didChange`` (the editor then idle for ``pause``) to its diagnostics.

    ``texts`` alternate, so that every change is a real edit the server has not linted before
    (the buffer differs from the one before it)."""
    lsp = LspProcess(argv, cwd, env)
    path = os.path.join(cwd, "ip-masq-agent.yaml")
    uri = "file://" + path
    out = []
    try:
        lsp.initialize(cwd)
        lsp.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1,
                                                             "text": texts[0]}})
        lsp.diagnostics(uri, 1)
        for k in range(edits):
            time.sleep(pause)
            version = k + 2
            t0 = time.perf_counter()
            lsp.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                  "contentChanges": [{"text": texts[(k + 1) % len(texts)]}]})
            lsp.diagnostics(uri, version)
            out.append(time.perf_counter() - t0)
    finally:
        lsp.close()
    return out


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000
