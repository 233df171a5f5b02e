"""The pipeline for one file: read → parse with positions → find configs → model the agent
→ run checks → resolve positions → select / severity → suppress."""

from __future__ import annotations

from masqlint.agent.decide import InForce, in_force_for_config
from masqlint.agent.load import parse_agent_text_with_root
from masqlint.agent.model import AgentError, MasqConfig, SyncResult
from masqlint.agent.targets import apply_target, decode_for
from masqlint.checks import COLLECT, CONFIG, FILE, RUN, Problem, checks_of
from masqlint.checks.edits import scalar_inner
from masqlint.config.settings import Settings
from masqlint.engine.emit import WHOLE_FILE, enabled, finding
from masqlint.engine.findings import ElsewhereSpan, FileResult, Finding, Span
from masqlint.engine.headers import FIXABLE
from masqlint.engine.suppress import add_late_finding, apply_block_suppressions, apply_suppressions
from masqlint.engine.unknown import drop_unknown, known_part
from masqlint.forms import OTHER, form_by_name, read_forms
from masqlint.forms.embedded import AgentConfig
from masqlint.forms.manifest import ParsedFile
from masqlint.text import source as src
from masqlint.record import Record

TYPE_CHECKING = False  # typing's own flag, without importing typing
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

    from masqlint.text.source import SourceFile


class ConfigContext(Record):
    """Everything a config-scope check may ask about one ip-masq-agent configuration."""

    _fields = ("config", "settings", "target", "root", "parsed", "result", "decoded", "decode_errors", "file")
    # and what is computed once per config: in_force, and the entries of checks.cidrs
    __slots__ = (*_fields, "_in_force", "_cidr_entries", "_cidr_valid_entries", "_cidr_sweep", "_cidr_has_nulls")
    __hash__ = None  # type: ignore[assignment]  # mutable: not hashable

    def __init__(self, config: AgentConfig, settings: Settings, target: Any, root: Any, parsed: Any,
                 result: SyncResult, decoded: MasqConfig | None, decode_errors: list[AgentError] | None = None,
                 file: "FileContext | None" = None):
        self.config = config
        self.settings = settings
        self.target = target
        self.root = root  # composed YAML root of the config text (None for JSON input or no text)
        self.parsed = parsed  # JValue | AgentError | None (None: no config key → agent defaults)
        self.result = result  # the target agent's first-start loop on this config
        self.decoded = decoded  # lenient decode (all fields that could be read)
        self.decode_errors = decode_errors if decode_errors is not None else []
        self.file = file
        self._in_force: InForce | None = None
        self._cidr_entries = self._cidr_valid_entries = self._cidr_sweep = self._cidr_has_nulls = None

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
    def in_force(self) -> InForce:
        """The non-masquerade rules in force for this config and why."""
        if self._in_force is None:
            self._in_force = in_force_for_config(self)
        return self._in_force

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
        r = self.outer_range(thing)
        return None if r is None or self.source.text is None else scalar_inner(self.source.text, *r)


class FileContext(Record):
    __slots__ = ("source", "settings", "parsed", "configs", "standalone", "form", "notes", "policies", "units",
                 "unknown", "masked", "explicit")
    __hash__ = None  # type: ignore[assignment]  # mutable: not hashable

    def __init__(self, source: SourceFile, settings: Settings, parsed: ParsedFile | None, configs: list[ConfigContext],
                 standalone: bool = False, form: str = "manifest", notes: list | None = None,
                 policies: list | None = None, units: list | None = None, unknown: list | None = None,
                 masked: list | None = None, explicit: bool = True):
        self.source = source
        self.settings = settings
        self.parsed = parsed
        self.configs = configs
        self.standalone = standalone
        self.form = form  # the form the file was read as (forms.FORMS)
        self.notes = notes if notes is not None else []  # file-level problems from the form reader (each at a Span)
        self.policies = policies if policies is not None else []  # EgressNATPolicy objects (forms.egressnat.Policy)
        self.units = units if units is not None else []  # texts linted as files of their own (forms.Unit)
        self.unknown = unknown if unknown is not None else []  # outer-file ranges whose value a template decides
        self.masked = masked if masked is not None else []  # outer-file ranges of template markup
        self.explicit = explicit  # named by the user (not found by a walk)


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
        parsed, unknown_fields = known_part(parsed, cfg)
        if unknown_fields:
            model = target.replace(ignored_keys=tuple(target.ignored_keys) + unknown_fields)
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


