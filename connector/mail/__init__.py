"""The runtime: placeholders filled as Logto does, messages, SMTP transport, TLS, OAuth2, send."""
