"""The block composer gives libyaml's nodes exactly, or declines; PyYAML's nodes convert without loss.

Every YAML text the repository holds (test data, the corpus, examples, the rule catalog, its
examples and the agent configs inside them), mutated variants of them and a few written here
are composed three ways: by ``blockyaml`` (when it accepts), by PyYAML through ``pyyamlload``
(converted to masqlint's nodes), and by PyYAML alone. Whenever the block composer accepts a
text, its nodes equal PyYAML's node by node: kind, tag, value, style, and the index, line and
column of both marks; aliased nodes stay one object.
"""

from __future__ import annotations

import pytest
import yaml

from masqlint.text import blockyaml, pyyamlload, yamlload
from masqlint.text.nodes import MappingNode, ScalarNode
from yamltexts import GENERATED, random_documents, repository_texts, variants

TEXTS = repository_texts()
VARIANTS = variants(TEXTS, per_text=4)


def _marks(n):
    sm, em = n.start_mark, n.end_mark
    return (sm.index, sm.line, sm.column), (em.index, em.line, em.column)


def _flat(root) -> list:
    """Every node of a document in document order; a node met again is ("alias", its first place)."""
    out: list = []
    seen: dict[int, int] = {}
    stack = [root]
    while stack:
        n = stack.pop()
        if n is None:
            out.append(None)
            continue
        if id(n) in seen:
            out.append(("alias", seen[id(n)]))
            continue
        seen[id(n)] = len(out)
        scalar = isinstance(n, (ScalarNode, yaml.ScalarNode))
        kind = "scalar" if scalar else "mapping" if isinstance(n, (MappingNode, yaml.MappingNode)) else "sequence"
        out.append((kind, n.tag, n.value if scalar else len(n.value), n.style if scalar else n.flow_style, *_marks(n)))
        if kind == "mapping":
            stack.extend(reversed([x for kv in n.value for x in kv]))
        elif kind == "sequence":
            stack.extend(reversed(n.value))
    return out


def _pyyaml(text: str, first_only: bool) -> list | None:
    """masqlint nodes through PyYAML, or None when PyYAML refuses the text."""
    try:
        if first_only:
            root = pyyamlload.compose_first(text)
            return [] if root is None else [root]
        return list(pyyamlload.compose_all(text))
    except (yaml.YAMLError, RecursionError):
        return None


def _agree(name: str, text: str) -> bool:
    """Whether the block composer accepted ``text``; fails when it accepted and differs from PyYAML."""
    accepted = False
    for first_only in (False, True):
        fast = blockyaml.compose(text, first_only)
        if fast is None:
            continue
        accepted = True
        slow = _pyyaml(text, first_only)
        assert slow is not None, f"{name}: accepted a text that PyYAML refuses: {text!r}"
        assert [_flat(r) for r in fast] == [_flat(r) for r in slow], f"{name} (first only: {first_only}): {text!r}"
    return accepted


def test_the_repository_texts_are_there():
    assert len(TEXTS) > 500
    assert sum(name.startswith("rules/") for name in TEXTS) > 100  # rule files, their examples, the configs in them
    assert sum(name.startswith("tests/corpus/") for name in TEXTS) > 40
    assert sum(name.startswith("tests/data/conformance/") for name in TEXTS) > 300
    assert len(VARIANTS) == 4 * len(TEXTS)


def test_accepted_repository_texts_compose_as_pyyaml_composes_them():
    accepted = [name for name, text in TEXTS.items() if _agree(name, text)]
    # the fast path must carry most real input: manifests, agent configs, the rule examples
    assert len(accepted) > 0.6 * len(TEXTS), f"only {len(accepted)} of {len(TEXTS)} accepted"
    configs = [n for n in TEXTS if n.startswith("rules/") and ":config" in n]
    assert configs and sum(n in accepted for n in configs) > 0.8 * len(configs)


def test_accepted_variants_compose_as_pyyaml_composes_them():
    accepted = sum(_agree(name, text) for name, text in VARIANTS.items())
    # the edits make some variants leave the subset (tabs, flow, anchors, errors) and keep others in it
    assert 0.2 * len(VARIANTS) < accepted < 0.9 * len(VARIANTS)


