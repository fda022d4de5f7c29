"""The DNS part of doctor: for every sender domain, MX or A, SPF, DKIM and DMARC, read with dnspython.

dnspython is imported here only (doctor's DNS part), so the lint hook never loads it. Every query has one
deadline (``--timeout``, else the config's ``dnsTimeout``, else nodemailer's 30 s); no answer at all makes
the part a ``skip`` with the reason.
"""

from __future__ import annotations

import base64
import ipaddress
import re
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from connector.doctor import Check, Options
from connector.logto import DEFAULT_TIMEOUTS
from connector.schema.models import ConnectorConfig

MAX_SPF_LOOKUPS = 10  # RFC 7208 4.6.4
MAX_VOID_LOOKUPS = 2  # RFC 7208 4.6.4: lookups that find nothing; past two, receivers may permerror
_MAX_SPF_RECORDS = 40  # records read while following includes: a loop or a huge tree stops here
_MAX_TXT = 64 * 1024  # the text of one name's TXT records taken into account
_SHOWN_ADDRESSES = 5  # a relay's unauthorized addresses named in the message; the rest are counted
_SPF_TERM = re.compile(
    r"(?P<qualifier>[+\-~?]?)(?P<mechanism>all|include|a|mx|ptr|ip4|ip6|exists)"
    r"(?P<argument>[:/].*)?$|(?P<modifier>[A-Za-z][A-Za-z0-9\-_.]*)=(?P<value>.*)$",
    re.I,
)
_LOOKUP_MECHANISMS = frozenset({"include", "a", "mx", "ptr", "exists"})
# Free-mail domains whose DMARC (p=reject or quarantine) stops mail From them sent through another relay,
# with the submission servers of their own that may send as them.
FREE_MAIL: dict[str, tuple[str, ...]] = {
    "gmail.com": ("smtp.gmail.com",),
    "googlemail.com": ("smtp.gmail.com",),
    "outlook.com": ("smtp.office365.com", "smtp-mail.outlook.com"),
    "hotmail.com": ("smtp.office365.com", "smtp-mail.outlook.com"),
    "live.com": ("smtp.office365.com", "smtp-mail.outlook.com"),
    "msn.com": ("smtp.office365.com", "smtp-mail.outlook.com"),
    "yahoo.com": ("smtp.mail.yahoo.com",),
    "ymail.com": ("smtp.mail.yahoo.com",),
    "aol.com": ("smtp.aol.com",),
    "icloud.com": ("smtp.mail.me.com",),
    "me.com": ("smtp.mail.me.com",),
    "mac.com": ("smtp.mail.me.com",),
    "gmx.com": ("mail.gmx.com",),
    "gmx.de": ("mail.gmx.net",),
    "web.de": ("smtp.web.de",),
    "yandex.com": ("smtp.yandex.com",),
    "yandex.ru": ("smtp.yandex.ru",),
    "mail.ru": ("smtp.mail.ru",),
    "qq.com": ("smtp.qq.com",),
    "163.com": ("smtp.163.com",),
    "protonmail.com": ("smtp.protonmail.ch",),
    "proton.me": ("smtp.protonmail.ch",),
    "zoho.com": ("smtp.zoho.com", "smtp.zoho.eu"),
}


class NoDns(Exception):
    """DNS cannot be asked at all (no resolver, no answer in time): the part is skipped."""


class BrokenName(Exception):
    """The DNS servers fail for one name (SERVFAIL) while they answer for others: that name is broken, which
    receivers meet as a temporary error; the check that asked fails."""


