from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from connector.logto import USAGE_TYPES
from connector.preview import (
    SAMPLE_CODE,
    SAMPLE_LINK,
    PreviewSet,
    gallery_html,
    preview_message,
    preview_sets,
    sample_payload,
    write_gallery,
)
from connector.schema.models import ConnectorConfig, Template

from .conftest import ROOT, CliRunner

RED_BOX = '<div style="background:#ff0000;height:200px">Code {{ code }} for {{ application.name }}</div>'
# Would paint the iframe green if scripts ran in it.
SCRIPT = (
    "<script>document.documentElement.style.background='#00ff00';document.body.innerHTML='pwned'</script>"
)


def template(usage_type: str, content_type: str = "text/html", **fields: str) -> Template:
    data = {"usageType": usage_type, "contentType": content_type, "subject": "Code {{code}}", "content": "x"}
    return Template.model_validate({**data, **fields})


TEMPLATES = [
    template("SignIn", subject="{{ code }} is your <Acme> code", content=RED_BOX + SCRIPT),
    template(
        "OrganizationInvitation",
        "text/plain",
        subject="Join {{organization.name}}",
        content="\n{{ inviter.name }} invited you: {{link}}\n<b>not bold</b> {{ code }}",
        sendFrom="{{ inviter.name }} via Acme <no-reply@acme.example>",
        replyTo="{{ inviter.primaryEmail }}",
    ),
]
SETS = [
    PreviewSet("dev", "en", TEMPLATES, "Acme <no-reply@acme.example>", "support@acme.example"),
    PreviewSet("prod <b>", "fr", TEMPLATES[:1], "Acme {{ code }} <no-reply@acme.example>"),
]


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    children: list[Element] = field(default_factory=list)

    def find(self, tag: str | None = None, **attrs: str) -> list[Element]:
        found = []
        for child in self.children:
            if (tag is None or child.tag == tag) and all(
                child.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items()
            ):
                found.append(child)
            found += child.find(tag, **attrs)
        return found

    def one(self, tag: str | None = None, **attrs: str) -> Element:
        [element] = self.find(tag, **attrs)
        return element


