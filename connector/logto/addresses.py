"""Addresses in header values (fromEmail, replyTo, sendFrom, the recipient), read as nodemailer reads them.

Logto hands these strings to nodemailer, which parses them with its own address parser and writes the
header and the SMTP envelope from what it read. This module carries over the semantics of nodemailer 8.0.11
(the version tests/logto-peer/package-lock.json pins), so ``render``, ``send``, ``preview``, the lint
(SC405, SC411) and the deploy plan read every value as Logto's send does:

- ``lib/addressparser/index.js``: ``Tokenizer`` (operators ``"`` ``()`` ``<>`` ``,`` ``:``…``;`` and
  ``;``; a backslash escapes only inside quotes; control characters dropped; each token trimmed),
  ``_handleAddress`` (text, ``<address>``, ``(comment)`` and ``group:`` parts; a comment is the name only
  when there is no other text; an address taken from unquoted text when there is no ``<…>``; a name equal to
  the address dropped) and ``addressparser`` (split at ``,`` and ``;``; a name-only part merged into the
  named mailbox after it, as ``Acme, Inc. <a@acme.example>``; groups nested at most 50 deep);
- ``lib/mime-node/index.js``: ``_convertAddresses`` (the header: mailboxes and groups, a part without an
  address dropped), ``_normalizeAddress`` (domain lowercased and punycoded, a local part with a space
  quoted), ``_encodeAddressName`` (a name quoted unless it is word characters and spaces) and ``getEnvelope``
  (the envelope sender is the first address of From, group members included).

The code is this project's own; tests/test_addresses.py and tests/test_sender_differential.py hold it to
nodemailer's.
"""

from __future__ import annotations

import base64
import functools
import re
from dataclasses import dataclass

from connector.logto.placeholders import JS_SPACE

_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_ADDR_SPEC = rf"{_ATEXT}(?:\.{_ATEXT})*@{_ATEXT}(?:\.{_ATEXT})*"
# `a@b.c` or `Display Name <a@b.c>` in its plainest form: nodemailer writes it unchanged (a lowercase domain).
SIMPLE_ADDRESS = re.compile(rf"({_ADDR_SPEC})|{_ATEXT}(?: {_ATEXT})* <({_ADDR_SPEC})>")
# What the lint and the runtime take for a deliverable address: one @, no space, no specials around it.
ADDRESS = re.compile(r"[^\s@<>(),;:\"\[\]]+@[^\s@<>(),;:\"\[\]]+")

_SPACE = frozenset(JS_SPACE.replace("\u2000-\u200a", "".join(map(chr, range(0x2000, 0x200B)))))
_SPACE_CHARS = "".join(sorted(_SPACE))
_MAX_DEPTH = 50  # MAX_NESTED_GROUP_DEPTH
_STRICT = re.compile(rf"[^@{JS_SPACE}]+@[^@{JS_SPACE}]+")  # _handleAddress's first try, as a fullmatch
_ANGLE_PREFIX = re.compile(rf"[^<]*<[{JS_SPACE}]*")  # text up to a stray `<` inside <…>


@dataclass(frozen=True, slots=True)
class Mailbox:
    """One mailbox as nodemailer read it; ``address`` is empty for a name-only part (nodemailer drops it)."""

    name: str
    address: str


@dataclass(frozen=True, slots=True)
class Group:
    """``name:members;`` (RFC 5322 group syntax), members flattened as nodemailer flattens them."""

    name: str
    members: tuple[Mailbox, ...]


Entry = Mailbox | Group


def _trim(text: str) -> str:
    """JavaScript's ``String.prototype.trim``."""
    return text.strip(_SPACE_CHARS)


# One step of nodemailer's Tokenizer at the top level as one match: a run of separators, a quoted string
# (a backslash escapes the next character), a comment (not nested: the tokenizer closes it at the first
# `)`), an `<address>`, a group (`:` up to its `;`) or a run of text (with the separators after it, if it
# ends a part). An operator left open takes the rest of the value. One compiled pattern over the value: no
# Python step per character.
_UNIT = re.compile(
    r"""(?P<sep>[,;]+)
    |"(?P<quoted>[^"\\]*(?:\\.?[^"\\]*)*)(?P<quote_end>")?
    |\((?P<comment>[^)]*)(?P<comment_end>\))?
    |<(?P<address>[^>]*)(?P<address_end>>)?
    |:(?P<group>[^;]*)(?P<group_end>;)?
    |(?P<text>[^"(<,:;]+)(?P<text_end>[,;]+|\Z)?""",
    re.S | re.X,
)
_UNESCAPE = re.compile(r"\\(.?)", re.S)
# The tokenizer reads a line feed as a space and drops the other control characters but the tab.
_CONTROLS = str.maketrans({**{chr(c): None for c in range(0x20) if c != 0x09}, "\n": " "})
_HAS_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f]")


