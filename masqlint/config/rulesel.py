"""Rule selectors (ids, prefixes, names) and settings keys checked against what exists, with a
"did you mean" for the near misses: a selector that selects nothing is a mistake, never a pass."""

from __future__ import annotations


class UnknownName(ValueError):
    """A selector or key that names nothing; ``str()`` is the message to print."""


def _rules():
    from masqlint.engine.headers import rule_headers  # noqa: PLC0415 - lazy: the rule table loads only when a selector is checked

    return rule_headers()


def selector_known(selector: str) -> bool:
    s = selector.strip()
    if s.upper() == "ALL":
        return True
    rules = _rules()
    up = s.upper()
    return any(rid.startswith(up) for rid in rules) or any(r.name == s.lower() for r in rules.values())


def suggest(word: str, choices, n: int = 1) -> list[str]:
    """The closest of ``choices`` to ``word`` (case-insensitive), best first."""
    import difflib  # noqa: PLC0415 - lazy: difflib only for a name that matches nothing

    lower = {c.lower(): c for c in choices}
    hits = difflib.get_close_matches(word.lower(), list(lower), n=n, cutoff=0.6)
    return [lower[h] for h in hits]


def selector_suggestion(selector: str) -> str | None:
    rules = _rules()
    s = selector.strip()
    if s.upper().startswith("MQ"):
        choices = list(rules)
    else:
        choices = [r.name for r in rules.values()]
    hit = suggest(s, choices)
    if not hit:
        hit = suggest(s, list(rules) + [r.name for r in rules.values()])
    return hit[0] if hit else None


def unknown_selector_message(selector: str, where: str) -> str:
    hint = selector_suggestion(selector)
    tail = f"; did you mean {hint!r}?" if hint else " (see `masqlint rules`)"
    return f"{where}: unknown rule {selector.strip()!r}{tail}"


def check_selectors(values, where: str) -> None:
    """Raise UnknownName for the first selector that names no rule."""
    for v in values or ():
        if not selector_known(str(v)):
            raise UnknownName(unknown_selector_message(str(v), where))


def unknown_key_message(key: str, known) -> str:
    hint = suggest(key.replace("_", "-"), known)
    tail = f"; did you mean {hint[0]!r}?" if hint else f" (known keys: {', '.join(sorted(known))})"
    return f"unknown key {key!r}{tail}"