# --- running checks ----------------------------------------------------------------------------


def run_checks(fctx: FileContext, fixes_only: bool = False) -> list[Finding]:
    """The findings of every enabled FILE and CONFIG check, each made by ``emit.finding``; the text
    rules also run on a config stored under the wrong data key (engine.misplaced).

    ``fixes_only``: only the checks of rules that can offer a fix (``headers.FIXABLE``; ``emit.finding``
    drops the fix of any other rule's finding), which give every finding that carries a fix."""
    out: list[Finding] = []
    for check in _enabled_checks(FILE, fctx.settings, fixes_only):
        _collect(out, check.problems(fctx), None, fctx)
    for cctx in fctx.configs:
        _collect(out, _config_problems(cctx, fixes_only), cctx, fctx)
    if any(c.config.configmap is not None and c.config.text is None for c in fctx.configs):
        from masqlint.engine.misplaced import run_on_misplaced  # noqa: PLC0415 - lazy: only for a ConfigMap without `config`

        for p, sctx in run_on_misplaced(
                fctx, lambda sctx, found: found.extend((p, sctx) for p in _config_problems(sctx, fixes_only)),
                build_config_context):
            _collect(out, [p], sctx, fctx)
    return out


def _config_problems(cctx: ConfigContext, fixes_only: bool = False):
    for check in _enabled_checks(CONFIG, cctx.settings, fixes_only):
        yield from check.problems(cctx)


def _enabled_checks(scope: str, settings: Settings, fixes_only: bool = False) -> tuple:
    """The checks of ``scope`` whose rules these settings select, in rule id order (once per settings and
    registry: a check registered since makes a new list of the scope's checks); ``fixes_only``: of those,
    the checks of rules that can offer a fix."""
    memo = settings.memo()
    key = ("checks", scope, fixes_only)
    checks = checks_of(scope)
    got = memo.get(key)
    if got is None or got[0] is not checks:
        got = memo[key] = (checks, tuple(c for c in checks if enabled(c.rule, settings)
                                         and (not fixes_only or c.rule in FIXABLE)))
    return got[1]


RELATED_MAX = 100  # related locations listed per finding; one more says how many are left out


def _collect(out: list[Finding], problems, cctx: ConfigContext | None, fctx: FileContext) -> None:
    settings = cctx.settings if cctx is not None else fctx.settings
    for p in problems:
        data = p.data
        related: tuple = ()
        if "related" in data:  # [(thing in the config, what it is)]: resolved here like `at`
            data = {k: v for k, v in data.items() if k != "related"}
            listed = p.data["related"]
            if len(listed) > RELATED_MAX:  # one merge of a 100,000-entry list names 65,535 others
                listed = [*listed[:RELATED_MAX], (listed[RELATED_MAX][0],
                                                 f"and {len(listed) - RELATED_MAX:,} more like these, not listed")]
            related = tuple((cctx.span(at) if cctx is not None and not isinstance(at, Span) else at, what)
                            for at, what in listed)
        path, span = fctx.source.path, _span(p, cctx, fctx)
        if isinstance(span, ElsewhereSpan):  # in a file this one reads (Terraform file())
            path, span = span.path, Span(span.line, span.column, span.end_line, span.end_column)
            related = tuple((Span(r.line, r.column, r.end_line, r.end_column) if isinstance(r, Span) else r, what)
                            for r, what in related)
        f = finding(p.rule, settings, p.message, path, span, p.fix, data, p.severity,
                    cctx.target.name if cctx is not None else _file_target(fctx), related)
        if f is not None:
            out.append(f)


def _span(p: Problem, cctx: ConfigContext | None, fctx: FileContext) -> Span:
    if isinstance(p.at, Span):
        return p.at
    if p.outer or cctx is None:
        r = src.node_range(p.at)
        return fctx.source.index.span(*r) if r else WHOLE_FILE
    if p.at is None:
        return cctx.config.anchor_span()
    return cctx.span(p.at)


def _file_target(fctx: "FileContext") -> str | None:
    """The target of a file-level finding: the one every config of the file assumes, if they agree."""
    names = {c.target.name for c in fctx.configs}
    return names.pop() if len(names) == 1 else None


