"""The pipeline for one file: read → parse with positions → find configs → model the agent
→ run checks → resolve positions → select / severity → suppress."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from masqlint.text import source as src
from masqlint.agent.load import parse_agent_text_with_root
from masqlint.agent.model import AgentError, MasqConfig, SyncResult
from masqlint.engine.catalog import Rule, RuleHeader, rule_headers
from masqlint.checks import CONFIG, FILE, Problem, load_all
from masqlint.engine.findings import ElsewhereSpan, FileResult, Finding, Severity, Span
from masqlint.config.settings import DEFAULT_STANDALONE_GLOBS, Settings, glob_match
from masqlint.forms import OTHER, read_forms
from masqlint.forms.templated import TEMPLATED_FORMS
from masqlint.forms.embedded import AgentConfig
from masqlint.forms.manifest import ParsedFile
from masqlint.text.source import SourceFile

@dataclass
class ConfigContext:
    """Everything a config-scope check may ask about one ip-masq-agent configuration."""

    config: AgentConfig
    settings: Settings
    target: Any
    root: Any  # composed YAML root of the config text (None for JSON input or no text)
    parsed: Any  # JValue | AgentError | None (None: no config key → agent defaults)
    result: SyncResult  # the target agent's first-start loop on this config
    decoded: MasqConfig | None  # lenient decode (all fields that could be read)
    decode_errors: list[AgentError] = field(default_factory=list)
    file: "FileContext | None" = None

    @property
    def source(self) -> SourceFile:
        return self.config.source

    @property
    def partial(self) -> bool:
        """Part of the config comes from a template (unknown values, or a list a loop or a
        condition fills): no rule may conclude that a list is empty, complete or too short."""
        return bool(self.config.unknown) or self.config.open_list

    @property
    def file_source(self) -> SourceFile:
        """The file being linted (the config itself may sit in a file it reads)."""
        return self.file.source if self.file is not None else self.config.source

    @property
    def rejected_by_parse(self) -> bool:
        return isinstance(self.parsed, AgentError)

    @functools.cached_property
    def in_force(self):
        """The non-masquerade rules in force for this config and why (``agent.decide.InForce``)."""
        from masqlint.agent.decide import in_force_for_config

        return in_force_for_config(self)

    def span(self, thing) -> Span:
        return self.config.span_of(thing)

    def is_unknown(self, thing) -> bool:
        """Does ``thing`` (a node, value or Offset of the config text) come from a template?
        A rule says nothing about a value it cannot know."""
        if not self.config.unknown:
            return False
        r = src.node_range(thing)
        return r is not None and self.config.is_unknown(*r)

    def outer_range(self, thing) -> tuple[int, int] | None:
        """Outer-file character offsets of a thing inside the config, when exactly known."""
        r = src.node_range(thing)
        if r is None or not self.config.locator.precise:
            return None
        exact = getattr(self.config.locator, "exact_range", None)
        if exact is not None:  # a config not copied line by line (forms.embedded.CharLocator)
            return exact(*r)
        a = self.config.locator.outer_offset(r[0])
        b = self.config.locator.outer_offset(r[1])
        if a is None or b is None:
            return None
        return a, b

    def value_range(self, thing) -> tuple[int, int] | None:
        """Like ``outer_range``, without the quotes of a quoted scalar: where its text can be replaced."""
        from masqlint.checks.edits import scalar_inner

        r = self.outer_range(thing)
        return None if r is None or self.source.text is None else scalar_inner(self.source.text, *r)


@dataclass
class FileContext:
    source: SourceFile
    settings: Settings
    parsed: ParsedFile | None
    configs: list[ConfigContext]
    standalone: bool = False
    form: str = "manifest"  # the form the file was read as (forms.FORMS)
    notes: list = field(default_factory=list)  # file-level problems from the form reader (each at a Span)
    policies: list = field(default_factory=list)  # EgressNATPolicy objects (forms.egressnat.Policy)
    units: list = field(default_factory=list)  # texts linted as files of their own (forms.Unit)
    unknown: list = field(default_factory=list)  # outer-file ranges whose value a template decides
    masked: list = field(default_factory=list)  # outer-file ranges of template markup
    explicit: bool = True  # named by the user (not found by a walk)


def build_config_context(cfg: AgentConfig, settings: Settings) -> ConfigContext:
    """The target is the one settings name, else the one the config's form and surroundings
    point at (``AgentConfig.target_hint``), else gke. Values that come from a template are left
    out of what the agent model decodes: rules see the known part only (``ConfigContext.partial``)."""
    target = settings.target_model(cfg.target_hint)
    if cfg.flags_hint and not settings.target_known:
        # the file's own DaemonSet says how its agent runs; flags in settings still win
        named = {k.replace("-", "_") for k in (settings.agent_flags or {})}
        own = {k: v for k, v in cfg.flags_hint.items() if k not in named}
        if own:
            target = target.with_flags(**own)
    if cfg.text is None:
        parsed = None
        root = None
    else:
        root, parsed = parse_agent_text_with_root(cfg.text, cfg.json_input)
    model = target  # what decodes: the target, without the fields whose value a template decides
    if cfg.unknown and parsed is not None and not isinstance(parsed, AgentError):
        from dataclasses import replace

        from masqlint.engine.unknown import known_part

        parsed, unknown_fields = known_part(parsed, cfg)
        if unknown_fields:
            model = replace(target, ignored_keys=tuple(target.ignored_keys) + unknown_fields)
    from masqlint.agent.targets import apply_target, decode_for

    result = apply_target(model, parsed, empty=cfg.text == "", text=cfg.text, json_input=cfg.json_input)
    decoded = None
    errors: list[AgentError] = []
    if target.defaults_for_file(parsed is not None, cfg.text == ""):
        decoded = MasqConfig.defaults(target.flags)
    elif not isinstance(parsed, AgentError):
        decoded = decode_for(model, parsed, collect=errors)
    return ConfigContext(cfg, settings, target, root, parsed, result, decoded, errors)


def analyse(source: SourceFile, settings: Settings, standalone: bool | None = None) -> FileContext:
    """Parse a file and model every ip-masq-agent config in it."""
    if source.text is None:
        from masqlint.forms import form_by_name

        return FileContext(source, settings, None, [], bool(standalone), form_by_name(source.fspath or source.path))
    found = read_forms(source, standalone, settings.disabled_forms)
    fctx = FileContext(source, settings, found.parsed, [], found.standalone, found.form, found.notes, found.policies,
                       found.units, list(found.unknown), list(found.masked))
    for c in found.configs:
        cctx = build_config_context(c, settings)
        cctx.file = fctx
        fctx.configs.append(cctx)
    return fctx


def configs_in(fctx: FileContext) -> list[tuple[ConfigContext, str, Any]]:
    """Every agent config the file holds or refers to, for the commands that model configs (trace,
    diff): (context, the path its positions name, the ``forms.place.Placement`` that moves a span of
    the context onto that file's lines, or None when the context's own positions are that file's)."""
    out: list[tuple[ConfigContext, str, Any]] = [(c, fctx.source.path, None) for c in fctx.configs]
    for unit in fctx.units:
        sub = analyse(unit.source, fctx.settings, unit.standalone)
        if unit.place is None:
            out.extend(configs_in(sub))
        else:
            out.extend((c, fctx.source.path, unit.place) for c in sub.configs)
    return out


# --- selection -------------------------------------------------------------------------------


def _matches(rule: Rule | RuleHeader, selectors) -> bool:
    for s in selectors:
        s = s.strip()
        if s.upper() == "ALL" or rule.id.startswith(s.upper()) or rule.name == s.lower():
            return True
    return False


def rule_enabled(rule: Rule | RuleHeader, settings: Settings) -> bool:
    """Is ``rule`` selected? Decided once per rule and settings (every file of a directory shares them)."""
    memo = settings.memo()
    key = ("enabled", rule.id)
    hit = memo.get(key)
    if hit is None:
        hit = memo[key] = not _matches(rule, settings.ignore) and (
            _matches(rule, settings.select) or _matches(rule, settings.extend_select))
    return hit


def rule_severity(rule: Rule | RuleHeader, settings: Settings, default: str | None = None) -> Severity:
    """The severity settings give ``rule``, else ``default`` (a check's own for one finding), else the catalog's."""
    for key in (rule.id, rule.name):
        if key in settings.severity:
            return settings.severity[key]
    for key, sev in settings.severity.items():
        if rule.id.startswith(str(key).upper()):
            return sev
    return Severity.parse(default) if default else rule.severity


# --- running checks ----------------------------------------------------------------------------


def run_checks(fctx: FileContext) -> list[tuple[Problem, Any]]:
    """(problem, config context or None) for every problem every enabled check finds."""
    registry = load_all()
    catalog = rule_headers()
    out: list[tuple[Problem, Any]] = []
    for rid, checks in registry.items():
        rule = catalog.get(rid)
        if rule is None:
            continue
        for check in checks:
            _run_one(check, rule, fctx, out)
    if any(c.config.configmap is not None and c.config.text is None for c in fctx.configs):
        from masqlint.engine.misplaced import run_on_misplaced

        out.extend(run_on_misplaced(fctx, lambda sctx, found: _run_config_checks(registry, catalog, sctx, found)))
    return out


def _run_config_checks(registry, catalog, cctx, out) -> None:
    for rid, checks in registry.items():
        rule = catalog.get(rid)
        if rule is None or not rule_enabled(rule, cctx.settings):
            continue
        for check in checks:
            if check.scope == CONFIG:
                out.extend((p, cctx) for p in check.fn(cctx))


def _run_one(check, rule, fctx, out) -> None:
    if check.scope == FILE:
        if rule_enabled(rule, fctx.settings):
            out.extend((p, None) for p in check.fn(fctx))
    elif check.scope == CONFIG:
        for cctx in fctx.configs:
            if rule_enabled(rule, cctx.settings):
                out.extend((p, cctx) for p in check.fn(cctx))


def to_finding(p: Problem, cctx: ConfigContext | None, fctx: FileContext) -> Finding:
    rule = rule_headers()[p.rule]
    settings = cctx.settings if cctx is not None else fctx.settings
    if isinstance(p.at, Span):
        span = p.at
    elif p.outer or cctx is None:
        r = src.node_range(p.at)
        span = fctx.source.index.span(*r) if r else Span(1, 1, 1, 1)
    elif p.at is None:
        span = cctx.config.anchor_span()
    else:
        span = cctx.span(p.at)
    data = p.data
    related: tuple = ()
    if "related" in data:  # [(thing in the config, what it is)]: resolved here like `at`
        data = {k: v for k, v in data.items() if k != "related"}
        related = tuple((cctx.span(at) if cctx is not None and not isinstance(at, Span) else at, what)
                        for at, what in p.data["related"])
    path = fctx.source.path
    if isinstance(span, ElsewhereSpan):  # in a file this one reads (Terraform file())
        path, span = span.path, Span(span.line, span.column, span.end_line, span.end_column)
        related = tuple((Span(r.line, r.column, r.end_line, r.end_column) if isinstance(r, Span) else r, what)
                        for r, what in related)
    return Finding(
        rule=rule.id,
        name=rule.name,
        severity=rule_severity(rule, settings, p.severity),
        message=p.message,
        path=path,
        span=span,
        fix=p.fix,
        data=data,
        target=cctx.target.name if cctx is not None else _file_target(fctx),
        related=related,
    )


def _file_target(fctx: "FileContext") -> str | None:
    """The target of a file-level finding: the one every config of the file assumes, if they agree."""
    names = {c.target.name for c in fctx.configs}
    return names.pop() if len(names) == 1 else None


def lint_source(source: SourceFile, settings: Settings, standalone: bool | None = None,
                explicit: bool = True) -> FileResult:
    """Lint one file. ``explicit``: the user named it; a file found by a walk that is of no form
    masqlint reads is skipped without a word."""
    fctx = analyse(source, settings, standalone)
    fctx.explicit = explicit
    if fctx.form == OTHER and not explicit:
        return FileResult(path=source.path, text=source.text)
    problems = run_checks(fctx)
    findings = [to_finding(p, c, fctx) for p, c in problems]
    if fctx.unknown or fctx.masked or any(c.config.unknown for c in fctx.configs):
        from masqlint.engine.unknown import drop_unknown

        findings = drop_unknown(fctx, findings)
    from masqlint.engine.suppress import apply_suppressions

    elsewhere = [f for f in findings if f.path != source.path]
    if elsewhere:
        findings = [f for f in findings if f.path == source.path]
    findings, suppressed = apply_suppressions(fctx, findings)
    result = FileResult(path=source.path, text=source.text, findings=findings, configs=len(fctx.configs),
                        suppressed=suppressed, configmaps=configmap_refs(fctx), policies=_policy_refs(fctx),
                        mounts=azure_mounts(fctx))
    if fctx.units:
        _lint_units(fctx, result)
    if elsewhere or any(c.config.elsewhere for c in fctx.configs):
        result.related.extend(_related_results(fctx, elsewhere))
    result.findings.sort(key=Finding.sort_key)
    _release(fctx)
    return result


def _policy_refs(fctx: FileContext) -> list:
    if not fctx.policies:
        return []
    from masqlint.checks.egressnat import policy_refs

    return policy_refs(fctx)


def _lint_units(fctx: FileContext, result: FileResult) -> None:
    """Lint the texts a form handed over as files of their own: a referenced file becomes a result
    of its own (``result.related``); a region of this file (a Markdown fence) has its findings
    moved to this file's lines, then the file's block directives apply."""
    blocks = []
    placed: list[Finding] = []
    elsewhere: dict[int, FileResult] = {}  # regions of other files (an env file's `config=` line)
    for unit in fctx.units:
        sub = lint_source(unit.source, fctx.settings, unit.standalone)
        if unit.place is None:
            result.related.append(sub)
            result.related.extend(sub.related)
            sub.related = []
            continue
        if unit.place.outer is not fctx.source:
            outer = unit.place.outer
            other = elsewhere.get(id(outer))
            if other is None:
                other = elsewhere[id(outer)] = FileResult(path=outer.path, text=outer.text)
                result.related.append(other)
            other.findings.extend(unit.place.finding(f, outer.path) for f in sub.findings)
            other.configs += sub.configs
            other.suppressed += sub.suppressed
            continue
        blocks.append(unit.place.lines)
        placed.extend(unit.place.finding(f, result.path) for f in sub.findings)
        result.configs += sub.configs
        result.suppressed += sub.suppressed
    if blocks:
        from masqlint.engine.suppress import apply_block_suppressions

        placed, n = apply_block_suppressions(fctx, placed, blocks)
        result.suppressed += n
    result.findings.extend(placed)


def _related_results(fctx: FileContext, findings: list[Finding]) -> list[FileResult]:
    """A result for each file the linted one reads a config from (Terraform ``file()``): its
    findings, under its own path, suppressed by its own comments. Fixes stay with the file's own
    run (checking that file directly fixes it)."""
    from masqlint.engine.suppress import apply_suppressions

    sources: dict[str, SourceFile] = {}
    for c in fctx.configs:
        if c.config.elsewhere:
            sources.setdefault(c.config.source.path, c.config.source)
    out = []
    for path, sf in sources.items():
        mine = [f for f in findings if f.path == path]
        kept, suppressed = apply_suppressions(fctx, mine, sf)
        for f in kept:
            f.fix = None
        kept.sort(key=Finding.sort_key)
        n = sum(1 for c in fctx.configs if c.config.source is sf)
        out.append(FileResult(path=path, text=sf.text, findings=kept, configs=n, suppressed=suppressed))
    return out


def _release(fctx: FileContext) -> None:
    """Break the reference cycles that would keep a linted file's nodes and values alive until
    a GC pass (half a second after a 100,000-entry list): the contexts' link to their file,
    and the tracebacks of errors kept as data (the agent's rejection, a YAML error), whose
    frames hold everything the lint built."""
    seen: set[int] = set()
    _forget_traceback(fctx.source.decode_error, seen)
    if fctx.parsed is not None:
        _forget_traceback(fctx.parsed.yaml_error, seen)
    for cctx in fctx.configs:
        cctx.file = None
        _forget_traceback(cctx.parsed, seen)
        _forget_traceback(getattr(cctx.result, "error", None), seen)
        for e in cctx.decode_errors:
            _forget_traceback(e, seen)


def _forget_traceback(e, seen: set[int]) -> None:
    while isinstance(e, BaseException) and id(e) not in seen:
        seen.add(id(e))
        e.__traceback__ = None
        _forget_traceback(getattr(e, "yaml_error", None), seen)
        _forget_traceback(e.__cause__, seen)
        e = e.__context__


def azure_mounts(fctx: FileContext) -> list:
    """The file's configs that Azure's agent reads as one directory (checks.azure_union)."""
    if not any(c.target.name == "azure" for c in fctx.configs):
        return []
    from masqlint.checks.azure_union import mount_refs

    headers = rule_headers()

    def severity_of(cctx, rid):
        rule = headers.get(rid)
        return rule_severity(rule, cctx.settings) if rule is not None and rule_enabled(rule, cctx.settings) else None

    return mount_refs(fctx, severity_of)


def configmap_refs(fctx: FileContext) -> list:
    """The file's ip-masq-agent ConfigMaps for checks across files (scope filled in by the runner)."""
    from masqlint.checks.policy import ConfigMapRef, _name_node

    rule = rule_headers().get("MQ408")
    out = []
    for cctx in fctx.configs:
        cm = cctx.config.configmap
        if cm is None or cctx.config.sibling:
            continue
        if cctx.config.form in TEMPLATED_FORMS or (fctx.unknown and _templated_identity(fctx, cm)):
            continue  # rendered under conditions masqlint cannot evaluate: not comparable with other files
        r = src.node_range(_name_node(cm))
        span = fctx.source.index.span(*r) if r else Span(1, 1, 1, 1)
        sev = rule_severity(rule, cctx.settings) if rule is not None and rule_enabled(rule, cctx.settings) else None
        out.append(ConfigMapRef("", cctx.config.namespace, span, sev, name=src.scalar(_name_node(cm))))
    return out


def _templated_identity(fctx: FileContext, cm) -> bool:
    from masqlint.engine.unknown import overlaps

    md = src.mapping_get(cm, "metadata")
    for key in ("name", "namespace"):
        e = src.mapping_get(md[1], key) if md else None
        if e is not None and overlaps(fctx.unknown, src.node_range(e[1])):
            return True
    return False


def is_standalone_name(relpath: str, settings: Settings) -> bool:
    """Do settings name the file an agent config? The built-in globs only guess for a .yaml / .json
    name (TKE keeps a ConfigMap manifest in ip-masq-agent-config.yaml): its content decides."""
    if settings.standalone == DEFAULT_STANDALONE_GLOBS and relpath.lower().endswith((".yaml", ".yml", ".json")):
        return False
    return any(glob_match(relpath, g) for g in settings.standalone)
