"""The language server's base protocol without a process: Content-Length framing as the bytes
arrive (in any pieces, with noise between messages), and LSP positions → offsets in a document."""

from __future__ import annotations

import json
import re

from hypothesis import given, settings, strategies as st

from masqlint.lsp.documents import Document, offset_at, uri_to_path
from masqlint.lsp.rpc import MAX_HEADER, Framer, frame

MESSAGES = st.lists(st.dictionaries(st.text(max_size=8), st.text(max_size=40) | st.integers(), max_size=4),
                    min_size=1, max_size=6)
# text that holds no Content-Length header of its own
NOISE = st.binary(max_size=60).filter(lambda b: b"content-length" not in b.lower())


def _feed_in_pieces(framer: Framer, data: bytes, cuts: list[int]) -> list:
    out = []
    at = 0
    for cut in sorted(c % (len(data) + 1) for c in cuts) + [len(data)]:
        out += framer.feed(data[at:cut])
        at = max(at, cut)
    return out


@given(MESSAGES, st.lists(st.integers(min_value=0), max_size=8))
def test_bodies_come_out_whole_however_the_input_is_cut(msgs, cuts):
    data = b"".join(frame(m) for m in msgs)
    out = _feed_in_pieces(Framer(), data, cuts)
    assert [json.loads(b) for b in out] == msgs


@settings(max_examples=300)
@given(MESSAGES, st.lists(NOISE, min_size=1, max_size=6), st.lists(st.integers(min_value=0), max_size=6))
def test_noise_between_messages_is_reported_and_skipped(msgs, noises, cuts):
    data = b""
    for i, m in enumerate(msgs):
        data += noises[i % len(noises)] + frame(m)
    out = _feed_in_pieces(Framer(), data, cuts)
    bodies = [b for b in out if isinstance(b, bytes)]
    problems = [p for p in out if isinstance(p, str)]
    assert [json.loads(b) for b in bodies] == msgs
    if any(n and b":" not in n for n in noises[: len(msgs)]):
        assert problems  # noise that cannot be a header line is said, not swallowed


def test_headers_the_specification_allows_and_those_it_does_not():
    f = Framer()
    body = b'{"a": 1}'
    ok = b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: 8\r\n\r\n" + body
    assert f.feed(ok) == [body]
    assert f.feed(b"content-length:8\r\n\r\n" + body) == [body]  # header names are case-insensitive
    out = f.feed(b"Content-Length: -8\r\n\r\n" + body + b"Content-Length: 8\r\n\r\n" + body)
    assert out[0] == "Content-Length is not a number of bytes: '-8'"
    assert out[-1] == body and len(out) == 3  # the stray body before the next header is skipped and said
    out = f.feed(b"X-Nothing: 1\r\n\r\n" + b"Content-Length: 8\r\nnot a header\r\n\r\n" + body)
    assert out == ["a message header without Content-Length: 'X-Nothing: 1'", "malformed header line: 'not a header'", body]


def test_a_long_run_without_a_header_is_dropped_not_kept():
    f = Framer()
    out = f.feed(b"x" * (MAX_HEADER + 100))
    assert len(out) == 1 and "not a message header" in out[0]
    assert len(f.buf) < 100
    assert f.feed(b"Content-Length: 2\r\n\r\n{}")[-1] == b"{}"


def test_frames_are_valid_utf8_even_for_lone_surrogates():
    data = frame({"message": "a\ud800b 링크"})
    head, _, body = data.partition(b"\r\n\r\n")
    assert head == b"Content-Length: %d" % len(body)
    assert json.loads(body.decode("utf-8")) == {"message": "a\ud800b 링크"}


# --- positions ----------------------------------------------------------------------------------

LINE_TEXT = st.lists(st.sampled_from(["a", " ", "é", "링", "😀", "\r", "\n", "\r\n", "\t"]), max_size=30).map("".join)


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line, the LSP's way: \\n, \\r\\n and \\r end a line."""
    out, start = [], 0
    for m in re.finditer(r"\r\n|\r|\n", text):
        out.append((start, m.start()))
        start = m.end()
    return out + [(start, len(text))]


UNITS = {"utf-16": lambda s: len(s.encode("utf-16-le")) // 2, "utf-8": lambda s: len(s.encode("utf-8")), "utf-32": len}


@given(LINE_TEXT, st.integers(min_value=0, max_value=40), st.sampled_from(sorted(UNITS)))
def test_offsets_of_positions_in_each_encoding(text, k, encoding):
    lines = _lines(text)
    line = k % (len(lines) + 1)
    if line == len(lines):  # a line past the end is the end of the text
        assert offset_at(text, line, 0, encoding) == len(text)
        return
    start, end = lines[line]
    i = k % (end - start + 1)
    units = UNITS[encoding](text[start:start + i])
    assert offset_at(text, line, units, encoding) == start + i
    assert offset_at(text, line, UNITS[encoding](text[start:end]) + 5, encoding) == end  # past the end of the line


def _position(text: str, offset: int) -> tuple[int, int]:
    line, (start, _) = next((n, se) for n, se in enumerate(_lines(text)) if se[0] <= offset <= se[1])
    return line, UNITS["utf-16"](text[start:offset])


@given(LINE_TEXT, st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0), st.text(max_size=4)),
                           max_size=4))
def test_incremental_edits_equal_the_same_edits_on_the_string(text, edits):
    doc = Document("file:///cm.yaml", text, 1)
    for a, b, new in edits:
        current = doc.text
        a, b = sorted((a % (len(current) + 1), b % (len(current) + 1)))
        if any(m.start() < x < m.end() for m in re.finditer(r"\r\n", current) for x in (a, b)):
            continue  # inside a \r\n: no LSP position names it
        doc.apply(new, _position(current, a), _position(current, b))
        assert doc.text == current[:a] + new + current[b:]


def test_file_uris_to_paths():
    assert uri_to_path("file:///home/me/chart%20one/values.yaml") == "/home/me/chart one/values.yaml"
    assert uri_to_path("file:///C%3A/repo/cm.yaml") == "c:/repo/cm.yaml"  # a drive letter, lower-cased
    assert uri_to_path("file://server/share/cm.yaml") == "//server/share/cm.yaml"  # UNC
    assert uri_to_path("untitled:Untitled-1") is None