def _clean(text: str, plain: bool = False) -> str:
    """A token's text as the tokenizer keeps it: control characters handled, trimmed ('' is no token);
    ``plain``: the value it is from has no control characters."""
    if not plain and _HAS_CONTROL.search(text):
        text = text.translate(_CONTROLS)
    return text.strip(_SPACE_CHARS)


def parse_addresses(value: str) -> list[Entry]:
    """``value`` as nodemailer's ``addressparser`` reads it: mailboxes (name-only ones included) and groups."""
    return list(_analysed(value)[0])


@functools.lru_cache(maxsize=64)
def _analysed(value: str) -> tuple[tuple[Entry, ...], frozenset[str]]:
    """The reading and its notes, once per value: the lint, the header and the envelope ask for the same."""
    notes: set[str] = set()
    entries = _parse(value, 0, notes)
    return tuple(entries), frozenset(notes)


def _parse(value: str, depth: int, notes: set[str]) -> list[Entry]:
    """``addressparser``; ``notes`` collects what the reading did to the text (see :func:`reading_notes`).

    The tokens of each part (between two separators) go straight into ``_handleAddress``'s lists as they
    are read. Its state needs no tracking: every closing operator returns it to text, text outside quotes
    is never read as quoted, and a group's `:` takes the rest of its part.
    """
    if depth > _MAX_DEPTH:
        return []
    entries: list[Entry] = []
    # _handleAddress's lists for the part being read; a text part joined from several tokens is a list
    # until the part ends, and ``quoted`` says per text part whether it came from inside quotes.
    text: list[str | list[str]] = []
    quoted: list[bool] = []
    address: list[str] = []
    comment: list[str] = []
    group: str | None = None  # a group's members as written ('' for none)
    seen = joins = False  # the part has a token; the last one closed an operator with a character right after
    plain = _HAS_CONTROL.search(value) is None  # then trimming is all a token's text needs
    for match in _UNIT.finditer(value):
        kind = match.lastgroup
        if kind == "text" or kind == "text_end":
            raw = match.group("text")
            token = raw.strip(_SPACE_CHARS) if plain else _clean(raw)
            if token and not seen and kind == "text_end":  # the part is this one token (`a@b.example,`)
                if "@" not in token:
                    entries.append(Mailbox(token, ""))
                elif _STRICT.fullmatch(token):
                    entries.append(Mailbox("", token))
                else:
                    entries.append(_entry([token], [False], [], [], None, depth, notes))
                if ";" in match.group(kind):
                    notes.add("semicolon")
                continue
            if token:
                # nodemailer's noBreak: text right after a closing operator continues the last text part.
                if joins and text and raw[0] not in " \t\r\n":
                    last = text[-1]
                    if isinstance(last, str):
                        text[-1] = [last, token]
                    else:
                        last.append(token)
                else:
                    text.append(token)
                    quoted.append(False)
                seen = True
            joins = False
            if kind == "text":
                continue
        if kind == "sep" or kind == "text_end":
            if ";" in match.group(kind):
                notes.add("semicolon")
        elif kind == "quoted" or kind == "quote_end":
            body = match.group("quoted")
            token = _clean(_UNESCAPE.sub(r"\1", body) if "\\" in body else body, plain)
            if token:
                text.append(token)
                quoted.append(True)
            seen, joins = True, kind == "quote_end"
            continue
        elif kind == "comment" or kind == "comment_end":
            token = _clean(match.group("comment"), plain)
            if token:
                comment.append(token)
            seen, joins = True, kind == "comment_end"
            continue
        elif kind == "address" or kind == "address_end":
            token = _clean(match.group("address"), plain)
            if token:  # an unquoted name with a `<` in it: the text up to it is not the address
                prefix = _ANGLE_PREFIX.match(token)
                address.append(token[prefix.end() :] if prefix else token)
            seen, joins = True, kind == "address_end"
            continue
        else:  # a group; its `;` (or the end of the value) ends the part
            group, seen = _clean(match.group("group"), plain), True
        if seen:
            entries.append(_entry(text, quoted, address, comment, group, depth, notes))
            text, quoted, address, comment, group = [], [], [], [], None
            seen = joins = False
    if seen:
        entries.append(_entry(text, quoted, address, comment, group, depth, notes))
    return _merged(entries)


