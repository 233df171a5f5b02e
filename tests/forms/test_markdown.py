"""Markdown pages: fences checked at the page's own lines, fixes inside fences only, suppressions."""

from __future__ import annotations

import pytest

from masqlint.api import lint_text
from masqlint.config.settings import Settings
from masqlint.pipeline.runner import Options, process
from paths import DATA

SEED = DATA / "markdown" / "gke-snat-ip-masq-agent.ko.md"


def found(text: str, path: str = "docs/snat.md", **kw):
    return sorted((f.line, f.column, f.rule) for f in lint_text(text, path, config={}, **kw))


def fence_lines(text: str) -> set[int]:
    """Lines strictly inside a ``` or ~~~ fence (a simple scan, for pages without nesting)."""
    inside, out = None, set()
    for n, line in enumerate(text.splitlines(), start=1):
        s = line.lstrip(" >")
        if inside is None and s.startswith(("```", "~~~")):
            inside = s[:3]
        elif inside is not None and s.startswith(inside):
            inside = None
        elif inside is not None:
            out.add(n)
    return out


def test_the_seed_document_reports_its_real_mistakes_and_nothing_in_its_prose():
    text = SEED.read_text(encoding="utf-8")
    assert "\u00a0" in text and "–" in text  # the prose keeps the page's no-break spaces and dashes
    got = found(text, "docs/gke-snat.ko.md")
    assert got == [
        (86, 3, "MQ001"),  # `namespace: kube-systemdata  config:  |`: two lines run together
        (87, 5, "MQ201"),  # nonMasqueradeCIDRS
        (88, 7, "MQ002"), (89, 7, "MQ002"),  # en dashes as list markers
        (172, 17, "MQ001"),  # `metadata:   name: ip-masq-agent` on one line
        (174, 1, "MQ001"),  # `data` without a colon
        (176, 5, "MQ104"),  # `nonMasqueradeCIDRS:# ...`: not a key, the config is one string
        *[(ln, 6, "MQ002") for ln in range(177, 187)],
        (187, 1, "MQ001"),  # a column-0 comment ends the block
        (188, 7, "MQ002"),
    ]
    inside = fence_lines(text)
    assert all(line in inside for line, _, _ in got)


def test_positions_in_a_list_item_and_a_blockquote():
    page = (
        "# Egress\n"                                    # 1
        "\n"                                            # 2
        "1. Write the config:\n"                        # 3
        "\n"                                            # 4
        "   ```yaml\n"                                  # 5
        "   nonMasqueradeCIDRs:\n"                      # 6
        "     - 10.1.1.5/24\n"                          # 7
        "   ```\n"                                      # 8
        "\n"                                            # 9
        "> **Note**\n"                                  # 10
        ">\n"                                           # 11
        "> ```json\n"                                   # 12
        "> {\"nonMasqueradeCIDRs\": [\"10.0.0.0/8\"], \"resyncInterval\": 60}\n"  # 13
        "> ```\n"                                       # 14
    )
    got = found(page)
    assert (7, 8, "MQ302") in got
    assert (13, page.splitlines()[12].index("60") + 1, "MQ204") in got


def test_front_matter_prose_and_other_fences_are_never_read():
    page = (
        "---\n"
        "title: “ip-masq-agent” notes\n"
        "nonMasqueradeCIDRS: [10.1.1.5/24]\n"
        "aliases: [/snat/]\n"
        "---\n"
        "+++\n"
        "cidrLimit = 'x'\n"
        "+++\n"
        "Prose： with a full-width colon, “quotes” and – dashes – around nonMasqueradeCIDRs: 10.1.1.5/24.\n"
        "\n"
        "```bash\n"
        "kubectl -n kube-system edit configmap ip-masq-agent  # nonMasqueradeCIDRs: [10.1.1.5/24]\n"
        "```\n"
        "\n"
        "```yaml\n"
        "apiVersion: apps/v1\n"
        "kind: DaemonSet\n"
        "metadata: {name: ip-masq-agent}\n"
        "spec: {template: {spec: {containers: [{name: x, args: [\"--masq-chain=IP-MASQ\"]}]}}}\n"
        "```\n"
        "\n"
        "    nonMasqueradeCIDRs:\n"
        "      - 10.1.1.5/24\n"
        "\n"
        "```yaml\n"
        "nonMasqueradeCIDRs:\n"
        "{{- range .Values.cidrs }}\n"
        "  - {{ . }}\n"
        "{{- end }}\n"
        "```\n"
    )
    assert found(page) == []


def test_untagged_and_tilde_fences_holding_a_config_are_checked():
    page = "Paste this:\n\n~~~\nnonMasqueradeCIDRs:\n  - 10.1.1.5/24\n~~~\n\n```\nmasqLinkLocal: yes\n```\n"
    got = found(page)
    assert (5, 5, "MQ302") in got
    assert (9, 16, "MQ208") in got


def test_a_fence_that_cannot_be_matched_line_by_line_points_at_its_opening_line():
    # a tab where the list item's indentation ends: the parser expands it, the columns are unknown
    page = "- item\n\n  ```yaml\n  nonMasqueradeCIDRs:\n\t- 10.1.1.5/24\n  ```\n"
    got = found(page)
    assert [(ln, rule) for ln, _, rule in got] == [(3, "MQ302")]
    # a tab that is the whole indentation is matched exactly
    assert found("- item\n\n\t```yaml\n\tnonMasqueradeCIDRs:\n\t  - 10.1.1.5/24\n\t```\n") == [(5, 6, "MQ302")]


