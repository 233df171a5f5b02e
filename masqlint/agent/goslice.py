"""Go slice growth, as encoding/json grows a []string it decodes into.

The agent decodes ``nonMasqueradeCIDRs`` into a slice that already holds the defaults.
encoding/json reuses that backing array, so a ``null`` item keeps whatever the array
held at that index: the default at the same position, or a value left by an earlier
spelling of the key. Growing the slice beyond its capacity zero-fills the new tail.
"""

from __future__ import annotations

from masqlint.record import Record

# runtime/sizeclasses.go (bytes); a string header is 16 bytes on 64-bit platforms.
_SIZE_CLASSES = (
    0, 8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320, 352,
    384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792, 2048, 2304,
    2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240, 10880,
    12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768,
)
_PAGE = 8192
_ELEM = 16


def _roundupsize(size: int) -> int:
    if size <= _SIZE_CLASSES[-1]:
        for c in _SIZE_CLASSES:
            if c >= size:
                return c
    return (size + _PAGE - 1) // _PAGE * _PAGE


def next_cap(new_len: int, old_cap: int) -> int:
    """runtime.nextslicecap followed by size-class rounding."""
    newcap = old_cap
    doublecap = newcap + newcap
    if new_len > doublecap:
        newcap = new_len
    elif old_cap < 256:
        newcap = doublecap
    else:
        while True:
            newcap += (newcap + 3 * 256) >> 2
            if newcap >= new_len:
                break
    return _roundupsize(newcap * _ELEM) // _ELEM


class GoStringSlice(Record):
    """A []string: a backing array (its length is the capacity) and a length; None array = nil."""

    __slots__ = ("array", "length", "origins")
    __hash__ = None  # type: ignore[assignment]  # mutable

    def __init__(self, array: list | None = None, length: int = 0, origins: list | None = None):
        self.array = array
        self.length = length
        # origin of each backing-array element (the node it was decoded from; None for defaults)
        self.origins = [] if origins is None else origins

    @classmethod
    def of(cls, values: list[str]) -> "GoStringSlice":
        return cls(list(values), len(values), [None] * len(values))

    @property
    def cap(self) -> int:
        return 0 if self.array is None else len(self.array)

    def values(self) -> list[str] | None:
        return None if self.array is None else self.array[: self.length]

    def value_origins(self) -> list:
        return [] if self.array is None else self.origins[: self.length]

    def grow_to_index(self, i: int) -> None:
        """What decode.go's array() does before decoding element i (and every element before it:
        the capacity grows step by step as it would element by element)."""
        if i >= self.cap:
            cap = self.cap
            while i >= cap:
                cap = next_cap(cap + 1, cap)
            old = self.array or []
            self.array = old + [""] * (cap - len(old))
            self.origins = self.origins + [None] * (cap - len(self.origins))
        if i >= self.length:
            self.length = i + 1

    def set_nil(self) -> None:
        self.array, self.length, self.origins = None, 0, []

    def set_empty(self) -> None:
        self.array, self.length, self.origins = [], 0, []
