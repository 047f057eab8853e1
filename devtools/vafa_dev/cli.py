"""`vafa`: the admin CLI. Creates merchants, rotates keys, shows and sets programs.

It talks to the table directly with the same code the functions use: on the local stack it asks
`/_local/env` where the stand-in is; on a deployed stack it reads the table name from the stack's
outputs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.request
from datetime import UTC, datetime
from typing import Any

from vafa.records import ValidationError


def _connect(args: argparse.Namespace) -> None:
    """Point the data layer at the chosen deployment before any command runs."""
    if args.endpoint:
        with urllib.request.urlopen(args.endpoint.rstrip("/") + "/_local/env", timeout=10) as answer:
            env = json.load(answer)
        os.environ["AWS_ENDPOINT_URL"] = env["aws_endpoint"]
        os.environ["VAFA_TABLE"] = env["table"]
        os.environ["VAFA_LINK_SECRET_ARN"] = env.get("link_secret_arn", "")
        for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
            os.environ.setdefault(name, value)
        os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    elif args.stack:
        import boto3

        stack = boto3.client("cloudformation", region_name=args.region).describe_stacks(StackName=args.stack)
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Stacks"][0].get("Outputs", [])}
        os.environ["VAFA_TABLE"] = outputs["TableName"]
        os.environ.setdefault("VAFA_PUBLIC_URL", outputs.get("ApiUrl", ""))
        if outputs.get("LinkSecretArn"):
            os.environ["VAFA_LINK_SECRET_ARN"] = outputs["LinkSecretArn"]
        if args.region:
            os.environ["AWS_REGION"] = args.region
    elif args.table:
        os.environ["VAFA_TABLE"] = args.table
    from vafa.store import table

    table.reset()


def _print(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


def cmd_merchant_create(args: argparse.Namespace) -> int:
    from vafa.merchants import create_merchant

    _print(create_merchant(args.name, datetime.now(UTC)).as_dict())
    print("Keep the api_key secret: it is shown only now and stored only as a hash.", file=sys.stderr)
    return 0


def cmd_merchant_list(args: argparse.Namespace) -> int:
    from vafa.merchants import list_merchants

    _print(list_merchants())
    return 0


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    from vafa.merchants import rotate_key

    fresh = rotate_key(args.merchant_id, args.kind, datetime.now(UTC))
    _print({"merchant_id": args.merchant_id, "kind": args.kind, "key": fresh})
    print(
        "The previous key is revoked; containers that cached it stop accepting it within a minute.",
        file=sys.stderr,
    )
    return 0


def cmd_program_show(args: argparse.Namespace) -> int:
    from vafa.merchants import ProgramStore, program_dict

    _print(program_dict(ProgramStore(0).get(args.merchant_id)))
    return 0


def cmd_program_set(args: argparse.Namespace) -> int:
    from vafa.merchants import ProgramStore, program_dict
    from vafa.program import Program, merge_update

    try:
        update = json.loads(args.settings)
    except ValueError:
        print("settings must be a JSON object, e.g. '{\"cashback_rate_bps\": 700}'", file=sys.stderr)
        return 2
    if not isinstance(update, dict):
        print("settings must be a JSON object", file=sys.stderr)
        return 2
    store = ProgramStore(0)
    try:
        program = Program.model_validate(merge_update(store.get(args.merchant_id), update))
    except ValidationError as exc:
        for error in exc.errors():
            print(f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}", file=sys.stderr)
        return 2
    _print(program_dict(store.put(args.merchant_id, program, datetime.now(UTC))))
    return 0


def cmd_sms_set(args: argparse.Namespace) -> int:
    """Choose the merchant's SMS gateway; the API key goes to SSM as a SecureString, never the program."""
    from vafa.merchants import ProgramStore, program_dict
    from vafa.program import Program, merge_update
    from vafa.secrets import merchant_secret_name, put_parameter

    store = ProgramStore(0)
    current = store.get(args.merchant_id)
    sms: dict[str, Any] = {"provider": args.provider, "sender": args.sender}
    if args.base_url or current.sms.provider != args.provider:
        sms["base_url"] = args.base_url  # an address override belongs to the gateway it was set for
    if args.international:
        sms["international"] = None if args.international == "off" else args.international
    if args.international_sender_id:
        sms["international_sender_id"] = args.international_sender_id
    try:
        program = Program.model_validate(merge_update(current, {"sms": sms}))
    except ValidationError as exc:
        for error in exc.errors():
            print(f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}", file=sys.stderr)
        return 2
    if args.api_key:
        put_parameter(merchant_secret_name(args.merchant_id, "sms-api-key"), args.api_key)
    _print(program_dict(store.put(args.merchant_id, program, datetime.now(UTC)))["sms"])
    return 0


