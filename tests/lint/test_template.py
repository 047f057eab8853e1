"""The template deploys: both CloudFormation linters pass, and every function has its own role."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from vafa_dev.local.template import load_template

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "SAM_CLI_TELEMETRY": "0"}
    env.pop("AWS_ENDPOINT_URL", None)
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_cfn_lint_is_clean() -> None:
    result = _run(str(BIN / "cfn-lint"), "template.yaml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_sam_validate_lint_is_clean() -> None:
    result = _run(str(BIN / "sam"), "validate", "--lint", "--template-file", "template.yaml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_function_has_its_own_policies_and_no_wildcard_table_access() -> None:
    template = load_template(ROOT / "template.yaml")
    for name, res in template.raw["Resources"].items():
        if res["Type"] != "AWS::Serverless::Function":
            continue
        policies = res["Properties"].get("Policies")
        assert policies, f"{name} has no least-privilege policy of its own"
        for policy in policies:
            for statement in policy.get("Statement", []) if isinstance(policy, dict) else []:
                actions = statement["Action"]
                assert "dynamodb:*" not in actions and "*" not in actions, name
                assert "dynamodb:Scan" not in actions, f"{name} may Scan: runtime paths never do"


def test_every_route_points_at_a_handler_that_exists() -> None:
    template = load_template(ROOT / "template.yaml")
    for fn in template.functions.values():
        module = fn.handler.rpartition(".")[0].replace(".", "/")
        assert (ROOT / fn.code_uri / f"{module}.py").is_file(), fn.logical_id
    assert {r.route_key for r in template.routes} >= {
        "POST /v1/purchases",
        "POST /v1/redemptions",
        "POST /v1/purchases/{order_id}/refunds",
        "GET /v1/customers/{customer_id}",
        "PUT /v1/customers/{customer_id}",
        "GET /openapi.json",
    }


def test_every_api_route_of_the_template_is_in_the_openapi_document() -> None:
    from vafa.api import app  # registers the routes
    from vafa.api.openapi import document

    del app
    documented = {(method.upper(), path) for path, ops in document()["paths"].items() for method in ops}
    routed = {
        (route.method, route.path)
        for route in load_template(ROOT / "template.yaml").routes
        if route.path.startswith("/v1/") and route.method != "OPTIONS"
    }
    assert routed == documented


def _resources() -> dict[str, Any]:
    resources: dict[str, Any] = load_template(ROOT / "template.yaml").raw["Resources"]
    return resources


def test_the_http_api_writes_access_logs_without_query_strings_or_headers() -> None:
    settings = _resources()["HttpApi"]["Properties"]["AccessLogSettings"]
    assert settings["DestinationArn"]
    assert "$context.requestId" in settings["Format"] and "$context.status" in settings["Format"]
    assert "querystring" not in settings["Format"].lower() and "header" not in settings["Format"].lower()


def test_every_scheduled_function_alarms_on_errors_and_skipped_merchants_and_keeps_failed_runs() -> None:
    resources = _resources()
    alarms = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    for name, fn in resources.items():
        events = (fn.get("Properties") or {}).get("Events") or {}
        if fn["Type"] != "AWS::Serverless::Function" or not any(
            e["Type"] == "Schedule" for e in events.values()
        ):
            continue
        props = fn["Properties"]
        assert props["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]["Type"] == "SQS", name
        assert props["ReservedConcurrentExecutions"] == 1, name  # runs never overlap
        errors = [
            a for a in alarms if a["MetricName"] == "Errors" and a["Dimensions"][0]["Value"] == {"Ref": name}
        ]
        assert errors, f"{name} fails silently"
        service = props["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"]
        skipped = [
            a
            for a in alarms
            if a["MetricName"] == "MerchantRunFailures" and a["Dimensions"][0]["Value"] == service
        ]
        assert skipped, f"{name} skips merchants silently"


def test_senders_read_only_their_own_secrets_and_every_queue_is_encrypted() -> None:
    resources = _resources()
    wanted = {
        "SmsSenderFunction": "/sms-api-key",
        "PushSenderFunction": "/vapid-private-key",
        "EmailSenderFunction": None,
    }
    for name, suffix in wanted.items():
        statements = [
            s
            for policy in resources[name]["Properties"]["Policies"]
            if isinstance(policy, dict)
            for s in policy.get("Statement", [])
        ]
        ssm = [s for s in statements if "ssm:GetParameter" in str(s["Action"])]
        if suffix is None:
            assert ssm == [], name
        else:
            assert [str(s["Resource"]) for s in ssm] and all(suffix in str(s["Resource"]) for s in ssm), name
    for name, res in resources.items():
        if res["Type"] == "AWS::SQS::Queue":
            assert res["Properties"].get("SqsManagedSseEnabled") is True, name


def test_every_function_touches_only_tenant_partitions_and_only_schedules_see_the_registry() -> None:
    from vafa.store import keys as k

    resources = _resources()
    for name, res in resources.items():
        if res["Type"] != "AWS::Serverless::Function":
            continue
        statements = [
            s
            for policy in res["Properties"]["Policies"]
            if isinstance(policy, dict)
            for s in policy.get("Statement", [])
            if any(str(a).startswith("dynamodb:") for a in s["Action"])
        ]
        events = res["Properties"].get("Events") or {}
        scheduled = any(e["Type"] == "Schedule" for e in events.values())
        # Short links (LINK#…) are written with decisions (reminders) and read by the API only.
        links = ["LINK#*"] if name in ("ApiFunction", "RemindersFunction") else []
        for statement in statements:
            leading = statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
            assert leading == (["M#*", k.MERCHANT_REGISTRY] if scheduled else ["M#*"]) + links, name
    # And every partition key the code builds is a merchant's.
    for builder in (k.merchant_pk, k.customer_pk, k.order_pk, k.redemption_pk, k.phone_key, k.feedback_pk):
        assert (
            builder("m1", "x").startswith("M#")
            if builder is not k.merchant_pk
            else builder("m1").startswith("M#")
        )
