"""What becomes of a value Logto or nodemailer handle otherwise, in this tool's words: the consequence a
finding (SC201, SC202) states. Which consequence a value has is a Logto fact
(:func:`connector.logto.wrong_value_consequence`, :func:`connector.logto.unknown_key_consequence`)."""

from __future__ import annotations

SAVE_REFUSED = "Logto refuses to save this config"
SEND_FAILS = "Logto saves it, and nodemailer fails or misbehaves when it sends"
IGNORED = "Logto saves it, and nodemailer ignores it: the setting does nothing"
# A key our schema refuses that nodemailer does read (auth.customParams, dkim.keys, url): not "ignored".
UNSUPPORTED = (
    "Logto saves it and nodemailer acts on it, but smtp-connector does not support it: the build refuses it, "
    "and send and doctor cannot do what Logto would"
)
BUILD_REFUSES = (
    "the build stops here"  # a project-only key (language, variables, locales): Logto never sees it
)