def _merged(entries: list[Entry]) -> list[Entry]:
    """A name-only part followed by a mailbox with a name and an address is part of that name
    (`Joe Foo, PhD <joe@example.com>`), merged from the end as nodemailer does.

    The names of a chain are joined once, when it ends: joining at each step would copy the growing name
    again for every part (quadratic for a value of many name-only parts before one mailbox).
    """
    merged: list[Entry] = []
    names: list[str] = []  # the names merged into merged[-1], last first, while a chain can grow
    for entry in reversed(entries):
        if type(entry) is Mailbox and not entry.address and entry.name and names:
            names.append(entry.name)
            continue
        _end_chain(merged, names)
        merged.append(entry)
        names = [entry.name] if type(entry) is Mailbox and entry.address and entry.name else []
    _end_chain(merged, names)
    merged.reverse()
    return merged


def _end_chain(merged: list[Entry], names: list[str]) -> None:
    if len(names) > 1:
        last = merged[-1]
        assert isinstance(last, Mailbox)
        merged[-1] = Mailbox(", ".join(reversed(names)), last.address)


def _entry(
    text: list[str | list[str]],
    quoted: list[bool],
    address: list[str],
    comment: list[str],
    group: str | None,
    depth: int,
    notes: set[str],
) -> Entry:
    """The rest of ``_handleAddress``: the entry one part stands for."""
    if len(text) == 1 and not address and not comment and group is None:
        only = text[0]
        if isinstance(only, str) and ("@" not in only or quoted[0] or _STRICT.fullmatch(only)):
            # One text token (`a@b.example`, `Desk`): what the general steps below make of it, in one step.
            return Mailbox("", only) if "@" in only else Mailbox(only, "")
    texts = [t if isinstance(t, str) else "".join(t) for t in text]
    if not texts and comment:
        texts, comment = comment, []
    if group is not None:
        members: list[Mailbox] = []
        if group:
            for member in _parse(group, depth + 1, notes):
                members.extend(member.members if isinstance(member, Group) else [member])
        return Group(" ".join(texts), tuple(members))
    if not address and texts:
        address = _address_from_text(texts, quoted)
    if not texts and comment:
        texts, comment = comment, []
    if comment:
        notes.add("comment")
    if len(address) > 1:
        texts += address[1:]
        del address[1:]
    text_value, address_value = " ".join(texts), " ".join(address)
    name, found = text_value or address_value, address_value or text_value
    if found == name:
        if text_value and address_value:
            notes.add("name-is-address")
        return Mailbox("", found) if "@" in found else Mailbox(name, "")
    return Mailbox(name, found)


def _address_from_text(texts: list[str], quoted: list[bool]) -> list[str]:
    """No ``<address>``: the last unquoted text part that is an address, else one found inside a part
    (``texts`` and ``quoted`` are updated: the address leaves the text)."""
    for index in range(len(texts) - 1, -1, -1):
        if not (index < len(quoted) and quoted[index]) and _STRICT.fullmatch(texts[index]):
            if index < len(quoted):
                quoted.pop(index)
            return [texts.pop(index)]
    for index in range(len(texts) - 1, -1, -1):
        if index < len(quoted) and quoted[index]:
            continue
        text = texts[index]
        found = _loose_address(text)
        if found is None:
            texts[index] = _trim(text)
            continue
        start, end = found
        texts[index] = _trim(text[:start] + " " + text[end:])
        return [_trim(text[start:end])]
    return []


