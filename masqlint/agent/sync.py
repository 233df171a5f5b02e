"""One call for "what does the agent do with these bytes": decode, parse, validate, apply."""

from __future__ import annotations

from masqlint.agent.load import DecodeError, decode_bytes, is_json_input, parse_agent_text
from masqlint.agent.model import AgentError, AgentFlags, SyncResult, apply


def parse_bytes(data: bytes):
    """The decoder's input for a config file's bytes, or the AgentError that rejects it."""
    try:
        text = decode_bytes(data)
    except DecodeError as e:
        return AgentError(f"yaml: {e.message}", "encoding", None)
    return parse_agent_text(text.text, is_json_input(data))


def sync_bytes(data: bytes | None, flags: AgentFlags | None = None, previous: bytes | None = None) -> SyncResult:
    """The agent's loop on ``data`` (None: no config file), after one loop on ``previous``."""
    flags = flags or AgentFlags()
    prev = None
    if previous is not None:
        prev = apply(parse_bytes(previous), flags, None)
    root = None if data is None else parse_bytes(data)
    return apply(root, flags, prev)
