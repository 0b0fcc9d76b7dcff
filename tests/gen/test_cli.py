#!/usr/bin/env python3
"""Unit test of tools/gen/cli.py (the CLI's generated verbs) over a small hand-made API
description, plus its run over the project's api/fivetran-api.json.

Asserts the verb words (list/get/create/update/delete, actions, singletons, sub-resources,
connections -> connectors), renames and their errors, id names, flags, query parameters,
body fields, secret fields found through nested schemas, the mapping for coverage.py, the
man page section, and that the committed cli/verbs_gen.c is what the generator writes.
"""

import copy
import json
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(ROOT, "tools", "gen"))

import cli  # noqa: E402

S = {"type": "string"}


def op(oid, method, path, paged=False, accept="application/json", query=(), body=None,
       content=None, resp=None, retry=None):
    o = {"operation_id": oid, "method": method, "path": path, "paged": paged, "accept": accept,
         "path_params": [], "errors": [],
         "query_params": [dict(q, required=q.get("required", False)) for q in query],
         "request": {"content": content or ("json" if body else "none")},
         "response": resp or {"status": 200, "content": "json", "envelope": "message"}}
    if body:
        o["request"]["body"] = body
    if retry:
        o["retry"] = retry
    return o


def data(ref):
    return {"status": 200, "content": "json", "envelope": "data", "data": {"ref": ref}}


PAGE = [{"name": "cursor", "type": "string"}, {"name": "limit", "type": "integer"}]

API = {
    "schemas": {
        "Thing": {"type": "object", "required": ["id"], "fields": {
            "id": S, "name": S, "secret": S, "active": {"type": "boolean"},
            "created_at": {"type": "string", "format": "date-time"},
            "inner": {"ref": "Inner"}}},
        "Inner": {"type": "object", "required": [], "fields": {"token": S, "n": {"type": "integer"}}},
        "NewThing": {"type": "object", "required": ["name", "kind"], "fields": {
            "name": S, "kind": {"type": "string", "enum": ["A", "B"]},
            "tags": {"type": "array", "items": S}, "size": {"type": "integer"},
            "ratio": {"type": "number"}, "on": {"type": "boolean"}, "config": {"type": "object"},
            "limit": S}},
    },
    "operations": [
        op("list_things", "GET", "/v1/things", paged=True,
           query=PAGE + [{"name": "groupId", "type": "string"},
                         {"name": "active", "type": "boolean"},
                         {"name": "kind", "type": "string", "enum": ["A", "B"]}],
           resp={"status": 200, "content": "json", "envelope": "data", "item": {"ref": "Thing"}}),
        op("create_thing", "POST", "/v1/things", body={"ref": "NewThing"}, resp=data("Thing"),
           retry="never", accept="application/json;version=2"),
        op("get_thing", "GET", "/v1/things/{thingId}", resp=data("Thing")),
        op("modify_thing", "PATCH", "/v1/things/{thingId}", body={"ref": "NewThing"},
           resp=data("Thing")),
        op("delete_thing", "DELETE", "/v1/things/{id}"),
        op("run_thing", "POST", "/v1/things/{thingId}/run"),
        op("rotate_thing", "POST", "/v1/things/{thingId}/rotate", resp=data("Thing")),
        op("thing_key", "GET", "/v1/things/{thingId}/public-key", resp=data("Inner")),
        op("list_parts", "GET", "/v1/things/{thingId}/parts", paged=True, query=PAGE,
           resp={"status": 200, "content": "json", "envelope": "data", "item": {"ref": "Inner"}}),
        op("add_part", "POST", "/v1/things/{thingId}/parts", body={"ref": "NewThing"}),
        op("remove_part", "DELETE", "/v1/things/{thingId}/parts/{partId}"),
        op("conn_hash", "GET", "/v1/connections/{connectionId}/certs/{hash}", resp=data("Inner")),
        op("public_types", "GET", "/public/types", resp=data("Inner")),
        op("upload", "POST", "/v1/pkgs", content="multipart",
           body={"type": "object", "required": ["file"], "fields": {"file": {"type": "binary"}}},
           resp=data("Inner")),
        op("download", "GET", "/v1/pkgs/{pkgId}/download",
           resp={"status": 200, "content": "binary", "envelope": "none"}),
        op("entities", "GET", "/v1/things/{thingId}/entities", query=[{"name": "type", "type": "string"}],
           resp={"status": 200, "content": "json", "envelope": "data", "data": {
               "type": "object", "required": ["items"],
               "fields": {"items": {"type": "array", "items": {"ref": "Inner"}}}}}),
        op("group_thing", "GET", "/v1/groups/{groupId}", resp=data("Inner")),
        op("resync_parts", "POST", "/v1/things/{thingId}/parts/resync", body={
            "type": "object", "required": [], "fields": {},
            "values": {"type": "array", "items": S}}),
    ],
}