_WORD_CHAR = re.compile(r"[A-Za-z0-9_]")
_AT = re.compile("@")
_BOUNDARY = re.compile(r"\b", re.ASCII)  # JavaScript's \b without the u flag: ASCII word characters
_NON_SPACE_RUN = re.compile(rf"[^{JS_SPACE}]*")
_SPACE_RUN = re.compile(rf"[{JS_SPACE}]*")
_LAST_EDGE = re.compile(r"(?:[A-Za-z0-9_](?![A-Za-z0-9_])|[^A-Za-z0-9_](?=[A-Za-z0-9_]))")


def _word(text: str, index: int) -> bool:
    return 0 <= index < len(text) and _WORD_CHAR.match(text[index]) is not None


def _loose_address(text: str) -> tuple[int, int] | None:
    """Where JavaScript's ``/\\s*\\b[^@\\s]+@[^\\s]+\\b\\s*/`` first matches ``text``, in linear time.

    A backtracking engine takes quadratic time on some inputs; the match is the same. It starts at the
    first position ``p`` at a word boundary in a run of non-space, non-@ characters that ends at an ``@``
    (or at the spaces before such a ``p``), and the ``[^\\s]+\\b`` after the ``@`` ends at the last word
    boundary of the non-space run that follows, at least one character on. Each run is scanned once.
    """
    if "@" not in text:
        return None
    last_edges: dict[int, int] = {}  # end of a non-space run -> its last word boundary
    run_start = 0  # where the run of non-space, non-@ characters before the current @ begins
    for at in (m.start() for m in _AT.finditer(text)):
        start = max(run_start, _after_space(text, run_start, at))
        run_start = at + 1
        if start == at:
            continue
        first = _BOUNDARY.search(text, start, at)
        if first is None or first.start() >= at:
            continue
        p = first.start()
        end_of_run = _run_end(_NON_SPACE_RUN, text, at + 1)
        if end_of_run not in last_edges:
            last_edges[end_of_run] = _last_boundary(text, at + 1, end_of_run)
        end = last_edges[end_of_run]
        if end < at + 2:
            continue
        begin = p
        if p == start and p and text[p - 1] in _SPACE:
            begin = _space_run_start(text, p)
        return begin, _run_end(_SPACE_RUN, text, end)
    return None


def _run_end(pattern: re.Pattern[str], text: str, start: int) -> int:
    """Where a run of ``pattern`` (a starred class: it always matches) from ``start`` ends."""
    match = pattern.match(text, start)
    return match.end() if match else start


def _after_space(text: str, begin: int, at: int) -> int:
    """The position after the last space in ``text[begin:at]`` (``begin`` when there is none)."""
    for index in range(at - 1, begin - 1, -1):
        if text[index] in _SPACE:
            return index + 1
    return begin


def _space_run_start(text: str, p: int) -> int:
    index = p
    while index and text[index - 1] in _SPACE:
        index -= 1
    return index


def _last_boundary(text: str, begin: int, end: int) -> int:
    """The last word boundary at a position in ``(begin, end]``, or -1."""
    if end > begin and _word(text, end - 1) != _word(text, end):
        return end
    found = -1
    for match in _LAST_EDGE.finditer(text, begin, end):
        found = match.start() + 1
    return found if found > begin else -1


def header(value: str, *, encoded: bool = False) -> str:
    """The header text nodemailer writes for ``value`` (``_convertAddresses``), '' when nothing is left.

    A name that is not printable ASCII is a MIME encoded word when ``encoded`` (the bytes sent: the words
    differ from nodemailer's, a reader decodes both to the same name), else quoted as it reads (``render``).
    """
    return _header_of(parse_addresses(value), encoded)


def _header_of(entries: list[Entry] | tuple[Mailbox, ...], encoded: bool = False) -> str:
    values = []
    for entry in entries:
        if isinstance(entry, Group):
            members = _header_of(entry.members, encoded).strip() if entry.members else ""
            values.append(f"{_encode_name(entry.name, encoded)}:{members};")
        elif entry.address:
            address = normalize_address(entry.address)
            if entry.name:
                values.append(f"{_encode_name(entry.name, encoded)} <{address}>")
            else:
                values.append(f"<{address}>" if " " in address else address)
    return ", ".join(values)


_NAME_AS_IS = re.compile(r"[A-Za-z0-9_ ]*")
_PRINTABLE = re.compile(r"[\x20-\x7e]*")
_WORD_BYTES = 45  # UTF-8 bytes per encoded word: 60 base64 characters, a word within RFC 2047's 75


