"""Facts about Logto that several modules need, kept free of heavy imports (the lint hook reads them).

Sources: ``@logto/connector-smtp`` 1.5.4's guard and Logto's email-template docs (SPEC §3).
"""

from __future__ import annotations

# The SMTP connector's factory id (`connectorId` in Logto's Management API; metadata.id in the package).
SMTP_CONNECTOR_ID = "simple-mail-transfer-protocol"

REQUIRED_USAGE_TYPES = ("Register", "SignIn", "ForgotPassword", "Generic")
# The usage types Logto sends today; anything else silently falls back to Generic at send time.
USAGE_TYPES = (
    "SignIn",
    "Register",
    "ForgotPassword",
    "OrganizationInvitation",
    "Generic",
    "UserPermissionValidation",
    "BindNewIdentifier",
    "MfaVerification",
    "BindMfa",
)
# Every type but the invitation carries a one-time code.
VERIFICATION_TYPES = tuple(kind for kind in USAGE_TYPES if kind != "OrganizationInvitation")
LOGIN_TYPES = ("login", "Login", "LOGIN")
# Keys whose values are credentials wherever they appear (auth, dkim, tls): never printed, redacted.
SECRET_KEYS = frozenset(
    {"pass", "clientSecret", "refreshToken", "accessToken", "privateKey", "passphrase", "key", "pfx"}
)


def implicit_tls(secure: object, port: object) -> bool:
    """TLS from the first byte: ``secure``, or nodemailer's default of port 465 when secure is absent."""
    return secure is True or (secure is None and port == 465)


OAUTH2_TYPES = ("oauth2", "OAuth2", "OAUTH2")

# Sent with every usage type.
COMMON_ROOTS = frozenset({"locale", "uiLocales"})
# The payload roots Logto documents per usage type, optional ones included. MfaVerification and BindMfa
# are not in Logto's table: only `code` is certain for them.
PAYLOAD_ROOTS: dict[str, frozenset[str]] = {
    "SignIn": frozenset({"code", "application", "organization"}),
    "Register": frozenset({"code", "application", "organization"}),
    "ForgotPassword": frozenset({"code", "application", "organization"}),
    "Generic": frozenset({"code"}),
    "OrganizationInvitation": frozenset({"link", "organization", "inviter"}),
    "UserPermissionValidation": frozenset({"code", "user", "application"}),
    "BindNewIdentifier": frozenset({"code", "user", "application"}),
    "MfaVerification": frozenset({"code"}),
    "BindMfa": frozenset({"code"}),
}
# Every root Logto fills at send time: a build-time variable may not take one of these names.
RUNTIME_ROOTS = COMMON_ROOTS.union(*PAYLOAD_ROOTS.values())
