"""Rule documentation from the catalog: ``masqlint rule ID`` and the generated docs/rules.md."""

from __future__ import annotations

import textwrap

from masqlint.engine.catalog import Rule, load_catalog, public_text

SAFETY = {"safe": "yes (safe: `masqlint check --fix`)", "unsafe": "yes (unsafe: `masqlint check --fix --unsafe-fixes`)", "none": "no"}


def _indent(text: str, n: int = 4) -> str:
    return textwrap.indent(text.rstrip("\n"), " " * n) + "\n"


def rule_text(r: Rule) -> str:
    out = [f"{r.id} {r.name} ({r.severity.label})", "", r.summary, "", "Why", ""]
    rationale, fix = public_text(r.rationale), public_text(r.fix_description)
    out.append(textwrap.fill(" ".join(rationale.split()), 88) if "\n\n" not in rationale.strip() else rationale.strip())
    out += ["", "Fix", "", textwrap.fill(" ".join(fix.split()), 88), f"Automatic fix: {SAFETY.get(r.fix_safety, 'no')}", ""]
    for label, exs in (("Bad", r.bad), ("Good", r.good)):
        for e in exs:
            out.append(f"{label}: {e.description}" if e.description else f"{label}:")
            out.append("")
            out.append(_indent(e.content).rstrip("\n"))
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def rules_markdown() -> str:
    cat = load_catalog()
    lines = [
        "# masqlint rules",
        "",
        "Generated from `rules/*.yaml` by `python -m masqlint.engine.docs > docs/rules.md`; edit the rule files, not this page.",
        "",
        "| id | name | severity | fix | summary |",
        "|---|---|---|---|---|",
    ]
    for r in cat.values():
        anchor = f"{r.id.lower()}-{r.name}"
        lines.append(f"| [{r.id}](#{anchor}) | {r.name} | {r.severity.label} | {r.fix_safety} | {r.summary} |")
    for r in cat.values():
        lines += ["", f"## {r.id} {r.name}", "", f"**Severity:** {r.severity.label} · **Category:** {r.category} · "
                  f"**Automatic fix:** {SAFETY.get(r.fix_safety, 'no')}", "", r.summary + ".", "", "### Why", "", public_text(r.rationale).strip(),
                  "", "### Fix", "", public_text(r.fix_description).strip()]
        for label, exs in (("Bad", r.bad), ("Good", r.good)):
            for e in exs:
                lines += ["", f"**{label}**" + (f": {e.description}" if e.description else ""), "", "```yaml" if not e.filename.endswith(".json") else "```json",
                          e.content.rstrip("\n"), "```"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(rules_markdown())
