#!/usr/bin/env python3
"""Build the real web applications that the recorder drives.

Run with the recording venv's Python (scripts/record/.venv/bin/python).
Everything is written under scripts/record/build/ (git-ignored):

  build/mkdocs/site     MkDocs + Material site built from npm's own markdown docs
                        (node_modules/npm/docs/content, a real documentation set)
  build/django/         Django project: the stock admin plus a small CRM app
                        (customers / orders) with seeded rows and a superuser
  build/dash/app.py     Plotly Dash single-page app on plotly's bundled gapminder data
  build/media/          Bokeh plot (canvas rendering, INLINE resources), an audio
                        file spoken by espeak-ng (or synthesised with sox / stdlib),
                        and a drawing canvas page
  build/datasette/      a seeded SQLite shop database (customers, products, orders,
                        tickets; fake rows) and Datasette's metadata (facets, a canned query)
  build/swagger/        swagger-ui-dist's static explorer on a local OpenAPI 3 spec of a
                        small CRM API, answered by apps/swagger_server.py's mock endpoints

The last two are recorded only into the pretraining corpus
(record_pretraining_corpus.sh), not into the bundled one.
"""
import csv
import gzip
import json
import math
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import wave

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(HERE, "build")
APPS = os.path.join(HERE, "apps")
PY = sys.executable


def log(msg):
    print(f"[setup] {msg}", flush=True)


# --------------------------------------------------------------------------- mkdocs
def setup_mkdocs():
    src = os.path.join(HERE, "node_modules", "npm", "docs", "content")
    if not os.path.isdir(src):
        sys.exit("node_modules/npm/docs/content missing: run `npm ci` in scripts/record first")
    root = os.path.join(BUILD, "mkdocs")
    docs = os.path.join(root, "docs")
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(src, docs)
    # npm's docs use site-absolute links like (/commands/npm-install); make them
    # relative .md links so MkDocs resolves them.
    link = re.compile(r"\]\(/((?:commands|configuring-npm|using-npm)/[A-Za-z0-9._-]+?)(#[^)]*)?\)")
    sections = {}
    for dirpath, _, files in os.walk(docs):
        for fn in sorted(files):
            if not fn.endswith(".md"):
                continue
            p = os.path.join(dirpath, fn)
            rel = os.path.relpath(p, docs)
            depth = rel.count(os.sep)
            up = "../" * depth
            with open(p, encoding="utf-8") as f:
                text = f.read()
            text = link.sub(lambda m: f"]({up}{m.group(1)}.md{m.group(2) or ''})", text)
            with open(p, "w", encoding="utf-8") as f:
                f.write(text)
            sections.setdefault(os.path.dirname(rel), []).append(rel)
    index = ["# npm documentation", "",
             "This site is built with MkDocs from the markdown documentation that ships "
             "inside the `npm` package.", ""]
    for sec in sorted(sections):
        index.append(f"## {sec}")
        index.append("")
        for rel in sections[sec]:
            index.append(f"- [{os.path.splitext(os.path.basename(rel))[0]}]({rel})")
        index.append("")
    with open(os.path.join(docs, "index.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(index))
    cfg = {
        "site_name": "npm docs (local mirror)",
        "site_url": "http://127.0.0.1/",
        "theme": {"name": "material", "font": False,
                  "features": ["navigation.tabs", "navigation.sections", "navigation.top",
                               "search.suggest", "search.highlight", "toc.follow",
                               "content.code.copy"],
                  "palette": [{"scheme": "default", "toggle": {"icon": "material/brightness-7", "name": "Dark mode"}},
                              {"scheme": "slate", "toggle": {"icon": "material/brightness-4", "name": "Light mode"}}]},
        "plugins": ["search"],
        "markdown_extensions": ["admonition", "toc", "tables", "pymdownx.superfences",
                                "pymdownx.highlight", "pymdownx.details"],
        "validation": {"links": {"absolute_links": "ignore", "unrecognized_links": "ignore"}},
    }
    with open(os.path.join(root, "mkdocs.yml"), "w") as f:
        json.dump(cfg, f, indent=1)  # JSON is valid YAML
    subprocess.run([PY, "-m", "mkdocs", "build", "-q", "-f", "mkdocs.yml", "-d", "site"],
                   cwd=root, check=True, env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))
    log(f"mkdocs site built: {sum(len(v) for v in sections.values())} pages")


# --------------------------------------------------------------------------- django
def setup_django():
    root = os.path.join(BUILD, "django")
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(os.path.join(APPS, "django"), root)
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="crmsite.settings")
    subprocess.run([PY, "manage.py", "makemigrations", "crm", "-v", "0"], cwd=root, env=env, check=True)
    subprocess.run([PY, "manage.py", "migrate", "-v", "0"], cwd=root, env=env, check=True)
    subprocess.run([PY, "manage.py", "seed_crm"], cwd=root, env=env, check=True)
    log("django project ready (superuser admin)")