class Resolver:
    """dnspython's resolver with one deadline per query; answers as text, None when the name or the type
    does not exist."""

    def __init__(self, server: str | None, timeout: float) -> None:
        # start-up: imported when this runs, so other commands start fast
        import dns.resolver

        try:
            self.resolver = dns.resolver.Resolver(configure=server is None)
        except dns.resolver.NoResolverConfiguration as e:
            raise NoDns(f"no DNS resolver is configured on this machine ({e})") from e
        if server is not None:
            host, port = server_address(server)
            self.resolver.nameservers = [host]
            self.resolver.port = port
        self.resolver.lifetime = timeout
        self.resolver.timeout = timeout
        # Each name and type is asked once: the relay's every address is checked against the same SPF
        # tree, and sender domains share includes, so the questions stay as many as the distinct names.
        self._answers: dict[tuple[str, str], list[str] | None] = {}
        self.answered = False  # whether any question got an answer (then a SERVFAIL is the name's own)

    def query(self, name: str, kind: str) -> list[str] | None:
        key = (name.lower().rstrip("."), kind)
        if key not in self._answers:
            self._answers[key] = self._ask(name, kind)
        return self._answers[key]

    def _ask(self, name: str, kind: str) -> list[str] | None:
        # start-up: imported when this runs, so other commands start fast
        import dns.exception
        import dns.name
        import dns.resolver

        try:
            answer = self.resolver.resolve(name, kind, raise_on_no_answer=False)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            self.answered = True
            return None
        except (
            dns.name.BadEscape, dns.name.EmptyLabel, dns.name.LabelTooLong, dns.name.NameTooLong,
            dns.name.IDNAException,
        ):  # fmt: skip
            # Not a name DNS can hold (an SPF include written `a..b`): it has no records, as a receiver
            # finds; DNS itself is fine.
            return None
        except dns.resolver.NoNameservers as e:
            if self.answered:
                raise BrokenName(
                    f"the DNS servers fail for {name} ({kind}) while they answer for other names: receivers "
                    "get a temporary error (SPF temperror) and may defer or reject the mail"
                ) from e
            raise NoDns(f"no DNS server answered for {name} ({kind})") from e
        except dns.exception.Timeout as e:
            raise NoDns(f"no DNS answer for {name} ({kind}) within {self.resolver.lifetime:g} s") from e
        except dns.exception.DNSException as e:
            raise NoDns(f"DNS failed for {name} ({kind}): {type(e).__name__}") from e
        self.answered = True
        if answer.rrset is None:
            return None
        if kind == "TXT":
            texts = []
            size = 0
            for rdata in answer.rrset:
                text = b"".join(rdata.strings).decode("utf-8", "replace")
                size += len(text)
                if size > _MAX_TXT:
                    break
                texts.append(text)
            return texts
        return [rdata.to_text() for rdata in answer.rrset]


def server_address(value: str) -> tuple[str, int]:
    """``HOST[:PORT]`` (``[::1]:53`` for IPv6) as an address dnspython can ask; a :class:`UsageError`
    (``--dns-server``) when it is not one."""
    # start-up: imported when this runs, so other commands start fast
    from connector.errors import UsageError

    host, port = value, 53
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        if rest.startswith(":"):
            port = _port(rest[1:], value)
    elif value.count(":") == 1:
        host, _, text = value.partition(":")
        port = _port(text, value)
    try:
        ipaddress.ip_address(host)
        return host, port
    except ValueError:
        pass
    try:
        return str(socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)[0][4][0]), port
    except (OSError, UnicodeError) as e:
        raise UsageError(f"--dns-server {value}: cannot resolve {host!r}") from e


def _port(text: str, value: str) -> int:
    # start-up: imported when this runs, so other commands start fast
    from connector.errors import UsageError

    if not text.isdigit() or not 0 < int(text) < 65536:
        raise UsageError(f"--dns-server {value}: the port must be a number from 1 to 65535")
    return int(text)


def sender_domains(config: ConnectorConfig) -> list[str]:
    """The domains of ``fromEmail`` and each template's ``sendFrom`` (those without a placeholder or an
    example value: ``config.examples`` reports those)."""
    # start-up: imported when this runs, so other commands start fast
    from connector.logto.addresses import envelope_sender
    from connector.logto.examples import example_values

    found: list[str] = []
    for value in [config.fromEmail, *(t.sendFrom for t in config.templates if t.sendFrom)]:
        if "{{" in value or "${" in value or example_values(value):
            continue  # a placeholder, an unset ${VAR} (config.variables) or an example value
        address = envelope_sender(value)
        domain = address.rpartition("@")[2].lower().rstrip(".") if address else ""
        if domain and domain not in found:
            found.append(domain)
    return found


