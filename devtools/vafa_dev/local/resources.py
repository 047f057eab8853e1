"""Creates the template's tables and queues in the AWS stand-in and resolves references to them."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import boto3

from vafa_dev.local.template import Template

if TYPE_CHECKING:
    from mypy_boto3_sqs.literals import QueueAttributeNameType

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
_NO_VALUE = object()


class Resolver:
    """Evaluates the intrinsic functions the template uses, against the local resources."""

    def __init__(self, template: Template, prefix: str) -> None:
        self.template = template
        self.prefix = prefix
        self.refs: dict[str, Any] = {
            **{k: v for k, v in template.parameter_defaults().items()},
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": prefix,
            "AWS::Partition": "aws",
        }
        self.attrs: dict[tuple[str, str], Any] = {}

    def condition(self, name: str) -> bool:
        spec = (self.template.raw.get("Conditions") or {}).get(name)
        return bool(self.resolve(spec)) if spec is not None else False

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [r for r in (self.resolve(v) for v in value) if r is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                if arg == "AWS::NoValue":
                    return _NO_VALUE
                return self.refs.get(arg, arg)
            if key == "Fn::GetAtt":
                logical, attr = arg if isinstance(arg, list) else str(arg).split(".", 1)
                return self.attrs.get((logical, attr), f"arn:aws:local:{REGION}:{ACCOUNT_ID}:{logical}")
            if key == "Fn::Sub":
                text, extra = (arg[0], self.resolve(arg[1])) if isinstance(arg, list) else (arg, {})

                def sub(match: re.Match[str]) -> str:
                    name = match.group(1)
                    if name in extra:
                        return str(extra[name])
                    if "." in name:
                        logical, attr = name.split(".", 1)
                        return str(self.attrs.get((logical, attr), name))
                    return str(self.refs.get(name, name))

                return re.sub(r"\$\{([^}!]+)\}", sub, text)
            if key == "Fn::Join":
                sep, items = arg
                return sep.join(str(i) for i in self.resolve(items))
            if key == "Fn::If":
                name, yes, no = arg
                return self.resolve(yes if self.condition(name) else no)
            if key == "Fn::Equals":
                left, right = self.resolve(arg)
                return left == right
            if key == "Fn::Not":
                return not self.resolve(arg[0])
            if key == "Fn::And":
                return all(self.resolve(a) for a in arg)
            if key == "Fn::Or":
                return any(self.resolve(a) for a in arg)
            if key == "Condition":
                return self.condition(arg)
        return {k: v for k, v in ((k, self.resolve(v)) for k, v in value.items()) if v is not _NO_VALUE}


def create_tables(template: Template, resolver: Resolver, endpoint: str) -> dict[str, str]:
    """Create each AWS::DynamoDB::Table from its own properties; returns logical id -> table name."""
    client = boto3.client("dynamodb", endpoint_url=endpoint, region_name=REGION)
    existing = set(client.list_tables().get("TableNames", []))
    names: dict[str, str] = {}
    for logical, props in template.resources("AWS::DynamoDB::Table").items():
        props = resolver.resolve(props)
        name = props.get("TableName") or f"{resolver.prefix}-{logical}"
        names[logical] = name
        resolver.refs[logical] = name
        resolver.attrs[(logical, "Arn")] = f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{name}"
        if name in existing:
            continue
        kwargs: dict[str, Any] = {
            "TableName": name,
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if props.get("GlobalSecondaryIndexes"):
            kwargs["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        client.create_table(**kwargs)
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            client.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
    return names


def create_queues(template: Template, resolver: Resolver, endpoint: str) -> dict[str, str]:
    """Create each AWS::SQS::Queue (dead-letter queues first); returns logical id -> queue URL."""
    client = boto3.client("sqs", endpoint_url=endpoint, region_name=REGION)
    queues = template.resources("AWS::SQS::Queue")
    ordered = sorted(queues, key=lambda logical: "RedrivePolicy" in (queues[logical] or {}))
    urls: dict[str, str] = {}
    for logical in ordered:
        props = resolver.resolve(queues[logical])
        fifo = bool(props.get("FifoQueue"))
        name = props.get("QueueName") or f"{resolver.prefix}-{logical}" + (".fifo" if fifo else "")
        attributes: dict[QueueAttributeNameType, str] = {}
        passed_through: tuple[QueueAttributeNameType, ...] = (
            "VisibilityTimeout",
            "MessageRetentionPeriod",
            "DelaySeconds",
            "ReceiveMessageWaitTimeSeconds",
        )
        for key in passed_through:
            if key in props:
                attributes[key] = str(props[key])
        if fifo:
            attributes["FifoQueue"] = "true"
        if props.get("RedrivePolicy"):
            attributes["RedrivePolicy"] = json.dumps(props["RedrivePolicy"])
        url = client.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        urls[logical] = url
        resolver.refs[logical] = url
        resolver.attrs[(logical, "Arn")] = arn
        resolver.attrs[(logical, "QueueName")] = name
        resolver.attrs[(logical, "QueueUrl")] = url
    return urls


def create_secrets(template: Template, resolver: Resolver, endpoint: str) -> dict[str, str]:
    """Create each AWS::SecretsManager::Secret; generated secrets get a random value, as AWS would."""
    import secrets as random

    client = boto3.client("secretsmanager", endpoint_url=endpoint, region_name=REGION)
    arns: dict[str, str] = {}
    for logical, props in template.resources("AWS::SecretsManager::Secret").items():
        name = f"{resolver.prefix}-{logical}"
        try:
            arn = client.describe_secret(SecretId=name)["ARN"]
        except client.exceptions.ResourceNotFoundException:
            value = props.get("SecretString") or random.token_urlsafe(36)
            arn = client.create_secret(Name=name, SecretString=value)["ARN"]
        arns[logical] = arn
        resolver.refs[logical] = arn
    return arns