# --------------------------------------------------------------------------- dash
def setup_dash():
    root = os.path.join(BUILD, "dash")
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    shutil.copy(os.path.join(APPS, "dash_app.py"), os.path.join(root, "app.py"))
    log("dash app copied")


# --------------------------------------------------------------------------- media
def gapminder_rows():
    import plotly
    p = os.path.join(os.path.dirname(plotly.__file__), "package_data", "datasets", "gapminder.csv.gz")
    with gzip.open(p, "rt") as f:
        return list(csv.DictReader(f))


def make_audio(path):
    text_src = os.path.join(HERE, "node_modules", "npm", "docs", "content", "commands", "npm-install.md")
    with open(text_src, encoding="utf-8") as f:
        body = f.read().split("### Description", 1)[-1]
    text = re.sub(r"[`*#\[\]()]", " ", body)[:900]
    if shutil.which("espeak-ng"):
        subprocess.run(["espeak-ng", "-s", "150", "-w", path, text], check=True)
        return "espeak-ng"
    if shutil.which("sox"):
        subprocess.run(["sox", "-n", "-r", "22050", path, "synth", "20", "pluck", "C3", "pluck", "E3"], check=True)
        return "sox"
    rate = 22050
    with wave.open(path, "wb") as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(rate)
        frames = bytearray()
        for i in range(rate * 15):
            t = i / rate
            v = 0.3 * math.sin(2 * math.pi * 220 * t) * math.exp(-(t % 1.0) * 3)
            frames += struct.pack("<h", int(v * 32767))
        w.writeframes(bytes(frames))
    return "stdlib"


def setup_media():
    from bokeh.embed import file_html
    from bokeh.layouts import column, row
    from bokeh.models import ColumnDataSource, HoverTool, Select, Slider, CustomJS
    from bokeh.plotting import figure
    from bokeh.resources import INLINE

    root = os.path.join(BUILD, "media")
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    how = make_audio(os.path.join(root, "narration.wav"))
    log(f"audio made with {how}")

    rows = gapminder_rows()
    years = sorted({int(r["year"]) for r in rows})
    by_year = {}
    for r in rows:
        by_year.setdefault(int(r["year"]), []).append(r)

    def cols(year):
        rs = by_year[year]
        return dict(x=[float(r["gdpPercap"]) for r in rs], y=[float(r["lifeExp"]) for r in rs],
                    size=[max(4.0, math.sqrt(float(r["pop"])) / 1200) for r in rs],
                    country=[r["country"] for r in rs], continent=[r["continent"] for r in rs])

    all_data = {str(y): cols(y) for y in years}
    src = ColumnDataSource(cols(years[0]))
    p = figure(width=640, height=380, x_axis_type="log", title=f"Life expectancy vs GDP ({years[0]})",
               tools="pan,wheel_zoom,box_zoom,reset", output_backend="canvas")
    p.scatter("x", "y", size="size", source=src, fill_alpha=0.6)
    p.add_tools(HoverTool(tooltips=[("country", "@country"), ("continent", "@continent"),
                                    ("life exp", "@y{0.0}"), ("gdp/cap", "@x{0,0}")]))
    slider = Slider(start=years[0], end=years[-1], step=5, value=years[0], title="Year")
    slider.js_on_change("value", CustomJS(args=dict(src=src, p=p, data=all_data), code="""
        const y = String(cb_obj.value); if (data[y]) { src.data = data[y]; p.title.text = 'Life expectancy vs GDP (' + y + ')'; }
    """))
    sel = Select(title="Marker alpha", value="0.6", options=["0.2", "0.4", "0.6", "0.8", "1.0"])
    html = file_html(column(row(slider, sel), p), INLINE, "Gapminder explorer")
    with open(os.path.join(root, "plot.html"), "w", encoding="utf-8") as f:
        f.write(html)
    shutil.copy(os.path.join(APPS, "media_index.html"), os.path.join(root, "index.html"))
    shutil.copy(os.path.join(APPS, "media_draw.html"), os.path.join(root, "draw.html"))
    log("media pages built")


