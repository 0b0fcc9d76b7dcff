#!/usr/bin/env python3
"""Unit test of tools/gen/extract.py over the hand-made definition in tests/gen/definition.json.

Asserts the extracted facts exactly: paths and their parameters in path order, query
parameters with enums, paging, the version=2 Accept, JSON / multipart / no request body, the
response envelope, schemas flattened (allOf) without following discriminator mappings, no
prose, overrides applied and marked, deterministic output, clear errors on bad input.
"""

import copy
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(ROOT, "tools", "gen"))

import extract  # noqa: E402

with open(os.path.join(HERE, "definition.json"), encoding="utf-8") as f:
    DEFINITION = json.load(f)

S = {"type": "string"}

EXPECTED_OPS = [
    {"operation_id": "list_things", "method": "GET", "path": "/v1/things",
     "path_params": [], "accept": "application/json", "paged": True, "errors": [401],
     "query_params": [{"name": "cursor", "required": False, "type": "string"},
                      {"name": "limit", "required": False, "type": "integer", "format": "int32"}],
     "request": {"content": "none"},
     "response": {"status": 200, "content": "json", "envelope": "data",
                  "item": {"ref": "ThingResponse"}}},
    {"operation_id": "create_thing", "method": "POST", "path": "/v1/things",
     "path_params": [], "query_params": [], "accept": "application/json;version=2",
     "paged": False, "errors": [400, 409],
     "request": {"content": "json", "required": False, "body": {"ref": "NewThingRequest"}},
     "response": {"status": 201, "content": "json", "envelope": "data",
                  "data": {"ref": "ThingResponse"}}},
    {"operation_id": "thing_details", "method": "GET", "path": "/v1/things/{thingId}",
     "path_params": [{"name": "thingId", "type": "string"}], "query_params": [],
     "accept": "application/json;version=2", "paged": False, "errors": [404],
     "request": {"content": "none"},
     "response": {"status": 200, "content": "json", "envelope": "data",
                  "data": {"ref": "ThingResponse"}}},
    {"operation_id": "upload_package", "method": "POST", "path": "/v1/things/{thingId}/package",
     "path_params": [{"name": "thingId", "type": "string"}], "query_params": [],
     "accept": "application/json", "paged": False, "errors": [],
     "request": {"content": "multipart", "required": False,
                 "body": {"type": "object", "required": ["file"],
                          "fields": {"file": {"type": "binary"}, "note": S}}},
     "response": {"status": 200, "content": "none"}},
    {"operation_id": "delete_part", "method": "DELETE",
     "path": "/v1/things/{thingId}/parts/{partId}",
     "path_params": [{"name": "thingId", "type": "string"}, {"name": "partId", "type": "string"}],
     "query_params": [{"name": "mode", "required": True, "type": "string",
                       "enum": ["SOFT", "HARD"]}],
     "accept": "application/json", "paged": False, "errors": [],
     "request": {"content": "none"},
     "response": {"status": 200, "content": "json", "envelope": "message"}},
    {"operation_id": "sync_thing", "method": "POST", "path": "/v1/things/{thingId}/sync",
     "path_params": [{"name": "thingId", "type": "string"}], "query_params": [],
     "accept": "application/json", "paged": False, "errors": [],
     "request": {"content": "none"},
     "response": {"status": 200, "content": "json", "envelope": "message"}},
]

EXPECTED_SCHEMAS = {
    "ThingResponse": {
        "type": "object", "required": ["created_at", "id", "service"],
        "discriminator": {"property": "service", "values": ["a_svc", "b_svc"]},
        "fields": {
            "id": S, "service": S,
            "created_at": {"type": "string", "format": "date-time"},
            "succeeded_at": {"type": "string", "format": "date-time"},
            "sync_frequency": {"type": "integer", "format": "int32", "enum": ["5", "60"]},
            "status": {"ref": "ThingStatus"},
            "tags": {"type": "array", "unique": True, "items": S}}},
    "ThingStatus": {
        "type": "object", "required": [],
        "fields": {"setup_state": {"type": "string", "enum": ["CONNECTED", "BROKEN"]},
                   "counts": {"type": "object", "values": {"type": "integer"}}}},
    "NewThingRequest": {
        "type": "object", "required": ["group_id", "name"], "extends": ["ThingBase"],
        "fields": {"name": S, "paused": {"type": "boolean"}, "group_id": S}},
    "ThingBase": {
        "type": "object", "required": ["name"],
        "fields": {"name": S, "paused": {"type": "boolean"}}},
}

OVERRIDES = {"overrides": [
    {"id": "ts", "kind": "nullable_timestamps", "comment": "optional timestamps can be null"},
    {"id": "freq", "kind": "field", "field": "sync_frequency", "when": {"type": "integer"},
     "set": {"enum": [5, 60]}, "comment": "integers, not strings"},
    {"id": "case", "kind": "field", "field": "setup_state", "set": {"enum_case": "insensitive"},
     "comment": "lower case in examples"},
    {"id": "cfg", "kind": "add_field", "field": "config", "schemas": ["ThingResponse"],
     "type": {"type": "object", "polymorphic": "service"}, "comment": "per service"},
    {"id": "noretry", "kind": "operation", "operations": ["create_thing"],
     "set": {"retry": "never"}, "comment": "creates are not retried"},
    {"id": "env", "kind": "operation", "operations": ["upload_package"],
     "response": {"set": {"content": "binary"}}, "comment": "the body is a file"},
]}