def _encode_name(name: str, encoded: bool) -> str:
    if _NAME_AS_IS.fullmatch(name):
        return name
    if encoded and not _PRINTABLE.fullmatch(name):
        return " ".join(_encoded_words(name))
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _encoded_words(name: str) -> list[str]:
    """``name`` as base64 encoded words, split between characters (RFC 2047: whole characters per word)."""
    words, chunk = [], b""
    for char in name:
        data = char.encode("utf-8", "surrogatepass")
        if chunk and len(chunk) + len(data) > _WORD_BYTES:
            words.append(chunk)
            chunk = b""
        chunk += data
    words.append(chunk)
    return [f"=?UTF-8?B?{base64.b64encode(word).decode('ascii')}?=" for word in words]


_CONTROLS_OR_ANGLES = re.compile(r"[\x00-\x1f<>]+")
_DOT = re.compile("[.\u3002\uff0e\uff61]")  # the label separators punycode.js maps to a dot


def normalize_address(address: str) -> str:
    """``_normalizeAddress``: the address nodemailer writes and puts in the envelope."""
    address = _trim(_CONTROLS_OR_ANGLES.sub(" ", address))
    user, at, domain = address.rpartition("@")
    if not at:
        return address
    try:
        if any(ord(c) >= 0x80 for c in user):
            domain = ".".join(_to_unicode(label) for label in _DOT.split(domain.lower()))
        else:
            domain = ".".join(_to_ascii(label) for label in _DOT.split(domain.lower()))
    except (UnicodeError, ValueError):
        pass  # nodemailer keeps the domain as written when punycode fails
    if " " in user:
        user = user if user.startswith('"') else '"' + user
        user = user if user.endswith('"') else user + '"'
    return f"{user}@{domain}"


def _to_ascii(label: str) -> str:
    return label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")


def _to_unicode(label: str) -> str:
    return label[4:].encode("ascii").decode("punycode") if label.startswith("xn--") else label


def ascii_address(address: str) -> str:
    """``address`` with its domain as nodemailer sends it (lowercase, punycode)."""
    return normalize_address(address)


def addresses_of(entries: list[Entry] | tuple[Mailbox, ...]) -> list[Mailbox]:
    """The mailboxes with an address, in order, group members included (what ``getEnvelope`` walks)."""
    found: list[Mailbox] = []
    for entry in entries:
        if isinstance(entry, Group):  # its members are mailboxes: nested groups are flattened
            found.extend(member for member in entry.members if member.address)
        elif entry.address:
            found.append(entry)
    return found


def envelope_sender(value: str) -> str | None:
    """The envelope sender nodemailer takes from a From of ``value``: its first address, or None."""
    found = addresses_of(parse_addresses(value))
    return normalize_address(found[0].address) if found else None


# The characters that start an operator token at the tokenizer's top level (``_UNIT``): a value without
# any is one part of one text token.
_OPERATOR = re.compile(r'["(<,:;]')


def single_address(value: str) -> tuple[int, str | None]:
    """How many mailboxes ``value`` holds, and the address when it is exactly one well-formed mailbox
    (the recipient: Logto sends to one address)."""
    if _OPERATOR.search(value) is None:
        # One text token, read as ``_parse`` reads a part of one token, without the general steps (or
        # the cache: a batch's recipients are all different): no `@` is a name only, no mailbox with an
        # address; a strict `local@domain` is that mailbox. Anything else takes the general way.
        token = _clean(value)
        if "@" not in token:
            return 0, None
        if _STRICT.fullmatch(token):
            return 1, token if ADDRESS.fullmatch(token) else None
    entries = [e for e in parse_addresses(value) if isinstance(e, Group) or e.address]
    found = addresses_of(entries)
    if len(entries) == 1 and isinstance(entries[0], Mailbox) and ADDRESS.fullmatch(found[0].address):
        return 1, found[0].address
    return len(found), None


def split_addresses(value: str) -> list[str]:
    """Each mailbox of ``value`` with an address, as nodemailer writes it."""
    return [_header_of([m]) for m in addresses_of(parse_addresses(value))]