# --------------------------------------------------------------------------- datasette
FIRST = ["Jane", "John", "Maria", "Wei", "Amara", "Lukas", "Priya", "Kenji", "Fatima", "Olga", "Diego",
         "Chloe", "Noah", "Aisha", "Mateo", "Sofia", "Ivan", "Leila", "Tom", "Yuki"]
LAST = ["Doe", "Smith", "Garcia", "Chen", "Okafor", "Muller", "Patel", "Tanaka", "Haddad", "Ivanova",
        "Lopez", "Martin", "Brown", "Khan", "Rossi", "Silva", "Petrov", "Nasser", "Walker", "Sato"]
CITIES = [("San Francisco", "US"), ("New York", "US"), ("London", "GB"), ("Berlin", "DE"), ("Paris", "FR"),
          ("Madrid", "ES"), ("Lagos", "NG"), ("Mumbai", "IN"), ("Tokyo", "JP"), ("Sao Paulo", "BR"),
          ("Toronto", "CA"), ("Shanghai", "CN")]
PRODUCTS = [("Standing desk", "Furniture"), ("Ergonomic chair", "Furniture"), ("Monitor arm", "Furniture"),
            ("USB-C dock", "Electronics"), ("Mechanical keyboard", "Electronics"), ("4K monitor", "Electronics"),
            ("Noise-cancelling headphones", "Audio"), ("Conference speaker", "Audio"), ("Webcam", "Electronics"),
            ("Notebook A5", "Stationery"), ("Fountain pen", "Stationery"), ("Desk lamp", "Lighting"),
            ("Floor lamp", "Lighting"), ("Cable kit", "Accessories"), ("Laptop stand", "Accessories"),
            ("Whiteboard", "Office"), ("Label printer", "Office"), ("Paper shredder", "Office")]
SUBJECTS = ["Late delivery", "Wrong item received", "Invoice copy needed", "Card declined", "Change of address",
            "Refund request", "Product stopped working", "Question about warranty", "Bulk order discount",
            "Account locked"]


def setup_datasette():
    """A seeded SQLite shop (fake people only) and Datasette metadata with facets and a canned query."""
    import sqlite3
    root = os.path.join(BUILD, "datasette")
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    rnd = random.Random(4321)
    db = sqlite3.connect(os.path.join(root, "shop.db"))
    db.executescript("""
      CREATE TABLE customers (id INTEGER PRIMARY KEY, first_name TEXT, last_name TEXT, email TEXT, phone TEXT,
        city TEXT, country TEXT, tier TEXT, signup_date TEXT, newsletter INTEGER);
      CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT, category TEXT, price REAL, stock INTEGER);
      CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id),
        product_id INTEGER REFERENCES products(id), quantity INTEGER, total REAL, status TEXT, placed_at TEXT);
      CREATE TABLE tickets (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id),
        subject TEXT, priority TEXT, status TEXT, opened_at TEXT, body TEXT);
      CREATE INDEX orders_status ON orders(status);
    """)
    for i in range(1, 401):
        first, last = rnd.choice(FIRST), rnd.choice(LAST)
        city, country = rnd.choice(CITIES)
        db.execute("INSERT INTO customers VALUES (?,?,?,?,?,?,?,?,?,?)", (
            i, first, last, f"{first.lower()}.{last.lower()}{i}@example.com", f"+1 415 555 {rnd.randint(0, 9999):04d}",
            city, country, rnd.choice(["free", "free", "pro", "enterprise"]),
            f"20{rnd.randint(18, 26)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}", rnd.randint(0, 1)))
    for i, (name, cat) in enumerate(PRODUCTS, 1):
        db.execute("INSERT INTO products VALUES (?,?,?,?,?)",
                   (i, name, cat, round(rnd.uniform(5, 900), 2), rnd.randint(0, 250)))
    for i in range(1, 1501):
        q = rnd.randint(1, 5)
        db.execute("INSERT INTO orders VALUES (?,?,?,?,?,?,?)", (
            i, rnd.randint(1, 400), rnd.randint(1, len(PRODUCTS)), q, round(q * rnd.uniform(5, 900), 2),
            rnd.choice(["new", "paid", "paid", "shipped", "shipped", "refunded"]),
            f"202{rnd.randint(4, 6)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d} {rnd.randint(0, 23):02d}:{rnd.randint(0, 59):02d}"))
    for i in range(1, 301):
        db.execute("INSERT INTO tickets VALUES (?,?,?,?,?,?,?)", (
            i, rnd.randint(1, 400), rnd.choice(SUBJECTS), rnd.choice(["low", "normal", "normal", "high", "urgent"]),
            rnd.choice(["open", "open", "pending", "closed"]),
            f"2026-{rnd.randint(1, 11):02d}-{rnd.randint(1, 28):02d}",
            rnd.choice(["Please call me back at +1 415 555 0134.", "Order arrived damaged, photos attached.",
                        "Can you resend the invoice to jane.doe@example.com?", "The card ending 1111 was charged twice."])))
    db.commit()
    db.close()
    meta = {
        "title": "Shop data (local, fake rows)",
        "databases": {"shop": {
            "tables": {
                "customers": {"facets": ["country", "tier"], "sort_desc": "signup_date", "label_column": "email"},
                "orders": {"facets": ["status"], "sort_desc": "placed_at"},
                "products": {"facets": ["category"], "label_column": "name"},
                "tickets": {"facets": ["priority", "status"]},
            },
            "queries": {"revenue_by_country": {
                "title": "Revenue by country",
                "sql": "select c.country, count(*) as orders, round(sum(o.total), 2) as revenue from orders o "
                       "join customers c on c.id = o.customer_id where o.status != 'refunded' "
                       "group by c.country order by revenue desc"}},
        }},
    }
    with open(os.path.join(root, "metadata.json"), "w") as f:
        json.dump(meta, f, indent=1)
    log("datasette shop.db ready (400 customers, 1500 orders, 300 tickets)")


