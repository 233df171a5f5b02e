"""Values of Terraform expressions, each with where it was written, and texts built from them
with the outer offset of every character (for ``forms.embedded.CharLocator``)."""

from __future__ import annotations


class Text:
    """A text under construction: for every character its offset in the source file, whether it
    is copied there one to one (only such characters may be edited by a fix), and the ranges
    whose value a template decides (unknown)."""

    __slots__ = ("chars", "lit", "open_list", "parts", "unknown")

    def __init__(self):
        self.parts: list[str] = []
        self.chars: list[int] = []
        self.lit: list[bool] = []
        self.unknown: list[tuple[int, int]] = []
        self.open_list = False

    def __len__(self) -> int:
        return len(self.chars)

    def literal(self, s: str, offs) -> None:
        """Characters copied from the file, ``offs[i]`` the offset of ``s[i]``."""
        self.parts.append(s)
        self.chars.extend(offs)
        self.lit.extend([True] * len(s))

    def made(self, s: str, off: int) -> None:
        """Characters that stand for something at ``off`` (punctuation a function writes, an escape)."""
        self.parts.append(s)
        self.chars.extend([off] * len(s))
        self.lit.extend([False] * len(s))

    def mapped(self, s: str, offs) -> None:
        """Characters placed at the given offsets, not editable."""
        self.parts.append(s)
        self.chars.extend(offs)
        self.lit.extend([False] * len(s))

    def hole(self, n: int, a: int, b: int) -> None:
        """A value nobody can know here: a same-length placeholder for the markup at [a, b)."""
        start = len(self.chars)
        n = max(n, 1)
        self.parts.append(_placeholder(n, len(self.unknown)))
        self.chars.extend(min(a + i, max(a, b - 1)) for i in range(n))
        self.lit.extend(False for _ in range(n))
        self.unknown.append((start, start + n))

    def append(self, other: "Str") -> None:
        base = len(self.chars)
        self.parts.append(other.text)
        self.chars.extend(other.chars[: len(other.text)])
        self.lit.extend(other.lit[: len(other.text)])
        self.unknown.extend((a + base, b + base) for a, b in other.unknown)
        self.open_list = self.open_list or other.open_list

    def value(self, rng: tuple[int, int], end: int | None = None) -> "Str":
        text = "".join(self.parts)
        return Str(text, self.chars + [rng[1] if end is None else end], self.lit, tuple(self.unknown), rng,
                   self.open_list)


def _placeholder(n: int, k: int) -> str:
    """n letters and digits, different for each hole of a text (k) as far as n allows: two unknown
    keys must not look like one key written twice."""
    tag = "x"
    while k:
        k, r = divmod(k, 36)
        tag += "0123456789abcdefghijklmnopqrstuvwxyz"[r]
    return (tag + "x" * n)[:n] if n > len(tag) else "x" * n


class Value:
    __slots__ = ("range", "var")

    def __init__(self, rng: tuple[int, int]):
        self.range = rng
        self.var: str | None = None  # the input variable this value is (``var.NAME``), when it is one


class Str(Value):
    """A string; ``chars`` has one entry more than ``text``: the offset just after it."""

    __slots__ = ("chars", "lit", "open_list", "text", "unknown")

    def __init__(self, text: str, chars, lit, unknown, rng, open_list=False):
        super().__init__(rng)
        self.text = text
        self.chars = chars
        self.lit = lit
        self.unknown = unknown
        self.open_list = open_list

    @property
    def known(self) -> bool:
        return not self.unknown and not self.open_list

    @classmethod
    def plain(cls, text: str, rng: tuple[int, int]) -> "Str":
        a, b = rng
        return cls(text, [min(a + i, max(a, b - 1)) for i in range(len(text))] + [b], [False] * len(text), (), rng)


class Num(Value):
    __slots__ = ("text",)

    def __init__(self, text: str, rng):
        super().__init__(rng)
        self.text = text


class Bool(Value):
    __slots__ = ("value",)

    def __init__(self, value: bool, rng):
        super().__init__(rng)
        self.value = value


class Null(Value):
    __slots__ = ()


class Tup(Value):
    __slots__ = ("items",)

    def __init__(self, items: list, rng):
        super().__init__(rng)
        self.items = items


class Obj(Value):
    """An object or map: (key, key range, value) in the order written (duplicates kept)."""

    __slots__ = ("entries", "partial")

    def __init__(self, entries: list, rng, partial: bool = False):
        super().__init__(rng)
        self.entries = entries
        self.partial = partial  # some keys could not be known

    def get(self, key: str):
        found = None
        for k, _kr, v in self.entries:
            if k == key:
                found = v
        return found

    def entry(self, key: str):
        found = None
        for e in self.entries:
            if e[0] == key:
                found = e
        return found


class Unknown(Value):
    """A value masqlint cannot know (no literal default, a resource attribute, a function it does
    not evaluate). ``var`` names the variable it comes from, ``listy`` when it is a list."""

    __slots__ = ("listy",)

    def __init__(self, rng, var: str | None = None, listy: bool = False):
        super().__init__(rng)
        self.var = var
        self.listy = listy


class FileCall(Value):
    """``file(path)`` or ``templatefile(path, vars)``."""

    __slots__ = ("fn", "path", "vars")

    def __init__(self, fn: str, path: Value, vars_: Value | None, rng):
        super().__init__(rng)
        self.fn = fn
        self.path = path
        self.vars = vars_


class YamlDecode(Value):
    """``yamldecode(text)``: the text is a manifest."""

    __slots__ = ("text",)

    def __init__(self, text: Value, rng):
        super().__init__(rng)
        self.text = text


def relocate(v: Value, rng: tuple[int, int]) -> Value:
    """The value as seen where it is used (a variable's default, written in another file)."""
    out = _relocated(v, rng)
    out.var = v.var
    return out


def spread(a: int, b: int, n: int) -> list[int]:
    """Offsets for n characters that stand for the text [a, b): the first at its start, the last
    at its last character, so that a range over the whole value covers the whole text."""
    if n <= 1 or b - a <= 1:
        return [a] * n
    return [a + (i * (b - a - 1)) // (n - 1) for i in range(n)]


def _relocated(v: Value, rng: tuple[int, int]) -> Value:
    a, b = rng
    if isinstance(v, Str):
        n = len(v.text)
        return Str(v.text, spread(a, b, n) + [b], [False] * n, ((0, n),) if v.unknown else (), rng, v.open_list)
    if isinstance(v, Num):
        return Num(v.text, rng)
    if isinstance(v, Bool):
        return Bool(v.value, rng)
    if isinstance(v, Null):
        return Null(rng)
    if isinstance(v, Tup):
        return Tup([relocate(i, rng) for i in v.items], rng)
    if isinstance(v, Obj):
        return Obj([(k, rng, relocate(x, rng)) for k, _kr, x in v.entries], rng, v.partial)
    if isinstance(v, Unknown):
        return Unknown(rng, v.var, v.listy)
    return Unknown(rng)


def scalar_text(v: Value) -> str | None:
    """How a template interpolation writes a known primitive value."""
    if isinstance(v, Str) and v.known:
        return v.text
    if isinstance(v, Num):
        return v.text
    if isinstance(v, Bool):
        return "true" if v.value else "false"
    return None
