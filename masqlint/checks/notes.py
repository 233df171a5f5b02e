"""Problems a form reader found while reading a file (``FileContext.notes``), each already at its
span: a reference that is not read (MQ008), a kustomization that puts the ConfigMap in another
namespace (MQ101) or under another data key (MQ102), a generated name with a hash suffix (MQ105),
more fences of a page than are checked (MQ006)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from masqlint.checks import FILE, Problem, register

TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:
    from masqlint.engine.lint import FileContext

NOTE_RULES = ("MQ006", "MQ008", "MQ101", "MQ102", "MQ105")


def _notes_of(rule: str) -> Callable[[FileContext], Iterator[Problem]]:
    def check(fctx: FileContext) -> Iterator[Problem]:
        return (p for p in fctx.notes if p.rule == rule)

    check.__name__ = f"notes_{rule.lower()}"
    return check


for _rule in NOTE_RULES:
    register(_rule, FILE)(_notes_of(_rule))