OVERRIDES = {
    "coverage": {"operations": {"group_thing": {"cli": ["groups get"]}}},
    "cli_verbs": {"operations": {
        "add_part": {"verb": "things parts add", "comment": "a membership"},
        "run_thing": {"destructive": True, "comment": "re-imports"}}},
    "secrets": {"comment": "c", "schemas": {
        "Thing": {"fields": ["secret"], "comment": "c"},
        "Inner": {"fields": ["token"], "comment": "c"}}},
}


def rows_by_op(api=API, overrides=OVERRIDES):
    return {r["op"]["operation_id"]: r for r in cli.plan(api, overrides)}


class Words(unittest.TestCase):
    def test_mapping(self):
        self.assertEqual(cli.mapping(API, OVERRIDES), {
            "list_things": ["things list"], "create_thing": ["things create"],
            "get_thing": ["things get"], "modify_thing": ["things update"],
            "delete_thing": ["things delete"], "run_thing": ["things run"],
            "rotate_thing": ["things rotate"], "thing_key": ["things public-key"],
            "list_parts": ["things parts list"], "add_part": ["things parts add"],
            "remove_part": ["things parts delete"], "conn_hash": ["connectors certs get"],
            "public_types": ["public types"], "upload": ["pkgs create"],
            "download": ["pkgs download"], "entities": ["things entities"],
            "resync_parts": ["things parts resync"]})

    def test_hand_written_skipped(self):
        self.assertNotIn("group_thing", rows_by_op())

    def test_rename_errors(self):
        for e, msg in (({"nope": {"verb": "x y", "comment": "c"}}, "unknown operation nope"),
                       ({"group_thing": {"verb": "x y", "comment": "c"}}, "hand-written verb"),
                       ({"run_thing": {"verb": "x y"}}, "needs a comment")):
            o = copy.deepcopy(OVERRIDES)
            o["cli_verbs"]["operations"] = e
            with self.assertRaisesRegex(cli.CliGenError, msg):
                cli.plan(API, o)

    def test_collision_and_prefix(self):
        o = copy.deepcopy(OVERRIDES)
        o["cli_verbs"]["operations"]["rotate_thing"] = {"verb": "things run", "comment": "c"}
        with self.assertRaisesRegex(cli.CliGenError, "'things run' for both"):
            cli.plan(API, o)
        o["cli_verbs"]["operations"]["rotate_thing"] = {"verb": "things list x", "comment": "c"}
        with self.assertRaisesRegex(cli.CliGenError, "'things list' is a prefix"):
            cli.plan(API, o)

    def test_hand_verb_clash(self):
        with tempfile.TemporaryDirectory() as d:
            os.mkdir(os.path.join(d, "cli"))
            with open(os.path.join(d, "cli", "cmd_connectors.c"), "w") as f:
                f.write('{"certs", "x", conn_certs, CLI_VERB_READ},\n')
            with self.assertRaisesRegex(cli.CliGenError, "'certs' is a hand-written verb"):
                cli.check_hand_verbs(cli.plan(API, OVERRIDES), d)

    def test_ids(self):
        r = rows_by_op()
        self.assertEqual(cli.id_names(r["delete_thing"]["op"]), ["THING_ID"])
        self.assertEqual(cli.id_names(r["remove_part"]["op"]), ["THING_ID", "PART_ID"])
        self.assertEqual(cli.id_names(r["conn_hash"]["op"]), ["CONNECTION_ID", "HASH"])


