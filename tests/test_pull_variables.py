"""pull names one variable per secret value (connector/deploy/pull.py), from data: no server."""

from __future__ import annotations

from typing import Any

from connector.deploy.plan import Live
from connector.deploy.pull import pull_project
from connector.deploy.target import Setting, Target
from connector.logto import SMTP_CONNECTOR_ID


def pulled_variables(config: dict[str, Any]) -> dict[str, str]:
    live = Live({"id": "c-7", "connectorId": SMTP_CONNECTOR_ID, "config": config}, (), ())
    target = Target(
        Setting("http://127.0.0.1:3001", "LOGTO_ENDPOINT"),
        Setting("https://default.logto.app/api", "default"),
        Setting("puller", "LOGTO_M2M_APP_ID"),
        Setting("pull-secret-5", "LOGTO_M2M_APP_SECRET"),
    )
    return pull_project(live, target, env="qa", language="en").values


def test_values_at_one_path_get_one_variable_each_and_repeats_share_it() -> None:
    keys = ["key-one-1", "key-two-2", "key-one-1", "key-three-3", "key-two-2"]
    config = {
        "host": "smtp.pullhost.example",
        "port": 2587,
        "auth": {"user": "relay", "pass": "key-one-1"},
        "fromEmail": "Pull <pull@pullhost.example>",
        "templates": [],
        "dkim": [
            {"domainName": "pullhost.example", "keySelector": f"s{i}", "privateKey": k}
            for i, k in enumerate(keys)
        ],
    }
    values = pulled_variables(config)
    dkim = {name: value for name, value in values.items() if name.startswith("DKIM_")}
    assert dkim == {
        "DKIM_PRIVATE_KEY": "key-one-1",
        "DKIM_PRIVATE_KEY_2": "key-two-2",
        "DKIM_PRIVATE_KEY_3": "key-three-3",
    }
    assert values["SMTP_PASS"] == "key-one-1"  # another path: its own variable, whatever the value


def test_a_name_another_path_took_is_not_reused() -> None:
    # `tls.key.a`'s second value becomes SMTP_TLS_KEY_A_2, the name `tls.key.a_2` would have had.
    config = {"host": "h.example", "tls": {"key": {"a": ["val-one-1", "val-three-3"], "a_2": "val-two-2"}}}
    values = pulled_variables(config)
    assert values == {
        "SMTP_TLS_KEY_A": "val-one-1",
        "SMTP_TLS_KEY_A_2": "val-three-3",
        "SMTP_TLS_KEY_A_2_2": "val-two-2",
    }
