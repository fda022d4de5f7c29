"""Lint an ``ENV.email-templates.json``: the body of Logto's ``PUT /api/email-templates`` that ``build`` writes.

Its shape is ``{"templates": [{"languageTag", "templateType", "details": {"subject", "content",
"contentType"?, "replyTo"?, "sendFrom"?}}]}`` (connector.authoring.locales; Logto's ``emailTemplateDetailsGuard``
in @logto/connector-kit). The shape is checked here; each entry's text then goes through the rules a
language variant of a composed environment gets (placeholders, HTML, addresses), each finding at the
entry's own line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connector.authoring.locales import check_language_tag
from connector.diagnostics.findings import Finding, Location
from connector.diagnostics.paths import KeyPath
from connector.diagnostics.suggest import did_you_mean
from connector.lint.base import Source
from connector.logto import TEMPLATE_DETAILS_OPTIONAL, TEMPLATE_DETAILS_REQUIRED, USAGE_TYPES

_ENTRY_KEYS = ("languageTag", "templateType", "details")
_DETAILS_KEYS = (*TEMPLATE_DETAILS_REQUIRED, *TEMPLATE_DETAILS_OPTIONAL)
_CONTENT_TYPES = ("text/html", "text/plain")
_HINT = "the file is what `smtp-connector build` writes for `locales`: rebuild it rather than editing it"


@dataclass(frozen=True)
class _Entries:
    """The well-formed entries of one language, as a config's ``templates`` list for the variant rules:
    ``templateType`` read as ``usageType`` and the details' fields at the template's top level, each
    located where the file has it."""

    document: Source
    indexes: tuple[int, ...]  # index in the file's list, per entry shown here

    @property
    def data(self) -> dict[str, Any]:
        entries = self.document.data["templates"]
        return {
            "templates": [
                {"usageType": entries[i]["templateType"], **entries[i]["details"]} for i in self.indexes
            ]
        }

    def locate(self, path: KeyPath, *, key: bool = False) -> Location:
        return self.document.locate(self._file_path(path), key=key)

    def locate_excerpt(self, path: KeyPath, excerpt: str) -> Location | None:
        return self.document.locate_excerpt(self._file_path(path), excerpt)

    def _file_path(self, path: KeyPath) -> KeyPath:
        if len(path) < 2 or path[0] != "templates" or not isinstance(path[1], int):
            return path
        index = self.indexes[path[1]]
        rest = path[2:]
        if not rest:
            return ("templates", index)
        if rest[0] == "usageType":
            return ("templates", index, "templateType", *rest[1:])
        return ("templates", index, "details", *rest)


def check_templates_body(document: Source) -> tuple[list[Finding], list[tuple[Source, str]]]:
    """The problems of an email-templates file's shape, and each language's well-formed templates (a source
    with its language tag) for the rules a language variant gets (``lint_source(..., "variant")``)."""

    data = document.data
    findings = _unknown_keys(document, data, (), ("templates",), "the body")
    templates = data.get("templates")
    if "templates" not in data:
        return [*findings, _missing(document, (), "templates", "the body")], []
    if not isinstance(templates, list):
        return [*findings, _wrong(document, ("templates",), "a list of templates")], []
    by_language: dict[str, list[int]] = {}
    seen: dict[tuple[str, str], int] = {}
    for index, entry in enumerate(templates):
        at: KeyPath = ("templates", index)
        if not isinstance(entry, dict):
            findings.append(_wrong(document, at, "an object with languageTag, templateType and details"))
            continue
        findings += _unknown_keys(document, entry, at, _ENTRY_KEYS, "a template entry")
        problems = [_missing(document, at, k, "a template entry") for k in _ENTRY_KEYS if k not in entry]
        tag, kind, details = entry.get("languageTag"), entry.get("templateType"), entry.get("details")
        if "languageTag" in entry:
            if isinstance(tag, str):
                problems += check_language_tag(
                    tag, document.locate((*at, "languageTag")), (*at, "languageTag")
                )
            else:
                problems.append(_wrong(document, (*at, "languageTag"), "a language tag such as `fr`"))
        if "templateType" in entry and kind not in USAGE_TYPES:
            problems.append(
                Finding.at(
                    document.locate((*at, "templateType")),
                    "SC101",
                    f"templateType {_shown(kind)} is not a usage type Logto's email-template API takes, "
                    "so Logto refuses the whole upload",
                    f"use one of {', '.join(USAGE_TYPES)}",
                    key_path=(*at, "templateType"),
                )
            )
        if "details" in entry:
            problems += _details(document, (*at, "details"), details)
        findings += problems
        if problems:
            continue
        key = (str(tag), str(kind))
        if key in seen:
            findings.append(
                Finding.at(
                    document.locate((*at, "templateType")),
                    "SC102",
                    f"a second {kind} template for language {tag} (the first is templates[{seen[key]}]): "
                    "Logto stores one per language and type, so one of them is lost",
                    "keep one entry per languageTag and templateType",
                    key_path=(*at, "templateType"),
                )
            )
            continue
        seen[key] = index
        by_language.setdefault(str(tag), []).append(index)
    return findings, [(_Entries(document, tuple(indexes)), tag) for tag, indexes in by_language.items()]


def _details(document: Source, at: KeyPath, details: object) -> list[Finding]:
    if not isinstance(details, dict):
        return [_wrong(document, at, "an object with subject and content")]
    findings = _unknown_keys(document, details, at, _DETAILS_KEYS, "a template's details")
    findings += [
        _missing(document, at, k, "a template's details")
        for k in TEMPLATE_DETAILS_REQUIRED
        if k not in details
    ]
    for name in _DETAILS_KEYS:
        if name in details and not isinstance(details[name], str):
            findings.append(_wrong(document, (*at, name), "a string"))
    content_type = details.get("contentType")
    if isinstance(content_type, str) and content_type not in _CONTENT_TYPES:
        findings.append(
            Finding.at(
                document.locate((*at, "contentType")),
                "SC202",
                f"contentType {_shown(content_type)} is not one Logto takes, so it refuses the upload",
                f"use {' or '.join(_CONTENT_TYPES)}",
                key_path=(*at, "contentType"),
                kind="not-allowed",
            )
        )
    return findings


def _unknown_keys(
    document: Source, data: dict[str, Any], at: KeyPath, known: tuple[str, ...], what: str
) -> list[Finding]:
    findings = []
    for key in data:
        if key in known:
            continue
        guess = did_you_mean(str(key), known)
        findings.append(
            Finding.at(
                document.locate((*at, key), key=True),
                "SC201",
                f"unknown key `{key}` in {what} of Logto's email-template API"
                + (f"; did you mean `{guess}`?" if guess else "")
                + " (Logto drops it)",
                f"rename it to `{guess}`" if guess else f"{what} has {', '.join(known)}",
                key_path=(*at, key),
            )
        )
    return findings


def _missing(document: Source, at: KeyPath, key: str, what: str) -> Finding:
    return Finding.at(
        document.locate(at),
        "SC203",
        f"{what} has no `{key}`: Logto's email-template API refuses the upload",
        _HINT,
        key_path=(*at, key),
    )


def _wrong(document: Source, at: KeyPath, expected: str) -> Finding:
    return Finding.at(
        document.locate(at),
        "SC202",
        f"must be {expected}: Logto's email-template API refuses the upload",
        _HINT,
        key_path=at,
    )


def _shown(value: object) -> str:
    return (
        f"`{value}`"
        if isinstance(value, str)
        else "null"
        if value is None
        else f"of type {type(value).__name__}"
    )
