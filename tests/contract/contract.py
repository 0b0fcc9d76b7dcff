#!/usr/bin/python3
"""Contract test of fivetrex-sandbox against Fivetran's OpenAPI definition.

Starts a fresh sandbox (127.0.0.1, port 0, demo seed), sends every operation of the
definition -- a valid request, and the usual errors: an unknown id (404) for operations
with path ids, a body without its required fields (400) for operations that have some --
and validates each response body against the definition's schema for that operation and
status (with tests/contract/overlay.json applied, which corrects the definition's own
defects). Error bodies, for which the definition gives no schema (only {code, message}
examples), are validated against that error envelope.

An operation is "not served" when its valid request gets the sandbox's answer for an
unknown route (404 NotFound_Route, or 404 NotFound "HTTP 404 Not Found" / 405 "HTTP 405
Method Not Allowed" from the older router). The run fails on any schema violation, on a
2xx status the definition does not declare, on an unexpected status for a served
operation, on a create whose answer carries no id, on a downloaded file that is not the
one uploaded, and when the sandbox does not exit 0 on SIGTERM; with --require-all, also
when an operation is not served. It ends with the figures: operations served and not
served, responses checked, violations, unexpected statuses. Members of an answer that the
definition does not declare are listed with -v (informational, not a failure).

Without the definition (it is not part of the repository) the test says so and passes.
Standard library + python3-jsonschema (Debian's 4.10: RefResolver) only.
"""

import argparse
import base64
import copy
import http.client
import json
import os
import re
import select
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# The error envelope. The definition declares no schema for error bodies; its examples
# are all {"code": ..., "message": ...}.
ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
}

UNKNOWN_ID = "contract_no_such_id"
FILE_SENT = [None]  # the file part of the last multipart request

# Deliberate sandbox choices (sandbox/README.md, "Behaviour and deliberate choices") that
# make a body without the definition's required fields acceptable: no 400 probe there.
NO_400_PROBE = {
    # "Schema PATCHes do not require enabled (the spec marks it required)".
    "modify_connection_database_schema_config": "schema PATCHes do not require enabled",
    "modify_connection_table_config": "schema PATCHes do not require enabled",
    "modify_connection_column_config": "schema PATCHes do not require enabled",
    # "Destination PATCH is a partial update: time_zone_offset is optional".
    "modify_destination": "destination PATCH is partial (time_zone_offset optional)",
}

CERT = "MIIBszCCAVmgAwIBAgIUY29udHJhY3QtdGVzdC1jZXJ0MAoGCCqGSM49BAMC"
CERT_HASH = "Y29udHJhY3QtY2VydC1oYXNo"
FP_HASH = "Y29udHJhY3QtZnAtaGFzaA"
PUBLIC_KEY = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC6Y29udHJhY3Q= contract"

# Seeded objects (sandbox/demo-seed.json) used where a fresh object cannot serve:
# a connection with a source catalog (schema config operations), a function connection
# with state, and a connection whose setup tests fail (details on the failing step).
SEED_SCHEMA_CONN = "speak_inexpensive"
SEED_SCHEMA = ("public", "users", "email")  # a schema, a table, a non-key column
SEED_STATE_CONN = "cedar_harbor"
SEED_FAILING_CONN = "upriver_avoid"
# The group of /v1/users/{id}/groups: not the created group, which add_user_to_group
# (POST /v1/groups/{id}/users) already makes the user a member of.
SEED_USER_GROUP = "amber_lagoon"

# Creates (and other object-making POSTs) run first, in this order (dependencies first).
CREATE_ORDER = [
    "create_group", "create_destination", "create_connection",
    "pre_create_connection_schema_config",
    "create_user", "create_team", "create_account_webhook", "create_group_webhook",
    "create_esm", "create_hybrid_deployment_agent", "create_proxy_agent",
    "create_private_link", "create_system_key", "create_transformation_project",
    "create_transformation", "create_connector_sdk_package", "add_log_service",
    "add_account_log_service", "approve_certificate", "approve_connection_certificate",
    "approve_connection_fingerprint", "approve_destination_certificate",
    "approve_destination_fingerprint", "add_user_to_group", "add_user_to_team",
    "add_team_membership_in_connection", "add_team_membership_in_group",
    "add_user_membership_in_connection", "add_user_membership_in_group",
]
# Deletes run last; these, in this order, at the very end (a group delete cascades).
DELETE_LAST = ["delete_connection", "delete_destination", "delete_group"]

# Requests sent (unchecked) before an operation, to put the sandbox in the state it needs:
# (method, path, body).
SETUP = {
    # drop-columns drops blocked columns only; the column delete uses users.email.
    "delete_multiple_columns_connection_config": [
        ("PATCH", "/v1/connections/%s/schemas/public/tables/orders/columns/currency"
         % SEED_SCHEMA_CONN, {"enabled": False})],
}
# Operations moved just before another one of the same phase (a run can be cancelled).
BEFORE = {"run_transformation": "cancel_transformation"}
# Ids read from the first item of a list when the create did not give one.
FROM_LIST = {"get_proxy_agent": "proxy", "transformation_package_metadata_list":
             "package_definition", "get_hybrid_deployment_agent_list": "hda"}

