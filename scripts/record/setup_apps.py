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


if __name__ == "__main__":
    os.makedirs(BUILD, exist_ok=True)
    which = sys.argv[1:] or ["mkdocs", "django", "dash", "media"]
    for w in which:
        globals()[f"setup_{w}"]()
