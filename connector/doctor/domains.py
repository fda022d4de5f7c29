"""The DNS part of doctor."""

from __future__ import annotations

from connector.doctor import Check, Options
from connector.schema.models import ConnectorConfig


def dns_checks(config: ConnectorConfig, options: Options) -> list[Check]:
    return [
        Check(id, "skip", "not in this version yet") for id in ("dns.mx", "dns.spf", "dns.dkim", "dns.dmarc")
    ]