# Where a create's id goes in the context (data.id of the response).
CREATED = {
    "create_group": "group", "create_destination": "destination",
    "create_connection": "connection", "create_user": "user", "create_team": "team",
    "create_account_webhook": "webhook", "create_group_webhook": "group_webhook",
    "create_esm": "esm", "create_hybrid_deployment_agent": "hda",
    "create_proxy_agent": "proxy", "create_private_link": "private_link",
    "create_system_key": "system_key", "create_transformation_project": "project",
    "create_transformation": "transformation", "create_connector_sdk_package": "sdk_package",
    "add_log_service": "log",
}


def context_key(op, param):
    """The context key that fills path parameter `param` of operation `op`."""
    path = op["path"]
    if param == "connectionId":
        if path.startswith("/v1/teams/") or path.startswith("/v1/users/"):
            return "connection"
        if "/state" in path:
            return "state_connection"
        if "/schemas" in path and op["id"] != "pre_create_connection_schema_config":
            return "schema_connection"
        return "connection"
    if param in ("schemaName", "schema"):
        return "schema_name"
    if param in ("tableName", "table"):
        return "table_name"
    if param == "columnName":
        return "column_name"
    if param == "hash":
        return "cert_hash" if "/certificates/" in path else "fp_hash"
    if param == "agentId":
        return "proxy" if path.startswith("/v1/proxy") else "hda"
    if param == "id" and path.startswith("/v1/users"):
        return "user"
    if param == "groupId" and path.startswith("/v1/users/"):
        return "user_group"
    return {
        "groupId": "group", "destinationId": "destination", "userId": "user",
        "teamId": "team", "webhookId": "webhook", "logId": "log", "esmId": "esm",
        "privateLinkId": "private_link", "keyId": "system_key", "projectId": "project",
        "transformationId": "transformation", "package_id": "sdk_package",
        "package_definition_id": "package_definition", "service": "service",
    }.get(param, param)


