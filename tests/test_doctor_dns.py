"""doctor's DNS part against a DNS server on 127.0.0.1 (tests/dns_fixtures.py) serving each case."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from connector.doctor.domains import dmarc_names, dmarc_tags, provider_for, sender_domains
from connector.schema.models import ConnectorConfig

from .conftest import CliRunner
from .dns_fixtures import DnsServer, Zone
from .smtp_fixtures import logto_config, write_config

SENDGRID_ZONE: Zone = {
    "acme.test": {"MX": ["10 mx.acme.test."], "TXT": ["v=spf1 include:sendgrid.net ~all", "google-site=x"]},
    "sendgrid.net": {"TXT": ["v=spf1 ip4:167.89.0.0/17 ~all"]},
    "s1._domainkey.acme.test": {"CNAME": ["s1.domainkey.u1.wl.sendgrid.net."]},
    "s1.domainkey.u1.wl.sendgrid.net": {"TXT": ["k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC"]},
    "s2._domainkey.acme.test": {"TXT": ["k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQD"]},
    "_dmarc.acme.test": {"TXT": ["v=DMARC1; p=quarantine; rua=mailto:dmarc@acme.test"]},
}


def zone(**changes: dict[str, list[str]] | None) -> Zone:
    """The SendGrid zone with names replaced (a name given None is removed); `_` in a name is a dot."""
    result = dict(SENDGRID_ZONE)
    for name, records in changes.items():
        name = name.replace("__", ".")
        if records is None:
            result.pop(name, None)
        else:
            result[name] = records
    return result


def doctor(
    cli: CliRunner,
    tmp_path: Path,
    server: DnsServer,
    expect: int = 0,
    *args: str,
    **config: Any,
) -> dict[str, list[dict[str, str]]]:
    settings = {"host": "smtp.sendgrid.net", "port": 587, **config}
    path = write_config(tmp_path / "logto.json", logto_config(**settings))
    result = cli(
        "doctor", str(path), "--only", "dns", "--format", "json", "--dns-server", server.address,
        "--timeout", "10", *args, expect=expect,
    )  # fmt: skip
    checks: dict[str, list[dict[str, str]]] = {}
    for check in json.loads(result.stdout)["checks"]:
        checks.setdefault(check["id"], []).append(check)
    return checks


def status(checks: dict[str, list[dict[str, str]]], id: str) -> str:
    return checks[id][0]["status"]


def test_a_domain_set_up_for_sendgrid_passes(cli: CliRunner, tmp_path: Path, dns_server: Any) -> None:
    checks = doctor(cli, tmp_path, dns_server(SENDGRID_ZONE))
    assert {id: [c["status"] for c in found] for id, found in checks.items()} == {
        "config.examples": ["pass"],  # whatever parts run
        "dns.mx": ["pass"],
        "dns.spf": ["pass"],
        "dns.dkim": ["pass"],
        "dns.dmarc": ["pass"],
    }
    assert "authorizes sendgrid" in checks["dns.spf"][0]["message"]


@pytest.mark.parametrize(
    ("records", "words"),
    [
        (None, "no SPF record"),
        (["v=spf1 include:_spf.google.com ~all"], "lacks `include:sendgrid.net`"),
        (["v=spf1 include:sendgrid.net ~all", "v=spf1 -all"], "2 SPF records"),
        (["v=spf1 include:sendgrid.net +all"], "every server"),
        (["v=spf1 include:sendgrid.net all"], "every server"),
        (["v=spf1 include:sendgrid.net ip5:1.2.3.4 ~all"], "`ip5:1.2.3.4`"),
        (["v=spf1 include: ~all"], "names no domain"),
        (
            ["v=spf1 include:sendgrid.net redirect= "],
            "`redirect=` in the SPF record of acme.test names no domain",
        ),
        # An include or redirect to a domain without one SPF record is a permerror (RFC 7208 5.2, 6.1).
        (["v=spf1 include:sendgrid.net include:gone.acme.test ~all"], "gone.acme.test, which has no SPF"),
        (["v=spf1 include:sendgrid.net redirect=gone.acme.test"], "gone.acme.test, which has no SPF"),
        (["v=spf1 include:sendgrid.net include:two.acme.test ~all"], "two.acme.test, which has 2 SPF"),
        # Names DNS cannot hold: no records (a permerror at receivers), not "DNS cannot be asked".
        (["v=spf1 include:sendgrid.net include:a..b ~all"], "a..b, which has no SPF"),
        ([f"v=spf1 include:sendgrid.net include:{'a' * 64}.test ~all"], f"{'a' * 64}.test, which has no SPF"),
    ],
)
def test_spf_failures(
    cli: CliRunner, tmp_path: Path, dns_server: Any, records: list[str] | None, words: str
) -> None:
    txt = {"MX": ["10 mx.acme.test."], **({"TXT": records} if records else {})}
    served = {
        **zone(acme__test=txt),
        "_spf.google.com": {"TXT": ["v=spf1 ip4:35.190.247.0/24 ~all"]},
        "two.acme.test": {"TXT": ["v=spf1 ip4:192.0.2.1 ~all", "v=spf1 ip4:192.0.2.2 ~all"]},
    }
    checks = doctor(cli, tmp_path, dns_server(served), 1)
    assert status(checks, "dns.spf") == "fail"
    assert words in checks["dns.spf"][0]["message"]
    assert checks["dns.spf"][0]["key"] == "fromEmail"


def chain(lookups: int) -> Zone:
    """acme.test's SPF includes sendgrid.net and then a chain of includes: ``lookups`` lookups in all."""
    names = [f"spf{i}.acme.test" for i in range(lookups - 1)]
    top = "v=spf1 include:sendgrid.net" + (f" include:{names[0]}" if names else "") + " ~all"
    result = zone(acme__test={"MX": ["10 mx.acme.test."], "TXT": [top]})
    for i, name in enumerate(names):
        after = f" include:{names[i + 1]}" if i + 1 < len(names) else ""
        result[name] = {"TXT": [f"v=spf1 ip4:192.0.2.{i}{after} ~all"]}
    return result


