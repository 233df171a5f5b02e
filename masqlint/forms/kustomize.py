"""kustomize: the ip-masq-agent ConfigMap a kustomization generates or lists.

* ``configMapGenerator`` items named ``ip-masq-agent``: ``files:`` (``key=path``, or a bare path whose
  file name becomes the data key), ``literals:`` (``key=value``) and ``envs:`` (``KEY=VALUE`` lines).
  The file behind the key ``config`` is checked as the agent config at its own lines and under its
  own name; a ``config=`` literal is checked at its lines in the kustomization.
* ``namespace:`` applies to everything the kustomization generates and lists: MQ101 at that line
  when it is not ``kube-system``; a manifest it lists needs no namespace of its own then.
* ``behavior: merge`` / ``replace`` act on the ConfigMap of a base reached through ``resources:``,
  ``bases:`` or ``components:`` (directories inside the repository; an overlay's ``../../base`` is normal).
* the hash suffix kustomize appends to a generated name (MQ105), unless ``disableNameSuffixHash``
  is set or a workload of the same build mounts the ConfigMap (kustomize renames the reference too).

Files are read only inside the repository (``forms.refs``); a reference that cannot be read is
MQ008. Nothing is ever executed: no kustomize binary, no plugin, no remote base.
"""

from __future__ import annotations

import os

from masqlint.agent.model import match_field
from masqlint.forms import refs
from masqlint.forms.embedded import AgentConfig, Locator, embedded_locator
from masqlint.forms.manifest import CONFIGMAP_NAME, iter_objects
from masqlint.text import yamlload
from masqlint.text.source import LineIndex, SourceFile, mapping_get, node_range, scalar
from masqlint.text.yamlload import MappingNode, ScalarNode, SequenceNode
from masqlint.forms.base import FormRead, Unit
from masqlint.checks import Problem
from masqlint.engine.findings import Span
from masqlint.forms.manifest import parse_manifest
from masqlint.forms.place import Placement
from masqlint.agent.load import is_json_text
from masqlint.forms.claims import KUSTOMIZATION_NAMES, kustomize as claims  # noqa: F401 - claims: this form's

NAMES = KUSTOMIZATION_NAMES
AGENT_NAMES = frozenset({CONFIGMAP_NAME})
MAX_KUSTOMIZATIONS = 64  # bases (of bases...) followed from one kustomization
_TRUE = frozenset({"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y"})  # go-yaml v2


# --- reading a kustomization -----------------------------------------------------------------


def _root(text: str) -> MappingNode | None:
    try:
        for doc in yamlload.compose_all(text):
            return doc if isinstance(doc, MappingNode) else None
    except (yamlload.YAMLError, RecursionError, ValueError):
        return None
    return None


def _get(node, key):
    e = mapping_get(node, key)
    return e[1] if e else None


def _items(node, key) -> list:
    v = _get(node, key)
    return list(v.value) if isinstance(v, SequenceNode) else []


def _true(node) -> bool:
    return isinstance(node, ScalarNode) and node.value in _TRUE


class Entry:
    """One ``files:`` / ``literals:`` / ``envs:`` item of a generator."""

    __slots__ = ("key", "kind", "node", "path", "value")

    def __init__(self, kind: str, node: ScalarNode, key: str | None, path: str | None = None, value: str | None = None):
        self.kind = kind
        self.node = node
        self.key = key
        self.path = path
        self.value = value


class Generator:
    __slots__ = ("behavior", "entries", "name", "name_node", "namespace_node", "node", "nohash")

    def __init__(self, node: MappingNode, name_node: ScalarNode, global_nohash: bool):
        self.node = node
        self.name_node = name_node
        self.name = name_node.value
        self.namespace_node = _get(node, "namespace")
        self.behavior = scalar(_get(node, "behavior")) or "create"
        self.nohash = global_nohash or _true(_get(_get(node, "options"), "disableNameSuffixHash"))
        self.entries: list[Entry] = []
        for item in _items(node, "files"):
            if isinstance(item, ScalarNode) and item.value:
                key, sep, path = item.value.partition("=")
                if not sep:
                    key, path = os.path.basename(item.value.rstrip("/")), item.value
                self.entries.append(Entry("files", item, key, path=path))
        for item in _items(node, "literals"):
            if isinstance(item, ScalarNode) and item.value:
                key, sep, value = item.value.partition("=")
                self.entries.append(Entry("literals", item, key if sep else None, value=value if sep else None))
        envs = _items(node, "envs") + ([_get(node, "env")] if isinstance(_get(node, "env"), ScalarNode) else [])
        for item in envs:
            if isinstance(item, ScalarNode) and item.value:
                self.entries.append(Entry("envs", item, None, path=item.value))