def hand_body(op_id, ctx):
    """Valid request bodies for the operations whose definition alone does not give one."""
    g = ctx.get("group", "")
    hook_url = "http://127.0.0.1:9/contract"  # nothing listens: a test event fails fast
    bodies = {
        "create_group": {"name": "contract_group"},
        "modify_group": {"name": "contract_group_renamed"},
        "create_destination": {
            "group_id": g, "service": "snowflake", "region": "GCP_US_EAST4",
            "time_zone_offset": "+3", "run_setup_tests": False,
            "config": {"host": "contract.snowflakecomputing.com", "port": 443,
                       "database": "CONTRACT", "auth": "PASSWORD", "user": "CONTRACT",
                       "password": "contract-password"}},
        "modify_destination": {"time_zone_offset": "+2", "region": "GCP_US_EAST4"},
        "run_destination_setup_tests": {"trust_certificates": True, "trust_fingerprints": True},
        "create_connection": {
            "group_id": g, "service": "postgres", "paused": False, "sync_frequency": 360,
            "run_setup_tests": False,
            "config": {"schema_prefix": "contract_pg", "host": "db.contract.example",
                       "port": 5432, "database": "contract", "user": "contract",
                       "password": "contract-password", "update_method": "QUERY_BASED"}},
        "modify_connection": {"sync_frequency": 1440, "daily_sync_time": "03:00"},
        "run_setup_tests": {"trust_certificates": True, "trust_fingerprints": True},
        "connect_card": {"connect_card_config": {"redirect_uri": "https://contract.example/back",
                                                 "hide_setup_guide": True}},
        "sync_connection": {"force": False},
        "resync_connection": {},
        "pre_create_connection_schema_config": {
            "schema_change_handling": "ALLOW_ALL",
            "schemas": {"public": {"enabled": True}}},
        "modify_connection_schema_config": {"schema_change_handling": "ALLOW_ALL"},
        "reload_connection_schema_config": {"exclude_mode": "PRESERVE"},
        "modify_connection_database_schema_config": {"enabled": True},
        "modify_connection_table_config": {"enabled": True},
        # Blocks the column, which also lets the column delete (run later) succeed.
        "modify_connection_column_config": {"enabled": False},
        "modify_connection_state": {"state": {"cursor": "2026-01-01T00:00:00Z", "page": 1}},
        "resync_tables": {"public": ["users"]},
        "delete_multiple_columns_connection_config": {
            "schemas": {"public": {"tables": {"orders": {"columns": ["currency"]}}}}},
        "create_account_webhook": {"url": hook_url, "events": ["sync_start", "sync_end"],
                                   "active": False, "secret": "contract-secret"},
        "create_group_webhook": {"url": hook_url, "events": ["sync_end"], "active": False},
        "modify_webhook": {"events": ["sync_start"], "active": False},
        "test_webhook": {"event": "sync_end"},
        "approve_certificate": {"hash": CERT_HASH + "_account", "encoded_cert": CERT,
                                "connection_id": ctx.get("connection", "")},
        "approve_connection_certificate": {"hash": CERT_HASH, "encoded_cert": CERT},
        "approve_destination_certificate": {"hash": CERT_HASH, "encoded_cert": CERT},
        "approve_connection_fingerprint": {"hash": FP_HASH, "public_key": PUBLIC_KEY},
        "approve_destination_fingerprint": {"hash": FP_HASH, "public_key": PUBLIC_KEY},
        "create_user": {"email": "contract@contract.example", "given_name": "Con",
                        "family_name": "Tract", "role": "Account Reviewer"},
        "modify_user": {"given_name": "Conrad"},
        "create_team": {"name": "contract_team", "description": "contract",
                        "role": "Account Reviewer"},
        "modify_team": {"description": "contract, renamed"},
        "add_user_to_group": {"email": "contract@contract.example", "role": "Destination Reviewer"},
        "add_user_to_team": {"user_id": ctx.get("user", ""), "role": "Team Member"},
        "update_user_membership": {"role": "Team Manager"},
        "add_team_membership_in_connection": {"id": ctx.get("connection", ""),
                                              "role": "Connector Reviewer"},
        "update_team_membership_in_connection": {"role": "Connector Administrator"},
        "add_team_membership_in_group": {"id": g, "role": "Destination Reviewer"},
        "update_team_membership_in_group": {"role": "Destination Administrator"},
        "add_user_membership_in_connection": {"id": ctx.get("connection", ""),
                                              "role": "Connector Reviewer"},
        "update_user_membership_in_connection": {"role": "Connector Administrator"},
        "add_user_membership_in_group": {"id": ctx["user_group"], "role": "Destination Reviewer"},
        "update_user_membership_in_group": {"role": "Destination Administrator"},
        "add_log_service": {"group_id": g, "service": "datadog_log", "enabled": True,
                            "config": {"region": "US", "api_key": "contract-key"}},
        "add_account_log_service": {"service": "datadog_log", "enabled": True,
                                    "config": {"region": "US", "api_key": "contract-key"}},
        "update_log_service": {"enabled": False},
        "update_account_log_service": {"enabled": False},
        "create_esm": {"name": "contract_esm", "type": "AWS_SECRET_MANAGER",
                       "config": {"region": "us-east-1",
                                  "role_arn": "arn:aws:iam::123456789012:role/contract"}},
        "modify_esm": {"config": {"region": "us-west-2",
                                  "role_arn": "arn:aws:iam::123456789012:role/contract"}},
        "create_private_link": {
            "name": "contract_link", "region": "AWS_US_EAST_1", "service": "SOURCE_AWS",
            "config": {"connection_service_name":
                       "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"}},
        "modify_private_link": {
            "config": {"connection_service_name":
                       "com.amazonaws.vpce.us-east-1.vpce-svc-0fedcba9876543210"}},
        "create_proxy_agent": {"display_name": "contract_proxy", "group_region": "GCP_US_EAST4"},
        "create_hybrid_deployment_agent": {"display_name": "contract_agent", "env_type": "DOCKER",
                                           "accept_terms": True, "group_id": g},
        "re_auth_hybrid_deployment_agent": {"auth_type": "AUTO"},
        "hvr_register_hub": {"fingerprint": "contract_fingerprint", "port": 4343,
                             "hub_server_url": "hub.contract.example"},
        "rotate_system_key": {"expiration_period": "SIX_MONTHS"},
        "create_transformation_project": {
            "group_id": g, "type": "DBT_CORE", "run_tests": False,
            "project_config": {"git_remote_url": "git@github.com:contract/dbt.git",
                               "git_branch": "main", "folder_path": "", "dbt_version": "1.7.0",
                               "default_schema": "contract", "target_name": "prod",
                               "threads": 1}},
        "modify_transformation_project": {"run_tests": False},
        "create_transformation": {
            "type": "QUICKSTART", "paused": True,
            "schedule": {"schedule_type": "INTEGRATED",
                         "connection_ids": [ctx.get("connection", "")]},
            "transformation_config": {"package_name": "fivetran_log",
                                      "connection_ids": [ctx.get("connection", "")]}},
        "update_transformation": {"paused": True},
        "run_transformation": {"full_refresh": False},
    }
    return copy.deepcopy(bodies[op_id]) if op_id in bodies else None


# ------------------------------------------------------------------------------------
# The definition: loading, overlay, OpenAPI 3.0 -> JSON Schema


def find_definition(arg):
    if arg:
        return arg
    env = os.environ.get("FIVETRAN_OPENAPI")
    if env:
        return env
    for c in (os.path.join(ROOT, "..", "shared", "openapi", "fivetran-openapi.json"),
              "/work/shared/openapi/fivetran-openapi.json"):
        if os.path.isfile(c):
            return c
    return None


class OverlayError(Exception):
    pass