@dataclass(frozen=True)
class ProviderDns:
    """What a provider's documentation asks of the sender's DNS (stated in its overlay's comments)."""

    name: str
    spf: tuple[str, ...]
    dkim_selectors: tuple[str, ...]


def provider_for(host: str) -> ProviderDns | None:
    """The shipped provider whose ``host`` the config uses (``<region>`` matches any label)."""
    # start-up: imported when this runs, so other commands start fast
    from connector.project.providers import provider_info
    from connector.resources import shipped_names

    for name in shipped_names():
        info = provider_info(name)
        pattern = str(info.document.data.get("host", ""))
        regex = "".join(
            "[^.]+" if part.startswith("<") else re.escape(part) for part in re.split(r"(<[^>]*>)", pattern)
        )
        if pattern and re.fullmatch(regex, host, re.I):
            return ProviderDns(name, info.spf, info.dkim_selectors)
    return None


def dns_checks(config: ConnectorConfig, options: Options) -> list[Check]:
    """MX, SPF, DKIM and DMARC for every sender domain; a skip for each when DNS cannot be asked."""
    domains = sender_domains(config)
    ids = ("dns.mx", "dns.spf", "dns.dkim", "dns.dmarc")
    if not domains:
        return [
            Check(
                id,
                "skip",
                "no sender domain: each sender address holds a placeholder, an unset ${VAR} or an example value",
            )
            for id in ids
        ]
    timeout = options.timeout or (config.dnsTimeout or DEFAULT_TIMEOUTS["dnsTimeout"]) / 1000
    checks: list[Check] = []
    try:
        resolver = Resolver(options.dns_server, timeout)
        provider = provider_for(config.host)
        for domain in domains:
            checks += _domain(resolver, config, provider, domain, options)
    except NoDns as e:
        checks += [Check(id, "skip", f"DNS cannot be asked: {e}") for id in ids]
    return checks


def _domain(
    resolver: Resolver, config: ConnectorConfig, provider: ProviderDns | None, domain: str, options: Options
) -> list[Check]:
    checks: list[Check] = []
    parts: list[tuple[str, Callable[[], list[Check]]]] = [
        ("dns.mx", lambda: [_mx(resolver, domain)]),
        ("dns.spf", lambda: [_spf(resolver, config, provider, domain)]),
        ("dns.dkim", lambda: _dkim(resolver, config, provider, domain, options)),
        ("dns.dmarc", lambda: [_dmarc(resolver, config, provider, domain)]),
    ]
    for id, check in parts:
        try:
            checks += check()
        except BrokenName as e:
            checks.append(
                Check(id, "fail", f"{domain}: {e}", "fix the name's DNS (its servers or DNSSEC)", "fromEmail")
            )
    return checks


def _mx(resolver: Resolver, domain: str) -> Check:
    mx = resolver.query(domain, "MX")
    if mx:
        if all(record.split()[-1] == "." for record in mx):
            return Check(
                "dns.mx",
                "fail",
                f"{domain} publishes a null MX: it accepts no mail, so bounces and replies are lost",
                "publish an MX record for a server that receives the domain's mail",
                "fromEmail",
            )
        return Check("dns.mx", "pass", f"{domain}: MX {', '.join(sorted(mx))}")
    if resolver.query(domain, "A") or resolver.query(domain, "AAAA"):
        return Check("dns.mx", "pass", f"{domain}: no MX, but an address record takes its mail")
    return Check(
        "dns.mx",
        "fail",
        f"{domain} has no MX and no address record: bounces and replies go nowhere, and many receivers "
        "reject mail from it",
        "publish an MX record for the domain",
        "fromEmail",
    )


@dataclass
class _SpfWalk:
    lookups: int = 0
    records: int = 0
    includes: set[str] | None = None
    problem: str | None = None
    voids: list[str] = field(default_factory=list)  # the `a` and `mx` terms whose lookup finds nothing


def spf_records(texts: list[str] | None) -> list[str]:
    return [t for t in texts or [] if t.lower() == "v=spf1" or t.lower().startswith("v=spf1 ")]