def _generators(root: MappingNode) -> list[Generator]:
    global_nohash = _true(_get(_get(root, "generatorOptions"), "disableNameSuffixHash"))
    out = []
    for item in _items(root, "configMapGenerator"):
        name = _get(item, "name")
        if isinstance(item, MappingNode) and isinstance(name, ScalarNode) and name.value in AGENT_NAMES:
            out.append(Generator(item, name, global_nohash))
    return out


# --- what a build holds: the agent ConfigMap's origin and the workloads that mount it -----------


class Origin:
    """The agent ConfigMap as a base defines it."""

    __slots__ = ("hashed", "keys", "name")

    def __init__(self, name: str, hashed: bool | None, keys: set[str] | None):
        self.name = name
        self.hashed = hashed  # gets kustomize's hash suffix (None: cannot know)
        self.keys = keys  # its data keys (None: cannot know)


class Mount:
    __slots__ = ("items", "name")

    def __init__(self, name: str, items: list[tuple[str, str]] | None):
        self.name = name
        self.items = items  # (key, path) pairs; None: every key becomes a file of its own name


class Build:
    __slots__ = ("budget", "mounts", "origins", "seen", "unknown")

    def __init__(self):
        self.origins: list[Origin] = []
        self.mounts: list[Mount] = []
        self.unknown = False  # a part of the build could not be read (remote base, missing file...)
        self.seen: set[str] = set()
        self.budget = MAX_KUSTOMIZATIONS

    def origin(self, name: str) -> Origin | None:
        return next((o for o in reversed(self.origins) if o.name == name), None)


def _mounts_of(obj) -> list[Mount]:
    spec = _get(obj, "spec")
    template = _get(spec, "template")
    pod = _get(template, "spec") if template is not None else spec
    out = []
    for vol in _items(pod, "volumes"):
        sources = [_get(vol, "configMap")]
        sources += [_get(s, "configMap") for s in _items(_get(vol, "projected"), "sources")]
        for cm in sources:
            name = scalar(_get(cm, "name"))
            if name is None:
                continue
            items = _get(cm, "items")
            pairs = None
            if isinstance(items, SequenceNode):
                pairs = [(scalar(_get(i, "key")) or "", scalar(_get(i, "path")) or "") for i in items.value]
            out.append(Mount(name, pairs))
    return out


def _read_manifest(data: bytes, build: Build) -> None:
    """ConfigMaps and workloads of a listed resource file."""
    if b"ip-masq" not in data:
        return  # neither the agent's ConfigMap nor a volume that mounts it
    try:
        text = data.decode("utf-8")
        docs = list(yamlload.compose_all(text))
    except (UnicodeDecodeError, yamlload.YAMLError, RecursionError, ValueError):
        build.unknown = True
        return
    for doc in docs:
        for obj in iter_objects(doc):
            kind = scalar(_get(obj, "kind"))
            name = scalar(_get(_get(obj, "metadata"), "name"))
            if kind == "ConfigMap" and name in AGENT_NAMES:
                data_node = _get(obj, "data")
                keys = {k.value for k, _ in data_node.value if isinstance(k, ScalarNode)} if isinstance(data_node, MappingNode) else set()
                build.origins.append(Origin(name, False, keys))
            elif kind is not None:
                build.mounts.extend(_mounts_of(obj))


def _remote(ref: str) -> bool:
    return "://" in ref or ref.startswith(("github.com/", "git@", "gitlab.com/", "bitbucket.org/")) or "?ref=" in ref


def _follow(referrer: str, root: MappingNode, build: Build, notes: list | None, source: SourceFile | None) -> None:
    """Add what the kustomization's resources, bases and components hold to ``build``; with
    ``notes``, report the references that cannot be read (MQ008)."""
    for key in ("resources", "bases", "components"):
        for item in _items(root, key):
            ref = scalar(item)
            if not ref:
                continue
            if _remote(ref):
                build.unknown = True  # never fetched
                continue
            got = refs.resolve(referrer, ref)
            if got.data is not None:
                _read_manifest(got.data, build)
                continue
            if got.problem and got.problem.endswith("is a directory, not a file"):
                if not _follow_dir(referrer, ref, build):
                    build.unknown = True
                    if notes is not None:
                        notes.append(Problem(f"`{ref}` names a directory without a kustomization file: "
                                             "`kustomize build` fails here; masqlint cannot see what it holds",
                                             at=_span(source, item), rule="MQ008"))
                continue
            build.unknown = True
            if notes is not None:
                notes.append(Problem(_unread(got.problem, key), at=_span(source, item), rule="MQ008"))


