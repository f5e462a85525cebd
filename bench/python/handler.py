"""The bench's Python peer: a typical Python Lambda for a WhatsApp complaint,
doing less than the webhook's new complaint (verify the signature, one
DynamoDB transaction, one send), on the official runtime interface client
and boto3. It is measured by the same harness as the Rust functions, so its
own time and CPU are a yardstick for theirs, not a product."""

import base64
import hashlib
import hmac
import json
import os
import time
import urllib.request

import boto3

# Built once per cold start, as the Rust functions build theirs.
TABLE = os.environ["TABLE_NAME"]
SECRET = os.environ["WHATSAPP_APP_SECRET"].encode()
API_BASE = os.environ["WHATSAPP_API_BASE"].rstrip("/")
TOKEN = os.environ["WHATSAPP_ACCESS_TOKEN"]
DYNAMODB = boto3.client("dynamodb")


def handler(event, _context):
    body = event.get("body") or ""
    raw = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    expected = "sha256=" + hmac.new(SECRET, raw, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, headers.get("x-hub-signature-256", "")):
        return {"statusCode": 401, "body": "invalid signature"}
    value = json.loads(raw)["entry"][0]["changes"][0]["value"]
    message = value["messages"][0]
    number_id = value["metadata"]["phone_number_id"]
    case_id = f"PY#{message['id']}"
    DYNAMODB.transact_write_items(
        TransactItems=[
            {
                "Put": {
                    "TableName": TABLE,
                    "Item": {
                        "PK": {"S": f"INBOUND#py#{message['id']}"},
                        "SK": {"S": "INBOUND"},
                        "case_id": {"S": case_id},
                    },
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
            {
                "Put": {
                    "TableName": TABLE,
                    "Item": {
                        "PK": {"S": case_id},
                        "SK": {"S": "CASE"},
                        "description": {"S": message["text"]["body"]},
                        "status": {"S": "received"},
                        "created_at": {"N": str(int(time.time()))},
                    },
                }
            },
        ]
    )
    reply = json.dumps(
        {
            "messaging_product": "whatsapp",
            "to": message["from"],
            "type": "text",
            "text": {"body": "Terima kasih, laporan Anda kami terima."},
        }
    ).encode()
    request = urllib.request.Request(
        f"{API_BASE}/{number_id}/messages",
        data=reply,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=8) as response:
        response.read()
    return {"statusCode": 200, "body": "ok"}