def spf_terms(record: str) -> Iterator[re.Match[str] | str]:
    """Each term of an SPF record as a match, or as the text of a term that is not valid SPF."""
    for term in record.split()[1:]:
        match = _SPF_TERM.match(term)
        yield match if match else term


def _spf(resolver: Resolver, config: ConnectorConfig, provider: ProviderDns | None, domain: str) -> Check:
    records = spf_records(resolver.query(domain, "TXT"))
    wanted = provider.spf if provider else ()
    fix = f"publish one TXT record `v=spf1 {' '.join(wanted) or 'ip4:ADDRESS'} ~all`"
    if not records:
        return Check(
            "dns.spf",
            "fail",
            f"{domain} has no SPF record: receivers cannot tell the relay may send as it",
            fix,
            "fromEmail",
        )
    if len(records) > 1:
        return Check(
            "dns.spf",
            "fail",
            f"{domain} has {len(records)} SPF records: receivers treat that as a permanent error (RFC 7208)",
            "merge them into one `v=spf1` record",
            "fromEmail",
        )
    record = records[0]
    walk = _SpfWalk(includes=set())
    _walk_spf(resolver, domain, record, walk, set())
    if walk.problem:
        return Check(
            "dns.spf",
            "fail",
            f"{domain}: {walk.problem}",
            "fix the record: valid SPF terms, each include and redirect naming a domain with one SPF record",
            "fromEmail",
        )
    for term in spf_terms(record):
        if (
            isinstance(term, re.Match)
            and (term["mechanism"] or "").lower() == "all"
            and term["qualifier"] in ("", "+")
        ):
            return Check(
                "dns.spf",
                "fail",
                f"{domain}'s SPF ends in `{term.group()}`: it authorizes every server on the internet to send as it",
                "end the record with `~all` or `-all`",
                "fromEmail",
            )
    if walk.lookups > MAX_SPF_LOOKUPS:
        return Check(
            "dns.spf",
            "fail",
            f"{domain}'s SPF needs {walk.lookups} DNS lookups through its includes; receivers stop at "
            f"{MAX_SPF_LOOKUPS} and fail SPF (permerror)",
            "flatten includes into ip4:/ip6: ranges, or drop the ones no longer used",
            "fromEmail",
        )
    assert walk.includes is not None
    void = None
    if len(walk.voids) > MAX_VOID_LOOKUPS:
        void = Check(
            "dns.spf",
            "warn",
            f"{domain}'s SPF has {len(walk.voids)} lookups that find nothing ({', '.join(f'`{v}`' for v in walk.voids)}); "
            f"past {MAX_VOID_LOOKUPS}, receivers fail SPF (permerror) for any server the record does not "
            "match before them",
            "drop the terms that name no host, or point them at hosts that exist",
            "fromEmail",
        )
    if provider is not None and wanted:
        missing = [w for w in wanted if w.split(":", 1)[-1].lower() not in walk.includes]
        if missing:
            return Check(
                "dns.spf",
                "fail",
                f"{domain}'s SPF does not authorize {provider.name}: it lacks `{' '.join(missing)}` "
                "(the provider's documentation asks for it), so receivers may reject or spam-folder the mail",
                f"add `{' '.join(missing)}` before the record's `all`",
                "fromEmail",
            )
        return void or Check(
            "dns.spf", "pass", f"{domain}: one record, {walk.lookups} lookups, authorizes {provider.name}"
        )
    if provider is None:
        addresses = _relay_addresses(resolver, config.host)
        if addresses:
            unauthorized = [a for a in addresses if not _authorizes(resolver, domain, record, a, set(), [0])]
            if unauthorized:
                shown = ", ".join(map(str, unauthorized[:_SHOWN_ADDRESSES])) + (
                    f" and {len(unauthorized) - _SHOWN_ADDRESSES} more"
                    if len(unauthorized) > _SHOWN_ADDRESSES
                    else ""
                )
                return Check(
                    "dns.spf",
                    "fail",
                    f"{domain}'s SPF does not authorize the relay {config.host} ({shown})",
                    f"add `ip{unauthorized[0].version}:{unauthorized[0]}` (or the relay's include) to the record",
                    "fromEmail",
                )
            return void or Check(
                "dns.spf", "pass", f"{domain}: one record, {walk.lookups} lookups, authorizes {config.host}"
            )
    return void or Check("dns.spf", "pass", f"{domain}: one record, {walk.lookups} lookups")


