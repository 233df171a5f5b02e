"""Small slotted value classes: equality, hashing and ``repr`` from their fields.

Each class lists its fields in ``__slots__`` and writes its own ``__init__`` (a plain
function, as fast to call as a dataclass's). Creating a dataclass compiles generated
methods when its module is imported; these classes cost nothing beyond their definition,
which keeps the start of every run short.
"""

from __future__ import annotations


class Record:
    """Fields are ``__slots__`` (or ``_fields`` when only some of them make the value)."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if "_fields" not in cls.__dict__:
            cls._fields = cls._all_slots()

    @classmethod
    def _all_slots(cls) -> tuple[str, ...]:
        """The slots of the class and its bases, bases first."""
        out: list[str] = []
        for klass in reversed(cls.__mro__):
            slots = klass.__dict__.get("__slots__", ())
            out.extend((slots,) if isinstance(slots, str) else slots)
        return tuple(out)

    def _key(self) -> tuple:
        return tuple([getattr(self, n) for n in self._fields])

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self) -> str:
        args = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._all_slots())
        return f"{type(self).__name__}({args})"

    def replace(self, **changes):
        """A copy with ``changes`` applied (as ``dataclasses.replace``)."""
        new = object.__new__(type(self))
        for n in self._all_slots():
            object.__setattr__(new, n, changes.pop(n) if n in changes else getattr(self, n))
        if changes:
            raise TypeError(f"{type(self).__name__} has no field {', '.join(sorted(changes))}")
        return new
