"""Pydantic models of the final Logto SMTP connector config: the single source of truth.

They follow the guard of ``@logto/connector-smtp`` 1.5.4 (tests/logto-peer holds it) plus the nodemailer options Logto
passes through untouched. Strict types (no "465" for 465), unknown keys forbidden, frozen once validated.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal, TypeVar, Union

from annotated_types import Ge
from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag, field_validator
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from connector.logto import LOGIN_TYPES, OAUTH2_TYPES, USAGE_TYPES
from connector.logto.usage_types import missing_usage_types, missing_usage_types_message

__all__ = ["ConnectorConfig", "Template"]  # the usage types are connector.logto's, imported from there


def _integral(value: Any) -> Any:
    # JSON has one number type: JavaScript reads 587.0 as 587, and so does Logto. Emitted as an int.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _refuse_null(value: Any) -> Any:
    # An optional key may be left out, never null: Logto's guard (zod .optional()) refuses null on save.
    if value is None:
        raise PydanticCustomError("null_refused", "null is refused by Logto; leave the key out instead")
    return value


T = TypeVar("T")
# Optional in Logto's sense: absent (None here, left out of the output) but never written as null. The
# null branch is kept out of the published schema, so a null is refused there too.
Opt = Annotated[Union[T, SkipJsonSchema[None]], BeforeValidator(_refuse_null)]  # noqa: UP007
Int = Annotated[int, BeforeValidator(_integral)]
NonNegativeInt = Annotated[int, Ge(0), BeforeValidator(_integral)]
PositiveInt = Annotated[int, Ge(1), BeforeValidator(_integral)]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, populate_by_name=True)


class Template(_Strict):
    """One message template, chosen by usageType when Logto sends a message."""

    keeps_empty: ClassVar[bool] = False  # Logto's save drops an empty replyTo or sendFrom

    usageType: str = Field(
        description="When Logto uses this template: SignIn, Register, ForgotPassword, Generic, "
        "OrganizationInvitation, UserPermissionValidation, BindNewIdentifier, MfaVerification or BindMfa.",
        examples=list(USAGE_TYPES),
    )
    contentType: Literal["text/plain", "text/html"] = Field(
        description="Whether content is sent as the plain-text body or as the HTML body (never both)."
    )
    subject: str = Field(
        description="The subject line; {{code}} and other placeholders are filled at send time."
    )
    content: str = Field(
        description="The message body; put {{code}} (or {{link}}) where the code should appear."
    )
    # Logto's template guard does not declare these two (it lets unknown template keys through), so a
    # null here passes its save and is stripped; the email-template API sends them.
    replyTo: str | None = Field(
        None,
        description="Reply-To for this template only, overriding the config's replyTo; may hold placeholders.",
    )
    sendFrom: str | None = Field(
        None, description="From for this template only, overriding fromEmail; may hold placeholders."
    )


class StoreTemplate(_Strict):
    """One template of Logto's email-template store (a language variant): its ``details`` as stored.

    Unlike the connector's templates, the store keeps what it is given (no clean step): ``contentType``
    may be absent (sent as HTML) and ``replyTo`` or ``sendFrom`` may be ``""`` (sent as if absent)."""

    keeps_empty: ClassVar[bool] = True  # an empty replyTo or sendFrom is stored as ""

    usageType: str = Field(description=Template.model_fields["usageType"].description)
    contentType: Literal["text/plain", "text/html"] | None = Field(
        None, description="Whether content is sent as the plain-text body or as the HTML body; none: HTML."
    )
    subject: str = Field(description=Template.model_fields["subject"].description)
    content: str = Field(description=Template.model_fields["content"].description)
    replyTo: str | None = Field(None, description=Template.model_fields["replyTo"].description)
    sendFrom: str | None = Field(None, description=Template.model_fields["sendFrom"].description)


class LoginAuth(_Strict):
    """Username and password (AUTH PLAIN or LOGIN)."""

    user: Opt[str] = Field(None, description="The account name the SMTP server expects (often the address).")
    pass_: Opt[str] = Field(
        None, alias="pass", description="The password or API key; write ${SMTP_PASS}, never the value itself."
    )
    type: Opt[Literal["login", "Login", "LOGIN"]] = Field(
        None, description="Authentication type; login is the default."
    )


class PrivateKey(_Strict):
    key: str = Field(description="The PEM private key of the service account.")
    passphrase: str = Field(description="The passphrase that unlocks the key.")


class OAuth2ServiceAuth(_Strict):
    """OAuth2 with a service account key (two-legged, e.g. Google Workspace)."""

    type: Opt[Literal["oauth2", "OAuth2", "OAUTH2"]] = Field(None, description="Authentication type: OAuth2.")
    user: str = Field(description="The mailbox to send as.")
    privateKey: str | PrivateKey = Field(description="The service account's PEM key, or {key, passphrase}.")
    serviceClient: str = Field(description="The service account's client id.")


class OAuth2TokenAuth(_Strict):
    """OAuth2 with a refresh and/or access token (three-legged)."""

    type: Opt[Literal["oauth2", "OAuth2", "OAUTH2"]] = Field(None, description="Authentication type: OAuth2.")
    user: str = Field(description="The mailbox to send as.")
    clientId: Opt[str] = Field(None, description="The OAuth2 client id, needed to refresh the access token.")
    clientSecret: Opt[str] = Field(
        None, description="The OAuth2 client secret, needed to refresh the access token."
    )
    refreshToken: Opt[str] = Field(None, description="The refresh token used to get new access tokens.")
    accessToken: Opt[str] = Field(None, description="The current access token, sent with XOAUTH2.")
    expires: Opt[NonNegativeInt] = Field(
        None, description="When accessToken expires, in milliseconds since the epoch."
    )
    accessUrl: Opt[str] = Field(None, description="The token endpoint used to refresh the access token.")


def _auth_form(value: Any) -> str:
    """Pick the auth form the way a reader would, so errors speak of the form the author meant."""
    if isinstance(value, BaseModel):
        return {LoginAuth: "login", OAuth2ServiceAuth: "oauth2-service"}.get(type(value), "oauth2-token")
    if not isinstance(value, dict):
        return "login"
    kind = value.get("type")
    if kind in LOGIN_TYPES:
        return "login"
    if "privateKey" in value or "serviceClient" in value:
        return "oauth2-service"
    if kind in OAUTH2_TYPES or any(
        key in value for key in OAuth2TokenAuth.model_fields if key not in ("type", "user")
    ):
        return "oauth2-token"
    return "login"


Auth = Annotated[
    Annotated[LoginAuth, Tag("login")]
    | Annotated[OAuth2ServiceAuth, Tag("oauth2-service")]
    | Annotated[OAuth2TokenAuth, Tag("oauth2-token")],
    Discriminator(_auth_form),
]


class TlsOptions(BaseModel):
    """Options passed to Node's TLS socket; the common ones are typed, others pass through."""

    model_config = ConfigDict(strict=True, extra="allow", frozen=True)

    rejectUnauthorized: bool | None = Field(
        None, description="Verify the server's certificate (default true); false accepts any certificate."
    )
    servername: str | None = Field(
        None, description="The name sent for SNI and checked against the certificate."
    )
    minVersion: Literal["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"] | None = Field(
        None, description="The lowest TLS version to accept."
    )
    maxVersion: Literal["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"] | None = Field(
        None, description="The highest TLS version to offer."
    )
    ca: str | list[str] | None = Field(
        None, description="Extra trusted CA certificates, as PEM text or a list of them."
    )
    ciphers: str | None = Field(None, description="The OpenSSL cipher list to offer.")


