"""The JSON value the agent's decoder sees, with the YAML/JSON node each part came from.

Both input paths end here: YAML goes through go-yaml v2 and a JSON re-encoding (keys
sorted, one value per key), a file starting with ``{`` is read by encoding/json as it is
(members in file order, duplicates kept). Every value remembers its origin so that
rules and ``trace`` can point at the line that decided something.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union


@dataclass
class JObject:
    members: list[tuple[str, "JValue", Any]] = field(default_factory=list)  # (key, value, key origin)
    origin: Any = None


@dataclass
class JArray:
    items: list["JValue"] = field(default_factory=list)
    origin: Any = None


@dataclass
class JString:
    value: str
    origin: Any = None


@dataclass
class JNumber:
    text: str  # the JSON literal, as Go's error messages quote it
    origin: Any = None


@dataclass
class JBool:
    value: bool
    origin: Any = None


@dataclass
class JNull:
    origin: Any = None


JValue = Union[JObject, JArray, JString, JNumber, JBool, JNull]


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