def test_accepted_random_documents_compose_as_pyyaml_composes_them():
    docs = random_documents(3000)
    accepted = sum(_agree(name, text) for name, text in docs.items())
    assert 0.1 * len(docs) < accepted < 0.9 * len(docs)


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_written_cases(name):
    text = GENERATED[name]
    accepted = _agree(name, text)
    assert accepted == (name not in ("bom", "nel")), name


@pytest.mark.parametrize("text", [
    "a: b: c\n", "a: 'x' y\n", "- a\n  b\n", "a: 1\n b: 2\n", "a:\n  - x\n - y\n", "a: |\n  x\n y: 1\n",
    "a: \"x\\ty\"\n", "a: [1, {b: 2}]\n", "a: [a,]\n", "a: [x: 1]\n", "a: &x 1\nb: *x\n", "a: !!str 1\n", "? a\n: b\n", "a: >\n  x\n", "a: |2\n   x\n",
    "a: |+\n  x\n\n", "a: 'x\n  y'\n", "a:\tb\n", "a: 1\r\nb: 2\r\n", "...\n", "%YAML 1.1\n---\na: 1\n",
    "--- a\n", "-\n", "- \n", "- # c\n", "- - a\n", "a:#b\n", "a: 'x'#c\n", "a: |\n\n", "a: |\n   \n  x\n", "x\n",
    "'a'\n", "a: @x\n", "a: `x`\n", "a: -\n", "a: 1\n  # c\n  b: 2\n",
    # plain values continued on more lines, where the comment, key or indicator is not plain text
    "a: x\n  # c\n  y\n", "a: x # c\n  y\n", "a: x\n  y # c\n", "a: x\n  y: 1\n", "a: x\n  y:\n", "a: x\n  - y\n",
    "a:\n  'x'\n  y\n", "a: [x]\n  y\n", "a: 'x'\n  y\n", "- a\n  b\n",
])
def test_what_is_outside_the_subset_is_declined(text):
    assert blockyaml.compose(text) is None and blockyaml.compose(text, True) is None
    # the fallback composes it (or reports the error) as before
    assert _pyyaml(text, False) is None or yamlload.compose_first(text) is not None or text.startswith("%")


_LINE_WORDS = ["x", "10.0.0.0/8", "\u2013 10.0.0.0/8", "a:b", "a#b", "two words", "x  y", "\u00e9t\u00e9", "http://h/p", "x,y",
               "- y", "y: z", "# c", "'q'", "y #c", "[a]", "?x", "x:", ""]


def _continued_values(count: int, seed: int = 1415) -> dict[str, str]:
    """Mappings whose plain values go on over more lines, as people paste lists and prose: lines more,
    less or not indented, blank lines and lines of spaces between, and some lines that are not plain text."""
    import random

    rnd = random.Random(seed)
    out = {}
    for n in range(count):
        col = rnd.choice([0, 0, 2, 4])
        lines = [" " * col + "top:" if col else ""]
        first = rnd.choice(["k: " + rnd.choice(_LINE_WORDS[:8]), "k:", "k:  " + rnd.choice(_LINE_WORDS)])
        lines.append(" " * col + first)
        for _ in range(rnd.randint(1, 4)):
            r = rnd.random()
            if r < 0.15:
                lines.append(" " * rnd.randint(0, col + 3))
            else:
                lines.append(" " * rnd.randint(max(0, col - 1), col + 4) + rnd.choice(_LINE_WORDS)
                             + rnd.choice(["", "", " ", "  "]))
        lines.append(rnd.choice([" " * col + "next: 1", "", " " * col + "next:\n" + " " * (col + 2) + "- a", "# end"]))
        text = "\n".join(line for line in lines if line or rnd.random() < 0.5)
        if col:
            text = text.lstrip("\n")
        out[f"continued {n}"] = text + rnd.choice(["\n", "\n", ""])
    return out