def _walk_spf(resolver: Resolver, domain: str, record: str, walk: _SpfWalk, seen: set[str]) -> None:
    """Count the lookups of ``record`` and every record it includes (or redirects to), noting the includes."""
    assert walk.includes is not None
    seen.add(domain)
    walk.records += 1
    for term in spf_terms(record):
        if walk.problem or walk.records > _MAX_SPF_RECORDS:
            return
        if isinstance(term, str):
            walk.problem = (
                f"`{term}` in the SPF record of {domain} is not SPF, so receivers fail SPF (permerror)"
            )
            return
        mechanism = (term["mechanism"] or "").lower()
        modifier = (term["modifier"] or "").lower()
        target = ""
        if mechanism in _LOOKUP_MECHANISMS:
            walk.lookups += 1
            if mechanism == "include":
                target = (term["argument"] or "")[1:]
                if not target:
                    walk.problem = f"`{term.group()}` in the SPF record of {domain} names no domain"
                    return
                walk.includes.add(target.lower())
        elif modifier == "redirect":
            walk.lookups += 1
            target = term["value"]
            if not target:
                walk.problem = f"`{term.group()}` in the SPF record of {domain} names no domain"
                return
        if mechanism in ("a", "mx") and walk.lookups <= MAX_SPF_LOOKUPS and _void(resolver, term, domain):
            walk.voids.append(term.group())
        if target and target.lower() not in seen and walk.lookups <= MAX_SPF_LOOKUPS:
            inner = spf_records(resolver.query(target, "TXT"))
            if len(inner) != 1:
                # RFC 7208 5.2 and 6.1: an include or redirect to a domain without exactly one SPF record
                # is a permanent error, whatever else the record says.
                found = "no SPF record" if not inner else f"{len(inner)} SPF records"
                walk.problem = (
                    f"`{term.group()}` in the SPF record of {domain} points to {target}, which has "
                    f"{found}, so receivers fail SPF (permerror)"
                )
                return
            _walk_spf(resolver, target.lower(), inner[0], walk, seen)


def _void(resolver: Resolver, term: re.Match[str], domain: str) -> bool:
    """Whether an ``a`` or ``mx`` term's lookup finds nothing (a name written with a macro is not asked)."""
    argument = term["argument"] or ""
    name = argument[1:].partition("/")[0] if argument.startswith(":") else domain
    if not name or "%" in name:
        return False
    if term["mechanism"].lower() == "mx":
        return not resolver.query(name, "MX")
    return not (resolver.query(name, "A") or resolver.query(name, "AAAA"))


def _relay_addresses(resolver: Resolver, host: str) -> list[Any]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    found = [*(resolver.query(host, "A") or []), *(resolver.query(host, "AAAA") or [])]
    return [ipaddress.ip_address(a) for a in found]


def _authorizes(
    resolver: Resolver, domain: str, record: str, address: Any, seen: set[str], count: list[int]
) -> bool:
    """Whether ``record`` (of ``domain``) gives ``address`` a pass: ip4, ip6, a, mx, include, redirect."""
    seen.add(domain)
    redirect = None
    for term in spf_terms(record):
        count[0] += 1
        if isinstance(term, str) or count[0] > 200:
            return False
        mechanism = (term["mechanism"] or "").lower()
        argument = term["argument"] or ""
        passes = term["qualifier"] in ("", "+")
        if term["modifier"] and term["modifier"].lower() == "redirect":
            redirect = term["value"]
            continue
        if mechanism in ("ip4", "ip6"):
            try:
                matched = address in ipaddress.ip_network(argument[1:], strict=False)
            except ValueError:
                matched = False
        elif mechanism in ("a", "mx"):
            name, _, prefix = (
                argument[1:].partition("/") if argument.startswith(":") else (domain, "", argument[1:])
            )
            hosts = [name or domain]
            if mechanism == "mx":
                hosts = [r.split()[-1].rstrip(".") for r in resolver.query(name or domain, "MX") or []][:10]
            matched = any(_in(address, resolver, h, prefix) for h in hosts)
        elif mechanism == "include":
            target = argument[1:].lower()
            inner = spf_records(resolver.query(target, "TXT")) if target not in seen else []
            matched = len(inner) == 1 and _authorizes(resolver, target, inner[0], address, seen, count)
        elif mechanism == "all":
            return passes
        else:
            matched = False
        if matched:
            return passes
    if redirect and redirect.lower() not in seen:
        inner = spf_records(resolver.query(redirect, "TXT"))
        return len(inner) == 1 and _authorizes(resolver, redirect.lower(), inner[0], address, seen, count)
    return False


