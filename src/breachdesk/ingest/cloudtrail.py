"""AWS CloudTrail: ``{"Records": [...]}`` documents (or one record per line), read with DuckDB.

A document is parsed whole (CloudTrail writes one small file every few minutes); its records
are then treated as the "lines" of the file, so ``raw_ref`` ends in the record's position in
``Records``. Every event is class ``api`` (console logins: ``auth``); the action comes from the
event name (``Get…`` read, ``List…`` list, ``Export…`` export…), the resource from the usual
request parameters (bucket, table, instance…), the object id from an S3 key.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from breachdesk.ingest.arrowtext import NULL_STRING, blank_to_null, matched, to_int
from breachdesk.ingest.blocks import Block, RecordStart
from breachdesk.ingest.duck import query, sql_string
from breachdesk.ingest.events import Parsed
from breachdesk.ingest.text import TextBlock
from breachdesk.ingest.timeparse import parse_times
from breachdesk.model import Action, EventClass

REASON_DOCUMENT = "not a CloudTrail document (JSON with a Records list)"
REASON_RECORD = "not a CloudTrail record"

_PATHS = {
    "time": "$.eventTime",
    "name": "$.eventName",
    "service": "$.eventSource",
    "arn": "$.userIdentity.arn",
    "user": "$.userIdentity.userName",
    "principal_id": "$.userIdentity.principalId",
    "invoked_by": "$.userIdentity.invokedBy",
    "ip": "$.sourceIPAddress",
    "agent": "$.userAgent",
    "error": "$.errorCode",
    "bucket": "$.requestParameters.bucketName",
    "table": "$.requestParameters.tableName",
    "db": "$.requestParameters.dBInstanceIdentifier",
    "secret": "$.requestParameters.secretId",
    "function": "$.requestParameters.functionName",
    "key": "$.requestParameters.key",
    "query_string": "$.requestParameters.queryString",
    "parameters": "$.requestParameters",
    "bytes_out": "$.additionalEventData.bytesTransferredOut",
    "console": "$.responseElements.ConsoleLogin",
}
_ACTIONS = [
    (
        r"^(Export|CreateSnapshot|CopySnapshot|CopyDBSnapshot|CreateDBSnapshot|StartExportTask"
        r"|CreateExportTask|ExportTableToPointInTime|GetSecretValue|GetParametersByPath)",
        Action.EXPORT.value,
    ),
    (r"^(Get|Describe|Head|Lookup|BatchGet|Decrypt|Download)", Action.READ.value),
    (r"^List", Action.LIST.value),
    (
        r"^(Search|Query|Scan|Select|StartQueryExecution|ExecuteStatement|BatchExecuteStatement)",
        Action.SEARCH.value,
    ),
    (
        r"^(Update|Modify|Set|Attach|Enable|Associate|Tag|Untag|Change|Reset|Rotate)",
        Action.UPDATE.value,
    ),
    (r"^(Delete|Remove|Terminate|Detach|Disable|Disassociate|Revoke|Stop)", Action.DELETE.value),
    (
        r"^(Create|Put|Run|Start|Upload|Import|Copy|Invoke|Publish|Send|Restore|Register|Add)",
        Action.CREATE.value,
    ),
]


class CloudTrailParser:
    record_start: RecordStart | None = None
    whole_file = True

    def __init__(self) -> None:
        names = list(_PATHS)
        paths = ", ".join(sql_string(_PATHS[n]) for n in names)
        self._names = names
        self._extract = f"SELECT json_extract_string(rec, [{paths}]) AS v FROM records ORDER BY n"

    def parse(self, block: TextBlock) -> Parsed:
        text = block.text.decode("utf-8").strip()
        document = text.startswith("{") and '"Records"' in text[:4096]
        if document:
            records = self._records(text)
            if records is None:
                return Parsed(
                    {},
                    np.zeros(0, dtype=np.int64),
                    "api",
                    rejects=[(np.array([0]), REASON_DOCUMENT)],
                )
            lines = TextBlock.from_block(
                Block(0, "\n".join(records).encode("utf-8"), block.first_line, len(records))
            )
        else:
            lines = block
        result = query(
            "SELECT n, CASE WHEN json_valid(line) THEN json_type(line) END AS kind FROM records",
            records=pa.table({"n": pa.array(np.arange(lines.n_lines)), "line": lines.lines}),
        )
        good = pc.fill_null(pc.equal(result.column("kind"), "OBJECT"), False).combine_chunks()
        good_np = good.to_numpy(zero_copy_only=False)
        rejects: list[tuple[np.ndarray, str]] = []
        if not good_np.all():
            rejects.append((np.flatnonzero(~good_np), REASON_RECORD))
        rows = np.flatnonzero(good_np)
        values = (
            query(
                self._extract.replace("AS v FROM records", "AS v, n FROM records"),
                records=pa.table({"n": pa.array(rows), "rec": lines.lines.filter(good)}),
            )
            .column("v")
            .combine_chunks()
        )
        raw = {
            name: blank_to_null(pc.list_element(values, i)) for i, name in enumerate(self._names)
        }
        return Parsed(_fields(raw), rows, "api", rejects=rejects, source_lines=lines)

    def _records(self, text: str) -> list[str] | None:
        table = pa.table({"doc": pa.array([text])})
        try:
            result = query(
                "SELECT CASE WHEN json_valid(doc) THEN json_extract(doc, '$.Records[*]') END AS r "
                "FROM doc",
                doc=table,
            )
        except Exception:  # DuckDB raises its own error types
            return None
        value = result.column("r")[0].as_py()
        if value is None:
            return None
        return [str(item) for item in value]


def _fields(raw: dict[str, pa.Array]) -> dict[str, pa.Array]:
    name = pc.fill_null(raw["name"], "")
    console = pc.equal(name, "ConsoleLogin")
    failed = pc.or_(
        pc.fill_null(pc.equal(raw["console"], "Failure"), False), pc.is_valid(raw["error"])
    )
    action = pa.nulls(len(name), pa.string())
    for pattern, value in reversed(_ACTIONS):
        action = pc.if_else(matched(name, pattern), value, action)
    action = pc.if_else(
        console, pc.if_else(failed, Action.LOGIN_FAILED.value, Action.LOGIN.value), action
    )
    error = raw["error"]
    denied = matched(error, r"(?i)(AccessDenied|Unauthorized|Forbidden)")
    status = pc.if_else(
        pc.is_null(error),
        pa.scalar(200, pa.int32()),
        pc.if_else(denied, pa.scalar(403, pa.int32()), pa.scalar(400, pa.int32())),
    )
    route = pc.binary_join_element_wise(raw["service"], name, "/")
    resource = pc.coalesce(raw["bucket"], raw["table"], raw["db"], raw["secret"], raw["function"])
    event_class = pc.if_else(console, EventClass.AUTH.value, EventClass.API.value)
    return {
        "time": parse_times(raw["time"], "iso8601", "UTC"),
        "principal": pc.coalesce(raw["arn"], raw["user"], raw["principal_id"], raw["invoked_by"]),
        "src_ip": raw["ip"],
        "user_agent": raw["agent"],
        "method": blank_to_null(name),
        "route": route,
        "resource": resource,
        "object_id": pc.if_else(pc.is_valid(raw["bucket"]), raw["key"], NULL_STRING),
        "action": action,
        "status": status,
        "bytes": to_int(pc.replace_substring_regex(raw["bytes_out"], r"\.0*$", ""), pa.int64()),
        "statement": pc.coalesce(raw["query_string"], raw["parameters"]),
        "class": event_class,
    }
