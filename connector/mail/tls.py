"""TLS settings of a config, read as nodemailer reads them: implicit TLS, SNI name, trust, versions."""

from __future__ import annotations

import ssl

from connector.errors import InputError
from connector.schema.models import ConnectorConfig

_VERSIONS = {
    "TLSv1": ssl.TLSVersion.TLSv1,
    "TLSv1.1": ssl.TLSVersion.TLSv1_1,
    "TLSv1.2": ssl.TLSVersion.TLSv1_2,
    "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}


def server_name(config: ConnectorConfig) -> str:
    """The name sent for SNI and checked against the certificate: tls.servername, servername, host."""
    return (config.tls.servername if config.tls else None) or config.servername or config.host


def tls_warnings(config: ConnectorConfig) -> list[str]:
    """What a connection made with ``config`` would give away, for the caller to show before sending."""
    if config.tls is not None and config.tls.rejectUnauthorized is False:
        return [
            "tls.rejectUnauthorized is false: the server's certificate is not checked, so anyone on the way "
            "can read the mail and the credentials"
        ]
    return []


def tls_context(config: ConnectorConfig) -> ssl.SSLContext:
    """Certificates verified by default; ``tls.ca`` adds trust anchors; rejectUnauthorized: false turns
    verification off (:func:`tls_warnings` says so)."""
    tls = config.tls
    context = ssl.create_default_context()
    if tls is None:
        return context
    if tls.ca:
        for index, pem in enumerate([tls.ca] if isinstance(tls.ca, str) else tls.ca):
            try:
                context.load_verify_locations(cadata=pem)
            except (ssl.SSLError, ValueError) as e:
                where = "tls.ca" if isinstance(tls.ca, str) else f"tls.ca[{index}]"
                raise InputError(
                    f"{where} is not a PEM certificate",
                    hint="paste the CA certificate, -----BEGIN CERTIFICATE----- included",
                ) from e
    if tls.rejectUnauthorized is False:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # tls_warnings says so; the CLI prints it
    try:
        if tls.minVersion:
            context.minimum_version = _VERSIONS[tls.minVersion]
        if tls.maxVersion:
            context.maximum_version = _VERSIONS[tls.maxVersion]
        if tls.ciphers:
            context.set_ciphers(tls.ciphers)
    except (ssl.SSLError, ValueError) as e:
        raise InputError(
            f"the tls settings cannot be used: {e}",
            hint="check tls.minVersion, tls.maxVersion and tls.ciphers",
        ) from e
    return context