# --------------------------------------------------------------------------- swagger
def openapi_spec():
    """An OpenAPI 3.0 spec of the small CRM API that apps/swagger_server.py answers under /api."""
    def ref(name):
        return {"$ref": f"#/components/schemas/{name}"}

    def ok(schema, code="200", desc="OK"):
        return {code: {"description": desc, "content": {"application/json": {"schema": schema}}}}

    idp = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
    page = [{"name": "page", "in": "query", "schema": {"type": "integer", "default": 1}},
            {"name": "limit", "in": "query", "schema": {"type": "integer", "default": 20, "maximum": 100}}]
    paths = {}
    for res, model, tag, extra in [
        ("customers", "Customer", "customers", [{"name": "country", "in": "query", "schema": {"type": "string"}},
                                                {"name": "tier", "in": "query", "schema": {"type": "string", "enum": ["free", "pro", "enterprise"]}}]),
        ("orders", "Order", "orders", [{"name": "status", "in": "query", "schema": {"type": "string", "enum": ["new", "paid", "shipped", "refunded"]}}]),
        ("tickets", "Ticket", "support", [{"name": "priority", "in": "query", "schema": {"type": "string", "enum": ["low", "normal", "high", "urgent"]}}]),
    ]:
        paths[f"/{res}"] = {
            "get": {"tags": [tag], "summary": f"List {res}", "operationId": f"list_{res}", "parameters": page + extra,
                    "responses": ok({"type": "array", "items": ref(model)})},
            "post": {"tags": [tag], "summary": f"Create a {model.lower()}", "operationId": f"create_{res}",
                     "requestBody": {"required": True, "content": {"application/json": {"schema": ref(model + "Input")}}},
                     "responses": {**ok(ref(model), "201", "Created"), "422": {"description": "Validation error"}}},
        }
        paths[f"/{res}/{{id}}"] = {
            "get": {"tags": [tag], "summary": f"Get one {model.lower()}", "operationId": f"get_{res}", "parameters": [idp],
                    "responses": {**ok(ref(model)), "404": {"description": "Not found"}}},
            "put": {"tags": [tag], "summary": f"Replace a {model.lower()}", "operationId": f"update_{res}", "parameters": [idp],
                    "requestBody": {"required": True, "content": {"application/json": {"schema": ref(model + "Input")}}},
                    "responses": ok(ref(model))},
            "delete": {"tags": [tag], "summary": f"Delete a {model.lower()}", "operationId": f"delete_{res}", "parameters": [idp],
                       "responses": {"204": {"description": "Deleted"}}},
        }
    paths["/auth/token"] = {"post": {"tags": ["auth"], "summary": "Exchange credentials for a token", "operationId": "token",
                                     "security": [],
                                     "requestBody": {"required": True, "content": {"application/json": {"schema": ref("Credentials")}}},
                                     "responses": ok({"type": "object", "properties": {"access_token": {"type": "string"}, "expires_in": {"type": "integer"}}})}}
    paths["/health"] = {"get": {"tags": ["auth"], "summary": "Service health", "operationId": "health", "security": [],
                                "responses": ok({"type": "object", "properties": {"status": {"type": "string"}}})}}
    customer_in = {"type": "object", "required": ["first_name", "last_name", "email"], "properties": {
        "first_name": {"type": "string", "example": "Jane"}, "last_name": {"type": "string", "example": "Doe"},
        "email": {"type": "string", "format": "email", "example": "jane.doe@example.com"},
        "phone": {"type": "string", "example": "+1 415 555 0134"},
        "country": {"type": "string", "example": "US"}, "tier": {"type": "string", "enum": ["free", "pro", "enterprise"]},
        "newsletter": {"type": "boolean"}}}
    order_in = {"type": "object", "required": ["customer_id", "product_id", "quantity"], "properties": {
        "customer_id": {"type": "integer", "example": 12}, "product_id": {"type": "integer", "example": 3},
        "quantity": {"type": "integer", "minimum": 1, "example": 2},
        "status": {"type": "string", "enum": ["new", "paid", "shipped", "refunded"]},
        "card_number": {"type": "string", "example": "4111 1111 1111 1111"}}}
    ticket_in = {"type": "object", "required": ["customer_id", "subject"], "properties": {
        "customer_id": {"type": "integer", "example": 12}, "subject": {"type": "string", "example": "Late delivery"},
        "priority": {"type": "string", "enum": ["low", "normal", "high", "urgent"]}, "body": {"type": "string"}}}

    def with_id(schema):
        return {"allOf": [{"type": "object", "properties": {"id": {"type": "integer", "example": 1}}}, schema]}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Shop CRM API (local mock)", "version": "1.4.0",
                 "description": "A small customer / order / support API served on 127.0.0.1 with fake data."},
        "servers": [{"url": "/api", "description": "local mock"}],
        "tags": [{"name": "customers", "description": "People who buy"}, {"name": "orders", "description": "Purchases"},
                 {"name": "support", "description": "Support tickets"}, {"name": "auth", "description": "Tokens and health"}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"},
                                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
            "schemas": {"CustomerInput": customer_in, "Customer": with_id(customer_in),
                        "OrderInput": order_in, "Order": with_id(order_in),
                        "TicketInput": ticket_in, "Ticket": with_id(ticket_in),
                        "Credentials": {"type": "object", "required": ["username", "password"], "properties": {
                            "username": {"type": "string", "example": "admin"},
                            "password": {"type": "string", "format": "password"}}}},
        },
    }