@pytest.mark.parametrize(("lookups", "expected"), [(10, "pass"), (11, "fail")])
def test_spf_over_ten_lookups_through_includes_fails(
    cli: CliRunner, tmp_path: Path, dns_server: Any, lookups: int, expected: str
) -> None:
    checks = doctor(cli, tmp_path, dns_server(chain(lookups)), 1 if expected == "fail" else 0)
    assert status(checks, "dns.spf") == expected
    if expected == "fail":
        assert "11 DNS lookups" in checks["dns.spf"][0]["message"]


def test_an_spf_include_loop_ends(cli: CliRunner, tmp_path: Path, dns_server: Any) -> None:
    loop = zone(
        acme__test={
            "MX": ["10 mx.acme.test."],
            "TXT": ["v=spf1 include:sendgrid.net include:a.acme.test ~all"],
        },
        a__acme__test={"TXT": ["v=spf1 include:acme.test ~all"]},
    )
    checks = doctor(cli, tmp_path, dns_server(loop))
    assert status(checks, "dns.spf") == "pass"


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        (["v=spf1 ip4:192.0.2.0/24 -all"], "pass"),
        (["v=spf1 a:relay.acme.test -all"], "pass"),
        (["v=spf1 include:relays.acme.test -all"], "pass"),
        (["v=spf1 ip4:198.51.100.1 -all"], "fail"),
        (["v=spf1 -ip4:192.0.2.10 +all"], "fail"),
    ],
)
def test_a_custom_relay_is_checked_against_its_own_addresses(
    cli: CliRunner, tmp_path: Path, dns_server: Any, records: list[str], expected: str
) -> None:
    custom = zone(
        acme__test={"MX": ["10 mx.acme.test."], "TXT": records},
        relay__acme__test={"A": ["192.0.2.10"]},
        relays__acme__test={"TXT": ["v=spf1 ip4:192.0.2.10 -all"]},
    )
    checks = doctor(cli, tmp_path, dns_server(custom), 0 if expected == "pass" else 1, host="relay.acme.test")
    assert status(checks, "dns.spf") == expected


def test_a_missing_provider_dkim_selector_fails(cli: CliRunner, tmp_path: Path, dns_server: Any) -> None:
    checks = doctor(cli, tmp_path, dns_server(zone(s2___domainkey__acme__test=None)), 1)
    assert status(checks, "dns.dkim") == "fail"
    assert "s2._domainkey.acme.test" in checks["dns.dkim"][0]["message"]


