"""AWS CloudTrail documents: principals, actions, resources, status, bad records."""

from __future__ import annotations

import json

from breachdesk.ingest.cloudtrail import CloudTrailParser

from .samples import parse_block

RECORDS = [
    {
        "userIdentity": {
            "type": "IAMUser",
            "arn": "arn:aws:iam::1:user/jmartin",
            "userName": "jmartin",
        },
        "eventTime": "2026-11-03T02:14:07Z",
        "eventSource": "s3.amazonaws.com",
        "eventName": "GetObject",
        "sourceIPAddress": "203.0.113.7",
        "userAgent": "aws-cli/2.13",
        "requestParameters": {"bucketName": "exports", "key": "customers.csv"},
        "additionalEventData": {"bytesTransferredOut": 12345.0},
    },
    {
        "userIdentity": {"arn": "arn:aws:iam::1:user/eve"},
        "eventTime": "2026-11-03T02:15:00Z",
        "eventSource": "signin.amazonaws.com",
        "eventName": "ConsoleLogin",
        "sourceIPAddress": "203.0.113.9",
        "responseElements": {"ConsoleLogin": "Failure"},
    },
    {
        "userIdentity": {"arn": "arn:aws:sts::1:assumed-role/x/y"},
        "eventTime": "2026-11-03T02:16:00Z",
        "eventSource": "dynamodb.amazonaws.com",
        "eventName": "ExportTableToPointInTime",
        "requestParameters": {"tableName": "customers"},
        "errorCode": "AccessDenied",
    },
    {"eventTime": "bogus", "eventName": "ListBuckets"},
]


def test_cloudtrail_records_become_events() -> None:
    data = json.dumps({"Records": RECORDS}, indent=1).encode()
    result = parse_block(CloudTrailParser(), data)
    got = [
        (
            r["raw_ref"],
            r["class"],
            r["principal"],
            r["action"],
            r["resource"],
            r["object_id"],
            r["status"],
        )
        for r in result.rows()
    ]
    assert got == [
        (
            "test.log:1",
            "api",
            "arn:aws:iam::1:user/jmartin",
            "read",
            "exports",
            "customers.csv",
            200,
        ),
        ("test.log:2", "auth", "arn:aws:iam::1:user/eve", "login_failed", None, None, 200),
        ("test.log:3", "api", "arn:aws:sts::1:assumed-role/x/y", "export", "customers", None, 403),
    ]
    assert result.rows()[0]["bytes"] == 12345
    assert result.rows()[0]["route"] == "s3.amazonaws.com/GetObject"
    assert [(r.line, r.reason) for r in result.rejects] == [(4, "bad timestamp")]


def test_cloudtrail_one_record_per_line() -> None:
    data = b"".join(json.dumps(r).encode() + b"\n" for r in RECORDS[:2]) + b"{oops\n"
    result = parse_block(CloudTrailParser(), data)
    assert result.events.num_rows == 2
    assert [(r.line, r.reason) for r in result.rejects] == [(3, "not a CloudTrail record")]


def test_cloudtrail_truncated_document_is_one_reject() -> None:
    data = json.dumps({"Records": RECORDS}).encode()[:300]
    result = parse_block(CloudTrailParser(), data)
    assert result.events.num_rows == 0
    assert [(r.line, r.reason) for r in result.rejects] == [
        (1, "not a CloudTrail document (JSON with a Records list)")
    ]