def test_continued_plain_values_compose_as_pyyaml_composes_them():
    texts = _continued_values(3000)
    accepted = [name for name, text in texts.items() if _agree(name, text)]
    continued = [name for name in accepted
                 if any(isinstance(v, ScalarNode) and ("\n" in v.value or " " in v.value)
                        for root in blockyaml.compose(texts[name]) or [] for v in _values(root))]
    assert len(continued) > 300, len(continued)  # values of more than one line are taken, not only declined
    assert len(accepted) < len(texts)  # and what is not plain text is left to PyYAML


def _values(root):
    stack = [root]
    while stack:
        n = stack.pop()
        if isinstance(n, MappingNode):
            for _key, v in n.value:
                yield v
                stack.append(v)


def test_deep_nesting_is_left_to_pyyaml():
    deep = "".join(" " * d + f"k{d}:\n" for d in range(100)) + " " * 100 + "leaf: 1\n"
    assert blockyaml.compose(deep) is None
    root = yamlload.compose_first(deep)
    assert root is not None and root.start_mark.line == 0 and _flat(root) == _flat(pyyamlload.compose_first(deep))


def test_yamlload_takes_the_fast_path_and_falls_back():
    simple = TEXTS["rules/MQ401-dropped-default.yaml:bad0"] if "rules/MQ401-dropped-default.yaml:bad0" in TEXTS else None
    assert simple is not None and blockyaml.compose(simple) is not None
    flow = simple.replace("kind: ConfigMap", "kind: {x: ConfigMap}") if "kind: ConfigMap" in simple else "a: {b: 1}\n"
    assert blockyaml.compose(flow) is None
    for text in (simple, flow):
        assert [_flat(r) for r in yamlload.compose_all(text)] == [_flat(r) for r in pyyamlload.compose_all(text)]
        assert _flat(yamlload.compose_first(text)) == _flat(pyyamlload.compose_first(text))


def _raw(text: str) -> list | None:
    try:
        return list(yaml.compose_all(text, Loader=pyyamlload._Loader))
    except (yaml.YAMLError, RecursionError):
        return None


CONVERSION = {**GENERATED, "alias": "a: &x [1, 2]\nb: *x\nc: *x\n", "cycle": "&a [*a, 1]\n",
              "flow at end": "a: [1, {b: c}]", "explicit empty at end": "a: 1\n---", "nel": "a: 1\x85b: [2]\n",
              "bom with lines": "\ufeffa: 1\nb:\n  - 2\n", "crlf": "a: 1\r\nb:\r\n- 2", "ls": "a: 1\u2028b: 2"}


@pytest.mark.parametrize("name", sorted(CONVERSION))
def test_pyyaml_nodes_convert_with_their_marks(name):
    text = CONVERSION[name]
    raw = _raw(text)
    assert raw is not None
    assert [_flat(r) for r in pyyamlload.compose_all(text)] == [_flat(r) for r in raw]


def test_pyyaml_nodes_of_every_repository_text_convert_with_their_marks():
    converted = 0
    for name, text in {**TEXTS, **dict(list(VARIANTS.items())[::7])}.items():
        raw = _raw(text)
        if raw is None:
            continue
        mine = _pyyaml(text, False)
        assert mine is not None and [_flat(r) for r in mine] == [_flat(r) for r in raw], name
        converted += 1
    assert converted > 0.8 * len(TEXTS)


def test_aliases_stay_shared():
    root = yamlload.compose_first("a: &x [1, 2]\nb: *x\nc: &y {d: *y}\n")
    (_, a), (_, b), (_, c) = root.value
    assert a is b
    assert c.value[0][1] is c  # an anchor inside its own value: the same node


def test_nodes_are_small():
    root = yamlload.compose_first("a: 1\nb:\n- x\n")
    nodes = [root, *[x for kv in root.value for x in kv], *root.value[1][1].value]
    assert all(not hasattr(n, "__dict__") for n in nodes)
    assert len({id(n.pos.lines) for n in nodes}) == 1  # one line table for the whole text