def rsa_key() -> tuple[str, str]:
    """A private key (PEM) and its public key as DKIM publishes it (base64 DER)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem, base64.b64encode(der).decode()


@pytest.mark.parametrize("matching", [True, False])
def test_the_published_dkim_key_must_match_the_configs_key(
    cli: CliRunner, tmp_path: Path, dns_server: Any, matching: bool
) -> None:
    pem, public = rsa_key()
    _, other = rsa_key()
    published = public if matching else other
    server = dns_server(zone(mail___domainkey__acme__test={"TXT": [f"v=DKIM1; k=rsa; p={published}"]}))
    dkim = {"domainName": "acme.test", "keySelector": "mail", "privateKey": "${DOCTOR_DKIM_KEY}"}
    path = write_config(tmp_path / "logto.json", logto_config(587, host="smtp.sendgrid.net", dkim=dkim))
    result = cli(
        "doctor", str(path), "--only", "dns", "--format", "json", "--dns-server", server.address,
        expect=0 if matching else 1, env={"DOCTOR_DKIM_KEY": pem},
    )  # fmt: skip
    assert "PRIVATE KEY" not in result.stdout
    found = [c for c in json.loads(result.stdout)["checks"] if c["id"] == "dns.dkim"]
    own = found[-1]
    assert own["status"] == ("pass" if matching else "fail")
    assert "mail._domainkey.acme.test" in own["message"]
    if not matching:
        assert own["key"] == "dkim.privateKey"


@pytest.mark.parametrize(
    ("records", "expected", "words"),
    [
        (None, "warn", "no DMARC record"),
        (["v=DMARC1; p=none"], "warn", "fine to start"),
        (["v=DMARC1; p=reject"], "pass", "p=reject"),
        (["v=DMARC1; p=sometimes"], "fail", "does not parse"),
        (["v=DMARC1 p=reject"], "fail", "does not parse"),
    ],
)
def test_dmarc(
    cli: CliRunner, tmp_path: Path, dns_server: Any, records: list[str] | None, expected: str, words: str
) -> None:
    server = dns_server(zone(_dmarc__acme__test={"TXT": records} if records else None))
    checks = doctor(cli, tmp_path, server, 1 if expected == "fail" else 0)
    assert status(checks, "dns.dmarc") == expected
    assert words in checks["dns.dmarc"][0]["message"]


def test_a_subdomain_uses_its_organizational_domains_dmarc(
    cli: CliRunner, tmp_path: Path, dns_server: Any
) -> None:
    server = dns_server({**SENDGRID_ZONE, "mail.acme.test": SENDGRID_ZONE["acme.test"]})
    checks = doctor(cli, tmp_path, server, 1, fromEmail="no-reply@mail.acme.test")
    assert status(checks, "dns.dmarc") == "pass"


@pytest.mark.parametrize(("host", "expected"), [("smtp.sendgrid.net", "fail"), ("smtp.gmail.com", "pass")])
def test_a_free_mail_from_through_another_relay_fails(
    cli: CliRunner, tmp_path: Path, dns_server: Any, host: str, expected: str
) -> None:
    server = dns_server(
        {
            "gmail.com": {
                "MX": ["5 gmail-smtp-in.l.google.com."],
                "TXT": ["v=spf1 include:_spf.google.com ~all"],
            },
            "_dmarc.gmail.com": {"TXT": ["v=DMARC1; p=none; sp=quarantine"]},
        }
    )
    checks = doctor(cli, tmp_path, server, None, host=host, fromEmail="Acme <acme@gmail.com>")  # type: ignore[arg-type]
    assert (checks["dns.dmarc"][0]["status"] == "fail") == (expected == "fail")


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        ({"MX": ["10 mx.acme.test."]}, "pass"),
        ({"A": ["192.0.2.1"]}, "pass"),
        ({"MX": ["0 ."]}, "fail"),
        ({"TXT": ["v=spf1 -all"]}, "fail"),
    ],
)
def test_mx(
    cli: CliRunner, tmp_path: Path, dns_server: Any, records: dict[str, list[str]], expected: str
) -> None:
    checks = doctor(cli, tmp_path, dns_server(zone(acme__test=records)), None)  # type: ignore[arg-type]
    assert status(checks, "dns.mx") == expected


def test_every_sender_domain_is_checked(cli: CliRunner, tmp_path: Path, dns_server: Any) -> None:
    templates = logto_config(587)["templates"]
    templates[0]["sendFrom"] = "Security <security@other.test>"
    templates[1]["sendFrom"] = "{{organization.name}} <no-reply@acme.test>"
    config = ConnectorConfig.model_validate(logto_config(587, templates=templates))
    assert sender_domains(config) == ["acme.test", "other.test"]
    checks = doctor(cli, tmp_path, dns_server(SENDGRID_ZONE), 1, templates=templates)
    assert [c["status"] for c in checks["dns.mx"]] == ["pass", "fail"]


def test_no_dns_answer_is_a_skip_with_the_reason(cli: CliRunner, tmp_path: Path, dns_server: Any) -> None:
    server = dns_server(SENDGRID_ZONE)
    server.close()  # nothing answers on that port any more
    checks = doctor(cli, tmp_path, server, 0, "--timeout", "0.5")
    assert {c["status"] for id, found in checks.items() for c in found if id.startswith("dns.")} == {"skip"}
    assert "DNS cannot be asked" in checks["dns.spf"][0]["message"]


@pytest.mark.parametrize("value", ["127.0.0.1:0", "127.0.0.1:x", "[::1]:99999"])
def test_a_wrong_dns_server_is_a_usage_error(cli: CliRunner, tmp_path: Path, value: str) -> None:
    path = write_config(tmp_path / "logto.json", logto_config(587))
    result = cli("doctor", str(path), "--only", "dns", "--dns-server", value, expect=2)
    assert "--dns-server" in result.stderr


def test_providers_are_recognised_by_host() -> None:
    sendgrid = provider_for("smtp.sendgrid.net")
    assert sendgrid is not None and sendgrid.spf == ("include:sendgrid.net",)
    assert sendgrid.dkim_selectors == ("s1", "s2")
    ses = provider_for("email-smtp.eu-west-1.amazonaws.com")
    assert ses is not None and ses.spf == ("include:amazonses.com",)
    assert provider_for("email-smtp.amazonaws.com.evil.test") is None
    assert provider_for("relay.acme.test") is None


def test_dmarc_tags() -> None:
    assert dmarc_tags("v=DMARC1; p=reject; rua=mailto:a@b.test") == {"p": "reject", "rua": "mailto:a@b.test"}
    assert dmarc_tags("v=DMARC1") == {}
    assert dmarc_tags("p=reject; v=DMARC1") is None


def test_a_relay_with_many_addresses_asks_each_name_once_and_names_a_few(
    cli: CliRunner, tmp_path: Path, dns_server: Any
) -> None:
    """Every address of a custom relay is checked against the same SPF tree: the questions stay as many as
    the names in it (not one round per address), and the message names five addresses and counts the rest."""
    served: Zone = {
        "acme.test": {
            "MX": ["10 mx.acme.test."],
            "TXT": ["v=spf1 a:h1.acme.test mx include:i.acme.test -all"],
        },
        "i.acme.test": {"TXT": ["v=spf1 a:h2.acme.test ip4:192.0.2.1 -all"]},
        "h1.acme.test": {"A": ["192.0.2.9"]},
        "h2.acme.test": {"A": ["192.0.2.8"]},
        "mx.acme.test": {"A": ["192.0.2.7"]},
        "relay.acme.test": {"A": [f"198.51.100.{i}" for i in range(1, 41)]},
    }
    server = dns_server(served)
    checks = doctor(cli, tmp_path, server, 1, host="relay.acme.test", port=25)
    assert status(checks, "dns.spf") == "fail"
    assert "(198.51.100." in checks["dns.spf"][0]["message"]
    assert "and 35 more)" in checks["dns.spf"][0]["message"]
    for name in ("h1.acme.test", "h2.acme.test", "mx.acme.test", "i.acme.test"):
        asked = [kind for asked, kind in server.questions if asked == name]
        assert len(asked) == len(set(asked)), f"{name}: {asked}"


@pytest.mark.parametrize(
    ("terms", "expected"),
    [
        ("a:gone1.acme.test a:gone2.acme.test", "pass"),  # two lookups that find nothing: allowed
        ("a:gone1.acme.test a:gone2.acme.test mx:gone3.acme.test", "warn"),  # a third: permerror
        ("a:gone1.acme.test/24 mx:gone2.acme.test a", "warn"),  # acme.test itself has no address
        ("a:gone1.acme.test a:gone2.acme.test a:%{i}.acme.test mx", "pass"),  # a macro is not asked
    ],
)
def test_more_than_two_void_lookups_is_a_warning(
    cli: CliRunner, tmp_path: Path, dns_server: Any, terms: str, expected: str
) -> None:
    txt = {"MX": ["10 mx.acme.test."], "TXT": [f"v=spf1 include:sendgrid.net {terms} ~all"]}
    checks = doctor(cli, tmp_path, dns_server(zone(acme__test=txt)))
    assert status(checks, "dns.spf") == expected
    if expected == "warn":
        assert "3 lookups that find nothing" in checks["dns.spf"][0]["message"]
        assert checks["dns.spf"][0]["key"] == "fromEmail"


def test_a_name_the_dns_servers_fail_for_fails_its_check_and_the_rest_still_run(
    cli: CliRunner, tmp_path: Path, dns_server: Any
) -> None:
    txt = {"MX": ["10 mx.acme.test."], "TXT": ["v=spf1 include:sendgrid.net include:broken.acme.test ~all"]}
    served = {**zone(acme__test=txt), "broken.acme.test": {"SERVFAIL": []}}
    checks = doctor(cli, tmp_path, dns_server(served), 1)
    assert status(checks, "dns.spf") == "fail"
    assert "fail for broken.acme.test (TXT)" in checks["dns.spf"][0]["message"]
    assert "temporary error" in checks["dns.spf"][0]["message"]
    assert (status(checks, "dns.mx"), status(checks, "dns.dkim"), status(checks, "dns.dmarc")) == (
        "pass",
        "pass",
        "pass",
    )


def test_dns_failing_from_the_first_question_skips_the_part(
    cli: CliRunner, tmp_path: Path, dns_server: Any
) -> None:
    """Nothing answered yet: no telling a broken name from a broken resolver, so the part cannot run."""
    checks = doctor(cli, tmp_path, dns_server({"acme.test": {"SERVFAIL": []}}))
    assert {id: [c["status"] for c in found] for id, found in checks.items() if id.startswith("dns.")} == {
        "dns.mx": ["skip"],
        "dns.spf": ["skip"],
        "dns.dkim": ["skip"],
        "dns.dmarc": ["skip"],
    }
    assert "no DNS server answered for acme.test (MX)" in checks["dns.mx"][0]["message"]


@pytest.mark.parametrize(
    ("domain", "names"),
    [
        ("example.com", ["example.com"]),
        ("mail.example.com", ["mail.example.com", "example.com"]),
        ("a.mail.example.co.uk", ["a.mail.example.co.uk", "mail.example.co.uk", "example.co.uk", "co.uk"]),
        # Eight labels or more: straight to the last seven, then one fewer each time.
        ("1.2.3.4.5.6.7.example", ["1.2.3.4.5.6.7.example", "2.3.4.5.6.7.example", "3.4.5.6.7.example",
                                   "4.5.6.7.example", "5.6.7.example", "6.7.example", "7.example"]),
        ("0.1.2.3.4.5.6.7.example", ["0.1.2.3.4.5.6.7.example", "2.3.4.5.6.7.example", "3.4.5.6.7.example",
                                     "4.5.6.7.example", "5.6.7.example", "6.7.example", "7.example"]),
    ],
)  # fmt: skip
def test_dmarc_names_follow_the_dns_tree_walk(domain: str, names: list[str]) -> None:
    assert dmarc_names(domain) == names


def test_a_domain_under_a_two_label_suffix_finds_its_registered_domains_policy(
    cli: CliRunner, tmp_path: Path, dns_server: Any
) -> None:
    """mail.example.co.uk: the policy is at _dmarc.example.co.uk, which "the last two labels" missed."""
    policy = {"TXT": ["v=DMARC1; p=reject"]}
    server = dns_server({**SENDGRID_ZONE, "_dmarc.example.co.uk": policy})
    checks = doctor(cli, tmp_path, server, 1, fromEmail="no-reply@mail.example.co.uk")
    assert status(checks, "dns.dmarc") == "pass", checks["dns.dmarc"]
    assert ("_dmarc.mail.example.co.uk", "TXT") in server.questions
