"""Plotly Dash single-page app used by the recorder (served on 127.0.0.1 only).

Data: plotly's bundled gapminder dataset. Tabs: explorer graph, editable data
table, a sign-up form with typical PII fields, a live-updating monitor, and a
small task list. All JS/CSS is served locally by Dash (serve_locally).
"""
import csv
import gzip
import math
import os
import random
import sys

import plotly
import plotly.graph_objects as go
from dash import Dash, Input, Output, State, dash_table, dcc, html, ctx, ALL

DATA = os.path.join(os.path.dirname(plotly.__file__), "package_data", "datasets", "gapminder.csv.gz")
with gzip.open(DATA, "rt") as f:
    ROWS = list(csv.DictReader(f))
for r in ROWS:
    r["year"] = int(r["year"]); r["pop"] = int(float(r["pop"]))
    r["lifeExp"] = round(float(r["lifeExp"]), 2); r["gdpPercap"] = round(float(r["gdpPercap"]), 1)
YEARS = sorted({r["year"] for r in ROWS})
CONTINENTS = sorted({r["continent"] for r in ROWS})
TABLE_COLS = ["country", "continent", "year", "lifeExp", "pop", "gdpPercap"]

app = Dash(__name__, title="Gapminder workspace", suppress_callback_exceptions=True)

app.layout = html.Div([
    html.H2("Gapminder workspace"),
    dcc.Tabs(id="tabs", value="explorer", children=[
        dcc.Tab(label="Explorer", value="explorer"),
        dcc.Tab(label="Table", value="table"),
        dcc.Tab(label="Sign up", value="signup"),
        dcc.Tab(label="Live monitor", value="live"),
        dcc.Tab(label="Tasks", value="tasks"),
    ]),
    html.Div(id="tab-body"),
    dcc.Store(id="tasks-store", data=[]),
])


def explorer():
    return html.Div([
        html.Div([
            html.Label("Continents"),
            dcc.Checklist(id="ex-cont", options=CONTINENTS, value=CONTINENTS, inline=True),
            html.Label("Year"),
            dcc.Slider(id="ex-year", min=YEARS[0], max=YEARS[-1], step=None, value=YEARS[-1],
                       marks={y: str(y) for y in YEARS}),
            html.Label("Y axis"),
            dcc.Dropdown(id="ex-y", options=[{"label": "Life expectancy", "value": "lifeExp"},
                                             {"label": "Population", "value": "pop"}],
                         value="lifeExp", clearable=False),
            dcc.Input(id="ex-search", type="text", placeholder="Highlight country...", debounce=False),
        ], className="controls"),
        dcc.Graph(id="ex-graph", style={"height": "480px"}),
        html.Div(id="ex-summary"),
    ])


def table():
    return html.Div([
        dcc.Dropdown(id="tb-year", options=YEARS, value=2007, clearable=False),
        dash_table.DataTable(
            id="tb", columns=[{"name": c, "id": c, "editable": c in ("lifeExp", "pop")} for c in TABLE_COLS],
            filter_action="native", sort_action="native", sort_mode="multi", page_size=15,
            row_selectable="multi", editable=True, style_table={"overflowX": "auto"}),
        html.Div(id="tb-selected"),
    ])


def signup():
    return html.Div([
        html.H3("Create an account"),
        dcc.Input(id="su-name", type="text", placeholder="Full name"),
        dcc.Input(id="su-email", type="email", placeholder="E-mail"),
        dcc.Input(id="su-phone", type="tel", placeholder="Phone"),
        dcc.Input(id="su-card", type="text", placeholder="Card number"),
        dcc.Input(id="su-password", type="password", placeholder="Password"),
        dcc.Dropdown(id="su-country", options=["United States", "United Kingdom", "Germany", "India", "Brazil", "Japan"],
                     placeholder="Country"),
        dcc.RadioItems(id="su-plan", options=["Free", "Pro", "Team"], value="Free", inline=True),
        dcc.Checklist(id="su-opts", options=["Newsletter", "Product updates", "Accept terms"], value=[]),
        dcc.DatePickerSingle(id="su-birth", placeholder="Birth date", date=None),
        dcc.Textarea(id="su-bio", placeholder="Tell us about yourself", style={"width": "100%", "height": 120}),
        html.Button("Create account", id="su-submit", n_clicks=0),
        html.Div(id="su-preview"),
        html.Div(id="su-result"),
    ])


def live():
    return html.Div([
        dcc.Interval(id="lv-tick", interval=400, n_intervals=0),
        html.Button("Pause", id="lv-pause", n_clicks=0),
        dcc.RadioItems(id="lv-rate", options=[{"label": l, "value": v} for l, v in
                       [("1 s", 1000), ("500 ms", 500), ("250 ms", 250), ("100 ms", 100)]],
                       value=500, inline=True),
        dcc.Graph(id="lv-graph", style={"height": "360px"}),
        html.Div(id="lv-stats"),
    ])


def tasks():
    return html.Div([
        dcc.Input(id="tk-new", type="text", placeholder="What needs to be done?", debounce=True),
        html.Button("Add", id="tk-add", n_clicks=0),
        html.Ul(id="tk-list"),
        html.Div(id="tk-count"),
    ])