class _Tree(HTMLParser):
    VOID = frozenset({"meta", "br", "hr", "img", "link", "input"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in self.VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        while len(self.stack) > 1 and self.stack.pop().tag != tag:
            pass

    def handle_data(self, data: str) -> None:
        for element in self.stack[1:]:
            element.text += data


def parse(html: str) -> Element:
    tree = _Tree()
    tree.feed(html)
    tree.close()
    return tree.root


def test_sample_payloads_follow_logtos_table() -> None:
    assert sample_payload("SignIn", "fr") == {
        "code": SAMPLE_CODE,
        "application": {"id": "sample-app", "name": "Sample App", "displayName": "Sample App"},
        "organization": {"id": "sample-org", "name": "Sample Organization"},
        "locale": "fr",
        "uiLocales": "fr",
    }
    assert set(sample_payload("OrganizationInvitation", "en")) == {
        "link",
        "organization",
        "inviter",
        "locale",
        "uiLocales",
    }
    assert set(sample_payload("Generic", "en")) == {"code", "locale", "uiLocales"}
    assert set(sample_payload("Signin", "en")) == {
        "code",
        "locale",
        "uiLocales",
    }  # Logto falls back to Generic
    for usage_type in USAGE_TYPES:
        payload = sample_payload(usage_type, "en")
        assert ("link" in payload) == (usage_type == "OrganizationInvitation")


def test_preview_message_fills_as_logto_does() -> None:
    message = preview_message(TEMPLATES[1], SETS[0])
    assert message.sender == "Grace Hopper via Acme <no-reply@acme.example>"
    assert message.reply_to == "grace@example.com"
    assert message.subject == "Join Sample Organization"
    assert message.body == f"\nGrace Hopper invited you: {SAMPLE_LINK}\n<b>not bold</b> {{{{ code }}}}"
    assert message.unfilled == ("{{ code }}",)  # Logto sends no code with an invitation
    # The config's fromEmail and replyTo are not rendered by Logto (shown as nodemailer writes them).
    plain = preview_message(TEMPLATES[0], SETS[1])
    assert (plain.sender, plain.reply_to, plain.unfilled) == (
        '"Acme {{ code }}" <no-reply@acme.example>',
        None,
        (),
    )


def test_gallery_page() -> None:
    html = gallery_html(SETS)
    page = parse(html)
    meta = page.one("meta", http_equiv="Content-Security-Policy")
    assert "default-src 'none'" in meta.attrs["content"] and "script-src" not in meta.attrs["content"]
    assert page.find("script") == []
    sections = page.find("section")
    assert [(s.attrs["id"], s.attrs["data-environment"], s.attrs["data-language"]) for s in sections] == [
        ("dev-en", "dev", "en"),
        ("prod-b-fr", "prod <b>", "fr"),
    ]
    assert [a.attrs["href"] for a in page.one("nav").find("a")] == ["#dev-en", "#prod-b-fr"]
    sign_in = sections[0].one("article", data_usage_type="SignIn")
    assert sign_in.one("dd", **{"class": "from"}).text == "Acme <no-reply@acme.example>"
    assert sign_in.one("dd", **{"class": "reply-to"}).text == "support@acme.example"
    assert sign_in.one("dd", **{"class": "subject"}).text == f"{SAMPLE_CODE} is your <Acme> code"
    frame = sign_in.one("iframe")
    assert frame.attrs["sandbox"] == ""
    assert (
        frame.attrs["srcdoc"]
        == RED_BOX.replace("{{ code }}", SAMPLE_CODE).replace("{{ application.name }}", "Sample App") + SCRIPT
    )
    invitation = sections[0].one("article", data_usage_type="OrganizationInvitation")
    # Browsers drop the newline right after <pre> (html.parser does not); the body's own one stays.
    assert (
        invitation.one("pre").text.removeprefix("\n")
        == f"\nGrace Hopper invited you: {SAMPLE_LINK}\n<b>not bold</b> {{{{ code }}}}"
    )
    assert invitation.find("iframe") == [] and invitation.find("b") == []
    assert invitation.one("p", **{"class": "unfilled"}).text == (
        "Logto leaves these as written for this usage type: {{ code }}"
    )
    assert sections[1].one("dd", **{"class": "reply-to"}).text == "(none)"
    assert gallery_html(SETS) == html  # the same input gives the same bytes


def test_preview_sets_from_a_built_config() -> None:
    config = ConnectorConfig.model_validate(
        {
            "host": "smtp.example.com",
            "port": 587,
            "auth": {"user": "u", "pass": "p"},
            "fromEmail": "Acme <no-reply@acme.example>",
            "templates": [
                template(t).model_dump(exclude_none=True)
                for t in ("SignIn", "Register", "ForgotPassword", "Generic")
            ],
        }
    )
    sets = preview_sets("staging", config, language="en", variants={"fr": [template("SignIn")]})
    assert [(s.environment, s.language, len(s.templates), s.from_email, s.reply_to) for s in sets] == [
        ("staging", "en", 4, "Acme <no-reply@acme.example>", None),
        ("staging", "fr", 1, "Acme <no-reply@acme.example>", None),
    ]


def test_the_preview_command_on_the_acme_example(cli: CliRunner, tmp_path: Path) -> None:
    # No SMTP_PASS: the gallery is built with ${VAR} references left as written.
    result = cli("preview", str(ROOT / "examples" / "acme"), "--out", str(tmp_path / "preview"))
    index = tmp_path / "preview" / "index.html"
    assert result.stdout == f"{index}\n"
    page = parse(index.read_text(encoding="utf-8"))
    sections = page.find("section")
    assert [s.attrs["id"] for s in sections] == [
        f"{env}-{language}" for env in ("dev", "prod", "staging") for language in ("en", "fr")
    ]
    for section in sections:
        assert [a.attrs["data-usage-type"] for a in section.find("article")] == list(USAGE_TYPES)
        sign_in = section.one("article", data_usage_type="SignIn")
        assert f"<strong>{SAMPLE_CODE}</strong>" in sign_in.one("iframe").attrs["srcdoc"]
        assert f'lang="{section.attrs["data-language"]}"' in sign_in.one("iframe").attrs["srcdoc"]
        invitation = section.one("article", data_usage_type="OrganizationInvitation")
        assert SAMPLE_LINK in invitation.one("pre").text
    staging_fr = sections[5].one("article", data_usage_type="SignIn")
    assert staging_fr.one("dd", **{"class": "subject"}).text == "Votre code de connexion Acme Staging"
    assert (
        staging_fr.one("dd", **{"class": "from"}).text == '"Acme (staging)" <no-reply@staging.acme.example>'
    )

    one = cli("preview", str(ROOT / "examples" / "acme"), "--env", "prod", "--out", str(tmp_path / "one"))
    assert [s.attrs["id"] for s in parse((tmp_path / "one" / "index.html").read_text()).find("section")] == [
        "prod-en",
        "prod-fr",
    ]
    assert one.stderr == ""
    wrong = cli(
        "preview", str(ROOT / "examples" / "acme"), "--env", "prd", "--out", str(tmp_path / "x"), expect=2
    )
    assert "no environment `prd`" in wrong.stderr and "did you mean `prod`?" in wrong.stderr
    assert not (tmp_path / "x").exists()


def test_write_gallery_is_atomic_and_creates_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "artifacts" / "preview"
    path = write_gallery(SETS, out)
    assert path == out / "index.html"
    assert path.read_text(encoding="utf-8") == gallery_html(SETS)
    assert sorted(p.name for p in out.iterdir()) == ["index.html"]


# The gallery in a real browser: what a reviewer sees.

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=1000,1400",
    # A sandboxed iframe gets a process of its own (IsolateSandboxedIframes), whose frame can reach the
    # compositor after the page's: on a loaded machine the screenshot then showed an empty frame (1 to 2
    # shots in 32, 16 at once). In the page's process it is painted with the page, before the screenshot;
    # the sandbox (no script) is the same.
    "--disable-features=IsolateSandboxedIframes",
]


def chromium(*args: str) -> str:
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def png_pixels(data: bytes) -> list[tuple[int, int, int]]:
    """The RGB pixels of an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks += body
        pos += 12 + length
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert (depth, interlace) == (8, 0) and color in (2, 6)
    bpp = 3 if color == 2 else 4
    raw, stride, prev = zlib.decompress(chunks), width * bpp, bytearray(width * bpp)
    pixels = []
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        pixels += [tuple(line[x : x + 3]) for x in range(0, stride, bpp)]  # type: ignore[misc]
        prev = line
    return pixels


def test_the_gallery_in_headless_chromium(tmp_path: Path) -> None:
    if CHROMIUM is None:
        if os.environ.get("REQUIRE_CHROMIUM"):  # set by .ci/run, so a failed install cannot pass as a skip
            pytest.fail("REQUIRE_CHROMIUM is set but there is no chromium binary on PATH")
        pytest.skip("no chromium binary on PATH (CI installs Debian's chromium package)")
    index = write_gallery(SETS, tmp_path / "preview")
    page = parse(chromium("--dump-dom", index.as_uri()))
    assert page.one("title").text == "Email templates preview"
    article = page.one("section", id="dev-en").one("article", data_usage_type="SignIn")
    assert article.one("dd", **{"class": "subject"}).text == f"{SAMPLE_CODE} is your <Acme> code"
    frame = article.one("iframe")
    assert frame.attrs["sandbox"] == ""
    assert f"Code {SAMPLE_CODE} for Sample App" in frame.attrs["srcdoc"]
    text = (
        page.one("section", id="dev-en").one("article", data_usage_type="OrganizationInvitation").one("pre")
    )
    assert f"Grace Hopper invited you: {SAMPLE_LINK}" in text.text
    # As the reviewer sees it: the HTML body is drawn inside the frame, and its script did not run.
    shot = tmp_path / "shot.png"
    chromium(f"--screenshot={shot}", index.as_uri())
    pixels = png_pixels(shot.read_bytes())
    assert sum(1 for p in pixels if p == (255, 0, 0)) > 50_000
    assert (0, 255, 0) not in pixels


def test_preview_defaults_to_the_current_folders_project_like_build(cli: CliRunner, tmp_path: Path) -> None:
    acme = ROOT / "examples" / "acme"
    cli("preview", "--env", "prod", "--out", str(tmp_path / "here"), cwd=acme)
    cli("preview", str(acme), "--env", "prod", "--out", str(tmp_path / "named"))
    assert (tmp_path / "here/index.html").read_bytes() == (tmp_path / "named/index.html").read_bytes()
    # Outside a project it says so, as build does, rather than asking for PROJECT.
    for command in (["preview", "--out", str(tmp_path / "x")], ["build", "--env", "prod"]):
        result = cli(*command, cwd=tmp_path, expect=1)
        assert "is not an smtp-connector project" in result.stderr
    assert not (tmp_path / "x").exists()
