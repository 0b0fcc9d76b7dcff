#!/usr/bin/env python3
"""Write docs/api-coverage.md: every operation of the API and what covers it today.

Usage: coverage.py [--api api/fivetran-api.json] [--overrides tools/gen/overrides.json]
                   [--root REPO] [-o docs/api-coverage.md]

Reads the compact description (api/fivetran-api.json, from extract.py), the hand-kept coverage
table in overrides.json and what the generators say they cover: the C functions from
cgen.mapping(), the hand-written hooks of overrides.json (listed once declared), and, when those
modules exist, the CLI verbs from cli.mapping(), the sandbox handlers from sandbox.mapping()
and the generated tests from ctests.mapping() (each `mapping(api, overrides) -> {operation_id:
[names]}`). It checks the result against the sources so the page cannot drift: each C function
must be declared in include/fivetrex/ (api/ included), the operation's path template must be
used in src/ or src/gen/, each hand-kept CLI verb must be in the cli/cmd_<resource>.c verb table,
and each hand-kept sandbox handler must exist in sandbox/*.c. Standard library only;
deterministic output.
"""

import argparse
import glob
import importlib.util
import json
import os
import re
import sys

from extract import write_atomic

import cgen

HERE = os.path.dirname(os.path.abspath(__file__))


def generator(name):
    """tools/gen/<name>.py as a module, or None when that generator does not exist (yet)."""
    path = os.path.join(HERE, name + ".py")
    if not os.path.exists(path):
        return None
    spec = importlib.util.spec_from_file_location("ftx_gen_" + name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod if hasattr(mod, "mapping") else None


def generated(name, api, overrides):
    mod = generator(name)
    return mod.mapping(api, overrides) if mod is not None else {}


class CoverageError(Exception):
    pass


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def norm_template(path):
    """/v1/groups/{groupId}/users -> /groups/{}/users (the library's base URL ends in /v1)."""
    if path.startswith("/v1/"):
        path = path[3:]
    return re.sub(r"\{[^}]*\}", "{}", path)


def source_facts(root):
    headers = "".join(read(p) for p in sorted(glob.glob(os.path.join(root, "include", "fivetrex", "*.h"))
                                              + glob.glob(os.path.join(root, "include", "fivetrex", "api", "*.h"))))
    declared = set(re.findall(r"\b(ftx_[a-z0-9_]+)\s*\(", headers))
    templates = set()
    for p in sorted(glob.glob(os.path.join(root, "src", "*.c")) + glob.glob(os.path.join(root, "src", "gen", "*.c"))):
        for lit in re.findall(r'"(/[A-Za-z0-9_/{}.-]*)"', read(p)):
            templates.add(re.sub(r"\{[^}]*\}", "{}", lit))
    verbs = {}
    for p in sorted(glob.glob(os.path.join(root, "cli", "cmd_*.c"))):
        res = os.path.basename(p)[4:-2]
        verbs[res] = set(re.findall(r'\{"([a-z-]+)",\s*"[^"]*",\s*[a-z_]+,\s*CLI_VERB_', read(p)))
    store = "".join(read(p) for p in sorted(glob.glob(os.path.join(root, "sandbox", "*.c"))))
    handlers = set(re.findall(r"^(?:static )?void ([a-z_]+)\(", store, re.M))
    return declared, templates, verbs, handlers


def hand_tests(root):
    """{C function: ["test_x.c:test_y", ...]}: the hand-written unit tests (tests/unit/test_*.c)
    whose test functions call it."""
    calls = {}
    for p in sorted(glob.glob(os.path.join(root, "tests", "unit", "test_*.c"))):
        name = os.path.basename(p)
        parts = re.split(r"^static void (test_[a-z0-9_]+)\(void \*\*state\)", read(p), flags=re.M)
        for test, body in zip(parts[1::2], parts[2::2]):
            for fn in set(re.findall(r"\b(ftx_[a-z0-9_]+)\s*\(", body)):
                calls.setdefault(fn, []).append("%s:%s" % (name, test))
    return calls


CLI_RESOURCE = {"groups": "groups", "connectors": "connectors", "destinations": "destinations",
                "webhooks": "webhooks"}


def check_cli(verb, verbs):
    words = verb.split()
    res = CLI_RESOURCE.get(words[0])
    if res is None or len(words) < 2:
        raise CoverageError("CLI verb %r: unknown resource" % verb)
    table = verbs.get(res, set())
    if words[1] not in table:
        raise CoverageError("CLI verb %r: %r is not in cli/cmd_%s.c" % (verb, words[1], res))


def build(api, overrides, root):
    table = overrides.get("coverage", {}).get("operations", {})
    ops = api["operations"]
    known = {o["operation_id"] for o in ops}
    for oid in table:
        if oid not in known:
            raise CoverageError("coverage table names unknown operation %s" % oid)
    declared, templates, verbs, handlers = source_facts(root)
    gen_c = cgen.mapping(api, overrides)
    hooks = cgen.hook_mapping(overrides)
    gen_cli = generated("cli", api, overrides)
    gen_sbx = generated("sandbox", api, overrides)
    gen_tests = generated("ctests", api, overrides)
    by_hand = hand_tests(root)
    rows, typed, cli_n, sbx_n, gen_n, test_n = [], 0, 0, 0, 0, 0
    for o in ops:
        oid = o["operation_id"]
        e = table.get(oid, {})
        funcs = list(e.get("c", []))
        for fn in funcs:
            if fn not in declared:
                raise CoverageError("%s: %s is not declared in include/fivetrex/" % (oid, fn))
        if funcs and oid in gen_c:
            raise CoverageError("%s: hand-written (coverage table) and generated by cgen.py" % oid)
        for fn in gen_c.get(oid, []):
            if fn not in declared:
                raise CoverageError("%s: generated %s is not declared in include/fivetrex/api/: "
                                    "run make gen" % (oid, fn))
            funcs.append(fn)
        # a hook's hand function counts once it exists
        funcs += [fn for fn in hooks.get(oid, []) if fn in declared and fn not in funcs]
        if funcs and norm_template(o["path"]) not in templates:
            raise CoverageError("%s: path %s is not used in src/" % (oid, o["path"]))
        cli = list(e.get("cli", []))
        for v in cli:
            check_cli(v.split(" --")[0], verbs)
        cli += [v for v in gen_cli.get(oid, []) if v not in cli]
        sbx = [e["sandbox"]] if e.get("sandbox") else []
        if sbx and sbx[0] not in handlers:
            raise CoverageError("%s: sandbox handler %s() not in sandbox/*.c" % (oid, sbx[0]))
        sbx += [h for h in gen_sbx.get(oid, []) if h not in sbx]
        tests = list(gen_tests.get(oid, []))
        if not tests:  # a hand-written operation: the hand-written tests that call it
            for fn in funcs:
                tests += [t for t in by_hand.get(fn, [])[:2] if t not in tests]
            if funcs and not tests:
                raise CoverageError("%s: no test calls %s" % (oid, ", ".join(funcs)))
        typed += bool(funcs)
        cli_n += bool(cli)
        sbx_n += bool(sbx)
        gen_n += oid in gen_tests
        test_n += bool(tests)
        rows.append((o, funcs, cli, sbx, tests))
    return rows, typed, cli_n, sbx_n, gen_n, test_n


def cell(items):
    return "<br>".join("`%s`" % i for i in items)


def render(api, rows, typed, cli_n, sbx_n, gen_n, test_n):
    n = len(api["operations"])
    out = [
        "# API coverage",
        "",
        "<!-- Generated by tools/gen/coverage.py from api/fivetran-api.json, the coverage table",
        "     in tools/gen/overrides.json and the generators' mappings. Do not edit: run `make gen`. -->",
        "",
        "Every operation of the Fivetran REST API, with the typed C function that sends it, the",
        "CLI verb that reaches it, the `fivetrex-sandbox` handler that serves it and its unit",
        "tests: generated (tests/unit/gen/) or, for hand-written functions, the first",
        "hand-written tests that call them (tests/unit/). An operation without a typed function",
        "would still be reachable through `ftx_request()` (raw JSON) and `fivetrex api`.",
        "",
        "%d of %d operations typed; %d with a CLI verb; %d served by the sandbox; %d with a "
        "generated test, %d with hand-written tests." % (typed, n, cli_n, sbx_n, gen_n,
                                                         test_n - gen_n),
        "",
    ]
    section = None
    for o, funcs, cli, sbx, tests in rows:
        parts = o["path"].split("/")
        sec = parts[2] if len(parts) > 2 and parts[1] == "v1" else parts[1]
        if sec != section:
            if section is not None:
                out.append("")
            section = sec
            out += ["## %s" % sec, "",
                    "| Method | Path | operationId | C function | CLI | Sandbox | Test |",
                    "|---|---|---|---|---|---|---|"]
        out.append("| %s | `%s` | `%s` | %s | %s | %s | %s |" % (
            o["method"], o["path"], o["operation_id"],
            cell(["%s()" % f for f in funcs]) if funcs else "`ftx_request()`",
            cell(["fivetrex " + v for v in cli]) if cli else "`fivetrex api`",
            cell(["%s()" % h for h in sbx]) if sbx else "—",
            cell(tests) if tests else "—"))
    return "\n".join(out).rstrip("\n") + "\n"


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, "..", ".."))
    ap = argparse.ArgumentParser(description="write docs/api-coverage.md")
    ap.add_argument("--api", default=os.path.join(root, "api", "fivetran-api.json"))
    ap.add_argument("--overrides", default=os.path.join(here, "overrides.json"))
    ap.add_argument("--root", default=root)
    ap.add_argument("-o", "--output", default=os.path.join(root, "docs", "api-coverage.md"))
    a = ap.parse_args(argv)
    try:
        api = json.loads(read(a.api))
        ovr = json.loads(read(a.overrides))
        text = render(api, *build(api, ovr, a.root))
    except (OSError, ValueError, KeyError, CoverageError, cgen.GenError) as e:
        print("coverage.py: %s" % e, file=sys.stderr)
        return 1
    write_atomic(a.output, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
