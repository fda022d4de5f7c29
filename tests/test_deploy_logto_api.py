"""Logto's official Management API client (@logto/api 1.42.0) against the Logto stand-in: the stand-in speaks
Logto's protocol (token request, bearer, routes, JSON bodies and errors), so what deploy is tested against
is what a real Logto answers."""

from __future__ import annotations

import json

from tests import logto_peer

from .logto_server import SMTP_ID, FakeLogto

CONFIG = {
    "host": "127.0.0.1",
    "port": 2525,
    "auth": {"user": "mailer", "pass": "mailer-pass-1"},
    "fromEmail": "Acme <no-reply@acme.test>",
    "templates": [
        {"usageType": t, "contentType": "text/plain", "subject": "Code", "content": "{{code}}"}
        for t in ("SignIn", "Register", "ForgotPassword", "Generic")
    ],
}


def test_the_official_client_works_against_the_stand_in(logto: FakeLogto) -> None:
    logto_peer.require()
    entry = logto.add_connector(SMTP_ID, {**CONFIG, "port": 25})
    template = {
        "languageTag": "fr",
        "templateType": "SignIn",
        "details": {
            "subject": "Code",
            "content": "Votre code : {{code}}",
            "contentType": "text/plain",
            "replyTo": "",
        },
    }
    payload = {
        "baseUrl": logto.url,
        "clientId": logto.app_id,
        "clientSecret": logto.app_secret,
        "apiIndicator": logto.resource,
        "connectorId": entry,
        "config": {**CONFIG, "replyTo": ""},
        "template": template,
    }
    proc = logto_peer.run_script("management-api.mjs", payload)
    assert proc.returncode == 0, proc.stderr
    assert "not equal to the expected value" not in proc.stderr  # the token carries scope "all"
    out = json.loads(proc.stdout)
    assert out["list"]["status"] == 200
    assert [(c["id"], c["connectorId"]) for c in out["list"]["data"]] == [(entry, SMTP_ID)]
    refused = out["refused"]
    assert refused["status"] == 400 and refused["error"]["code"] == "connector.invalid_config"
    assert any(issue["path"] == ["port"] for issue in refused["error"]["data"]["issues"])
    assert out["patched"]["status"] == 200
    assert out["patched"]["data"]["config"] == CONFIG  # replyTo "" removed by Logto's clean step
    assert out["put"]["status"] == 200 and out["put"]["data"][0]["details"]["replyTo"] == ""  # kept
    assert [t["languageTag"] for t in out["templates"]["data"]] == ["fr"]
    assert out["deleted"]["status"] == 204
    assert logto.templates == []
    # One token for the whole session, sent as a bearer: the client-credentials form, then the calls.
    assert logto.requests[0] == ("POST", "/oidc/token")
    assert logto.requests.count(("POST", "/oidc/token")) == 1
    assert ("PATCH", f"/api/connectors/{entry}") in logto.requests
