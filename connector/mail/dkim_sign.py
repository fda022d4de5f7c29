"""DKIM signing as nodemailer does it for Logto when the config has ``dkim`` (dkimpy does the signing).

nodemailer signs with relaxed/relaxed canonicalization, ``rsa-<hashAlgo>`` (sha256 by default), the domain
in punycode, and the header fields of ``headerFieldNames`` (its RFC 4871 list by default) less
``skipFields``, as present in the message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from connector.errors import InputError
from connector.logto import DKIM_HEADER_FIELDS

if TYPE_CHECKING:
    from connector.schema.models import DkimOptions


def sign(message: bytes, options: DkimOptions) -> bytes:
    """``message`` with a DKIM-Signature header in front."""
    try:
        # start-up: dkimpy loads only when a message is signed
        import dkim  # type: ignore[import-untyped]
    except ImportError as e:  # an optional dependency: only configs with `dkim` need it
        raise InputError(
            "`dkim` is set, and signing needs the dkimpy package",
            hint="pip install 'smtp-connector[dkim]'; Logto signs every message with this key",
        ) from e
    skip = {field.strip().lower() for field in (options.skipFields or "").split(":")}
    fields = [f.strip() for f in (options.headerFieldNames or DKIM_HEADER_FIELDS).split(":") if f.strip()]
    head = message.split(b"\r\n\r\n", 1)[0].decode("ascii", errors="replace")
    present = {line.split(":", 1)[0].strip().lower() for line in head.split("\r\n") if line[:1] not in " \t"}
    # nodemailer lists only the fields the message has; dkimpy would list absent ones too.
    include = [f.encode("ascii") for f in fields if f.lower() not in skip and f.lower() in present]
    if b"from" not in (f.lower() for f in include):
        # RFC 6376 requires From in every signature; dkimpy will not sign without it.
        raise InputError(
            "dkim: the signature would not cover From (headerFieldNames or skipFields leave it out), which "
            "DKIM requires",
            hint="keep From in headerFieldNames and out of skipFields",
        )
    algorithm = (options.hashAlgo or "sha256").lower()
    if algorithm not in ("sha256", "sha1"):
        raise InputError(
            f"dkim.hashAlgo: {algorithm!r} is not sha256 or sha1", hint="leave it out for sha256"
        )
    domain = options.domainName
    if not domain.isascii():
        domain = domain.encode("idna").decode("ascii")
    try:
        signature = dkim.sign(
            message,
            options.keySelector.encode("ascii"),
            domain.encode("ascii"),
            options.privateKey.encode("ascii"),
            canonicalize=(b"relaxed", b"relaxed"),
            signature_algorithm=b"rsa-" + algorithm.encode("ascii"),
            include_headers=include,
        )
    except (dkim.DKIMException, UnicodeError, ValueError) as e:
        # nodemailer would send the message unsigned; a missing signature is worth stopping for.
        raise InputError(
            "dkim.privateKey is not a usable PEM RSA private key, or dkim.keySelector is not ASCII, so the "
            "message cannot be signed",
            hint="check the key; Logto's nodemailer would send it unsigned",
        ) from e
    return bytes(signature) + message
