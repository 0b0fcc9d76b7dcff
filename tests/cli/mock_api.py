#!/usr/bin/env python3
"""A tiny stand-in for the API, for CLI tests of operations the sandbox does not serve.

Usage: mock_api.py ROUTES.json LOG.jsonl

Binds 127.0.0.1 on a free port and prints its base URL (http://127.0.0.1:PORT/v1) on the
first line of stdout. Every request is appended to LOG.jsonl as one JSON object: method,
path (with the query), accept, content_type, content_length and body (text, latin-1).
ROUTES.json is a list of {"method", "path", "status"?, "json"? | "raw"?}: a route whose
path has a '?' must match the query too, else the path alone is matched; "json" is sent
as application/json, "raw" (text) as application/octet-stream. No route: 404.
"""

import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


def main():
    routes = json.load(open(sys.argv[1], encoding="utf-8"))
    log = sys.argv[2]

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def handle_any(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else b""
            with open(log, "a", encoding="utf-8") as f:
                f.write(json.dumps({
                    "method": self.command, "path": self.path,
                    "accept": self.headers.get("Accept"),
                    "content_type": self.headers.get("Content-Type"),
                    "content_length": self.headers.get("Content-Length"),
                    "body": body.decode("latin-1")}) + "\n")
            plain = self.path.split("?")[0]
            route = None
            for r in routes:
                if r["method"] == self.command and r["path"] == self.path:
                    route = r
                    break
            if route is None:
                for r in routes:
                    if r["method"] == self.command and "?" not in r["path"] and r["path"] == plain:
                        route = r
                        break
            if route is None:
                route = {"status": 404, "json": {"code": "NotFound", "message": "no such route"}}
            if "raw" in route:
                data, ctype = route["raw"].encode("latin-1"), "application/octet-stream"
            else:
                data, ctype = json.dumps(route.get("json", {})).encode(), "application/json"
            self.send_response(route.get("status", 200))
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = handle_any

    srv = HTTPServer(("127.0.0.1", 0), Handler)
    print("http://127.0.0.1:%d/v1" % srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