def _in(address: Any, resolver: Resolver, host: str, prefix: str) -> bool:
    kind = "A" if address.version == 4 else "AAAA"
    for value in resolver.query(host, kind) or []:
        bits = prefix if prefix.isdigit() else ("32" if address.version == 4 else "128")
        try:
            if address in ipaddress.ip_network(f"{value}/{bits}", strict=False):
                return True
        except ValueError:
            continue
    return False


def dkim_tags(text: str) -> dict[str, str]:
    tags = {}
    for part in text.split(";"):
        key, sep, value = part.partition("=")
        if sep:
            tags[key.strip().lower()] = "".join(value.split())
    return tags


def _dkim(
    resolver: Resolver, config: ConnectorConfig, provider: ProviderDns | None, domain: str, options: Options
) -> list[Check]:
    checks: list[Check] = []
    selectors = provider.dkim_selectors if provider else ()
    if selectors:
        missing = [s for s in selectors if not _dkim_key(resolver, s, domain)]
        if missing:
            checks.append(
                Check(
                    "dns.dkim",
                    "fail",
                    f"{domain}: no DKIM key at {', '.join(f'{s}._domainkey.{domain}' for s in missing)}; "
                    f"{provider.name if provider else 'the provider'} signs with "
                    f"{'it' if len(missing) == 1 else 'them'}, so DKIM fails and DMARC with it",
                    f"publish the DKIM records {provider.name if provider else 'the provider'} gives for the domain",
                    "fromEmail",
                )
            )
        else:
            checks.append(Check("dns.dkim", "pass", f"{domain}: selectors {', '.join(selectors)} published"))
    dkim = config.dkim
    if dkim is not None and dkim.domainName.lower().rstrip(".") == domain:
        checks.append(_own_key(resolver, dkim.keySelector, domain, dkim.privateKey))
    if not checks:
        checks.append(
            Check(
                "dns.dkim",
                "skip",
                f"{domain}: no fixed DKIM selector is known for this provider and the config has no `dkim`",
            )
        )
    return checks


def _dkim_key(resolver: Resolver, selector: str, domain: str) -> dict[str, str] | None:
    for text in resolver.query(f"{selector}._domainkey.{domain}", "TXT") or []:
        tags = dkim_tags(text)
        if "p" in tags:
            return tags
    return None


def _own_key(resolver: Resolver, selector: str, domain: str, private_key: str) -> Check:
    where = f"{selector}._domainkey.{domain}"
    if "${" in private_key:
        return Check(
            "dns.dkim", "skip", f"{where}: the DKIM key's variable is not set, so it cannot be compared"
        )
    tags = _dkim_key(resolver, selector, domain)
    if tags is None:
        return Check(
            "dns.dkim",
            "fail",
            f"no DKIM key is published at {where}: every message signed with `dkim` fails DKIM",
            "publish the public key of dkim.privateKey there",
            "dkim.keySelector",
        )
    try:
        # start-up: imported when this runs, so other commands start fast
        from dkim.crypto import parse_pem_private_key, parse_public_key  # type: ignore[import-untyped]
    except ImportError:
        return Check(
            "dns.dkim", "skip", f"{where}: comparing keys needs dkimpy: pip install 'smtp-connector[dkim]'"
        )
    try:
        private = parse_pem_private_key(private_key.encode())
    except Exception:
        return Check(
            "dns.dkim", "skip", f"{where}: dkim.privateKey is not an RSA PEM key, so it is not compared"
        )
    try:
        public = parse_public_key(base64.b64decode(tags["p"], validate=True))
    except Exception:
        return Check(
            "dns.dkim",
            "fail",
            f"the key published at {where} is not a valid RSA public key: every message fails DKIM",
            "publish the public key of dkim.privateKey there",
            "dkim.keySelector",
        )
    if (public["modulus"], public["publicExponent"]) != (private["modulus"], private["publicExponent"]):
        return Check(
            "dns.dkim",
            "fail",
            f"the key published at {where} is not the public key of dkim.privateKey: every message fails DKIM",
            "publish the public key of the configured private key, or configure the key that belongs to it",
            "dkim.privateKey",
        )
    return Check("dns.dkim", "pass", f"{where} publishes the public key of dkim.privateKey")


