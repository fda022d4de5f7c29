"""Reading source files: each loaded once with positions, checked against the source schema, and the
provider overlays they name found and loaded too. Refusals are findings."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from connector.diagnostics.findings import Finding
from connector.diagnostics.suggest import did_you_mean
from connector.project.merge_rules import TEMPLATES, USAGE_TYPE
from connector.project.providers import provider_path
from connector.resources import shipped_names
from connector.schema.check import checker_for
from connector.schema.source_generate import FORMS, source_schema_path
from connector.source.loader import Document, load

if TYPE_CHECKING:
    from connector.schema.check import SchemaChecker


def load_source(path: Path, findings: list[Finding]) -> Document | None:
    result = load(path, display=_display(path), layer=True)
    findings.extend(result.findings)
    if result.document is None:
        return None
    findings.extend(check_source(result.document))
    return result.document


def _display(path: Path) -> str:
    """Paths as given stay as given; shipped files (absolute) are shown relative to here when inside it."""
    if not path.is_absolute():
        return str(path)
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def check_source(doc: Document) -> list[Finding]:
    findings = _source_checker().check(doc.data, doc.locate)
    templates = doc.data.get(TEMPLATES)
    if isinstance(templates, list):
        seen: dict[str, int] = {}
        for i, item in enumerate(templates):
            kind = item.get(USAGE_TYPE) if isinstance(item, dict) else None
            if not isinstance(kind, str):
                continue
            if kind in seen:
                first = doc.locate((TEMPLATES, seen[kind], USAGE_TYPE))
                findings.append(
                    Finding.at(
                        doc.locate((TEMPLATES, i, USAGE_TYPE)),
                        "SC504",
                        f"a second template for usageType `{kind}` in this file (the first is at line {first.line})",
                        "keep one template per usage type in a file; other files change it by repeating its usageType",
                        key_path=(TEMPLATES, i, USAGE_TYPE),
                    )
                )
            else:
                seen[kind] = i
    return findings


def _source_checker() -> SchemaChecker:
    return checker_for(source_schema_path(), tuple(FORMS.items()))


def load_provider(doc: Document, root: Path, providers: dict[str, Document], findings: list[Finding]) -> None:
    ref = doc.data.get("provider")
    if not isinstance(ref, str) or ref in providers:
        return
    where = doc.locate(("provider",))
    path = provider_path(ref, root)
    if path is None:
        suggestion = did_you_mean(ref, shipped_names())
        findings.append(
            Finding.at(
                where,
                "SC501",
                f"unknown provider `{ref}`" + (f"; did you mean `{suggestion}`?" if suggestion else ""),
                f"rename it to `{suggestion}`"
                if suggestion
                else "run `smtp-connector providers` for the list, or give the path of an overlay file (./relay.yaml)",
                key_path=("provider",),
            )
        )
        return
    if not path.is_file():
        findings.append(
            Finding.at(
                where,
                "SC501",
                f"the provider file `{ref}` does not exist",
                f"create {path} or fix the path",
                key_path=("provider",),
            )
        )
        return
    provider_doc = load_source(path, findings)
    if provider_doc is None:
        return
    if "provider" in provider_doc.data:
        findings.append(
            Finding.at(
                provider_doc.locate(("provider",), key=True),
                "SC506",
                "a provider overlay cannot name another provider",
                "copy the settings you need into this file instead",
                key_path=("provider",),
            )
        )
    providers[ref] = provider_doc


def source_checker() -> SchemaChecker:
    """The checker of the published source schema (every key optional; template fields in three forms)."""
    return _source_checker()
