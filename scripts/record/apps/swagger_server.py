#!/usr/bin/env python3
"""Serve the Swagger UI explorer (this folder) and the mock CRM API it documents, on 127.0.0.1.

Static files come from the folder the script lives in (setup_apps.py copies it to
build/swagger/server.py); requests under /api/ are answered from fake in-memory rows so
that the explorer's "Try it out" / "Execute" flows get real responses (JSON bodies,
status codes 200/201/204/401/404/422, response headers).

Usage: python server.py PORT
"""

import json
import random
import sys
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

HERE = Path(__file__).resolve().parent
RND = random.Random(99)
FIRST = ["Jane", "John", "Maria", "Wei", "Amara", "Lukas", "Priya", "Kenji"]
LAST = ["Doe", "Smith", "Garcia", "Chen", "Okafor", "Muller", "Patel", "Tanaka"]
ROWS = {
    "customers": [
        {
            "id": i,
            "first_name": f,
            "last_name": la,
            "email": f"{f.lower()}.{la.lower()}{i}@example.com",
            "phone": f"+1 415 555 {RND.randint(0, 9999):04d}",
            "country": RND.choice(["US", "GB", "DE", "IN", "JP"]),
            "tier": RND.choice(["free", "pro", "enterprise"]),
            "newsletter": RND.random() < 0.5,
        }
        for i, (f, la) in enumerate(((RND.choice(FIRST), RND.choice(LAST)) for _ in range(60)), 1)
    ],
    "orders": [
        {
            "id": i,
            "customer_id": RND.randint(1, 60),
            "product_id": RND.randint(1, 18),
            "quantity": RND.randint(1, 5),
            "status": RND.choice(["new", "paid", "shipped", "refunded"]),
        }
        for i in range(1, 121)
    ],
    "tickets": [
        {
            "id": i,
            "customer_id": RND.randint(1, 60),
            "subject": RND.choice(["Late delivery", "Refund request", "Card declined"]),
            "priority": RND.choice(["low", "normal", "high", "urgent"]),
            "body": "Please call me back.",
        }
        for i in range(1, 41)
    ],
}


class Handler(SimpleHTTPRequestHandler):
    def log_message(self, fmt, *args):  # keep the server log short
        pass

    def send_json(self, code, body=None):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Request-Id", f"req-{RND.randint(100000, 999999)}")
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        try:
            return json.loads(self.rfile.read(n) or b"{}")
        except json.JSONDecodeError:
            return None

    def api(self, method):
        url = urlsplit(self.path)
        parts = [p for p in url.path.split("/") if p][1:]  # drop "api"
        if parts == ["health"]:
            return self.send_json(200, {"status": "ok"})
        if parts == ["auth", "token"] and method == "POST":
            b = self.body() or {}
            if b.get("username") and b.get("password"):
                return self.send_json(
                    200, {"access_token": f"tok-{RND.randint(10**8, 10**9)}", "expires_in": 3600}
                )
            return self.send_json(401, {"detail": "bad credentials"})
        if not parts or parts[0] not in ROWS:
            return self.send_json(404, {"detail": f"no resource {url.path}"})
        if not self.headers.get("Authorization") and not self.headers.get("X-API-Key"):
            return self.send_json(401, {"detail": "missing bearer token or X-API-Key"})
        rows = ROWS[parts[0]]
        if len(parts) == 1 and method == "GET":
            q = {k: v[0] for k, v in parse_qs(url.query).items()}
            sel = [
                r for r in rows if all(str(r.get(k)) == v for k, v in q.items() if k not in ("page", "limit"))
            ]
            limit = min(int(q.get("limit") or 20), 100)
            start = (max(int(q.get("page") or 1), 1) - 1) * limit
            return self.send_json(200, sel[start : start + limit])
        if len(parts) == 1 and method == "POST":
            b = self.body()
            if not isinstance(b, dict):
                return self.send_json(422, {"detail": "body must be a JSON object"})
            return self.send_json(201, {"id": len(rows) + 1, **b})
        try:
            row = next(r for r in rows if r["id"] == int(parts[1]))
        except (ValueError, IndexError, StopIteration):
            return self.send_json(404, {"detail": "not found"})
        if method == "GET":
            return self.send_json(200, row)
        if method == "PUT":
            b = self.body()
            return (
                self.send_json(200, {**row, **b})
                if isinstance(b, dict)
                else self.send_json(422, {"detail": "bad body"})
            )
        return self.send_json(204)

    def do_GET(self):
        if self.path.startswith("/api/"):
            return self.api("GET")
        return super().do_GET()

    def do_POST(self):
        return self.api("POST")

    def do_PUT(self):
        return self.api("PUT")

    def do_DELETE(self):
        return self.api("DELETE")


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8706
    ThreadingHTTPServer(("127.0.0.1", port), partial(Handler, directory=str(HERE))).serve_forever()