def dmarc_tags(text: str) -> dict[str, str] | None:
    """The tags of a DMARC record, or None when it does not parse (RFC 7489: v=DMARC1 first, p valid)."""
    parts = [p.strip() for p in text.split(";") if p.strip()]
    if not parts or parts[0].replace(" ", "") != "v=DMARC1":
        return None
    tags = {}
    for part in parts[1:]:
        key, sep, value = part.partition("=")
        if not sep:
            return None
        tags[key.strip().lower()] = value.strip()
    return tags


def dmarc_names(domain: str) -> list[str]:
    """The names whose ``_dmarc`` record applies to ``domain``, in the order receivers ask: DMARCbis's DNS
    tree walk (draft-ietf-dmarc-dmarcbis, "DNS Tree Walk"): the domain, then, from a name of eight labels
    or more, its last seven, then one label fewer each time, never the top-level domain alone. So
    ``mail.example.co.uk`` finds ``example.co.uk``'s policy, which "the last two labels" would miss; at
    most eight questions."""
    labels = domain.split(".")
    names = [domain]
    while len(labels) > 2:
        labels = labels[-7:] if len(labels) >= 8 else labels[1:]
        names.append(".".join(labels))
    return names


def _dmarc(resolver: Resolver, config: ConnectorConfig, provider: ProviderDns | None, domain: str) -> Check:
    own_hosts = FREE_MAIL.get(domain)
    if own_hosts is not None and config.host.lower() not in own_hosts:
        return Check(
            "dns.dmarc",
            "fail",
            f"the From domain {domain} is a free-mail domain, and its DMARC policy rejects or spam-folders "
            f"its mail sent through any other relay ({config.host})",
            "send from a domain of your own, with SPF and DKIM for the provider",
            "fromEmail",
        )
    records: list[str] = []
    for tree in dmarc_names(domain):  # a subdomain falls back to a parent's policy
        name = f"_dmarc.{tree}"
        records = [t for t in resolver.query(name, "TXT") or [] if t.lower().startswith("v=dmarc1")]
        if records:
            break
    if not records:
        return Check(
            "dns.dmarc",
            "warn",
            f"{domain} has no DMARC record: Gmail and Yahoo require one of bulk senders, and spoofed mail "
            "from the domain goes unreported",
            f"publish TXT `v=DMARC1; p=none; rua=mailto:dmarc@{domain}` at _dmarc.{domain}, then tighten p",
            "fromEmail",
        )
    if len(records) > 1:
        return Check(
            "dns.dmarc",
            "fail",
            f"{name} has {len(records)} DMARC records: receivers ignore them all",
            "keep one",
            "fromEmail",
        )
    tags = dmarc_tags(records[0])
    policy = (tags or {}).get("p", "").lower()
    if tags is None or policy not in ("none", "quarantine", "reject"):
        return Check(
            "dns.dmarc",
            "fail",
            f"the DMARC record at {name} does not parse (it needs `v=DMARC1; p=none|quarantine|reject`): "
            "receivers ignore it",
            "write it as `v=DMARC1; p=none; rua=mailto:...`",
            "fromEmail",
        )
    if policy == "none":
        return Check(
            "dns.dmarc",
            "warn",
            f"{name}: p=none only monitors (fine to start: read the reports, then move to quarantine)",
            "set p=quarantine once the reports show only your own mail",
            "fromEmail",
        )
    return Check("dns.dmarc", "pass", f"{name}: p={policy}")
