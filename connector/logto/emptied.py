"""A required value Logto's save deletes (SC505): the one wording, whichever command meets it.

Logto's clean-deep step (:func:`connector.logto.clean_deep`) removes empty strings, nulls, ``{}`` and ``[]``
when it saves a config, and the guard accepts it; once stored, a required key it removed is missing, so
every send fails (docs/logto-compat.md). ``build``, ``deploy``, ``render`` and ``send`` validate the cleaned
config; a required key it misses that the clean removed is reported here, at the empty value, instead of
as a plain missing key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from connector.diagnostics.findings import Finding, Location
from connector.diagnostics.paths import KeyPath, dotted

RULE = "SC505"
_MISSING = "missing-key"  # the validator's kind for a required key that is absent


def emptied_finding(path: KeyPath, where: Location) -> Finding:
    """SC505 for the required value at ``path``, empty where ``where`` says, which Logto's save deletes."""
    name = dotted(path)
    hint = (
        "fill in user and pass; a relay without credentials needs `auth: {type: login}` and must not advertise AUTH"
        if path == ("auth",)
        else f"give {name} a value"
    )
    return Finding.at(
        where,
        RULE,
        f"`{name}` is empty: Logto deletes empty values when it saves a config, and every send of the saved "
        f"config then fails because `{path[-1]}` is required",
        hint,
        key_path=path,
    )


def emptied_findings(
    findings: Iterable[Finding], removed: Iterable[KeyPath], where: Callable[[KeyPath], Location]
) -> list[Finding]:
    """``findings`` of the cleaned config, each missing key that the clean removed made SC505 at ``where``.

    ``removed`` is what :func:`connector.logto.clean_deep` removed; a missing key it did not remove (never
    written) stays as the validator said it. The decision is on the key path, never on a message.
    """
    emptied = {path for path in removed if path and not isinstance(path[-1], int)}
    return [
        emptied_finding(f.key_path, where(f.key_path)) if f.kind == _MISSING and f.key_path in emptied else f
        for f in findings
    ]
