#!/usr/bin/env python3
"""Create the Aduan AWS resources in a local emulator (moto_server).

The resources are taken from the SAM template, so the local table always has
the keys and indexes the deployed one has:

* the AWS::DynamoDB::Table ``CasesTable`` -> table ``aduan-local`` (``--table``):
  KeySchema, AttributeDefinitions, GlobalSecondaryIndexes, LocalSecondaryIndexes,
  BillingMode/ProvisionedThroughput and StreamSpecification from its Properties,
  then its TimeToLiveSpecification through UpdateTimeToLive;
* every AWS::SNS::Topic ``<Name>Topic`` -> topic ``aduan-local-<name>s``
  (``EscalationTopic`` -> ``aduan-local-escalations``,
  ``OperationsTopic`` -> ``aduan-local-operations``);
* every AWS::S3::Bucket ``<Name>Bucket`` -> bucket ``aduan-local-<name>``
  (``MediaBucket`` -> ``aduan-local-media``), with its default encryption and
  public access block (its lifecycle rules take a parameter: not locally).

Idempotent: existing resources are reused. A table whose key schema or index
set differs from the template is an error unless ``--recreate`` is given.

Prints the resulting names as JSON (default) or as ``export`` lines
(``--format env``). The variable names are the ones the template's
``Globals.Function.Environment.Variables`` bind to ``!Ref <resource>``
(TABLE_NAME, ESCALATION_TOPIC_ARN, DIGEST_TOPIC_ARN, ...).

Needs boto3 and PyYAML (both come with moto[server]; run it with .venv/bin/python).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import sys
from pathlib import Path
from typing import Any

import boto3
import yaml
from botocore.config import Config
from botocore.exceptions import ClientError

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TEMPLATE = REPO_ROOT / "template.yaml"
DEFAULT_REGION = "ap-southeast-3"
TABLE_LOGICAL_ID = "CasesTable"


# --------------------------------------------------------------------------
# Template loading (CloudFormation short-form tags -> long-form dicts)
# --------------------------------------------------------------------------
class CfnLoader(yaml.SafeLoader):
    """SafeLoader that understands !Ref, !Sub, !GetAtt, !If, ... ."""


def _cfn_tag(loader: CfnLoader, tag_suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)

    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "Condition":
        return {"Condition": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        resource, _, attribute = value.partition(".")
        return {"Fn::GetAtt": [resource, attribute]}
    return {f"Fn::{tag_suffix}": value}


CfnLoader.add_multi_constructor("!", _cfn_tag)


def load_template(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        doc = yaml.load(fh, Loader=CfnLoader)  # noqa: S506 - SafeLoader subclass
    if not isinstance(doc, dict) or not isinstance(doc.get("Resources"), dict):
        raise SystemExit(f"bootstrap: {path} has no Resources section")
    return doc


def env_names_by_ref(template: dict[str, Any]) -> dict[str, str]:
    """Map logical id -> env var name, from Globals.Function.Environment.Variables."""
    variables = (
        template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    ) or {}
    out: dict[str, str] = {}
    for name, value in variables.items():
        if isinstance(value, dict) and isinstance(value.get("Ref"), str):
            out.setdefault(value["Ref"], name)
    return out


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def _snake_upper(name: str) -> str:
    return _kebab(name).replace("-", "_").upper()


def topic_name_for(logical_id: str, prefix: str) -> str:
    base = logical_id[: -len("Topic")] if logical_id.endswith("Topic") and logical_id != "Topic" else logical_id
    name = _kebab(base)
    # Plural names read naturally (escalations, digests); "operations" already is one.
    return f"{prefix}-{name}" if name.endswith("s") else f"{prefix}-{name}s"


# --------------------------------------------------------------------------
# DynamoDB
# --------------------------------------------------------------------------
def _require_literal(value: Any, what: str) -> Any:
    """The emulator needs literal values; intrinsics (e.g. !If) are not resolved."""
    if isinstance(value, dict) and any(k == "Ref" or k.startswith("Fn::") for k in value):
        raise SystemExit(f"bootstrap: {what} uses an intrinsic function ({value}); not supported locally")
    return value


def create_table_request(props: dict[str, Any], table_name: str) -> dict[str, Any]:
    req: dict[str, Any] = {
        "TableName": table_name,
        "KeySchema": _require_literal(props["KeySchema"], "KeySchema"),
        "AttributeDefinitions": _require_literal(props["AttributeDefinitions"], "AttributeDefinitions"),
    }
    billing = props.get("BillingMode", "PROVISIONED")
    req["BillingMode"] = billing

    def index_req(index: dict[str, Any]) -> dict[str, Any]:
        out = {k: index[k] for k in ("IndexName", "KeySchema", "Projection") if k in index}
        if billing == "PROVISIONED" and "ProvisionedThroughput" in index:
            out["ProvisionedThroughput"] = index["ProvisionedThroughput"]
        return out

    if props.get("GlobalSecondaryIndexes"):
        req["GlobalSecondaryIndexes"] = [
            index_req(i) for i in _require_literal(props["GlobalSecondaryIndexes"], "GlobalSecondaryIndexes")
        ]
    if props.get("LocalSecondaryIndexes"):
        req["LocalSecondaryIndexes"] = [
            {k: i[k] for k in ("IndexName", "KeySchema", "Projection") if k in i}
            for i in _require_literal(props["LocalSecondaryIndexes"], "LocalSecondaryIndexes")
        ]
    if billing == "PROVISIONED":
        req["ProvisionedThroughput"] = props.get(
            "ProvisionedThroughput", {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
        )
    stream = props.get("StreamSpecification")
    if stream and stream.get("StreamViewType"):
        req["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
    return req


def _shape(key_schema: list[dict[str, Any]]) -> tuple[tuple[str, str], ...]:
    return tuple((k["AttributeName"], k["KeyType"]) for k in key_schema)


def schema_differences(wanted: dict[str, Any], existing: dict[str, Any]) -> list[str]:
    diffs: list[str] = []
    if _shape(wanted["KeySchema"]) != _shape(existing.get("KeySchema", [])):
        diffs.append("primary key")
    for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        want = {i["IndexName"]: _shape(i["KeySchema"]) for i in wanted.get(kind, [])}
        have = {i["IndexName"]: _shape(i["KeySchema"]) for i in existing.get(kind, [])}
        for name in sorted(set(want) | set(have)):
            if name not in have:
                diffs.append(f"missing index {name}")
            elif name not in want:
                diffs.append(f"extra index {name}")
            elif want[name] != have[name]:
                diffs.append(f"index {name} keys differ")
    return diffs


def ensure_table(ddb: Any, props: dict[str, Any], table_name: str, recreate: bool) -> str:
    wanted = create_table_request(props, table_name)
    try:
        existing = ddb.describe_table(TableName=table_name)["Table"]
    except ClientError as err:
        if err.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        existing = None

    if existing is not None:
        diffs = schema_differences(wanted, existing)
        if diffs and not recreate:
            raise SystemExit(
                f"bootstrap: local table {table_name} does not match template.yaml "
                f"({', '.join(diffs)}); rerun with --recreate (drops its data)"
            )
        if diffs:
            ddb.delete_table(TableName=table_name)
            ddb.get_waiter("table_not_exists").wait(TableName=table_name, WaiterConfig={"Delay": 1})
            existing = None

    if existing is None:
        try:
            ddb.create_table(**wanted)
        except ClientError as err:  # created concurrently by another bootstrap
            if err.response["Error"]["Code"] != "ResourceInUseException":
                raise
        ddb.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 1})

    ttl = props.get("TimeToLiveSpecification") or {}
    if ttl.get("Enabled") and ttl.get("AttributeName"):
        current = ddb.describe_time_to_live(TableName=table_name)["TimeToLiveDescription"]
        if not (
            current.get("TimeToLiveStatus") in ("ENABLED", "ENABLING")
            and current.get("AttributeName") == ttl["AttributeName"]
        ):
            ddb.update_time_to_live(
                TableName=table_name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]},
            )
    return table_name


# --------------------------------------------------------------------------
# S3
# --------------------------------------------------------------------------
def bucket_name_for(logical_id: str, prefix: str) -> str:
    base = logical_id[: -len("Bucket")] if logical_id.endswith("Bucket") and logical_id != "Bucket" else logical_id
    return f"{prefix}-{_kebab(base)}"


def ensure_bucket(s3: Any, props: dict[str, Any], name: str, region: str) -> str:
    try:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    except ClientError as err:
        if err.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise
    encryption = props.get("BucketEncryption", {}).get("ServerSideEncryptionConfiguration")
    if encryption:
        # CloudFormation's ServerSideEncryptionByDefault is the API's ApplyServerSideEncryptionByDefault.
        rules = [
            {("ApplyServerSideEncryptionByDefault" if k == "ServerSideEncryptionByDefault" else k): v
             for k, v in rule.items()}
            for rule in _require_literal(encryption, "BucketEncryption")
        ]
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})
    block = props.get("PublicAccessBlockConfiguration")
    if block:
        s3.put_public_access_block(
            Bucket=name, PublicAccessBlockConfiguration=_require_literal(block, "PublicAccessBlockConfiguration")
        )
    return name


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------
def parse_args(argv: list[str]) -> argparse.Namespace:
    port = os.environ.get("ADUAN_MOTO_PORT", "4566")
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--template", type=Path, default=DEFAULT_TEMPLATE, help="SAM template (default: repo template.yaml)")
    p.add_argument("--endpoint", default=os.environ.get("AWS_ENDPOINT_URL") or f"http://127.0.0.1:{port}",
                   help="emulator endpoint (default: $AWS_ENDPOINT_URL or http://127.0.0.1:$ADUAN_MOTO_PORT)")
    p.add_argument("--region", default=DEFAULT_REGION, help=f"region (default: {DEFAULT_REGION})")
    p.add_argument("--table", default="aduan-local", help="local table name (default: aduan-local)")
    p.add_argument("--prefix", default="aduan-local", help="topic name prefix (default: aduan-local)")
    p.add_argument("--recreate", action="store_true", help="drop and recreate a table whose schema drifted")
    p.add_argument("--format", choices=("json", "env"), default="json", help="output format (default: json)")
    return p.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    template = load_template(args.template)
    resources: dict[str, Any] = template["Resources"]
    env_names = env_names_by_ref(template)

    table = resources.get(TABLE_LOGICAL_ID)
    if not table or table.get("Type") != "AWS::DynamoDB::Table":
        raise SystemExit(f"bootstrap: {args.template} has no AWS::DynamoDB::Table named {TABLE_LOGICAL_ID}")

    # Emulator-only: fixed dummy credentials, never the caller's real ones.
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=args.region
    )
    cfg = Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5, read_timeout=30)
    ddb = session.client("dynamodb", endpoint_url=args.endpoint, config=cfg)
    sns = session.client("sns", endpoint_url=args.endpoint, config=cfg)
    s3 = session.client("s3", endpoint_url=args.endpoint, config=cfg)

    outputs: dict[str, str] = {}
    table_name = ensure_table(ddb, table.get("Properties", {}), args.table, args.recreate)
    outputs[env_names.get(TABLE_LOGICAL_ID, "TABLE_NAME")] = table_name

    for logical_id, resource in resources.items():
        if resource.get("Type") != "AWS::SNS::Topic":
            continue
        arn = sns.create_topic(Name=topic_name_for(logical_id, args.prefix))["TopicArn"]
        outputs[env_names.get(logical_id, f"{_snake_upper(logical_id)}_ARN")] = arn

    for logical_id, resource in resources.items():
        if resource.get("Type") != "AWS::S3::Bucket":
            continue
        name = ensure_bucket(
            s3, resource.get("Properties", {}), bucket_name_for(logical_id, args.prefix), args.region
        )
        outputs[env_names.get(logical_id, _snake_upper(logical_id))] = name

    if args.format == "env":
        for key, value in outputs.items():
            print(f"export {key}={shlex.quote(value)}")
    else:
        print(json.dumps(outputs, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except ClientError as err:
        print(f"bootstrap: AWS call failed: {err}", file=sys.stderr)
        sys.exit(1)
    except Exception as err:  # connection refused etc.: keep it to one line
        if type(err).__module__.startswith(("botocore", "urllib3")):
            print(f"bootstrap: cannot reach the emulator: {err}", file=sys.stderr)
            sys.exit(1)
        raise
