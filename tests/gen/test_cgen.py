#!/usr/bin/env python3
"""Unit test of tools/gen/cgen.py.

Over a small hand-made description: the naming rules (list/stream, get, create, update,
replace, delete, actions, connections -> connectors, c_names overrides), the C shape of
each operation (ids, query, params, result kinds), model fields (kinds, keyword and count
clashes, secrets, nested models in dependency order), descriptor flags, closed and open
enums, hooks, and the errors (name collisions, with hand-written declarations too;
overrides that apply nowhere; multipart not hooked). Over the project's own description:
c_api of a few operations exactly, and deterministic output.
"""

import copy
import json
import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(ROOT, "tools", "gen"))

import cgen  # noqa: E402

S = {"type": "string"}


def op(oid, method, path, **kw):
    o = {"operation_id": oid, "method": method, "path": path,
         "path_params": [{"name": p[1:-1], "type": "string"} for p in path.split("/")
                         if p.startswith("{")],
         "query_params": [], "accept": "application/json", "paged": False, "errors": [],
         "request": {"content": "none"},
         "response": {"status": 200, "content": "json", "envelope": "message"}}
    o.update(kw)
    return o


def data(ref):
    return {"status": 200, "content": "json", "envelope": "data", "data": {"ref": ref}}


PAGING = [{"name": "cursor", "required": False, "type": "string"},
          {"name": "limit", "required": False, "type": "integer"}]

API = {
    "format": 1,
    "operations": [
        op("list_things", "GET", "/v1/things", paged=True,
           query_params=PAGING + [{"name": "kind", "required": False, "type": "string",
                                   "enum": ["A", "B"]}],
           response={"status": 200, "content": "json", "envelope": "data",
                     "item": {"ref": "ThingResponse"}}),
        op("create_thing", "POST", "/v1/things", retry="never",
           request={"content": "json", "required": False, "body": {"ref": "NewThing"}},
           response=data("ThingResponse")),
        op("thing_details", "GET", "/v1/things/{thingId}", accept="application/json;version=2",
           response=data("ThingResponse")),
        op("modify_thing", "PATCH", "/v1/things/{thingId}",
           request={"content": "json", "required": False, "body": {"ref": "NewThing"}},
           response=data("ThingResponse")),
        op("replace_thing", "PUT", "/v1/things/{thingId}",
           request={"content": "json", "required": False, "body": {"type": "object", "fields": {}}},
           response={"status": 200, "content": "json", "envelope": "data",
                     "data": {"type": "object"}}),
        op("delete_thing", "DELETE", "/v1/things/{thingId}"),
        op("run_thing", "POST", "/v1/things/{thingId}/run"),
        op("search_things", "GET", "/v1/things-search",
           query_params=[{"name": "q", "required": True, "type": "string"},
                         {"name": "all", "required": False, "type": "boolean"}],
           response={"status": 200, "content": "json", "envelope": "data",
                     "data": {"type": "object", "fields": {"items": {"type": "array"}}}}),
        op("connection_widget", "GET", "/v1/connections/{connectionId}/widget",
           response=data("WidgetResponse")),
        op("public_things", "GET", "/public/things", response=data("WidgetResponse")),
        op("upload_thing", "POST", "/v1/things/{thingId}/package",
           request={"content": "multipart", "required": False,
                    "body": {"type": "object", "required": ["file"],
                             "fields": {"file": {"type": "binary"}}}},
           response={"status": 200, "content": "none"}),
        op("list_hand", "GET", "/v1/hand"),
    ],
    "schemas": {
        "ThingResponse": {"type": "object", "required": ["id"], "fields": {
            "id": S, "created_at": {"type": "string", "format": "date-time"},
            "active": {"type": "boolean"}, "count": {"type": "integer"},
            "ratio": {"type": "number"}, "config": {"type": "object"},
            "tags": {"type": "array", "items": S}, "tags_count": {"type": "integer"},
            "default": S, "raw": S, "secret": S,
            "widget": {"ref": "WidgetResponse"},
            "widgets": {"type": "array", "items": {"ref": "WidgetResponse"}},
            "schema_cfg": {"ref": "HandResponse"}}},
        "WidgetResponse": {"type": "object", "required": [], "fields": {"name": S}},
        "HandResponse": {"type": "object", "required": [], "fields": {"x": S}},
        "NewThing": {"type": "object", "required": ["name"], "fields": {
            "name": S, "kind": {"type": "string", "enum": ["A", "B"]},
            "region": {"type": "string", "enum": ["R1"]},
            "every": {"type": "integer", "enum": [1, 5]},
            "opts": {"ref": "WidgetResponse"}, "list": {"type": "array", "items": S}}},
    },
}