@app.callback(Output("tab-body", "children"), Input("tabs", "value"))
def render(tab):
    return {"explorer": explorer, "table": table, "signup": signup, "live": live, "tasks": tasks}[tab]()


@app.callback(Output("ex-graph", "figure"), Output("ex-summary", "children"),
              Input("ex-cont", "value"), Input("ex-year", "value"), Input("ex-y", "value"),
              Input("ex-search", "value"))
def update_explorer(conts, year, ycol, search):
    rows = [r for r in ROWS if r["year"] == year and r["continent"] in (conts or [])]
    fig = go.Figure()
    for c in CONTINENTS:
        rs = [r for r in rows if r["continent"] == c]
        if not rs:
            continue
        fig.add_trace(go.Scatter(x=[r["gdpPercap"] for r in rs], y=[r[ycol] for r in rs], mode="markers",
                                 name=c, text=[r["country"] for r in rs],
                                 marker=dict(size=[max(6, math.sqrt(r["pop"]) / 900) for r in rs],
                                             line=dict(width=[3 if search and search.lower() in r["country"].lower() else 0 for r in rs]))))
    fig.update_layout(xaxis_type="log", xaxis_title="GDP per capita", yaxis_title=ycol,
                      margin=dict(l=40, r=10, t=30, b=40), hovermode="closest")
    hits = [r["country"] for r in rows if search and search.lower() in r["country"].lower()]
    return fig, f"{len(rows)} countries in {year}" + (f"; matches: {', '.join(hits[:8])}" if hits else "")


@app.callback(Output("tb", "data"), Input("tb-year", "value"))
def table_data(year):
    return [{c: r[c] for c in TABLE_COLS} for r in ROWS if r["year"] == year]


@app.callback(Output("tb-selected", "children"), Input("tb", "selected_rows"), State("tb", "data"))
def table_sel(sel, data):
    if not sel:
        return "No rows selected"
    return "Selected: " + ", ".join(data[i]["country"] for i in sel[:10])


@app.callback(Output("su-preview", "children"),
              Input("su-name", "value"), Input("su-email", "value"), Input("su-plan", "value"),
              Input("su-bio", "value"))
def su_preview(name, email, plan, bio):
    return html.Small(f"{name or '?'} <{email or '?'}> on {plan}; bio {len(bio or '')} chars")


@app.callback(Output("su-result", "children"), Input("su-submit", "n_clicks"),
              State("su-email", "value"), State("su-opts", "value"), prevent_initial_call=True)
def su_submit(n, email, opts):
    if "Accept terms" not in (opts or []):
        return html.Div("Please accept the terms.", style={"color": "crimson"})
    return html.Div(f"Account created for {email}. Check your inbox.", style={"color": "green"})


@app.callback(Output("lv-graph", "figure"), Output("lv-stats", "children"),
              Input("lv-tick", "n_intervals"))
def live_tick(n):
    rnd = random.Random(n)
    xs = list(range(max(0, n - 60), n + 1))
    ys = [50 + 20 * math.sin(x / 5) + random.Random(x).uniform(-5, 5) for x in xs]
    fig = go.Figure(go.Scatter(x=xs, y=ys, mode="lines+markers", name="requests/s"))
    fig.update_layout(margin=dict(l=30, r=10, t=20, b=30), yaxis_range=[0, 100], uirevision="live")
    return fig, f"tick {n}: p50 {rnd.randint(20, 40)} ms, p99 {rnd.randint(80, 300)} ms"


@app.callback(Output("lv-tick", "interval"), Input("lv-rate", "value"))
def live_rate(ms):
    return ms or 500


@app.callback(Output("lv-tick", "disabled"), Output("lv-pause", "children"), Input("lv-pause", "n_clicks"))
def live_pause(n):
    paused = bool(n and n % 2)
    return paused, "Resume" if paused else "Pause"


@app.callback(Output("tasks-store", "data"), Output("tk-new", "value"),
              Input("tk-add", "n_clicks"), Input("tk-new", "n_submit"),
              Input({"t": "done", "i": ALL}, "value"), Input({"t": "del", "i": ALL}, "n_clicks"),
              State("tk-new", "value"), State("tasks-store", "data"), prevent_initial_call=True)
def tasks_update(_a, _s, dones, _dels, text, items):
    items = list(items or [])
    trig = ctx.triggered_id
    if isinstance(trig, dict) and trig.get("t") == "del":
        items = [t for t in items if t["id"] != trig["i"]]
    elif isinstance(trig, dict) and trig.get("t") == "done":
        for t, d in zip(items, dones):
            t["done"] = bool(d)
    elif text:
        items.append({"id": (max([t["id"] for t in items]) + 1) if items else 1, "text": text, "done": False})
        return items, ""
    return items, text


@app.callback(Output("tk-list", "children"), Output("tk-count", "children"), Input("tasks-store", "data"))
def tasks_render(items):
    items = items or []
    lis = [html.Li([dcc.Checklist(id={"t": "done", "i": t["id"]}, options=[{"label": t["text"], "value": 1}],
                                  value=[1] if t["done"] else [], inline=True),
                    html.Button("x", id={"t": "del", "i": t["id"]}, n_clicks=0)]) for t in items]
    left = sum(1 for t in items if not t["done"])
    return lis, f"{left} item{'s' if left != 1 else ''} left"


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8703
    app.run(host="127.0.0.1", port=port, debug=False)
