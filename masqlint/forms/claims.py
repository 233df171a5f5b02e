"""What a file's name and text say about its form, cheaply: the ``claims`` of every form reader.

They live apart from the readers so that choosing a file's form imports no reader: a plain
manifest never loads the Terraform, Markdown, kustomize or template machinery. Each reader
module names its own ``claims`` from here (``forms.kustomize.claims`` is ``kustomize``).
"""

from __future__ import annotations

import os
import re

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
MARKDOWN_SUFFIXES = (".md", ".markdown")
EGRESS_NAT_KIND = "EgressNATPolicy"
CILIUM_KEY_LINE = re.compile(r"^[ \t]*ipMasqAgent[ \t]*:", re.MULTILINE)
TEMPLATED_FORMS = ("helm", "jinja", "template")  # the forms read through forms.template
_GO_SUFFIXES = (".tpl", ".tmpl", ".gotmpl")
_JINJA_SUFFIXES = (".j2", ".jinja", ".jinja2")


def _suffix(name: str) -> str:
    return os.path.splitext(name)[1].lower()


def kustomize(name: str, text: str) -> bool:
    return os.path.basename(name) in KUSTOMIZATION_NAMES


def markdown(name: str, text: str) -> bool:
    return name.lower().endswith(MARKDOWN_SUFFIXES)


def cilium(name: str, text: str) -> bool:
    low = name.lower()
    if not low.endswith((".yaml", ".yml")) and "valuesContent" not in text:
        return False
    return "{{" not in text and CILIUM_KEY_LINE.search(text) is not None


def egressnat(name: str, text: str) -> bool:
    return EGRESS_NAT_KIND in text and _suffix(name) in ("", ".yaml", ".yml", ".json")


def terraform(name: str, text: str) -> bool:
    """Every ``.tf`` file: one without these resources holds no config, and is never read as YAML."""
    return name.lower().endswith(".tf")


def has_markup(text: str, syntax: str) -> bool:
    """Does ``text`` hold an action of ``syntax`` (``go``, ``jinja``, ``terraform``) at all?"""
    if syntax == "go":
        return "{{" in text
    if syntax == "jinja":
        return "{{" in text or "{%" in text or "{#" in text
    return "${" in text or "%{" in text


def template_syntax(name: str, text: str) -> str | None:
    """The template syntax a file is written in, or None when it holds no template markup."""
    suf = _suffix(name)
    if suf in _JINJA_SUFFIXES:
        return "jinja" if has_markup(text, "jinja") else None
    if suf in _GO_SUFFIXES:
        if "{{" in text:
            return "go"
        if "%{" in text or "${" in text:
            return "terraform"
        return None
    if suf in (".yaml", ".yml") or (suf == "" and "{{" in text):
        if "{%" in text and ("{% if" in text or "{% for" in text or "{%-" in text or "{% set" in text):
            return "jinja"
        if "{{" in text:
            return "go"
    return None


def helm(name: str, text: str) -> bool:
    """A Go template (Helm, aks-engine) or a Terraform template of a manifest or agent config."""
    return template_syntax(name, text) in ("go", "terraform")


def jinja(name: str, text: str) -> bool:
    return template_syntax(name, text) == "jinja"