OVERRIDES = {
    "coverage": {"operations": {"list_hand": {"c": ["ftx_hand_list"]}}},
    "c_names": {"operations": {"public_things": {"name": "ftx_public_things_fetch",
                                                 "comment": "test"}},
                "models": {}, "params": {}},
    "hand_models": {"schemas": {"HandResponse": {
        "type": "ftx_hand", "header": "hand.h", "from_json": "ftx_hand_from_json",
        "free": "ftx_hand_free", "dup": "ftx_hand_dup", "comment": "test"}}},
    "secrets": {"schemas": {"ThingResponse": {"fields": ["secret"], "comment": "test"}}},
    "open_enums": {"fields": {"create_thing.region": {"comment": "test"}}},
    "hooks": {"operations": {"upload_thing": {"c": ["ftx_things_upload"], "comment": "test"}}},
}


class Naming(unittest.TestCase):
    def setUp(self):
        self.api = cgen.c_api(API, OVERRIDES)

    def test_names(self):
        names = {k: (v["function"], v["stream"]) for k, v in self.api.items()}
        self.assertEqual(names, {
            "list_things": ("ftx_things_list", "ftx_things_stream"),
            "create_thing": ("ftx_things_create", None),
            "thing_details": ("ftx_things_get", None),
            "modify_thing": ("ftx_things_update", None),
            "replace_thing": ("ftx_things_replace", None),
            "delete_thing": ("ftx_things_delete", None),
            "run_thing": ("ftx_things_run", None),
            "search_things": ("ftx_things_search_get", None),
            "connection_widget": ("ftx_connectors_widget_get", None),
            "public_things": ("ftx_public_things_fetch", None),
        })
        self.assertEqual(cgen.mapping(API, OVERRIDES)["list_things"],
                         ["ftx_things_list", "ftx_things_stream"])
        self.assertEqual(cgen.hook_mapping(OVERRIDES), {"upload_thing": ["ftx_things_upload"]})

    def test_shapes(self):
        a = self.api
        self.assertEqual(a["list_things"]["ids"], [])
        self.assertTrue(a["list_things"]["paged"])
        self.assertFalse(a["list_things"]["query"])  # filters go in ftx_list_options
        self.assertEqual(a["list_things"]["result"]["kind"], "page")
        self.assertEqual(a["list_things"]["result"]["type"], "ftx_thing")
        self.assertEqual(a["modify_thing"]["ids"], ["thing_id"])
        self.assertTrue(a["modify_thing"]["params"])
        self.assertEqual(a["replace_thing"]["result"], {"kind": "json", "type": None, "fields": []})
        self.assertEqual(a["delete_thing"]["result"]["kind"], "none")
        self.assertTrue(a["search_things"]["query"])
        self.assertEqual(a["search_things"]["result"]["kind"], "json")
        self.assertEqual(a["connection_widget"]["ids"], ["connection_id"])
        self.assertEqual(a["connection_widget"]["result"],
                         {"kind": "model", "type": "ftx_widget", "fields": [("name", "name", "STRING")]})

    def test_fields(self):
        fields = self.api["thing_details"]["result"]["fields"]
        self.assertEqual(fields, [
            ("active", "active", "BOOL"), ("config", "config", "JSON"),
            ("count", "count", "INT"), ("created_at", "created_at", "TIME"),
            ("default", "default_", "STRING"), ("id", "id", "STRING"),
            ("ratio", "ratio", "NUMBER"), ("raw", "raw_", "STRING"),
            ("schema_cfg", "schema_cfg", "MODEL"), ("secret", "secret", "STRING"),
            ("tags", "tags", "STRINGS"), ("tags_count", "tags_count_", "INT"),
            ("widget", "widget", "MODEL"), ("widgets", "widgets", "MODELS")])
        models = cgen.c_models(API, OVERRIDES)
        self.assertEqual(list(models), ["ftx_widget", "ftx_thing"])  # dependencies first
        secret = [f for f in models["ftx_thing"]["fields"] if f[4]]
        self.assertEqual(secret, [("secret", "secret", "STRING", None, True)])
        self.assertIn(("schema_cfg", "schema_cfg", "MODEL", "ftx_hand", False),
                      models["ftx_thing"]["fields"])