def walk_schemas(node, fn):
    """Calls fn(schema, parent_required, name) for every property schema under node."""
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            req = node.get("required", [])
            for name, sub in props.items():
                if isinstance(sub, dict):
                    fn(sub, req, name)
        for v in node.values():
            walk_schemas(v, fn)
    elif isinstance(node, list):
        for v in node:
            walk_schemas(v, fn)


def apply_overlay(defn, overlay, extra_responses, binary):
    schemas = defn["components"]["schemas"]
    for e in overlay["entries"]:
        if not e.get("why"):
            raise OverlayError("overlay entry %s has no 'why'" % e.get("id"))
        hits = [0]
        kind = e["kind"]
        if kind == "nullable_timestamps":
            def fn(s, req, name):
                if s.get("format") == "date-time" and name not in req and not s.get("nullable"):
                    s["nullable"] = True
                    hits[0] += 1
            walk_schemas(defn, fn)
        elif kind == "field":
            def fn(s, req, name):
                if name not in e.get("fields", [e.get("field")]):
                    return
                if any(s.get(k) != v for k, v in e.get("when", {}).items()):
                    return
                s.update(copy.deepcopy(e.get("set", {})))
                if e.get("enum_case") == "insensitive" and "enum" in s:
                    vals = list(s["enum"])
                    for v in vals:
                        for w in (v.lower(), v.upper()):
                            if w not in s["enum"]:
                                s["enum"].append(w)
                hits[0] += 1
            walk_schemas(defn, fn)
        elif kind == "schema":
            for name in e["schemas"]:
                node = schemas.get(name)
                parts = [p for p in e["pointer"].split("/") if p]
                for p in parts[:-1]:
                    node = node.get(p) if isinstance(node, dict) else None
                if not isinstance(node, dict) or parts[-1] not in node:
                    raise OverlayError("overlay %s: %s%s not in the definition"
                                       % (e["id"], name, e["pointer"]))
                node[parts[-1]] = copy.deepcopy(e["value"])
                hits[0] += 1
        elif kind == "map":
            for m in e["maps"]:
                node = schemas.get(m["schema"])
                for part in [x for x in m["pointer"].split("/") if x]:
                    node = node.get(part) if isinstance(node, dict) else None
                props = node.get("properties") if isinstance(node, dict) else None
                if not isinstance(props, dict) or list(props) != [m["key"]]:
                    raise OverlayError("overlay %s: %s%s is not an object with the single "
                                       "property %s"
                                       % (e["id"], m["schema"], m["pointer"], m["key"]))
                node["additionalProperties"] = props[m["key"]]
                del node["properties"]
                hits[0] += 1
        elif kind == "nullable_fields":
            for name, fields in e["fields"].items():
                props = schemas.get(name, {}).get("properties", {})
                for f in fields:
                    if f not in props:
                        raise OverlayError("overlay %s: %s.%s not in the definition"
                                           % (e["id"], name, f))
                    props[f]["nullable"] = True
                    hits[0] += 1
        elif kind == "envelope":
            for m in defn["paths"].values():
                for op in m.values():
                    if not isinstance(op, dict) or op.get("operationId") != e["operation"]:
                        continue
                    media = op.get("responses", {}).get(e["status"], {}).get(
                        "content", {}).get("application/json", {})
                    inner = media.get("schema")
                    if inner is None or "code" in inner.get("properties", {}):
                        raise OverlayError("overlay %s: %s %s is not a bare schema"
                                           % (e["id"], e["operation"], e["status"]))
                    media["schema"] = {"type": "object", "required": ["code", "data"],
                                       "properties": {"code": {"type": "string"},
                                                      "message": {"type": "string"},
                                                      "data": inner}}
                    hits[0] += 1
        elif kind == "binary":
            for m in defn["paths"].values():
                for op in m.values():
                    if isinstance(op, dict) and op.get("operationId") == e["operation"] \
                            and e["status"] in op.get("responses", {}):
                        binary.add((e["operation"], e["status"]))
                        hits[0] += 1
        elif kind == "response":
            found = any(op.get("operationId") == e["operation"]
                        for m in defn["paths"].values() for op in m.values()
                        if isinstance(op, dict))
            if found:
                extra_responses.setdefault(e["operation"], set()).add(e["status"])
                hits[0] += 1
        else:
            raise OverlayError("overlay %s: unknown kind %s" % (e["id"], kind))
        if not hits[0]:
            raise OverlayError("overlay %s applies nowhere: the definition changed, revisit it"
                               % e["id"])