def lint_source(source: SourceFile, settings: Settings, standalone: bool | None = None,
                explicit: bool = True, keep: list | None = None, fixes_only: bool = False) -> FileResult:
    """Lint one file. ``explicit``: the user named it; a file found by a walk that is of no form
    masqlint reads is skipped without a word. ``keep``: a list that receives the file's analysis
    (its FileContext), for a caller that reasons further about the same text.

    ``fixes_only``: a lint whose only use is the fixes its findings offer (counting what ``--fix``
    would do): every finding that carries a fix is there, as the full lint has it, in the same order;
    findings without a fix may be missing, and no facts are collected for the checks across files.
    Only the checks of rules that can offer a fix run, unless the text holds suppression comments
    (whose own rule, MQ005, weighs every rule's findings)."""
    fctx = analyse(source, settings, standalone)
    fctx.explicit = explicit
    if fctx.form == OTHER and not explicit:
        return FileResult(path=source.path, text=source.text)
    if fixes_only and (source.text is None or "masqlint:" in source.text):
        fixes_only = False
    findings = run_checks(fctx, fixes_only)
    if fctx.unknown or fctx.masked or any(c.config.unknown for c in fctx.configs):
        findings = drop_unknown(fctx, findings)
    elsewhere = [f for f in findings if f.path != source.path]
    if elsewhere:
        findings = [f for f in findings if f.path == source.path]
    findings, suppressed = apply_suppressions(fctx, findings)
    result = FileResult(path=source.path, text=source.text, findings=findings, configs=len(fctx.configs),
                        suppressed=suppressed, facts={} if fixes_only else collect_facts(fctx), settings=settings,
                        policies=len(fctx.policies))
    if fctx.units:
        _lint_units(fctx, result, fixes_only)
    if elsewhere or any(c.config.elsewhere for c in fctx.configs):
        result.related.extend(_related_results(fctx, elsewhere))
    result.findings.sort(key=Finding.sort_key)
    _release(fctx)
    if keep is not None:
        keep.append(fctx)
    return result


def _lint_units(fctx: FileContext, result: FileResult, fixes_only: bool = False) -> None:
    """Lint the texts a form handed over as files of their own: a referenced file becomes a result
    of its own (``result.related``); a region of this file (a Markdown fence) has its findings
    moved to this file's lines, then the file's block directives apply."""
    blocks = []
    placed: list[Finding] = []
    elsewhere: dict[int, FileResult] = {}  # regions of other files (an env file's `config=` line)
    for unit in fctx.units:
        sub = lint_source(unit.source, fctx.settings, unit.standalone, fixes_only=fixes_only)
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
            other.policies += sub.policies
            other.suppressed += sub.suppressed
            continue
        blocks.append(unit.place.lines)
        placed.extend(unit.place.finding(f, result.path) for f in sub.findings)
        result.configs += sub.configs
        result.policies += sub.policies
        result.suppressed += sub.suppressed
    if blocks:
        placed, n = apply_block_suppressions(fctx, placed, blocks)
        result.suppressed += n
    result.findings.extend(placed)


def _related_results(fctx: FileContext, findings: list[Finding]) -> list[FileResult]:
    """A result for each file the linted one reads a config from (Terraform ``file()``): its
    findings, under its own path, suppressed by its own comments. Fixes stay with the file's own
    run (checking that file directly fixes it)."""

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


def collect_facts(fctx: FileContext) -> dict[str, list[Any]]:
    """What the COLLECT checks gather from this file for the checks across files (by rule id)."""
    out: dict[str, list[Any]] = {}
    for check in checks_of(COLLECT):
        facts = list(check.fn(fctx))
        if facts:
            out[check.rule] = facts
    return out


def lint_across(files: list[FileResult]) -> None:
    """Run the RUN checks over the files of a run that hold facts (the others, most files of a tree, have
    nothing to compare) and add their findings, suppressions applied."""
    touched: dict[int, FileResult] = {}
    files = [f for f in files if f.facts]
    for check in checks_of(RUN):
        for fr, p in check.pairs(files):
            if fr.settings is None:
                continue
            f = finding(p.rule, fr.settings, p.message, fr.path, p.at if isinstance(p.at, Span) else WHOLE_FILE,
                        p.fix, p.data)
            if f is not None:
                add_late_finding(fr, f)
                touched[id(fr)] = fr
    for fr in touched.values():
        fr.findings.sort(key=Finding.sort_key)
