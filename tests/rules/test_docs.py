"""docs/rules.md is generated from the catalog and must not go stale."""


from masqlint.engine.docs import rules_markdown
from paths import REPO as ROOT



def test_rules_reference_is_up_to_date():
    current = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert current == rules_markdown(), "docs/rules.md is stale: run `python -m masqlint.engine.docs > docs/rules.md`"


def test_every_rule_has_a_section_and_anchor():
    text = rules_markdown()
    from masqlint.engine.catalog import load_catalog

    for r in load_catalog().values():
        assert f"## {r.id} {r.name}\n" in text
        assert f"(#{r.id.lower()}-{r.name})" in text
