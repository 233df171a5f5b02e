"""YAML texts from the repository (test data, the corpus, the rule catalog and its examples) and
variants of them, for the composer tests."""

from __future__ import annotations

import random
import re

import yaml

from paths import DATA, EXAMPLES, REPO, TESTS

_SUFFIXES = {".yaml", ".yml", ".config", ".j2", ".tpl", ".conf", ""}


def _read(path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8")
    except (UnicodeDecodeError, OSError):
        return None


def _inner_configs(text: str) -> list[str]:
    """The ``config`` values (what the agent reads) of every mapping in ``text``."""
    out = []
    try:
        docs = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError:
        return out
    stack = [d for d in docs if d is not None]
    seen = set()
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                if isinstance(k, yaml.ScalarNode) and k.value == "config" and isinstance(v, yaml.ScalarNode):
                    out.append(v.value)
                stack.extend((k, v))
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
    return out


def repository_texts() -> dict[str, str]:
    """name → text for every YAML-ish text the repository's tests and rules hold."""
    texts: dict[str, str] = {}
    roots = [DATA, TESTS / "corpus", EXAMPLES]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in _SUFFIXES:
                text = _read(path)
                if text is not None:
                    texts[str(path.relative_to(REPO))] = text
    for path in sorted((REPO / "rules").glob("MQ*.yaml")):
        text = _read(path)
        assert text is not None
        name = str(path.relative_to(REPO))
        texts[name] = text
        doc = yaml.safe_load(text)
        for kind in ("bad", "good"):
            for n, example in enumerate((doc.get("examples") or {}).get(kind) or ()):
                content = example.get("content")
                if isinstance(content, str):
                    texts[f"{name}:{kind}{n}"] = content
                    for m, inner in enumerate(_inner_configs(content)):
                        texts[f"{name}:{kind}{n}:config{m}"] = inner
    for name, text in list(texts.items()):
        for m, inner in enumerate(_inner_configs(text)):
            texts.setdefault(f"{name}:config{m}", inner)
    return texts


_KEY_LINE = re.compile(r"^( *)([A-Za-z][\w.-]*): (\S.*)$")


def _mutate(text: str, rnd: random.Random) -> str:
    lines = text.split("\n")
    i = rnd.randrange(len(lines))
    line = lines[i]
    indent = len(line) - len(line.lstrip(" "))
    how = rnd.randrange(22)
    if how == 0:
        lines.insert(i, " " * indent + "# a note")
    elif how == 1:
        lines.insert(i, "")
    elif how == 2:
        lines.insert(i, " " * rnd.randrange(0, 9))
    elif how == 3:
        lines[i] = line + "  "
    elif how == 4:
        lines[i] = _KEY_LINE.sub(r"\1\2 : \3", line)
    elif how == 5:
        lines[i] = _KEY_LINE.sub(r"\1\2: '\3'", line)
    elif how == 6:
        lines[i] = _KEY_LINE.sub(r'\1\2: "\3"', line)
    elif how == 7:
        lines[i] = line.replace("- ", "-", 1)
    elif how == 8:
        lines[i] = "\t" + line
    elif how == 9:
        lines[i] = line + " # trailing"
    elif how == 10:
        lines[i] = " " + line
    elif how == 11:
        lines[i] = line[1:] if line.startswith(" ") else line
    elif how == 12:
        return text.rstrip("\n")
    elif how == 13:
        return "---\n" + text + ("\n---\n" if rnd.random() < 0.5 else "")
    elif how == 14:
        return text.replace("\n", "\r\n")
    elif how == 15:
        lines.insert(i, rnd.choice(["...", "%YAML 1.1", "---", "--- # doc", "? key", ": value", "-", "- ", "a: &x 1",
                                    "b: *x", "c: !!str 1", "d: [1, 2]", "e: {f: 1}", "g: >", "  folded", "h: |+", "i: |2"]))
    elif how == 16:
        lines[i] = line.replace(": ", ": '", 1)
    elif how == 17:
        lines[i] = line.replace(": ", ':"a\\tb" # ', 1)
    elif how == 18:
        lines[i] = line + "\n" + " " * (indent + 2) + "continued"
    elif how == 19:
        lines[i] = line.replace(" #", "#")
    elif how == 20:
        lines[i] = _KEY_LINE.sub(r"\1\2: \3 # x: y", line)
    else:
        lines[i] = _KEY_LINE.sub(r"\1\2:", line)
    return "\n".join(lines)


def variants(texts: dict[str, str], per_text: int, seed: int = 14) -> dict[str, str]:
    """``per_text`` mutated copies of each text (one to three edits each), reproducibly."""
    rnd = random.Random(seed)
    out = {}
    for name, text in sorted(texts.items()):
        for n in range(per_text):
            t = text
            for _ in range(rnd.randint(1, 3)):
                t = _mutate(t, rnd)
            out[f"{name}~{n}"] = t
    return out


GENERATED = {
    "indentless in compact": "items:\n- name: a\n  cidrs:\n  - 10.0.0.0/8\n  - 'x'\n- name: b\nnext: 1\n",
    "nested literal": "a:\n  b:\n    c: |\n      xx\n\n       yy\n     \n  d: e\n",
    "literal at end without break": "a: |-\n  x\n  y",
    "empty documents": "---\n---\na: 1\n---\n",
    "empty values": "a:\nb:   # c\nc:\n  d:\n",
    "keys with spaces and colons": "a b: c\nhttp://x: y:z\n'q k': \"v\"\n",
    "deep": "".join(" " * (2 * d) + f"k{d}:\n" for d in range(60)) + " " * 120 + "leaf: 1\n",
    "non-ascii": "name: café\nnote: 'naïve' # ü\nlist:\n  - ünï\n",
    "bom": "\ufeffa: 1\nb: 2\n",
    "nel": "a: 1\x85b: 2\n",
    "comment at end without break": "a:\n  - 1\n# end",
    "ends on a short line": "  key:\n    -k: # c\n    k:\n# n",
    "ends inside a deep mapping": "a:\n  b:\n      c:\n      - 1\n # x",
    "sequence root": "- a\n- b: c\n  d: e\n-   f: g\n",
    "indented root": "  a: 1\n  b:\n  - x\n",
    "flow sequences": 'args: ["--masq-chain=IP-MASQ", --nomasq-all-reserved-ranges]\nadd: [NET_ADMIN, \'NET_RAW\']\nnone: []\n'
                      "empty: {}\nlist:\n- []\n- [a]\n",
    "list written with en dashes": "nonMasqueradeCIDRs:\n  \u2013 10.8.0.0/22\n  \u2013 100.64.0.0/10\n  \u2013 192.168.0.0/16\n"
                                   "masqLinkLocal: false\n",
    "plain value on more lines": "description: the agent keeps\n  pod addresses   for these\n\n\n    ranges  \n\nnext: 1\n",
    "plain value below its key": "a:\n  b:\n    first line\n   second line\n  c: 1\n",
    "plain value continued at the end": "k: x\n y\n  z",
    "plain value continued, nested": "spec:\n  note: one\n    two#x a:b\n  other:\n    - x\n",
}


_WORDS = ["a", "b c", "10.0.0.0/8", "x:y", "-1", "--flag", "'q'", '"d"', "'it''s'", "v #c", "http://h", "é", "k", "[x]",
          "&a", "a: b", "", "~", "null", "#x", "- z", "|", "|-", ">", "b,c", "?x", ":x", "%x", "x #", "x#y",
          "[]", "{}", "[ ]", "[a, 'b', \"c d\"]", "[--x=1,-y]", "[x,]", "[a: b]", "{a: 1}", "[a] b", "[a #c]", "[ a ]  # c"]


def _block(rnd: random.Random, ind: int, depth: int) -> list[str]:
    out: list[str] = []
    for _ in range(rnd.randint(1, 3)):
        if rnd.random() < 0.5 or depth > 3:
            key = rnd.choice(["k", "key", "a b", "'q'", '"d"', "k2", "x-y", "-k"])
            r = rnd.random()
            if r < 0.35:
                out.append(" " * ind + key + rnd.choice([": ", ":", " : ", ":  "]) + rnd.choice(_WORDS))
            elif r < 0.55:
                out.append(" " * ind + key + ":" + rnd.choice(["", " ", " # c"]))
                out.extend(_block(rnd, ind + rnd.choice([0, 1, 2, 4]), depth + 1))
            elif r < 0.75:  # a literal block, its lines indented more, less or not at all
                out.append(" " * ind + key + ": " + rnd.choice(["|", "|-", "| ", "|+", "|2"]))
                inner = ind + rnd.choice([1, 2, 4])
                for _ in range(rnd.randint(0, 4)):
                    t = rnd.random()
                    if t < 0.6:
                        out.append(" " * (inner + rnd.choice([0, 0, 0, 1, 3])) + rnd.choice(["x", "y z", "# no", "- a", "k: v", ""]))
                    else:
                        out.append(" " * rnd.randint(0, inner + 2) if t < 0.8 else "")
            else:
                out.append(" " * ind + key + ":" + rnd.choice(["", " # c"]))
            if rnd.random() < 0.15:
                out.append(rnd.choice(["", " " * rnd.randint(0, 6), " " * rnd.randint(0, 6) + "# n"]))
        else:
            dash = rnd.choice(["- ", "-  ", "-"])
            r = rnd.random()
            if r < 0.6:
                out.append(" " * ind + dash + rnd.choice(_WORDS))
            elif r < 0.9:  # "- key: value" and the lines of that mapping
                sub = _block(rnd, 0, depth + 1)
                out.append(" " * ind + dash + sub[0].lstrip(" "))
                out.extend(" " * (ind + len(dash)) + line if line.strip() else line for line in sub[1:])
            else:
                out.append(" " * ind + dash.rstrip())
    return out


def random_documents(count: int, seed: int = 14) -> dict[str, str]:
    """Block YAML as people write it, with its usual slips: mappings, sequences, literal blocks,
    comments and blank lines at random indentation, and values in and out of the plain subset."""
    rnd = random.Random(seed)
    out = {}
    for n in range(count):
        lines = _block(rnd, rnd.choice([0, 0, 2]), 0)
        if rnd.random() < 0.2:
            lines.insert(0, "---")
        if rnd.random() < 0.2:
            lines.append("---")
        ending = rnd.choice(["\n", "", "\n\n", "\n" + " " * rnd.randint(0, 8) + "# end"])  # a last line without a break
        out[f"random{n}"] = "\n".join(lines) + ending
    return out