def setup_swagger():
    src = os.path.join(HERE, "node_modules", "swagger-ui-dist")
    if not os.path.isdir(src):
        sys.exit("node_modules/swagger-ui-dist missing: run `npm ci` in scripts/record first")
    root = os.path.join(BUILD, "swagger")
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    for fn in ("index.html", "index.css", "swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js",
               "favicon-16x16.png", "favicon-32x32.png", "oauth2-redirect.html", "oauth2-redirect.js"):
        shutil.copy(os.path.join(src, fn), os.path.join(root, fn))
    with open(os.path.join(root, "openapi.json"), "w") as f:
        json.dump(openapi_spec(), f, indent=1)
    # the stock initializer points at petstore.swagger.io: point it at the local spec
    with open(os.path.join(root, "swagger-initializer.js"), "w") as f:
        f.write("""window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: "./openapi.json", dom_id: "#swagger-ui", deepLinking: true, filter: true,
    docExpansion: "list", defaultModelsExpandDepth: 1, displayRequestDuration: true,
    validatorUrl: null, presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl], layout: "StandaloneLayout"
  });
};
""")
    shutil.copy(os.path.join(APPS, "swagger_server.py"), os.path.join(root, "server.py"))
    log("swagger-ui explorer built on openapi.json")


ALL = ["mkdocs", "django", "dash", "media", "datasette", "swagger"]

if __name__ == "__main__":
    os.makedirs(BUILD, exist_ok=True)
    which = sys.argv[1:] or ALL
    for w in which:
        globals()[f"setup_{w}"]()