class DkimOptions(_Strict):
    """DKIM signing done by nodemailer before sending."""

    domainName: str = Field(description="The signing domain (d=).")
    keySelector: str = Field(description="The DNS selector of the public key (s=).")
    privateKey: str = Field(description="The PEM private key; write ${DKIM_KEY}, never the key itself.")
    hashAlgo: Opt[str] = Field(None, description="The hash algorithm, sha256 by default.")
    headerFieldNames: Opt[str] = Field(None, description="Colon-separated header names to sign.")
    skipFields: Opt[str] = Field(None, description="Colon-separated header names not to sign.")
    cacheDir: Opt[str] = Field(None, description="A folder for caching large messages while signing.")
    cacheTreshold: Opt[NonNegativeInt] = Field(
        None, description="Message size in bytes above which cacheDir is used."
    )


class ConnectorConfig(_Strict):
    """The config of Logto's SMTP connector (@logto/connector-smtp), as Logto stores and checks it."""

    model_config = ConfigDict(title="Logto SMTP connector config")

    host: str = Field(description="The SMTP server's host name, e.g. smtp.gmail.com.")
    port: Int = Field(
        ge=1, le=65535, description="The SMTP server's port: 465 for implicit TLS, 587 or 25 for STARTTLS."
    )
    auth: Auth = Field(description="How to log in: user and pass, or one of the two OAuth2 forms.")
    fromEmail: str = Field(description="The From address, a bare address or `Name <address@domain>`.")
    replyTo: Opt[str] = Field(None, description="The Reply-To address for every message.")
    templates: list[Template] = Field(
        description="Message templates; Register, SignIn, ForgotPassword and Generic are required."
    )
    secure: Opt[bool] = Field(
        None,
        description="Implicit TLS from the first byte (port 465); default false, STARTTLS is then used if offered.",
    )
    requireTLS: Opt[bool] = Field(None, description="Fail unless the server offers STARTTLS (default false).")
    ignoreTLS: Opt[bool] = Field(None, description="Never use STARTTLS, even when offered (default false).")
    opportunisticTLS: Opt[bool] = Field(
        None, description="nodemailer: go on without TLS if STARTTLS fails (default false)."
    )
    tls: Opt[TlsOptions] = Field(
        None, description="TLS socket options (certificate checks, SNI, versions); default {}."
    )
    servername: Opt[str] = Field(None, description="The TLS server name (SNI) when host is an IP address.")
    name: Opt[str] = Field(
        None, description="The EHLO name; ASCII only (Gmail rejects others). Defaults to the machine's name."
    )
    localAddress: Opt[str] = Field(None, description="The local interface address to connect from.")
    connectionTimeout: Opt[NonNegativeInt] = Field(
        None, description="Milliseconds to wait for the connection to open; default 120000."
    )
    greetingTimeout: Opt[NonNegativeInt] = Field(
        None, description="Milliseconds to wait for the server's greeting after connecting; default 30000."
    )
    socketTimeout: Opt[NonNegativeInt] = Field(
        None, description="Milliseconds of inactivity before the connection is dropped; default 600000."
    )
    dnsTimeout: Opt[NonNegativeInt] = Field(
        None, description="Milliseconds to wait for DNS resolution; default 30000."
    )
    customHeaders: Opt[dict[str, str | list[str]]] = Field(
        None, description="Extra headers for every message; a list value gives the header once per item."
    )
    logger: Opt[bool] = Field(
        None, description="Log SMTP traffic summaries in Logto's output (default false)."
    )
    debug: Opt[bool] = Field(
        None, description="Log the full SMTP conversation, credentials aside (default false)."
    )
    disableFileAccess: Opt[bool] = Field(
        None, description="Forbid reading attachments from files (default false)."
    )
    disableUrlAccess: Opt[bool] = Field(
        None, description="Forbid fetching attachments from URLs (default false)."
    )
    # nodemailer options that Logto passes through without declaring them.
    pool: Opt[bool] = Field(
        None, description="nodemailer pooling; no effect in Logto, which opens a connection per message."
    )
    maxConnections: Opt[PositiveInt] = Field(
        None, description="nodemailer pool: most connections at once (default 5)."
    )
    maxMessages: Opt[PositiveInt] = Field(
        None, description="nodemailer pool: messages per connection (default 100)."
    )
    rateDelta: Opt[PositiveInt] = Field(
        None, description="nodemailer pool: the rate-limit window in milliseconds (default 1000)."
    )
    rateLimit: Opt[PositiveInt] = Field(
        None, description="nodemailer pool: most messages per rateDelta window."
    )
    dkim: Opt[DkimOptions] = Field(None, description="DKIM-sign every message with this key.")
    authMethod: Opt[str] = Field(
        None, description="Force one AUTH mechanism (PLAIN, LOGIN, XOAUTH2); default is the best offered."
    )
    forceAuth: Opt[bool] = Field(
        None, description="Authenticate even when the server does not advertise AUTH."
    )
    proxy: Opt[str] = Field(None, description="A proxy URL (http://, socks5://) to connect through.")
    transactionLog: Opt[bool] = Field(
        None, description="Log the SMTP transaction of each message (default false)."
    )
    service: Opt[str] = Field(
        None, description="A nodemailer well-known service name; it silently overrides host and port."
    )

    @field_validator("templates")
    @classmethod
    def _required_usage_types(cls, templates: list[Template]) -> list[Template]:
        missing = missing_usage_types(template.usageType for template in templates)
        if missing:
            raise ValueError(missing_usage_types_message(missing))
        return templates

    def template_for(self, usage_type: str) -> Template | None:
        """The template Logto would use for ``usage_type``: its own, else Generic, else none."""
        by_type = {t.usageType: t for t in reversed(self.templates)}
        return by_type.get(usage_type) or by_type.get("Generic")

    def to_logto(self) -> dict[str, Any]:
        """The JSON-ready dict Logto stores: declared key order, unset keys left out."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)