def _follow_dir(referrer: str, ref: str, build: Build) -> bool:
    """A base directory: its kustomization, followed once (bases may share bases; loops end here)."""
    for name in NAMES:
        got = refs.resolve(referrer, os.path.join(ref, name))
        if got.data is None:
            continue
        real = os.path.realpath(got.fspath)
        if real in build.seen or build.budget <= 0:
            return True
        build.seen.add(real)
        build.budget -= 1
        try:
            root = _root(got.data.decode("utf-8"))
        except UnicodeDecodeError:
            root = None
        if root is None:
            build.unknown = True
            return True
        _follow(got.fspath, root, build, None, None)
        for g in _generators(root):
            keys = _entry_keys(g, got.fspath)
            _apply_generator(build, g, keys)
        return True
    return False


def _entry_keys(g: Generator, referrer: str | None) -> set[str] | None:
    """The data keys a generator makes (None when an env file could not be read)."""
    keys: set[str] = set()
    for e in g.entries:
        if e.key is not None:
            keys.add(e.key)
        elif e.kind == "envs":
            if referrer is None:
                return None
            got = refs.resolve(referrer, e.path or "")
            if got.data is None:
                return None
            keys |= set(_env_keys(got.data))
    return keys


def _env_keys(data: bytes) -> list[str]:
    out = []
    for line in data.decode("utf-8", errors="replace").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line.partition("=")[0].strip())
    return out


def _apply_generator(build: Build, g: Generator, keys: set[str] | None) -> Origin | None:
    """The generator's effect on the agent ConfigMap of the build; returns the result."""
    if g.behavior in ("merge", "replace"):
        base = build.origin(g.name)
        if base is None:
            return None
        merged = Origin(g.name, base.hashed, None)
        if keys is not None and base.keys is not None:
            merged.keys = keys if g.behavior == "replace" else base.keys | keys
        build.origins.append(merged)
        return merged
    made = Origin(g.name, not g.nohash, keys)
    build.origins.append(made)
    return made


# --- the file being checked ------------------------------------------------------------------


def _span(source: SourceFile | None, node):
    r = node_range(node)
    if source is None or r is None:
        return Span(1, 1, 1, 1)
    return source.index.span(*r)


def _unread(problem: str | None, what: str) -> str:
    if what == "files":
        return f"{problem}; the ConfigMap's data is not checked (and `kustomize build` refuses or fails on it too)"
    return f"{problem}; what it holds is not checked (and `kustomize build` fails on it too)"


def _referrer(source: SourceFile) -> str | None:
    if source.fspath:
        return source.fspath
    if source.path and source.path not in ("-", "<stdin>", "<text>") and not source.path.startswith("<"):
        return source.path  # a buffer checked under a file name: references are relative to it
    return None


def _display(source: SourceFile, ref: str) -> str:
    if os.path.isabs(ref):
        return ref
    return os.path.normpath(os.path.join(os.path.dirname(source.path), ref))


def read(source: SourceFile):
    text = source.text or ""
    root = _root(text)
    if root is None:
        # not a mapping, or not YAML: say so only when it is about the agent
        pf = parse_manifest(source) if "ip-masq-agent" in text else None
        return FormRead("kustomize", [], pf if pf is not None and pf.yaml_error is not None else None)
    notes: list = []
    configs: list[AgentConfig] = []
    units: list = []
    referrer = _referrer(source)
    build = Build()
    generators = _generators(root)
    ns_node = _get(root, "namespace")
    if not generators and "ip-masq" not in text and scalar(ns_node) in (None, "kube-system"):
        return FormRead("kustomize", [])  # nothing it builds can concern the agent's ConfigMap here
    if referrer is not None:
        build.seen.add(os.path.realpath(referrer))
        _follow(referrer, root, build, notes, source)
    listed_agent = bool(build.origins)
    if not (generators or listed_agent or "ip-masq" in text):
        notes = []  # a kustomization that has nothing to do with the agent: its references are not our business
    for g in generators:
        _generator(source, referrer, g, build, notes, configs, units)
    ns = scalar(ns_node)
    if ns_node is not None and ns != "kube-system" and (generators or listed_agent):
        what = "generates" if generators else "lists"
        notes.append(Problem(f"this kustomization {what} the ip-masq-agent ConfigMap and puts everything it builds in namespace "
            f"`{ns}`, but the agent reads only kube-system/ip-masq-agent: the ConfigMap has no effect and the agent "
            "keeps its defaults. Set `namespace: kube-system` (or build the ConfigMap in a kustomization of its own)",
            at=_span(source, ns_node), rule="MQ101"))
    elif ns_node is None:
        for g in generators:
            gns = scalar(g.namespace_node)
            if g.namespace_node is not None and gns != "kube-system":
                notes.append(Problem(f"the generated ip-masq-agent ConfigMap is in namespace `{gns}`, but the agent reads only "
                    "kube-system/ip-masq-agent: it has no effect. Use `namespace: kube-system`",
                    at=_span(source, g.namespace_node), rule="MQ101"))
    return FormRead("kustomize", configs, None, False, notes, units=units)