class Facts(unittest.TestCase):
    def flags(self, oid):
        r = rows_by_op()[oid]
        return set(cli.flags_of(r["op"], r["words"], r["override"]))

    def test_flags(self):
        self.assertEqual(self.flags("list_things"), {"PAGED"})
        self.assertEqual(self.flags("create_thing"), {"V2", "CREATE"})
        self.assertEqual(self.flags("modify_thing"), {"BODY_REQUIRED"})
        self.assertEqual(self.flags("delete_thing"), {"DESTRUCTIVE", "MESSAGE"})
        self.assertEqual(self.flags("run_thing"), {"NO_BODY", "DESTRUCTIVE", "MESSAGE"})
        self.assertEqual(self.flags("rotate_thing"), {"NO_BODY", "DESTRUCTIVE"})
        self.assertEqual(self.flags("public_types"), {"HOST_ROOT"})
        self.assertEqual(self.flags("upload"), {"MULTIPART"})
        self.assertEqual(self.flags("download"), {"BINARY"})
        self.assertEqual(self.flags("entities"), {"ITEMS"})
        # a map body (names chosen by the caller): --data only, and required
        self.assertEqual(self.flags("resync_parts"),
                         {"MAP", "BODY_REQUIRED", "DESTRUCTIVE", "MESSAGE"})
        self.assertEqual(self.flags("get_thing"), set())

    def test_query(self):
        q = cli.query_params(rows_by_op()["list_things"]["op"])
        self.assertEqual(q, [
            {"name": "groupId", "flag": "group-id", "kind": "STRING", "enum": None, "required": False},
            {"name": "active", "flag": "active", "kind": "BOOL", "enum": None, "required": False},
            {"name": "kind", "flag": "kind", "kind": "STRING", "enum": ["A", "B"], "required": False}])

    def test_body(self):
        b = cli.body_fields(API, OVERRIDES, rows_by_op()["create_thing"]["op"])
        self.assertEqual([(f["name"], f["flag"], f["kind"], f["required"], f["enum"]) for f in b], [
            ("name", "name", "STRING", True, None), ("kind", "kind", "STRING", True, ["A", "B"]),
            ("tags", "tags", "STRINGS", False, None), ("size", "size", "INT", False, None),
            ("ratio", "ratio", "NUMBER", False, None), ("on", "on", "BOOL", False, None),
            ("config", "config", "JSON", False, None),
            ("limit", None, "STRING", False, None)])  # --limit is global: --data only
        o = dict(OVERRIDES, open_enums=["NewThing.kind"])
        b = cli.body_fields(API, o, rows_by_op()["create_thing"]["op"])
        self.assertIsNone(b[1]["enum"])

    def test_secrets_through_nested_schemas(self):
        t = cli.result_schema(API, rows_by_op()["get_thing"]["op"])
        self.assertEqual(cli.secret_names(API, OVERRIDES, t), {"secret", "token"})
        t = cli.result_schema(API, rows_by_op()["entities"]["op"])
        self.assertEqual(t, {"ref": "Inner"})
        self.assertEqual(cli.secret_names(API, OVERRIDES, t), {"token"})

    def test_columns(self):
        cols, wide = cli.columns(API, {"ref": "Thing"})
        self.assertEqual(cols, ["id", "name", "active", "created_at"])
        self.assertEqual(wide, ["id", "name", "secret", "active", "created_at"])

    def test_output(self):
        text = cli.generate(API, OVERRIDES, cli.plan(API, OVERRIDES))
        self.assertTrue(text.startswith("/* Generated by tools/gen/cli.py; do not edit: run make gen */"))
        self.assertIn('{"things parts delete", "remove_part", "DELETE", "/things/{thingId}/parts/{partId}", '
                      'remove_part_ids, 2,\n     CLI_GEN_DESTRUCTIVE | CLI_GEN_MESSAGE,', text)
        self.assertIn('{"public types", "public_types", "GET", "/public/types"', text)
        self.assertIn('static const char *const get_thing_secrets[] = {"secret", "token", NULL};', text)
        self.assertEqual(text, cli.generate(API, OVERRIDES, cli.plan(API, OVERRIDES)))

    def test_man(self):
        rows = cli.plan(API, OVERRIDES)
        page = ".TH X 1\n.SS groups\ntext\n.SS api\nmore\n"
        once = cli.update_man(page, cli.man_section(API, rows))
        self.assertIn(".B \"things parts delete\" THING_ID PART_ID\nDELETE /things/{thingId}/parts/{partId}\n", once)
        self.assertLess(once.index("BEGIN GENERATED"), once.index(".SS api"))
        self.assertEqual(cli.update_man(once, cli.man_section(API, rows)), once)


class RealApi(unittest.TestCase):
    def test_every_operation_has_a_verb(self):
        with open(os.path.join(ROOT, "api", "fivetran-api.json"), encoding="utf-8") as f:
            api = json.load(f)
        with open(os.path.join(ROOT, "tools", "gen", "overrides.json"), encoding="utf-8") as f:
            ovr = json.load(f)
        m = cli.mapping(api, ovr)
        hand = {k for k, v in ovr["coverage"]["operations"].items() if v.get("cli")}
        self.assertEqual(set(m) | hand, {o["operation_id"] for o in api["operations"]})
        self.assertFalse(set(m) & hand)
        self.assertEqual(m["create_user"], ["users invite"])
        self.assertEqual(m["list_users_in_team"], ["teams users list"])
        self.assertEqual(m["run_transformation"], ["transformations run"])
        self.assertEqual(m["approve_certificate"], ["certificates approve"])
        rows = cli.plan(api, ovr)
        sec = {r["op"]["operation_id"]: cli.secret_names(api, ovr, cli.result_schema(api, r["op"]))
               for r in rows}
        self.assertEqual(sec["create_system_key"], {"secret"})
        self.assertEqual(sec["rotate_system_key"], {"secret"})
        self.assertEqual(sec["regenerate_secrets_proxy_agent"], {"auth_token", "client_private_key"})
        self.assertEqual(sec["create_hybrid_deployment_agent"], {"token", "auth_json"})
        self.assertEqual(sec["hvr_register_hub"], {"access_token"})
        cli.check_hand_verbs(rows, ROOT)
        with open(os.path.join(ROOT, "cli", "verbs_gen.c"), encoding="utf-8") as f:
            self.assertEqual(f.read(), cli.generate(api, ovr, rows),
                             "cli/verbs_gen.c is stale: run make gen")


if __name__ == "__main__":
    unittest.main()