def to_json_schema(node):
    """OpenAPI 3.0 schema objects -> JSON Schema (draft 4): nullable becomes a null type."""
    if isinstance(node, list):
        return [to_json_schema(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: to_json_schema(v) for k, v in node.items()
           if k not in ("example", "examples", "description", "title", "discriminator")}
    if out.pop("nullable", False):
        if "$ref" in out:
            out = {"anyOf": [{"$ref": out.pop("$ref")}, {"type": "null"}]}
        else:
            if "type" in out:
                t = out["type"]
                out["type"] = (t if isinstance(t, list) else [t]) + ["null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = out["enum"] + [None]
    return out


def undeclared_fields(doc, schema, body, path, out, depth=0):
    """Adds to out the paths of body's object members that schema does not declare (array
    indices as [], map keys as {}). Informational: the API may send more than the definition
    declares, so these are not violations."""
    if depth > 30 or not isinstance(schema, dict):
        return
    seen = 0
    while "$ref" in schema and seen < 20:
        schema = doc["components"]["schemas"][schema["$ref"].split("/")[-1]]
        seen += 1
    if "anyOf" in schema:  # a nullable $ref
        for sub in schema["anyOf"]:
            if sub.get("type") != "null":
                undeclared_fields(doc, sub, body, path, out, depth + 1)
        return
    if isinstance(body, dict):
        props = dict(schema.get("properties", {}))
        for sub in schema.get("allOf", []):
            while isinstance(sub, dict) and "$ref" in sub:
                sub = doc["components"]["schemas"][sub["$ref"].split("/")[-1]]
            props.update(sub.get("properties", {}))
        addl = schema.get("additionalProperties")
        for k, v in body.items():
            if k in props:
                undeclared_fields(doc, props[k], v, path + "/" + k, out, depth + 1)
            elif isinstance(addl, dict):
                undeclared_fields(doc, addl, v, path + "/{}", out, depth + 1)
            elif addl is None and props:
                out.add(path + "/" + k)
    elif isinstance(body, list) and isinstance(schema.get("items"), dict):
        for v in body:
            undeclared_fields(doc, schema["items"], v, path + "/[]", out, depth + 1)


RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def load_operations(defn):
    ops = []
    for path, item in defn["paths"].items():
        common = item.get("parameters", [])
        for method, op in item.items():
            if method == "parameters":
                continue
            params = common + op.get("parameters", [])
            accept = "application/json"
            for p in params:
                if p.get("in") == "header" and p.get("name") == "Accept":
                    accept = p.get("schema", {}).get("default", accept)
            req = None
            rb = op.get("requestBody")
            if rb:
                ct, media = next(iter(rb.get("content", {}).items()))
                req = {"content": ct, "schema": media.get("schema", {}), "media": media}
            ops.append({
                "id": op["operationId"], "method": method.upper(), "path": path,
                "path_params": re.findall(r"\{([^}]+)\}", path),
                "accept": accept, "request": req, "responses": op.get("responses", {}),
            })
    return ops


# ------------------------------------------------------------------------------------
# Request bodies


def deref(defn, s):
    seen = 0
    while isinstance(s, dict) and "$ref" in s and seen < 20:
        name = s["$ref"].split("/")[-1]
        s = defn["components"]["schemas"][name]
        seen += 1
    return s


def sample(defn, s, depth=0):
    """A value for schema s: its example when it fits, else the first enum value, else a
    minimal value of its type with the required properties filled."""
    s = deref(defn, s)
    if depth > 6 or not isinstance(s, dict):
        return {}
    t = s.get("type")
    if "enum" in s and s["enum"]:
        return s["enum"][0]
    ex = s.get("example")
    if t == "object" or "properties" in s:
        out = {}
        for k in s.get("required", []):
            out[k] = sample(defn, s.get("properties", {}).get(k, {}), depth + 1)
        return out
    if t == "array":
        return [sample(defn, s.get("items", {}), depth + 1)] if ex is None else ex
    if t == "string":
        return ex if isinstance(ex, str) else "contract"
    if t == "integer":
        return ex if isinstance(ex, int) and not isinstance(ex, bool) else 1
    if t == "number":
        return ex if isinstance(ex, (int, float)) and not isinstance(ex, bool) else 1
    if t == "boolean":
        return ex if isinstance(ex, bool) else True
    return ex if ex is not None else {}


def request_body(defn, op, ctx):
    req = op["request"]
    if req is None:
        return None
    body = hand_body(op["id"], ctx)
    if body is None:
        media = req["media"]
        if "example" in media:
            body = copy.deepcopy(media["example"])
        elif media.get("examples"):
            body = copy.deepcopy(next(iter(media["examples"].values())).get("value", {}))
        else:
            body = sample(defn, req["schema"])
    return body


def required_fields(defn, op):
    if op["request"] is None or op["request"]["content"] != "application/json":
        return []
    return list(deref(defn, op["request"]["schema"]).get("required", []))


def encode(op, body):
    """(bytes, content type) of a request body."""
    if body is None:
        return None, None
    if op["request"]["content"].startswith("multipart/"):
        boundary = "contractboundary7d1f"
        parts = []
        for k, v in body.items():
            if k == "file":
                FILE_SENT[0] = (b"PK\x05\x06" + b"\x00" * 18)
                parts.append('--%s\r\nContent-Disposition: form-data; name="file"; '
                             'filename="contract.zip"\r\nContent-Type: application/zip\r\n\r\n'
                             'PK\x05\x06' % boundary + "\x00" * 18 + "\r\n")
            else:
                parts.append('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
                             % (boundary, k, v if isinstance(v, str) else json.dumps(v)))
        data = "".join(parts) + "--%s--\r\n" % boundary
        return data.encode("latin-1"), "multipart/form-data; boundary=" + boundary
    return json.dumps(body).encode(), "application/json"


# ------------------------------------------------------------------------------------
# The sandbox


class Sandbox:
    def __init__(self, binary, log):
        self.log = log
        self.proc = subprocess.Popen(
            # Syncs and transformation runs last 10 s: a run is still running when the
            # cancel comes, whatever the machine's load (the run takes well under that).
            [binary, "--port", "0", "--seed", "demo", "--no-webhook-verify",
             "--sync-duration-ms", "10000"],
            stdout=subprocess.PIPE, stderr=log)
        line = b""
        deadline = time.monotonic() + 20
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.proc.stdout], [], [], left)[0]:
                raise RuntimeError("the sandbox printed no URL within 20 s")
            ch = os.read(self.proc.stdout.fileno(), 1)
            if not ch:
                raise RuntimeError("the sandbox exited early (status %s)" % self.proc.wait())
            line += ch
        m = re.match(r"http://127\.0\.0\.1:(\d+)/v1$", line.decode().strip())
        if not m:
            raise RuntimeError("unexpected first line from the sandbox: %r" % line)
        self.port = int(m.group(1))
        self.conn = None

    def request(self, method, path, accept, data, ctype):
        headers = {"Accept": accept,
                   "Authorization": "Basic " + base64.b64encode(b"contract:contract").decode()}
        if ctype:
            headers["Content-Type"] = ctype
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                r = self.conn.getresponse()
                return r.status, r.read()
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise

    def stop(self):
        if self.conn:
            self.conn.close()
        self.proc.terminate()
        try:
            return self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()