def _generator(source, referrer, g: Generator, build: Build, notes, configs, units) -> None:
    readable: list[tuple[Entry, refs.Reference]] = []
    for e in g.entries:
        if e.kind == "literals" or referrer is None:
            continue
        got = refs.resolve(referrer, e.path or "")
        if got.data is None:
            notes.append(Problem(_unread(got.problem, "files"), at=_span(source, e.node), rule="MQ008"))
        else:
            readable.append((e, got))
    keys = _entry_keys(g, referrer)
    base = build.origin(g.name) if g.behavior in ("merge", "replace") else None
    result = _apply_generator(build, g, keys)
    mounts = [m for m in build.mounts if m.name == g.name]

    # MQ105: the name the agent looks for never exists
    if result is not None and result.hashed and not mounts:
        notes.append(Problem("kustomize appends a hash of the content to this generated name (`ip-masq-agent-<hash>`), and no "
            "workload in this kustomization mounts it under that name; the agent reads only the ConfigMap named "
            "exactly `ip-masq-agent`, so this config never arrives and the agent keeps its defaults. Add "
            "`options: {disableNameSuffixHash: true}` to this generator",
            at=_span(source, g.name_node), rule="MQ105"))

    # MQ102: the agent file is `config` (or what a mount of this build maps to the agent's file)
    all_keys = result.keys if result is not None else keys
    culprit = None
    if all_keys is not None and "config" not in all_keys and (g.behavior == "create" or base is not None):
        if not _mount_serves(mounts, all_keys):
            culprit = next((e for e in g.entries if e.key is not None), None)
            _data_key_note(source, g, culprit, notes)

    for e, got in readable:
        if e.kind == "envs" and got.data is not None:
            unit = _env_config(source, e, got)
            if unit is not None:
                units.append(unit)
            continue
        if got.data is not None and (e.key == "config" or culprit is not None or _mount_serves(mounts, {e.key or ""})):
            ref_source = SourceFile.from_bytes(_display(source, e.path or ""), got.data, got.fspath)
            units.append(Unit(ref_source, True))
    for e in g.entries:
        if e.kind == "literals" and e.key == "config" and e.value is not None:
            configs.append(_literal_config(source, e))


def _env_config(source: SourceFile, e: Entry, got: refs.Reference):
    """The ``config=`` line of an env file: its value is the agent config, checked at its place in
    that file (the findings name the env file)."""
    env = SourceFile.from_bytes(_display(source, e.path or ""), got.data or b"", got.fspath)
    if env.text is None:
        return None
    idx = env.index
    for ln in range(1, len(idx.starts) + 1):
        line = idx.line_text(ln)
        key, sep, value = line.partition("=")
        if not sep or key.strip() != "config" or line.lstrip().startswith("#"):
            continue
        start = idx.starts[ln - 1] + len(key) + 1
        suffix = ".json" if value.lstrip().startswith(("{", "[")) else ".yaml"
        unit = SourceFile.from_bytes(f"{env.path}:{ln}{suffix}", value.encode("utf-8"))
        place = Placement(env, value, [start], [""], (idx.starts[ln - 1], idx.starts[ln - 1] + len(line)))
        place.lines = (ln, ln)
        return Unit(unit, None, place)
    return None