class Output(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.files = cgen.generate(API, OVERRIDES, ROOT)

    def test_files(self):
        self.assertEqual(sorted(self.files), [
            "include/fivetrex/api.h", "include/fivetrex/api/connectors.h",
            "include/fivetrex/api/models.h", "include/fivetrex/api/public.h",
            "include/fivetrex/api/things.h", "include/fivetrex/api/things_search.h",
            "src/gen/connectors.c", "src/gen/decls.h", "src/gen/models.c",
            "src/gen/public.c", "src/gen/tables.c", "src/gen/things.c",
            "src/gen/things_search.c"])
        for text in self.files.values():
            self.assertTrue(text.startswith("/* " + cgen.BANNER + " */\n"))
        self.assertNotIn("upload_thing", "".join(self.files.values()))
        self.assertNotIn("list_hand", "".join(self.files.values()))

    def test_descriptors(self):
        c = self.files["src/gen/things.c"]
        self.assertIn('.flags = FTX__OP_CREATE | FTX__OP_BODY_REQUIRED,', c)
        self.assertIn('.flags = FTX__OP_V2,', c)
        self.assertIn('.flags = FTX__OP_NO_BODY | FTX__OP_MESSAGE,', c)  # run
        self.assertIn('.flags = FTX__OP_PAGED,', c)
        self.assertIn('{"kind", FTX__Q_STRING, 0, list_things_kind_values},', c)
        self.assertIn('static const char *const create_thing_kind_values[] = {"A", "B", NULL};', c)
        self.assertIn('{"region", FTX__B_STRING, 0, NULL, NULL, 0},', c)  # open enum
        self.assertIn('{"every", FTX__B_INT, 0, NULL, create_thing_every_values, 2},', c)
        self.assertIn('{"opts", FTX__B_OBJECT, 0, NULL, NULL, 0},', c)
        self.assertIn('{"list", FTX__B_ARRAY, 0, NULL, NULL, 0},', c)
        self.assertIn('.path = "/things/{thingId}/run",', c)
        self.assertIn('.path = "/public/things",', self.files["src/gen/public.c"])
        self.assertIn(".flags = FTX__OP_HOST_ROOT,", self.files["src/gen/public.c"])
        s = self.files["src/gen/things_search.c"]
        self.assertIn('{"q", FTX__Q_STRING, 1, NULL},', s)
        self.assertIn('{"all", FTX__Q_BOOL, 0, NULL},', s)
        m = self.files["src/gen/models.c"]
        self.assertIn('{"secret", FTX__F_STRING, FTX__FF_SECRET, offsetof(ftx_thing, secret), 0, NULL},', m)
        self.assertIn(".hand_from_json = hand_hand_from_json,", m)
        h = self.files["include/fivetrex/api/models.h"]
        self.assertLess(h.index("typedef struct ftx_widget {"), h.index("typedef struct ftx_thing {"))
        self.assertIn('#include "../hand.h"', h)
        self.assertIn("    char **tags;\n    size_t tags_count;\n", h)
        self.assertIn("    long long tags_count_;\n", h)

    def test_docs(self):
        h = self.files["include/fivetrex/api/things.h"]
        self.assertIn("never retried after an ambiguous failure", h)
        self.assertIn("The result holds secrets (secret)", h)
        self.assertIn("free with ftx_thing_page_free()", h)
        self.assertIn("Sent with Accept: application/json;version=2.", h)


class Errors(unittest.TestCase):
    def bad(self, api, ovr, msg):
        with self.assertRaises(cgen.GenError) as cm:
            cgen.c_api(api, ovr)
        self.assertIn(msg, str(cm.exception))

    def test_collision(self):
        api = copy.deepcopy(API)
        api["operations"].append(op("other", "GET", "/v1/things/{x}/{y}",
                                    response=data("WidgetResponse")))
        self.bad(api, OVERRIDES, "both name ftx_things_get")

    def test_hand_collision(self):
        tmp = tempfile.mkdtemp()
        try:
            os.makedirs(os.path.join(tmp, "include", "fivetrex"))
            with open(os.path.join(tmp, "include", "fivetrex", "x.h"), "w") as f:
                f.write("int ftx_things_run(void);\n")
            spec = cgen.Spec(API, OVERRIDES)
            with self.assertRaises(cgen.GenError) as cm:
                cgen.check_hand_collisions(spec, tmp)
            self.assertIn("ftx_things_run collides", str(cm.exception))
        finally:
            shutil.rmtree(tmp)

    def test_overrides_must_apply(self):
        o = copy.deepcopy(OVERRIDES)
        o["open_enums"]["fields"]["create_thing.nothing"] = {"comment": "x"}
        self.bad(API, o, "open_enums create_thing.nothing applies nowhere")
        o = copy.deepcopy(OVERRIDES)
        o["secrets"]["schemas"]["ThingResponse"]["fields"] = ["nope"]
        self.bad(API, o, "has no field nope")
        o = copy.deepcopy(OVERRIDES)
        o["c_names"]["operations"]["gone"] = {"name": "ftx_x", "comment": "x"}
        self.bad(API, o, "unknown operation gone")
        o = copy.deepcopy(OVERRIDES)
        del o["secrets"]["schemas"]["ThingResponse"]["comment"]
        self.bad(API, o, "has no comment")

    def test_multipart_needs_hook(self):
        o = copy.deepcopy(OVERRIDES)
        del o["hooks"]["operations"]["upload_thing"]
        self.bad(API, o, "upload_thing: a multipart request is hand-written")


class Project(unittest.TestCase):
    def test_project(self):
        with open(os.path.join(ROOT, "api", "fivetran-api.json"), encoding="utf-8") as f:
            api = json.load(f)
        with open(os.path.join(ROOT, "tools", "gen", "overrides.json"), encoding="utf-8") as f:
            ovr = json.load(f)
        a = cgen.c_api(api, ovr)
        self.assertEqual(len(a), 132)  # 168 - 33 hand-written - 3 hooks
        self.assertEqual(a["list_all_users"], {
            "function": "ftx_users_list", "stream": "ftx_users_stream", "ids": [],
            "query": False, "params": False, "paged": True,
            "result": {"kind": "page", "type": "ftx_user", "fields": [
                ("active", "active", "BOOL"), ("created_at", "created_at", "TIME"),
                ("email", "email", "STRING"), ("family_name", "family_name", "STRING"),
                ("given_name", "given_name", "STRING"), ("id", "id", "STRING"),
                ("invited", "invited", "BOOL"), ("logged_in_at", "logged_in_at", "TIME"),
                ("phone", "phone", "STRING"), ("picture", "picture", "STRING"),
                ("role", "role", "STRING"), ("verified", "verified", "BOOL")]}})
        self.assertEqual(a["get_esm_entities"]["function"],
                         "ftx_external_secrets_managers_entities_list")
        self.assertTrue(a["get_esm_entities"]["query"])
        self.assertEqual(a["get_esm_entities"]["result"]["kind"], "json")
        self.assertEqual(a["delete_user"]["ids"], ["user_id"])
        self.assertEqual(a["modify_connection_table_config"]["result"],
                         {"kind": "model", "type": "ftx_schema_config", "fields": [], "hand": True})
        self.assertEqual(a["get_team_membership_in_connection"]["ids"], ["team_id", "connector_id"])
        self.assertEqual(a["run_transformation"]["result"]["kind"], "none")
        first = cgen.generate(api, ovr, ROOT)
        self.assertEqual(first, cgen.generate(api, ovr, ROOT))
        for rel, text in first.items():  # the committed files are what it writes
            with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
                self.assertEqual(f.read(), text, rel)


if __name__ == "__main__":
    unittest.main()
