"""What ``render`` reads: a file (or standard input) whole, and the agent config in it, through the
same pipeline as every other command."""

from __future__ import annotations

import sys

from masqlint.config.settings import Settings
from masqlint.errors import UsageError
from masqlint.pipeline.runner import Options, analyse_prepared, prepare


def read_input(path: str) -> bytes:
    """A file's bytes, or standard input's for ``-``."""
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as e:
        raise UsageError(f"masqlint: cannot read {path}: {e.strerror or e}") from None


def file_context(path: str, data: bytes):
    """What the pipeline reads in one file given whole (``render`` takes any size), or None when it cannot hold a config."""
    p = prepare(path, None if path == "-" else path, Options(), data=data, settings=Settings(max_file_size=max(len(data), 1)))
    return analyse_prepared(p) if p.data is not None else None


def config_bytes_from_manifest(path: str, data: bytes, fctx=None) -> bytes | None:
    """The bytes the agent would read from the first ip-masq-agent config of a file, in any form
    masqlint reads (None: a ConfigMap without a config key)."""
    if fctx is None:
        fctx = file_context(path, data)
    if fctx is None or not fctx.configs:
        sf = fctx.source if fctx is not None else None
        if sf is not None and sf.decode_error is not None:
            raise UsageError(f"masqlint: {path}:{sf.decode_error.line}:{sf.decode_error.column}: {sf.decode_error.message}")
        err = fctx.parsed.yaml_error if fctx is not None and fctx.parsed is not None else None
        if err is not None:
            mark = getattr(err, "problem_mark", None)
            where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else path
            raise UsageError(f"masqlint: {where}: not valid YAML ({getattr(err, 'problem', err)}); use --raw for an agent config file")
        if fctx is not None and fctx.form not in ("manifest", "standalone", "other"):
            why = f" ({fctx.notes[0].message})" if fctx.notes else ""
            raise UsageError(f"masqlint: {path}: no ip-masq-agent ConfigMap read{why}")
        raise UsageError(f"masqlint: {path}: no ConfigMap named ip-masq-agent (use --raw for an agent config file)")
    cfg = fctx.configs[0].config
    if cfg.unknown or cfg.open_list:
        raise UsageError(f"masqlint: {path}: the config holds values masqlint cannot know (variables without a "
                         "default, template loops): render the config as it is applied instead")
    return None if cfg.text is None else cfg.text.encode("utf-8")