def _mount_serves(mounts: list[Mount], keys: set[str]) -> bool:
    """Does a workload of the build mount one of ``keys`` where the agent reads its file
    (``ip-masq-agent``; the v2 agent reads every ``ip-masq*`` file)?"""
    for m in mounts:
        if m.items is None:
            if any(k.startswith("ip-masq") for k in keys):
                return True
        elif any(k in keys and os.path.basename(p).startswith("ip-masq") for k, p in m.items):
            return True
    return False


def _data_key_note(source, g: Generator, culprit: Entry | None, notes: list) -> None:
    if culprit is None:
        notes.append(Problem("this generator makes the ip-masq-agent ConfigMap without a `config` key: the agent finds no config "
            "file and uses its defaults. Add `files: [config=<file>]`",
            at=_span(source, g.name_node), rule="MQ102"))
        return
    if culprit.kind == "literals" and match_field(culprit.key or ""):
        msg = (f"`{culprit.key}` becomes a key of its own under `data`, but the agent reads only the file `config`: "
               "it is ignored and the agent falls back to its defaults. Write the agent config as one `config=` "
               "literal or, better, as `files: [config=<file>]`")
    elif culprit.kind == "files" and "=" not in culprit.node.value:
        msg = (f"a bare path makes the file's name the data key (`{culprit.key}`), but the agent reads only the key "
               f"`config` (mounted as /etc/config/ip-masq-agent): the agent falls back to its defaults. Write "
               f"`config={culprit.path}`")
    else:
        msg = (f"the config is stored under the key `{culprit.key}`, but the agent reads only the key `config` "
               "(mounted as /etc/config/ip-masq-agent): the agent falls back to its defaults. Use the key `config`")
    notes.append(Problem(msg, at=_span(source, culprit.node), rule="MQ102"))


def _literal_config(source: SourceFile, e: Entry) -> AgentConfig:
    """A ``config=...`` literal: the text after ``=``, mapped to its characters in the kustomization."""
    node = e.node
    text = e.value or ""
    cut = len(node.value) - len(text)
    fallback = node_range(node)
    loc = Locator(source, None, LineIndex(text), fallback)
    raw = (source.text or "")[node.start_mark.index: node.end_mark.index]
    if "\n" not in node.value:
        start = None
        if not node.style and raw == node.value:  # plain (libyaml gives plain scalars the style "")
            start = node.start_mark.index
        elif node.style in ("'", '"') and raw[1:-1] == node.value:
            start = node.start_mark.index + 1
        if start is not None:
            loc = Locator(source, [start + cut], LineIndex(text), fallback)
    elif node.style == "|":
        whole = embedded_locator(source, node, node, node.value)
        if whole.line_offsets is not None and "\n" not in node.value[:cut]:
            offsets = list(whole.line_offsets)
            offsets[0] += cut
            loc = Locator(source, offsets, LineIndex(text), fallback)

    return AgentConfig(source, "configmap", text, loc, json_input=is_json_text(text), form="kustomize")


# --- a manifest that a kustomization lists ------------------------------------------------------


def namespace_from_owner(configs: list[AgentConfig], fspath: str):
    """A manifest listed in the ``resources:`` of the kustomization beside it takes that
    kustomization's ``namespace:`` (kustomize overrides the manifest's own), so MQ101 is the
    kustomization's to report, at its ``namespace:`` line. Returns the kustomization as a file to
    check in its own right when that namespace is not kube-system (a kustomization that does not
    name the agent itself is not read otherwise), else None."""
    directory = os.path.dirname(os.path.abspath(fspath))
    for name in NAMES:
        if not os.path.lexists(os.path.join(directory, name)):
            continue  # nothing there to resolve (the usual case: one lstat, not three real paths)
        got = refs.resolve(fspath, name)
        if got.data is None:
            continue
        try:
            root = _root(got.data.decode("utf-8"))
        except UnicodeDecodeError:
            return None
        ns = scalar(_get(root, "namespace"))
        if ns is None:
            return None
        me = os.path.realpath(fspath)
        listed = any(
            isinstance(i, ScalarNode) and os.path.realpath(os.path.join(directory, i.value)) == me
            for key in ("resources", "bases") for i in _items(root, key)
        )
        if not listed:
            return None
        for c in configs:
            if c.configmap is not None:
                c.namespace = ns
                c.namespace_set_by = got.fspath
        if ns == "kube-system":
            return None
        display = os.path.join(os.path.dirname(configs[0].source.path), name) if configs else name
        return Unit(SourceFile.from_bytes(display, got.data, got.fspath), None)
    return None
