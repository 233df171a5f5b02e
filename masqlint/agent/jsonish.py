"""The JSON value the agent's decoder sees, with the YAML/JSON node each part came from.

Both input paths end here: YAML goes through go-yaml v2 and a JSON re-encoding (keys
sorted, one value per key), a file starting with ``{`` is read by encoding/json as it is
(members in file order, duplicates kept). Every value remembers its origin so that
rules and ``trace`` can point at the line that decided something.
"""

from __future__ import annotations

from masqlint.record import Record

TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any


class _JValue(Record):
    __slots__ = ()
    # mutable: not hashable
    __hash__ = None  # type: ignore[assignment]


class JObject(_JValue):
    __slots__ = ("members", "origin")

    def __init__(self, members: list[tuple[str, "JValue", Any]] | None = None, origin: Any = None):
        self.members = [] if members is None else members  # (key, value, key origin)
        self.origin = origin


class JArray(_JValue):
    __slots__ = ("items", "origin")

    def __init__(self, items: list["JValue"] | None = None, origin: Any = None):
        self.items = [] if items is None else items
        self.origin = origin


class JString(_JValue):
    __slots__ = ("value", "origin")

    def __init__(self, value: str, origin: Any = None):
        self.value = value
        self.origin = origin


class JNumber(_JValue):
    __slots__ = ("text", "origin")

    def __init__(self, text: str, origin: Any = None):
        self.text = text  # the JSON literal, as Go's error messages quote it
        self.origin = origin


class JBool(_JValue):
    __slots__ = ("value", "origin")

    def __init__(self, value: bool, origin: Any = None):
        self.value = value
        self.origin = origin


class JNull(_JValue):
    __slots__ = ("origin",)

    def __init__(self, origin: Any = None):
        self.origin = origin


JValue = JObject | JArray | JString | JNumber | JBool | JNull


def kind_name(v: JValue) -> str:
    """The word encoding/json uses for a JSON value in UnmarshalTypeError."""
    if isinstance(v, JObject):
        return "object"
    if isinstance(v, JArray):
        return "array"
    if isinstance(v, JString):
        return "string"
    if isinstance(v, JNumber):
        return "number"
    if isinstance(v, JBool):
        return "bool"
    return "null"