# ------------------------------------------------------------------------------------
# The run


def is_unknown_route(status, body):
    if not isinstance(body, dict):
        return False
    code, msg = body.get("code"), body.get("message")
    return ((status == 404 and code == "NotFound_Route") or
            (status == 404 and code == "NotFound" and msg == "HTTP 404 Not Found") or
            (status == 405 and code == "MethodNotAllowed" and msg == "HTTP 405 Method Not Allowed"))


def phase(op):
    if op["id"] in CREATE_ORDER:
        return (0, CREATE_ORDER.index(op["id"]), "")
    if op["method"] == "DELETE":
        if op["id"] in DELETE_LAST:
            return (3, DELETE_LAST.index(op["id"]), "")
        return (2, -op["path"].count("/"), op["path"])
    if op["method"] == "POST" and re.match(r"(create|add)_", op["id"]):
        return (0, len(CREATE_ORDER), op["path"])
    return (1, 0, "")


class Run:
    def __init__(self, defn, ops, extra, validator_cls, resolver, fmt, sbx, verbose):
        self.defn, self.ops, self.extra = defn, ops, extra
        self.validator_cls, self.resolver, self.fmt = validator_cls, resolver, fmt
        self.sbx, self.verbose = sbx, verbose
        self.ctx = {
            "schema_connection": SEED_SCHEMA_CONN, "state_connection": SEED_STATE_CONN,
            "schema_name": SEED_SCHEMA[0], "table_name": SEED_SCHEMA[1],
            "column_name": SEED_SCHEMA[2], "cert_hash": CERT_HASH, "fp_hash": FP_HASH,
            "service": "postgres",
            "user_group": SEED_USER_GROUP,
        }
        self.served, self.unserved = set(), []
        self.checked = 0
        self.probes = {}  # probe kind -> requests sent
        self.violations = []  # (op, probe, status, messages)
        self.statuses = []  # (op, probe, expected, got, body)
        self.undeclared_errors = []  # (op, status): error status the definition omits
        self.validators = {}
        self.undeclared = {}  # op -> paths of members the definition does not declare
        self.js_doc = None
        self.binary = set()
        self.uploaded = None  # the last file part sent (connector SDK packages)

    def path_for(self, op, unknown=False):
        path = op["path"]
        for i, p in enumerate(op["path_params"]):
            key = context_key(op, p)
            val = UNKNOWN_ID if unknown and i == 0 else self.ctx.get(key, "contract_missing_" + key)
            path = path.replace("{%s}" % p, val)
        return path

    def schema_for(self, op, status):
        """The JSON schema of op's answer with this status, 'error' for the error envelope,
        or None when the definition declares the status without a JSON body."""
        st = str(status)
        resp = op["responses"].get(st)
        if resp is None:
            if st in self.extra.get(op["id"], ()):
                return "error"
            return "undeclared"
        media = resp.get("content", {}).get("application/json")
        if media is None or "schema" not in media:
            return "error" if status >= 400 else None
        return media["schema"]

    def validate(self, op, probe, status, raw):
        if (op["id"], str(status)) in self.binary:
            self.checked += 1
            if self.uploaded is not None and raw != self.uploaded:
                self.violations.append((op["id"], probe, status, [
                    "the file is not the one uploaded (%d bytes: %r)" % (len(raw), raw[:60])]))
            return
        schema = self.schema_for(op, status)
        if schema == "undeclared":
            if status < 400:
                self.violations.append((op["id"], probe, status,
                                        ["status %d is not declared by the definition" % status]))
                return
            self.undeclared_errors.append((op["id"], status))
            schema = "error"
        if schema is None and not raw:
            return
        try:
            body = json.loads(raw.decode("utf-8")) if raw else None
        except (UnicodeDecodeError, ValueError):
            self.violations.append((op["id"], probe, status, ["body is not JSON: %r" % raw[:80]]))
            return
        if schema is None:
            return
        self.checked += 1
        key = (op["id"], status if schema != "error" else "error")
        v = self.validators.get(key)
        if v is None:
            js = ERROR_SCHEMA if schema == "error" else to_json_schema(schema)
            v = self.validator_cls(js, resolver=self.resolver, format_checker=self.fmt)
            self.validators[key] = v
        errs = sorted(v.iter_errors(body), key=lambda e: list(e.absolute_path))
        if errs:
            msgs = []
            for e in errs[:8]:
                where = "/".join(str(p) for p in e.absolute_path) or "(body)"
                msgs.append("%s: %s" % (where, e.message[:300]))
            if len(errs) > 8:
                msgs.append("... and %d more" % (len(errs) - 8))
            self.violations.append((op["id"], probe, status, msgs))
        if schema != "error":
            extra = set()
            undeclared_fields(self.js_doc, to_json_schema(schema), body, "", extra)
            if extra:
                self.undeclared.setdefault(op["id"], set()).update(extra)

    def send(self, op, probe, path, body):
        data, ctype = encode(op, body)
        self.probes[probe] = self.probes.get(probe, 0) + 1
        status, raw = self.sbx.request(op["method"], path, op["accept"], data, ctype)
        if ctype and ctype.startswith("multipart/") and 200 <= status < 300:
            self.uploaded = FILE_SENT[0]
        try:
            parsed = json.loads(raw.decode("utf-8")) if raw else None
        except (UnicodeDecodeError, ValueError):
            parsed = None
        if self.verbose:
            print("  %-8s %-6s %s -> %d %s" % (probe, op["method"], path, status,
                                               raw[:160].decode("utf-8", "replace")))
        return status, raw, parsed

    def run_op(self, op):
        body = request_body(self.defn, op, self.ctx)
        # The usual errors first (a delete must not remove the object before them).
        if op["path_params"]:
            status, raw, parsed = self.send(op, "404", self.path_for(op, unknown=True), body)
            if is_unknown_route(status, parsed):
                return self.not_served(op)
            self.check_status(op, "404", (404,), status, parsed)
            self.validate(op, "404", status, raw)
        req = required_fields(self.defn, op)
        if req and op["id"] not in NO_400_PROBE and isinstance(body, dict):
            bad = {k: v for k, v in body.items() if k not in req}
            status, raw, parsed = self.send(op, "400", self.path_for(op), bad)
            if is_unknown_route(status, parsed):
                return self.not_served(op)
            self.check_status(op, "400", (400,), status, parsed)
            self.validate(op, "400", status, raw)
        for method, path, sbody in SETUP.get(op["id"], ()):
            self.sbx.request(method, path, "application/json", json.dumps(sbody).encode(),
                             "application/json")
        status, raw, parsed = self.send(op, "ok", self.path_for(op), body)
        if is_unknown_route(status, parsed):
            return self.not_served(op)
        self.served.add(op["id"])
        self.check_status(op, "ok", tuple(range(200, 300)), status, parsed)
        self.validate(op, "ok", status, raw)
        if 200 <= status < 300 and op["id"] in CREATED and isinstance(parsed, dict):
            data = parsed.get("data")
            self.ctx.pop(CREATED[op["id"]], None)
            for k in ("id", "agent_id"):
                if isinstance(data, dict) and isinstance(data.get(k), str) and data[k]:
                    self.ctx[CREATED[op["id"]]] = data[k]
                    break
            if CREATED[op["id"]] not in self.ctx:
                self.violations.append((op["id"], "ok", status, [
                    "data carries no id of the created object (id or agent_id, non-empty)"]))
        if 200 <= status < 300 and op["id"] in FROM_LIST and isinstance(parsed, dict) \
                and FROM_LIST[op["id"]] not in self.ctx:
            items = (parsed.get("data") or {}).get("items") or [{}]
            if isinstance(items[0], dict) and isinstance(items[0].get("id"), str):
                self.ctx[FROM_LIST[op["id"]]] = items[0]["id"]
        # Setup tests of a connection configured to fail: the failing step's shape.
        if op["id"] == "run_setup_tests" and 200 <= status < 300:
            path = op["path"].replace("{connectionId}", SEED_FAILING_CONN)
            status, raw, parsed = self.send(op, "failing", path, body)
            self.check_status(op, "failing", (200,), status, parsed)
            self.validate(op, "failing", status, raw)
        # A second pre-create finds the schema config the first one made: 409 (overlay).
        if op["id"] == "pre_create_connection_schema_config" and 200 <= status < 300:
            status, raw, parsed = self.send(op, "409", self.path_for(op), body)
            self.check_status(op, "409", (409,), status, parsed)
            self.validate(op, "409", status, raw)

    def not_served(self, op):
        self.unserved.append(op["id"])

    def check_status(self, op, probe, expected, got, parsed):
        if got not in expected:
            self.statuses.append((op["id"], probe, expected, got, parsed))

    def run(self):
        order = sorted(self.ops, key=phase)
        for a, b in BEFORE.items():
            ia = [o["id"] for o in order].index(a)
            op = order.pop(ia)
            order.insert([o["id"] for o in order].index(b), op)
        for op in order:
            self.run_op(op)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sandbox", required=True, help="the fivetrex-sandbox binary")
    ap.add_argument("--definition", help="Fivetran's OpenAPI definition (default: "
                    "$FIVETRAN_OPENAPI, ../shared/openapi/fivetran-openapi.json next to the "
                    "clone, /work/shared/openapi/fivetran-openapi.json)")
    ap.add_argument("--overlay", default=os.path.join(HERE, "overlay.json"))
    ap.add_argument("--require-all", action="store_true",
                    help="fail when an operation is not served")
    ap.add_argument("--verbose", "-v", action="store_true", help="print every exchange")
    args = ap.parse_args()

    path = find_definition(args.definition)
    if not path or not os.path.isfile(path):
        print("contract: OpenAPI definition not found (%s): skipped"
              % (path or "../shared/openapi/fivetran-openapi.json"))
        return 0
    try:
        import jsonschema
    except ImportError:
        print("contract: python3-jsonschema is missing (scripts/install-deps.sh installs it)",
              file=sys.stderr)
        return 1

    t0 = time.monotonic()
    with open(path, encoding="utf-8") as f:
        defn = json.load(f)
    with open(args.overlay, encoding="utf-8") as f:
        overlay = json.load(f)
    extra, binary = {}, set()
    try:
        apply_overlay(defn, overlay, extra, binary)
    except OverlayError as e:
        print("contract: %s" % e, file=sys.stderr)
        return 1
    ops = load_operations(defn)
    js_doc = {"components": {"schemas": to_json_schema(defn["components"]["schemas"])}}
    resolver = jsonschema.RefResolver("", js_doc)
    fmt = jsonschema.FormatChecker(formats=())

    @fmt.checks("date-time")
    def _date_time(value):
        return not isinstance(value, str) or bool(RFC3339.match(value))

    with tempfile.TemporaryFile() as log:
        try:
            sbx = Sandbox(args.sandbox, log)
        except (OSError, RuntimeError) as e:
            print("contract: cannot start the sandbox: %s" % e, file=sys.stderr)
            return 1
        run = Run(defn, ops, extra, jsonschema.Draft4Validator, resolver, fmt, sbx,
                  args.verbose)
        run.js_doc = js_doc
        run.binary = binary
        try:
            run.run()
        finally:
            rc = sbx.stop()
        log.seek(0)
        sbx_err = log.read().decode("utf-8", "replace")

    fail = False
    for op_id, probe, status, msgs in run.violations:
        print("VIOLATION %s [%s probe, %d]:" % (op_id, probe, status))
        for m in msgs:
            print("    " + m)
        fail = True
    for op_id, probe, expected, got, parsed in run.statuses:
        exp = "2xx" if len(expected) > 1 else str(expected[0])
        print("STATUS %s [%s probe]: expected %s, got %d %s"
              % (op_id, probe, exp, got, json.dumps(parsed)[:200]))
        fail = True
    if rc != 0:
        print("SANDBOX exited with status %d on SIGTERM:\n%s" % (rc, sbx_err[-3000:]))
        fail = True
    if run.undeclared_errors:
        print("note: %d error answers have a status the definition does not list for the "
              "operation (checked against the error envelope)" % len(run.undeclared_errors))
    if run.undeclared:
        n = sum(len(v) for v in run.undeclared.values())
        print("note: %d members in %d operations' answers are not declared by the definition "
              "(informational%s)"
              % (n, len(run.undeclared), "" if args.verbose else "; -v lists them"))
        if args.verbose:
            for op_id in sorted(run.undeclared):
                print("    %s: %s" % (op_id, " ".join(sorted(run.undeclared[op_id]))))
    if run.unserved:
        print("not served (%d): %s" % (len(run.unserved), " ".join(sorted(run.unserved))))
    print("contract: requests sent: %s" % ", ".join(
        "%d %s" % (n, k) for k, n in sorted(run.probes.items(), key=lambda kv: -kv[1])))
    print("contract: %d operations, %d served, %d not served; %d responses checked, "
          "%d violations, %d unexpected statuses (%.1f s)"
          % (len(ops), len(run.served), len(run.unserved), run.checked, len(run.violations),
             len(run.statuses), time.monotonic() - t0))
    if args.require_all and run.unserved:
        print("contract: --require-all: %d operations are not served" % len(run.unserved))
        fail = True
    return 1 if fail else 0


if __name__ == "__main__":
    sys.exit(main())
