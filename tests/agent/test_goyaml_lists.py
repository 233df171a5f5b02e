"""A list's plain scalars are decoded inline (a list of 100,000 CIDRs): each reads as go-yaml's
resolve reads it, whatever its first character."""

from __future__ import annotations

from masqlint.agent.goyaml import resolve_scalar
from masqlint.agent.jsonish import JArray, JBool, JNull, JNumber, JObject, JString
from masqlint.agent.load import parse_agent_text

ITEMS = ["10.0.0.0/8", "fd00::/8", "+1/2", "-1/2", ".5/8", "y/n", "yes/no", "~/x", "0x1/2", "2001-12-14/x",
         "1/2", "null/", "/", "10.0.0.0", "1", "yes", "~", "null", "1.5", "0o17", "2001-12-14", "x"]


def test_plain_items_read_as_resolve_reads_them():
    text = "nonMasqueradeCIDRs:\n" + "".join(f"  - {i}\n" for i in ITEMS)
    root = parse_agent_text(text, False)
    assert isinstance(root, JObject)
    (name, lst, _), = root.members
    assert name == "nonMasqueradeCIDRs" and isinstance(lst, JArray) and len(lst.items) == len(ITEMS)
    for item, v in zip(ITEMS, lst.items):
        tag, want = resolve_scalar("", item)
        if isinstance(want, str):
            assert isinstance(v, JString) and v.value == want, item
        elif want is None:
            assert isinstance(v, JNull), item
        elif isinstance(want, bool):
            assert isinstance(v, JBool) and v.value is want, item
        else:
            assert isinstance(v, JNumber), item
    assert [type(v).__name__ for v in lst.items[:12]] == ["JString"] * 12  # every item with a slash is a string
