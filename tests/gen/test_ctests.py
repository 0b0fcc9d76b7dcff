#!/usr/bin/env python3
"""Unit test of tools/gen/ctests.py (the generated operation tests).

The facts it mirrors from the library (percent-encoding of ids, ftx_time_parse), the C string
literals it writes, the example data it takes from a definition (and makes up when the
definition has none), the case names coverage.py lists, and deterministic output.
"""

import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(ROOT, "tools", "gen"))

import ctests  # noqa: E402


def load(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as f:
        return json.load(f)


def c_literal_value(text):
    """The bytes of adjacent C string literals as ctests.c_str writes them."""
    out = bytearray()
    i = 0
    inside = False
    while i < len(text):
        ch = text[i]
        if not inside:
            if ch == '"':
                inside = True
            i += 1
            continue
        if ch == '"':
            inside = False
            i += 1
        elif ch == "\\":
            nxt = text[i + 1]
            if nxt in "01234567":
                out.append(int(text[i + 1:i + 4], 8))
                i += 4
            else:
                out += {"\\": b"\\", '"': b'"', "?": b"?"}[nxt]
                i += 2
        else:
            out += ch.encode()
            i += 1
    return bytes(out)


class Facts(unittest.TestCase):
    def test_encode_like_ftx_buf_put_encoded(self):
        self.assertEqual(ctests.encode("id/1 x"), "id%2F1%20x")
        self.assertEqual(ctests.encode("a?b#c"), "a%3Fb%23c")
        self.assertEqual(ctests.encode("caf\u00e9"), "caf%C3%A9")
        self.assertEqual(ctests.encode("."), "%2E")
        self.assertEqual(ctests.encode(".."), "%2E%2E")
        self.assertEqual(ctests.encode("a-b._~"), "a-b._~")
        self.assertEqual(ctests.encode("eyJ9=="), "eyJ9%3D%3D")

    def test_time_like_ftx_time_parse(self):
        t = ctests.time_ms
        self.assertEqual(t("2020-05-25T15:26:47.306509Z"), 1590420407306)
        self.assertEqual(t("2018-12-20T11:59:35.089Z"), 1545307175089)
        self.assertEqual(t("2024-01-01T00:00:00Z"), 1704067200000)
        self.assertEqual(t("2024-01-01T01:00:00+01:00"), 1704067200000)
        self.assertEqual(t("2024-01-01"), 1704067200000)
        self.assertEqual(t("1969-12-31T23:59:59Z"), -1000)
        for bad in ("", "string", "2024-02-30T00:00:00Z", "2024-01-01T24:00:00Z",
                    "2024-01-01T00:00:00.Z", None, 5):
            self.assertIsNone(t(bad), bad)

    def test_status_types(self):
        self.assertEqual(ctests.status_type(404, False), "FTX_ERR_NOT_FOUND")
        self.assertEqual(ctests.status_type(422, False), "FTX_ERR_BAD_REQUEST")
        self.assertEqual(ctests.status_type(415, False), "FTX_ERR_UNKNOWN")
        self.assertEqual(ctests.status_type(500, True), "FTX_ERR_OUTCOME_UNKNOWN")
        self.assertEqual(ctests.status_type(503, False), "FTX_ERR_SERVER")


class Literals(unittest.TestCase):
    def test_round_trip(self):
        for s in ['{"a":"b"}', "caf\u00e9 \u2603", 'q"uote\\back', "??=trigraph", "x" * 500,
                  "tab\tnew\nline", "", "1,2,3," * 40]:
            lit = ctests.c_str(s)
            self.assertEqual(c_literal_value(lit), s.encode(), s)
            self.assertNotIn("??", lit)
            for line in lit.split("\n"):
                self.assertLessEqual(len(line), 100)

    def test_null(self):
        self.assertEqual(ctests.c_str(None), "NULL")


class Data(unittest.TestCase):
    FIELDS = [("s", "s", "string", None), ("t", "t", "time", None), ("b", "b", "bool", None),
              ("i", "i", "int", None), ("n", "n", "number", None), ("j", "j", "json", None),
              ("l", "l", "strings", None), ("m", "m", "model", None), ("ms", "ms", "models", None)]

    def test_made_up_when_missing(self):
        o = ctests.normalize({}, self.FIELDS, {})
        self.assertEqual(o, {"s": "s_value", "t": ctests.SYNTH_TIME, "b": True, "i": 42,
                             "n": 1.5, "j": {"j_key": "value"}, "l": ["l_1", "l_2"], "m": {},
                             "ms": [{}]})

    def test_examples_kept_in_their_kind(self):
        ex = {"s": 7, "t": "2020-01-01T00:00:00Z", "b": False, "i": "12", "n": 2,
              "j": [1], "l": ["a", 3, "b"], "m": {"x": 1}, "ms": [{"y": 2}, "no"], "extra": 1}
        o = ctests.normalize(ex, self.FIELDS, {})
        self.assertEqual(o, {"s": "7", "t": "2020-01-01T00:00:00Z", "b": False, "i": 12,
                             "n": 2, "j": [1], "l": ["a", "b"], "m": {"x": 1},
                             "ms": [{"y": 2}], "extra": 1})

    def test_nested_models_filled(self):
        models = {"ftx_inner": {"fields": [("name", "name", "STRING", None, False)]}}
        fields = [("inner", "inner", "model", "ftx_inner"), ("all", "all", "models", "ftx_inner")]
        o = ctests.normalize({"all": [{"name": "a"}, {}]}, fields, models)
        self.assertEqual(o, {"inner": {"name": "name_value"},
                             "all": [{"name": "a"}, {"name": "name_value"}]})
        asserts = "\n".join(ctests.field_asserts("out", fields, o, models))
        self.assertIn('assert_string_equal(out->inner->name, "name_value");', asserts)
        self.assertIn("assert_int_equal(out->all_count, 2);", asserts)
        self.assertIn('assert_string_equal(out->all[0]->name, "a");', asserts)

    def test_body_values_pass_the_checks(self):
        f = {"name": "kind", "kind": "STRING", "required": True, "enum": ["A", "B"],
             "int_enum": None}
        self.assertEqual(ctests.body_value(f, "B"), "B")
        self.assertEqual(ctests.body_value(f, "lower"), "A")
        f = {"name": "freq", "kind": "INT", "required": False, "enum": None,
             "int_enum": [5, 15]}
        self.assertEqual(ctests.body_value(f, "15"), 5)
        f = {"name": "on", "kind": "BOOL", "required": False, "enum": None, "int_enum": None}
        self.assertIs(ctests.body_value(f, "true"), True)


class Generated(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.api = load("api", "fivetran-api.json")
        cls.overrides = load("tools", "gen", "overrides.json")
        # the small hand-made definition: no example matches, every value is made up
        cls.definition = load("tests", "gen", "definition.json")

    def test_mapping_names_the_cases(self):
        m = ctests.mapping(self.api, self.overrides)
        hand = {k for k, v in self.overrides["coverage"]["operations"].items() if "c" in v}
        self.assertTrue(m)
        self.assertFalse(hand & set(m))
        for oid, cases in m.items():
            self.assertTrue(all(c.startswith("test_gen_") and ".c:test_" in c for c in cases))
            self.assertIn(":test_%s_refused" % oid, cases[-1])
        self.assertIn("test_gen_users.c:test_list_all_users_stream", m["list_all_users"])
        self.assertIn("test_gen_users.c:test_user_details_errors", m["user_details"])

    def test_deterministic_without_examples(self):
        a, n = ctests.generate(self.api, self.overrides, self.definition)
        b, n2 = ctests.generate(self.api, self.overrides, self.definition)
        self.assertEqual(a, b)
        self.assertEqual(n, n2)
        self.assertIn("gen_main.c", a)
        m = ctests.mapping(self.api, self.overrides)
        self.assertEqual(n, sum(len(v) for v in m.values()))
        for name, text in a.items():
            self.assertTrue(text.startswith(ctests.BANNER), name)
        users = a["test_gen_users.c"]
        self.assertIn('"/v1/users/userId%2F1%20x"', users)
        self.assertIn('"limit=2&active=true"', users)


if __name__ == "__main__":
    unittest.main()