def cmd_sms_inbound_url(args: argparse.Namespace) -> int:
    """The URL to paste into the gateway's panel as the receive (inbound SMS) callback."""
    from vafa.messaging.signals import inbound_token

    base = (args.api_url or os.environ.get("VAFA_PUBLIC_URL") or args.endpoint or "").rstrip("/")
    print(f"{base}/v1/sms/inbound/{inbound_token(args.merchant_id)}")
    return 0


def cmd_dashboard_link(args: argparse.Namespace) -> int:
    """A sign-in link for the dashboard, valid for a few minutes; the token rides in the URL fragment."""
    from vafa.auth.dashboard import login_token
    from vafa.store import keys
    from vafa.store.models import MerchantItem
    from vafa.store.table import ensure_configured

    base = (args.base_url or os.environ.get("VAFA_PUBLIC_URL") or args.endpoint or "").rstrip("/")
    if not base:
        print("Give the dashboard's address with --base-url (the stack output ApiUrl).", file=sys.stderr)
        return 2
    ensure_configured()
    try:
        MerchantItem.get(keys.merchant_pk(args.merchant_id), keys.MERCHANT)
    except MerchantItem.DoesNotExist:
        print(f"No merchant {args.merchant_id}.", file=sys.stderr)
        return 1
    token = login_token(args.merchant_id, datetime.now(UTC), args.minutes, args.role, args.user)
    print(f"{base}/dashboard#login={token}")
    can = "view and change settings, templates, campaigns and balances" if args.role == "manager" else "view"
    print(
        f"Valid for {args.minutes} minutes; it signs {args.user} in to this merchant's dashboard only, "
        f"to {can}.",
        file=sys.stderr,
    )
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Past orders from CSV or JSON lines; idempotent on order id; history only unless --earn-cashback."""
    from vafa_dev.history.command import run_import

    return run_import(
        args.merchant_id,
        args.file,
        args.format,
        earn_cashback=args.earn_cashback,
        workers=args.workers,
        quiet=args.quiet,
    )


def _user_label(value: str) -> str:
    if not value.strip() or len(value) > 64 or not value.isprintable():
        raise argparse.ArgumentTypeError("a user label is 1-64 printable characters")
    return value


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="vafa", description=__doc__.splitlines()[0] if __doc__ else None)
    where = root.add_mutually_exclusive_group()
    where.add_argument("--endpoint", help="the local stack's URL, e.g. http://127.0.0.1:3000")
    where.add_argument("--stack", help="a deployed CloudFormation stack name")
    where.add_argument("--table", help="a DynamoDB table name (credentials from the environment)")
    root.add_argument("--region", default=os.environ.get("AWS_REGION"), help="AWS region of the stack")
    commands = root.add_subparsers(dest="command", required=True)

    merchant = commands.add_parser("merchant", help="merchants").add_subparsers(dest="action", required=True)
    create = merchant.add_parser("create", help="create a merchant and print its keys")
    create.add_argument("name")
    create.set_defaults(run=cmd_merchant_create)
    merchant.add_parser("list", help="list merchant ids").set_defaults(run=cmd_merchant_list)

    keys = commands.add_parser("keys", help="API keys").add_subparsers(dest="action", required=True)
    rotate = keys.add_parser("rotate", help="issue a new key and revoke the old one")
    rotate.add_argument("merchant_id")
    rotate.add_argument("--kind", choices=["secret", "site"], default="secret")
    rotate.set_defaults(run=cmd_keys_rotate)

    program = commands.add_parser("program", help="program settings").add_subparsers(
        dest="action", required=True
    )
    show = program.add_parser("show", help="print the program")
    show.add_argument("merchant_id")
    show.set_defaults(run=cmd_program_show)
    put = program.add_parser("set", help="change some settings (JSON, merged like PUT /v1/program)")
    put.add_argument("merchant_id")
    put.add_argument("settings")
    put.set_defaults(run=cmd_program_set)
    sms = commands.add_parser("sms", help="SMS gateway").add_subparsers(dest="action", required=True)
    sms_set = sms.add_parser("set", help="choose the gateway and store its API key in SSM")
    sms_set.add_argument("merchant_id")
    sms_set.add_argument("--provider", choices=["kavenegar", "smsir", "sns", "local"], required=True)
    sms_set.add_argument("--sender", help="the sending line number")
    sms_set.add_argument("--api-key", help="the gateway's API key (stored as an SSM SecureString)")
    sms_set.add_argument("--base-url", help="override the gateway's API address")
    sms_set.add_argument(
        "--international",
        choices=["off", "sns", "gateway"],
        help="numbers outside Iran: off (next channel), sns (Amazon SNS) or gateway (Kavenegar only)",
    )
    sms_set.add_argument("--international-sender-id", help="SenderID for SNS sends abroad (1-11 letters)")
    sms_set.set_defaults(run=cmd_sms_set)
    inbound = sms.add_parser("inbound-url", help="print the callback URL for replies (11 / لغو)")
    inbound.add_argument("merchant_id")
    inbound.add_argument("--api-url", help="the deployed API's base URL (the stack output ApiUrl)")
    inbound.set_defaults(run=cmd_sms_inbound_url)

    history = commands.add_parser("import", help="import past orders (CSV or JSON lines)")
    history.add_argument("merchant_id")
    history.add_argument("file")
    history.add_argument("--format", choices=["csv", "jsonl"], help="default: from the file's extension")
    history.add_argument(
        "--earn-cashback",
        action="store_true",
        help="earn cashback on each order as a live purchase would (default: history only, no credit)",
    )
    history.add_argument("--workers", type=int, default=4, choices=range(1, 17), metavar="1-16")
    history.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
    history.set_defaults(run=cmd_import)

    link = commands.add_parser("dashboard-link", help="print a short-lived sign-in link to the dashboard")
    link.add_argument("merchant_id")
    link.add_argument("--minutes", type=int, default=15, choices=range(1, 61), metavar="1-60")
    link.add_argument(
        "--base-url", "--api-url", dest="base_url", help="the API's base URL (the stack output ApiUrl)"
    )
    link.add_argument(
        "--role",
        choices=["viewer", "manager"],
        default="viewer",
        help="viewer reads; manager also changes settings, templates, campaigns and balances",
    )
    link.add_argument(
        "--user",
        default=os.environ.get("USER") or "dashboard",
        type=_user_label,
        help="who holds the link, as the audit list names them (default: $USER)",
    )
    link.set_defaults(run=cmd_dashboard_link)

    upgrade = commands.add_parser(
        "migrate", help="bring a table written by an earlier version to the current data layout (repeatable)"
    )
    upgrade.add_argument("--merchant", action="append", help="only this merchant (repeat for more)")
    upgrade.set_defaults(run=cmd_migrate)
    return root


def cmd_migrate(args: argparse.Namespace) -> int:
    from vafa_dev.migrate import migrate

    report = migrate(datetime.now(UTC), args.merchant or None)
    _print(report.as_dict())
    if report.skipped:
        print("Some customers changed during the migration; run it again to finish them.", file=sys.stderr)
    return 1 if report.skipped else 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    _connect(args)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