def _fix(tmp_path, page: str, unsafe: bool = True) -> str:
    p = tmp_path / "README.md"
    p.write_bytes(page.encode("utf-8"))
    out = process(str(p), str(p), True, Options(forced=Settings(), fix=True, unsafe_fixes=unsafe))
    assert out.error is None
    return p.read_bytes().decode("utf-8")


def test_fixes_change_only_the_inside_of_fences_and_keep_the_quote_prefix(tmp_path):
    page = (
        "Prose – with “quotes”.\n"
        "\n"
        "> ```yaml\n"
        "> apiVersion: v1\n"
        "> kind: ConfigMap\n"
        "> metadata:\n"
        ">   name: ip-masq-agent\n"
        "> data:\n"
        ">   config: |\n"
        ">     nonMasqueradeCIDRS:\n"
        ">       – 10.0.0.0/8\n"
        "> ```\n"
        "\n"
        "More prose – untouched.\n"
    )
    fixed = _fix(tmp_path, page)
    assert fixed == (
        "Prose – with “quotes”.\n"
        "\n"
        "> ```yaml\n"
        "> apiVersion: v1\n"
        "> kind: ConfigMap\n"
        "> metadata:\n"
        ">   name: ip-masq-agent\n"
        ">   namespace: kube-system\n"
        "> data:\n"
        ">   config: |\n"
        ">     nonMasqueradeCIDRs:\n"
        ">       - 10.0.0.0/8\n"
        "> ```\n"
        "\n"
        "More prose – untouched.\n"
    )


def test_fixes_in_an_indented_fence_with_crlf_line_ends(tmp_path):
    page = "1. Config:\r\n\r\n   ```yaml\r\n   nonMasqueradeCIDRS:\r\n     - 10.0.0.0/8\r\n   masqLinkLocal: no\r\n   ```\r\n"
    fixed = _fix(tmp_path, page, unsafe=False)
    assert fixed == "1. Config:\r\n\r\n   ```yaml\r\n   nonMasqueradeCIDRs:\r\n     - 10.0.0.0/8\r\n   masqLinkLocal: false\r\n   ```\r\n"


BROKEN = "```yaml\nnonMasqueradeCIDRs:\n  – 10.0.0.0/8\nresyncInterval: 60\n```\n"  # MQ002 on line 3, MQ204 on 4


def test_disable_next_fence_covers_the_fence_after_it():
    page = "Don't do this:\n\n<!-- masqlint: disable-next-fence -- the lookalike dash is the point -->\n" + BROKEN
    assert found(page) == []
    assert found(BROKEN)  # the same fence without the comment


def test_disable_next_fence_with_rules_covers_only_those():
    page = "<!-- masqlint: disable-next-fence=MQ002 -->\n\n" + BROKEN
    got = found(page)
    assert [(ln - 2, rule) for ln, _, rule in got] == [(4, "MQ204")]


def test_an_unused_fence_directive_is_reported_and_never_edited(tmp_path):
    comment = "<!-- masqlint: disable-next-fence=MQ301 -->"
    page = comment + "\n" + BROKEN.replace("–", "-")
    findings = lint_text(page, "docs/x.md", config={})
    unused = [f for f in findings if f.rule == "MQ005"]
    assert [(f.line, f.column, f.span.end_column) for f in unused] == [(1, 1, len(comment) + 1)]
    assert unused[0].fix is None


def test_a_directive_separated_from_the_fence_by_prose_covers_nothing():
    page = "<!-- masqlint: disable-next-fence -->\nSome text.\n\n" + BROKEN
    got = found(page)
    assert (1, 1, "MQ005") in got and (3 + 3, 3, "MQ002") in got


def test_disable_file_comment_and_yaml_comments_inside_a_fence():
    assert found("<!-- masqlint: disable-file=MQ002,MQ204 -->\n" + BROKEN) == []
    inner = "```yaml\nnonMasqueradeCIDRs:\n  - 10.1.1.5/24  # masqlint: disable=MQ302 -- documented example\n```\n"
    assert found(inner) == []
    # a `# masqlint:` in prose is just prose
    assert found("Write `# masqlint: disable=MQ302` on the line.\n\n" + inner) == []


def test_an_unused_yaml_directive_in_a_quoted_fence_is_removed_with_its_whole_line(tmp_path):
    page = "> ```yaml\n> # masqlint: disable-next-line=MQ301\n> nonMasqueradeCIDRs: [10.0.0.0/8]\n> ```\n"
    assert (2, 3, "MQ005") in found(page)
    assert _fix(tmp_path, page, unsafe=False) == "> ```yaml\n> nonMasqueradeCIDRs: [10.0.0.0/8]\n> ```\n"


@pytest.mark.parametrize("name", ["README.md", "notes.markdown", "docs/INSTALL.MD"])
def test_markdown_by_extension(name):
    assert found("```yaml\nnonMasqueradeCIDRs: [10.1.1.5/24]\n```\n", name) == [(2, 22, "MQ302")]


def test_a_fence_finding_keeps_its_target_and_its_related_locations_on_the_page():
    page = ("# Egress\n\nOur config for the AKS cluster:\n\n```yaml\n"
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ip-masq-agent\n  namespace: kube-system\n"
            "data:\n  config: |\n    nonMasqueradeCIDRs:\n      - 10.1.0.0/16\n      - 10.2.0.0/16\n"
            "      - 10.0.0.0/8\n```\n")
    findings = lint_text(page, "docs/egress.md", config={"target": "upstream"})
    wide = [f for f in findings if f.rule == "MQ306"]
    assert len(wide) == 1 and (wide[0].line, wide[0].column) == (16, 9)  # the wide 10.0.0.0/8, on the page
    assert all(f.target == "upstream" for f in findings if f.rule != "MQ005")
    assert sorted(span.line for span, _ in wide[0].related) == [14, 15]  # the entries it swallows, page lines