class ExtractTest(unittest.TestCase):
    def test_operations_exact(self):
        api = extract.extract(copy.deepcopy(DEFINITION))
        self.assertEqual(api["format"], 1)
        self.assertEqual(api["operations"], EXPECTED_OPS)

    def test_schemas_exact(self):
        # only referenced schemas; the discriminator's variants (a_/b_ThingResponse) and
        # the unreferenced one are not carried
        api = extract.extract(copy.deepcopy(DEFINITION))
        self.assertEqual(api["schemas"], EXPECTED_SCHEMAS)

    def test_no_prose(self):
        text = extract.dumps(extract.extract(copy.deepcopy(DEFINITION)))
        self.assertNotIn("PROSE", text)
        self.assertNotIn("description", text)
        self.assertNotIn("summary", text)
        self.assertNotIn("example", text)

    def test_deterministic(self):
        a = extract.dumps(extract.extract(copy.deepcopy(DEFINITION), copy.deepcopy(OVERRIDES)))
        shuffled = copy.deepcopy(DEFINITION)
        shuffled["paths"] = dict(reversed(list(shuffled["paths"].items())))
        shuffled["components"]["schemas"] = dict(
            reversed(list(shuffled["components"]["schemas"].items())))
        b = extract.dumps(extract.extract(shuffled, copy.deepcopy(OVERRIDES)))
        self.assertEqual(a, b)
        self.assertEqual(a, extract.dumps(json.loads(a)))  # keys already sorted
        self.assertTrue(a.endswith("}\n"))

    def test_overrides_applied_and_marked(self):
        api = extract.extract(copy.deepcopy(DEFINITION), copy.deepcopy(OVERRIDES))
        thing = api["schemas"]["ThingResponse"]["fields"]
        self.assertEqual(thing["succeeded_at"], {"type": "string", "format": "date-time",
                                                 "nullable": True, "overrides": ["ts"]})
        self.assertNotIn("nullable", thing["created_at"])  # required: never null
        self.assertEqual(thing["sync_frequency"], {"type": "integer", "format": "int32",
                                                   "enum": [5, 60], "overrides": ["freq"]})
        self.assertEqual(thing["config"], {"type": "object", "polymorphic": "service",
                                           "overrides": ["cfg"]})
        self.assertEqual(api["schemas"]["ThingStatus"]["fields"]["setup_state"]["enum_case"],
                         "insensitive")
        ops = {o["operation_id"]: o for o in api["operations"]}
        self.assertEqual(ops["create_thing"]["retry"], "never")
        self.assertEqual(ops["create_thing"]["overrides"], ["noretry"])
        self.assertNotIn("retry", ops["thing_details"])
        self.assertEqual(ops["upload_package"]["response"]["content"], "binary")

    def test_override_applying_nowhere_fails(self):
        bad = {"overrides": [{"id": "x", "kind": "field", "field": "no_such_field",
                              "set": {"nullable": True}, "comment": "stale"}]}
        with self.assertRaisesRegex(extract.ExtractError, "applied nowhere"):
            extract.extract(copy.deepcopy(DEFINITION), bad)

    def test_override_without_comment_fails(self):
        bad = {"overrides": [{"id": "x", "kind": "nullable_timestamps"}]}
        with self.assertRaisesRegex(extract.ExtractError, "no comment"):
            extract.extract(copy.deepcopy(DEFINITION), bad)

    def test_path_parameter_mismatch_fails(self):
        d = copy.deepcopy(DEFINITION)
        d["paths"]["/v1/things/{thingId}"]["get"]["parameters"][0]["name"] = "thing_id"
        with self.assertRaisesRegex(extract.ExtractError, "thing_details: path parameters"):
            extract.extract(d)

    def test_unknown_ref_fails(self):
        d = copy.deepcopy(DEFINITION)
        d["components"]["schemas"]["ThingResponse"]["properties"]["status"]["$ref"] = \
            "#/components/schemas/Nope"
        with self.assertRaisesRegex(extract.ExtractError, "unknown schema 'Nope'"):
            extract.extract(d)

    def test_command_line(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "api.json")
            ovr = os.path.join(tmp, "ovr.json")
            with open(ovr, "w", encoding="utf-8") as f:
                json.dump(OVERRIDES, f)
            script = os.path.join(ROOT, "tools", "gen", "extract.py")
            subprocess.run([sys.executable, script, os.path.join(HERE, "definition.json"),
                            "--overrides", ovr, "-o", out], check=True)
            with open(out, encoding="utf-8") as f:
                first = f.read()
            subprocess.run([sys.executable, script, os.path.join(HERE, "definition.json"),
                            "--overrides", ovr, "-o", out], check=True)
            with open(out, encoding="utf-8") as f:
                self.assertEqual(f.read(), first)  # byte-identical on re-run
            r = subprocess.run([sys.executable, script, os.path.join(tmp, "missing.json"),
                                "-o", out], capture_output=True, text=True)
            self.assertEqual(r.returncode, 1)
            self.assertIn("extract.py:", r.stderr)
            self.assertNotIn("Traceback", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=1)
