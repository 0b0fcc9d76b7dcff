#!/usr/bin/env python3
"""Extract fivetrex's compact description of the Fivetran REST API.

Usage: extract.py DEFINITION.json [--overrides tools/gen/overrides.json] [-o api/fivetran-api.json]

Reads Fivetran's OpenAPI definition and writes facts only (no description, summary or
example text): every operation with its method, path, parameters, Accept version, paging,
request body and response, and every schema those reference (fields, types, required set,
enums). The hand-written overrides file then corrects what the definition gets wrong; each
place an override changed carries its id in an "overrides" list. Output is deterministic:
sorted keys, operations ordered by path then method, so re-running is byte-identical.
Standard library only.
"""

import argparse
import json
import os
import sys

METHODS = ("get", "post", "put", "patch", "delete")
V2 = "application/json;version=2"
JSON = "application/json"
MULTIPART = "multipart/form-data"
FORMAT = 1


class ExtractError(Exception):
    pass


def ref_name(ref):
    prefix = "#/components/schemas/"
    if not isinstance(ref, str) or not ref.startswith(prefix):
        raise ExtractError("unsupported $ref %r" % (ref,))
    return ref[len(prefix):]


class Extractor:
    def __init__(self, definition):
        if not isinstance(definition, dict) or not isinstance(definition.get("paths"), dict):
            raise ExtractError("not an OpenAPI definition: no 'paths' object")
        self.defn = definition
        self.schemas = definition.get("components", {}).get("schemas", {})
        self.used = set()  # schema names referenced (not following discriminator mappings)
        self.pending = []

    # ---- types -------------------------------------------------------------------------
    def use(self, name):
        if name not in self.schemas:
            raise ExtractError("$ref to unknown schema %r" % name)
        if name not in self.used:
            self.used.add(name)
            self.pending.append(name)
        return name

    def type_of(self, s):
        """A compact type: {"ref": N} | {"type": T, "format"?, "enum"?, "items"?, "fields"?...}."""
        if not isinstance(s, dict):
            raise ExtractError("schema is not an object: %r" % (s,))
        if "$ref" in s:
            return {"ref": self.use(ref_name(s["$ref"]))}
        if "allOf" in s or "properties" in s or "discriminator" in s:
            return self.object_of(s)
        t = {}
        typ = s.get("type")
        if typ is None:
            typ = "any"
        t["type"] = typ
        if "format" in s:
            t["format"] = s["format"]
        if "enum" in s:
            t["enum"] = list(s["enum"])
        if s.get("nullable"):
            t["nullable"] = True
        if typ == "array":
            t["items"] = self.type_of(s.get("items", {}))
            if s.get("uniqueItems"):
                t["unique"] = True
        if typ == "object" and isinstance(s.get("additionalProperties"), dict):
            t["values"] = self.type_of(s["additionalProperties"])
        return t

    def object_of(self, s):
        """An object: fields (by name), required (sorted), extends (allOf refs, flattened)."""
        fields = {}
        required = set()
        extends = []
        for part in s.get("allOf", []):
            if "$ref" in part:
                base = self.use(ref_name(part["$ref"]))
                extends.append(base)
                sub = self.object_of(self.schemas[base])
            else:
                sub = self.object_of(part)
            fields.update(sub["fields"])
            required.update(sub["required"])
        for name, fs in s.get("properties", {}).items():
            fields[name] = self.type_of(fs)
        required.update(s.get("required", []))
        o = {"type": "object", "fields": fields, "required": sorted(required)}
        if extends:
            o["extends"] = extends
        d = s.get("discriminator")
        if d:
            o["discriminator"] = {"property": d["propertyName"],
                                  "values": sorted(d.get("mapping", {}).keys())}
        return o

    # ---- operations --------------------------------------------------------------------
    def operation(self, path, method, op):
        oid = op.get("operationId")
        if not oid:
            raise ExtractError("%s %s has no operationId" % (method.upper(), path))
        out = {"operation_id": oid, "method": method.upper(), "path": path}
        params = list(op.get("parameters", []))
        path_params, query, accept = {}, [], JSON
        for p in params:
            if "$ref" in p:
                raise ExtractError("%s: parameter $ref is not supported" % oid)
            where, name = p.get("in"), p.get("name")
            sch = p.get("schema", {})
            if where == "path":
                path_params[name] = self.type_of(sch)["type"]
            elif where == "query":
                q = {"name": name, "required": bool(p.get("required", False))}
                q.update(self.type_of(sch))
                query.append(q)
            elif where == "header" and name == "Accept":
                accept = sch.get("default", JSON)
        # path parameters in the order they appear in the path
        order = [seg[1:-1] for seg in path.split("/") if seg.startswith("{") and seg.endswith("}")]
        if sorted(order) != sorted(path_params):
            raise ExtractError("%s: path parameters %s do not match %s" % (oid, order, path))
        out["path_params"] = [{"name": n, "type": path_params[n]} for n in order]
        out["query_params"] = sorted(query, key=lambda q: q["name"])
        out["accept"] = accept
        out["request"] = self.request(oid, op.get("requestBody"))
        out["response"], out["paged"] = self.response(oid, op.get("responses", {}), query)
        out["errors"] = sorted(int(c) for c in op.get("responses", {}) if not c.startswith("2"))
        return out

    def request(self, oid, body):
        if not body:
            return {"content": "none"}
        content = body.get("content", {})
        if len(content) != 1:
            raise ExtractError("%s: request body with %d content types" % (oid, len(content)))
        ctype, media = next(iter(content.items()))
        kind = {JSON: "json", MULTIPART: "multipart"}.get(ctype)
        if kind is None:
            raise ExtractError("%s: unsupported request content type %s" % (oid, ctype))
        r = {"content": kind, "required": bool(body.get("required", False))}
        sch = media.get("schema")
        if sch is not None:
            r["body"] = self.type_of(sch)
        if kind == "multipart":
            # a file part is declared as an untyped object: it is binary in the request
            for f in r.get("body", {}).get("fields", {}).values():
                if f.get("type") == "object" and "fields" not in f and "values" not in f:
                    f["type"] = "binary"
        return r

    def response(self, oid, responses, query):
        ok = sorted(c for c in responses if c.startswith("2"))
        if not ok:
            raise ExtractError("%s: no 2xx response" % oid)
        status = ok[0]
        content = responses[status].get("content", {})
        r = {"status": int(status)}
        if not content:
            r["content"] = "none"
            return r, False
        if len(content) != 1 or JSON not in content:
            raise ExtractError("%s: unsupported response content %s" % (oid, sorted(content)))
        r["content"] = "json"
        sch = content[JSON].get("schema", {})
        props = sch.get("properties", {})
        paged = False
        if "data" in props:
            # the usual envelope: {"code", "message"?, "data"}
            r["envelope"] = "data"
            data = props["data"]
            dprops = data.get("properties", {}) if "$ref" not in data else {}
            qnames = {q["name"] for q in query}
            if "items" in dprops and "next_cursor" in dprops and {"cursor", "limit"} <= qnames:
                paged = True
                r["item"] = self.type_of(dprops["items"].get("items", {}))
            else:
                r["data"] = self.type_of(data)
        elif "code" in props and set(props) <= {"code", "message"}:
            r["envelope"] = "message"  # {"code", "message"} and nothing else
        else:
            r["envelope"] = "none"  # the schema is the whole body, as declared
            r["data"] = self.type_of(sch)
        return r, paged

    def run(self):
        ops = []
        for path, item in self.defn["paths"].items():
            for method, op in item.items():
                if method in METHODS:
                    ops.append(self.operation(path, method, op))
        ops.sort(key=lambda o: (o["path"], METHODS.index(o["method"].lower())))
        ids = [o["operation_id"] for o in ops]
        if len(set(ids)) != len(ids):
            raise ExtractError("duplicate operationId")
        schemas = {}
        while self.pending:
            name = self.pending.pop()
            schemas[name] = self.object_of(self.schemas[name]) if self._objecty(name) \
                else self.type_of(self.schemas[name])
        return {"format": FORMAT, "operations": ops, "schemas": schemas}

    def _objecty(self, name):
        s = self.schemas[name]
        return "properties" in s or "allOf" in s or "discriminator" in s or s.get("type") == "object"