def address_problem(value: str, many: bool) -> tuple[str, str] | None:
    """What makes ``value`` undeliverable as nodemailer reads it (``many``: a Reply-To list): (problem, hint).

    A From without an address (no mailbox, an empty group) or with several is a message receivers refuse
    (RFC 5322 3.6.2: several From mailboxes need a Sender header; Gmail refuses both); an address that is
    not ``local@domain`` is refused by the server (the envelope) or is a reply that goes nowhere.
    """
    found = addresses_of(parse_addresses(value))
    if not found:
        shown = value if len(value) <= 40 else value[:37] + "..."
        consequence = (
            "Logto sends no Reply-To (nodemailer finds no address in it)"
            if many
            else "Logto sends a From header with no address, a message receivers refuse"
        )
        return (
            f'is not an email address: "{shown}": {consequence}',
            "write `Name <address@domain>` or a bare `address@domain`",
        )
    if not many and len(found) > 1:
        return (
            f"holds {len(found)} addresses as nodemailer reads it: Logto sends all of them in From, a message "
            "receivers such as Gmail refuse (RFC 5322 asks for a Sender header then)",
            "give one address; quote a name that has a comma or a semicolon: '\"Acme, Inc.\" <a@acme.example>'",
        )
    for mailbox in found:
        address = normalize_address(mailbox.address)
        if not ADDRESS.fullmatch(address):
            shown = address if len(address) <= 40 else address[:37] + "..."
            return (
                f'is not an email address: nodemailer reads the address "{shown}"',
                "write `Name <address@domain>` or a bare `address@domain`",
            )
    return None


def reading_notes(value: str) -> tuple[list[Entry], list[str]]:
    """nodemailer's reading of ``value`` and what it did that the text does not say, in this order:
    ``group`` (a `name:` starts a group), ``semicolon`` (a `;` separates mailboxes), ``comment`` (a
    parenthesis dropped), ``name-is-address`` (a name equal to the address dropped) and ``dropped`` (a
    part without an address dropped). Several mailboxes in a From are SC405's (:func:`address_problem`)."""
    found, parsed_notes = _analysed(value)
    entries, notes = list(found), set(parsed_notes)
    if any(isinstance(e, Group) for e in entries):
        notes.add("group")
    if any(isinstance(e, Mailbox) and not e.address and e.name for e in entries):
        notes.add("dropped")
    order = ("group", "semicolon", "comment", "name-is-address", "dropped")
    return entries, [note for note in order if note in notes]


def intended_form(value: str) -> str | None:
    """``Name <address>`` as written, with the name quoted so that nodemailer reads exactly it, when
    that quoted form does; else None."""
    text = value.strip()
    if not text.endswith(">") or text.count("<") != 1 or text.count(">") != 1:
        return None
    name, _, rest = text[:-1].partition("<")
    name, address = name.strip(), rest.strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = re.sub(r"\\(.)", r"\1", name[1:-1])
    if not name or not address:
        return None
    quoted = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + f'" <{address}>'
    return quoted if parse_addresses(quoted) == [Mailbox(name, address)] else None


_NOTE_TEXT = {
    "group": "has a colon, which starts a group in nodemailer's reading",
    "semicolon": "has a `;`, which nodemailer reads as a separator between addresses",
    "comment": "has a parenthesis, which nodemailer reads as a comment and drops",
    "name-is-address": "has a display name equal to its address, which nodemailer drops",
    "dropped": "has a part without an address, which nodemailer drops",
}


def reading_difference(value: str, many: bool) -> tuple[str, str] | None:
    """(problem, hint) when what Logto sends for ``value`` differs from what it says (lint SC411)."""
    entries, notes = reading_notes(value)
    if not notes or not addresses_of(entries):
        return None  # nothing with an address: SC405 says so
    sent = _header_of(entries)
    shown = sent if len(sent) <= 80 else sent[:77] + "..."
    note = notes[0]
    problem = f"{_NOTE_TEXT[note]}: Logto sends `{shown}`"
    if note == "group" and not many:
        problem += ", a From holding a group rather than a mailbox"
    form = intended_form(value)
    if note == "name-is-address":
        hint = "write the bare address, or a display name that is not the address"
    elif form is not None:
        hint = f"quote the name to keep it: '{form}'"
    else:
        hint = 'write each mailbox as `"Name" <address@domain>`, the name in double quotes'
    return problem, hint