# ---- overrides ---------------------------------------------------------------------------

def _mark(obj, oid):
    marks = obj.setdefault("overrides", [])
    if oid not in marks:
        marks.append(oid)
        marks.sort()


def _walk_objects(api):
    """Every object type (named schemas and inline objects) in the description."""
    def walk(t):
        if not isinstance(t, dict):
            return
        if "fields" in t:
            yield t
            for f in t["fields"].values():
                yield from walk(f)
        if "items" in t:
            yield from walk(t["items"])
        if "values" in t:
            yield from walk(t["values"])
    for s in api["schemas"].values():
        yield from walk(s)
    for op in api["operations"]:
        for part in (op["request"].get("body"), op["response"].get("data"), op["response"].get("item")):
            yield from walk(part)


def apply_overrides(api, overrides):
    ops = {o["operation_id"]: o for o in api["operations"]}
    for ov in overrides.get("overrides", []):
        oid, kind = ov["id"], ov["kind"]
        if not ov.get("comment"):
            raise ExtractError("override %s has no comment" % oid)
        hits = 0
        if kind == "nullable_timestamps":
            for obj in _walk_objects(api):
                req = set(obj["required"])
                for name, f in obj["fields"].items():
                    if f.get("format") == "date-time" and name not in req and not f.get("nullable"):
                        f["nullable"] = True
                        _mark(f, oid)
                        hits += 1
        elif kind == "field":
            objs = _walk_objects(api)
            if "schemas" in ov:
                objs = [api["schemas"][n] for n in ov["schemas"] if n in api["schemas"]]
            for obj in objs:
                for name, f in obj["fields"].items():
                    if name != ov["field"]:
                        continue
                    if "when" in ov and any(f.get(k) != v for k, v in ov["when"].items()):
                        continue
                    for k in ov.get("unset", []):
                        f.pop(k, None)
                    f.update(ov.get("set", {}))
                    _mark(f, oid)
                    hits += 1
        elif kind == "add_field":
            for name in ov["schemas"]:
                s = api["schemas"].get(name)
                if s is None:
                    raise ExtractError("override %s: unknown schema %s" % (oid, name))
                if ov["field"] in s["fields"]:
                    raise ExtractError("override %s: %s already has %s" % (oid, name, ov["field"]))
                f = dict(ov["type"])
                s["fields"][ov["field"]] = f
                _mark(f, oid)
                hits += 1
        elif kind == "operation":
            for name in ov["operations"]:
                if name not in ops:
                    raise ExtractError("override %s: unknown operation %s" % (oid, name))
                op = ops[name]
                op.update(ov.get("set", {}))
                if "response" in ov:
                    for k in ov["response"].get("unset", []):
                        op["response"].pop(k, None)
                    op["response"].update(ov["response"].get("set", {}))
                _mark(ops[name], oid)
                hits += 1
        else:
            raise ExtractError("override %s: unknown kind %r" % (oid, kind))
        if hits == 0:
            raise ExtractError("override %s applied nowhere (the definition changed?)" % oid)
    return api


def extract(definition, overrides=None):
    api = Extractor(definition).run()
    if overrides is not None:
        apply_overrides(api, overrides)
    return api


def dumps(api):
    return json.dumps(api, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write_atomic(path, text):
    """Write `text` to `path` through a temporary file, so a failed run leaves no half file."""
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="extract the compact API description")
    ap.add_argument("definition")
    ap.add_argument("--overrides", default=os.path.join(here, "overrides.json"))
    ap.add_argument("--no-overrides", action="store_true")
    ap.add_argument("-o", "--output", default=os.path.join(here, "..", "..", "api", "fivetran-api.json"))
    a = ap.parse_args(argv)
    try:
        with open(a.definition, encoding="utf-8") as f:
            defn = json.load(f)
        ovr = None
        if not a.no_overrides:
            with open(a.overrides, encoding="utf-8") as f:
                ovr = json.load(f)
        text = dumps(extract(defn, ovr))
    except (OSError, ValueError, KeyError, ExtractError) as e:
        print("extract.py: %s" % e, file=sys.stderr)
        return 1
    write_atomic(a.output, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
