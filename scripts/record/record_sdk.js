#!/usr/bin/env node
// Records the same apps and seeded behaviour as record.js through the real SDKs:
//
//   posthog  posthog-js (npm, dist/array.full.js): session recording on, compression on
//            (compress_events, gzip request bodies), api_host = the local capture server
//   sentry   @sentry/browser (npm, bundled here with esbuild) with replayIntegration,
//            replaysSessionSampleRate 1.0, DSN = the local envelope endpoint
//   packer   rrweb 2.2.2 record({packFn}) with pack from @rrweb/packer
//
// Every session also keeps the raw rrweb recording of the same visit ("twin"):
// for posthog and sentry a second, independent rrweb 2.2.2 recorder in the same page
// (record.js's recorder and options), for packer the events as rrweb handed them to
// packFn, before packing. All bundles are injected from local files (no CDN).
//
// Writes one capture file per session and SDK, work/sdk/<sdk>/<site>-NNNN.capture.json.gz:
//   {sdk, sdk_version, session: {site, index, seed, scenario, length}, twin: [events],
//    records: [...what the capture server stored...] | packed: [strings], errors: [...]}
// build_sdk_corpus.py turns these into the corpus files.
//
// Usage: node record_sdk.js [--sdk posthog,sentry,packer] [--ids media-1,django-2]
//                           [--out DIR] [--port 8710] [--parallel 2]
'use strict';

const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { chromium } = require('playwright-core');
const { SITES, buildPlan } = require('./scenarios');
const { Human, mulberry32 } = require('./human');
const { INJECT, LAUNCH_ARGS, RRWEB_UMD } = require('./record');
const { startCaptureServer } = require('./sdk/capture_server');

const HERE = __dirname;
// the sessions of the bundled SDK corpus: short visits on small pages (corpus size budget)
const DEFAULT_IDS = ['media-1', 'media-6', 'media-7', 'media-11', 'media-13', 'media-16', 'media-22',
  'django-2', 'django-14', 'django-24'];

function parseArgs(argv) {
  const a = { out: path.join(HERE, 'work', 'sdk'), sdks: ['posthog', 'sentry', 'packer'], ids: DEFAULT_IDS,
    port: 8710, parallel: 2, chromium: process.env.CHROMIUM || '/usr/bin/chromium' };
  for (let i = 2; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--out') a.out = path.resolve(argv[++i]);
    else if (k === '--sdk') a.sdks = argv[++i].split(',');
    else if (k === '--ids') a.ids = argv[++i].split(',');
    else if (k === '--port') a.port = +argv[++i];
    else if (k === '--parallel') a.parallel = +argv[++i];
    else throw new Error('unknown arg ' + k);
  }
  for (const s of a.sdks) if (!['posthog', 'sentry', 'packer'].includes(s)) throw new Error(`unknown --sdk ${s}: use posthog, sentry or packer`);
  return a;
}

const version = (name) => JSON.parse(fs.readFileSync(path.join(HERE, 'node_modules', name, 'package.json'), 'utf8')).version;

// Only top-level http(s) documents: the about:blank used to end a visit records nothing.
const guard = (body) => `(function(){ if (window.top !== window || !/^https?:$/.test(location.protocol)) return;
var define = undefined, exports = undefined, module = undefined;
${body}
}).call(window);`;

// an npm package as a browser global, bundled with esbuild into build/sdk/<name>.iife.js
async function bundle(name) {
  const out = path.join(HERE, 'build', 'sdk', `${name}.iife.js`);
  await require('esbuild').build({ entryPoints: [path.join(HERE, 'sdk', `${name}_entry.js`)], bundle: true,
    format: 'iife', target: 'chrome120', minify: true, outfile: out, logLevel: 'warning' });
  return fs.readFileSync(out, 'utf8');
}

function keyOf(sdk, s) { return sdk === 'posthog' ? `phc_sdk_${s.site}_${s.index}` : `sdk${s.site}${s.index}`; }

function sdkInit(sdk, s, port, bundles) {
  const host = `http://127.0.0.1:${port}`;
  if (sdk === 'posthog') {
    // opt_out_useragent_filter: posthog-js drops every event from a "HeadlessChrome" user agent
    const cfg = { api_host: host, persistence: 'localStorage+cookie', capture_pageview: true, disable_surveys: true,
      opt_out_useragent_filter: true, session_recording: { compress_events: true } };
    // array.full.js also sets window.rrweb to its own recorder (backwards compatibility): give the
    // name back to the twin, so the scenario's custom events (human.js) go to the twin as in
    // record.js; posthog-js itself records through __PosthogExtensions__.rrweb
    return guard(`var twinRrweb = window.rrweb;\n${bundles.posthog}\n;if (twinRrweb) window.rrweb = twinRrweb;\nwindow.posthog.init(${JSON.stringify(keyOf(sdk, s))}, ${JSON.stringify(cfg)});`);
  }
  if (sdk === 'sentry') {
    // minReplayDuration 0: the tiny visits last less than the default 5 s and would not be sent
    return guard(`${bundles.sentry}\n;window.Sentry.init({dsn: ${JSON.stringify(`http://${keyOf(sdk, s)}@127.0.0.1:${port}/1`)},
      integrations: [window.Sentry.replayIntegration({minReplayDuration: 0})],
      replaysSessionSampleRate: 1.0, replaysOnErrorSampleRate: 1.0});`);
  }
  // packer: rrweb itself with packFn; the twin is each event as rrweb passes it to packFn
  return guard(`${RRWEB_UMD}\n;${bundles.packer}\n;
  var cfg = window.__RR_CFG__ || {};
  var opts = { emit: function (p) { window.__rrPacked(JSON.stringify(p)); },
    packFn: function (e) { window.__rrEmit(JSON.stringify(e)); return rrwebPacker.pack(e); },
    maskAllInputs: false };
  if (cfg.canvas) { opts.recordCanvas = true; opts.sampling = { canvas: 2 }; opts.dataURLOptions = { type: 'image/webp', quality: 0.6 }; }
  window.rrweb = rrweb;
  window.__rrStop = rrweb.record(opts);`);
}

async function recordSession(browser, sdk, s, args, srv, bundles) {
  const site = SITES[s.site];
  const rnd = mulberry32(s.seed);
  const vp = site.viewports[Math.floor(rnd() * site.viewports.length)];
  const context = await browser.newContext({ viewport: vp, locale: 'en-US', timezoneId: 'UTC', deviceScaleFactor: 1 });
  const twin = [], packed = [];
  let open = true; // the about:blank that ends the visit is not part of it
  await context.exposeBinding('__rrEmit', (_src, json) => { if (open) twin.push(json); });
  await context.exposeBinding('__rrPacked', (_src, json) => { if (open) packed.push(json); });
  await context.addInitScript(`window.__RR_CFG__ = ${JSON.stringify({ canvas: !!site.recordCanvas })};`);
  if (sdk !== 'packer') await context.addInitScript(INJECT);
  await context.addInitScript(sdkInit(sdk, s, args.port, bundles));
  context.setDefaultTimeout(8000);
  context.setDefaultNavigationTimeout(20000);
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e.message || e).split('\n')[0]));
  const h = new Human(page, rnd, vp, s);
  const t0 = Date.now();
  let error = null;
  try {
    await site.scenarios[s.scenario](h, s);
  } catch (e) {
    error = String(e && e.message || e).split('\n')[0];
  }
  await page.waitForTimeout(700).catch(() => {});
  if (sdk === 'sentry') await page.evaluate(() => window.Sentry.getReplay() && window.Sentry.getReplay().flush()).catch(() => {});
  // posthog: its recording buffer flushes after 2 s, its request queue every 3 s
  await page.waitForTimeout(sdk === 'posthog' ? 3500 : 1500).catch(() => {});
  // leaving the page lets the SDKs send what is left (pagehide/unload: sendBeacon / keepalive)
  open = false;
  await page.goto('about:blank').catch(() => {});
  await page.waitForTimeout(1500).catch(() => {});
  await context.close().catch(() => {});
  const wall = (Date.now() - t0) / 1000;
  const records = sdk === 'packer' ? undefined : srv.take(keyOf(sdk, s));
  const rec = {
    sdk,
    sdk_version: sdk === 'posthog' ? version('posthog-js') : sdk === 'sentry' ? version('@sentry/browser') : version('@rrweb/packer'),
    rrweb_twin: version('rrweb'),
    chromium: browser.version(),
    session: { site: s.site, index: s.index, seed: s.seed, scenario: s.scenario, length: s.length },
    viewport: vp,
    wall,
    error,
    page_errors: pageErrors,
    twin: twin.map((j) => JSON.parse(j)),
  };
  if (sdk === 'packer') rec.packed = packed.map((j) => JSON.parse(j));
  else rec.records = records;
  const n = sdk === 'packer' ? packed.length
    : sdk === 'posthog' ? records.filter((r) => r.event && r.event.event === '$snapshot').reduce((t, r) => t + r.event.properties.$snapshot_data.length, 0)
      : records.filter((r) => r.kind === 'replay_recording').reduce((t, r) => t + r.events.length, 0);
  const rel = path.join(sdk, `${s.site}-${String(s.index).padStart(4, '0')}.capture.json.gz`);
  fs.mkdirSync(path.join(args.out, sdk), { recursive: true });
  fs.writeFileSync(path.join(args.out, rel), zlib.gzipSync(Buffer.from(JSON.stringify(rec), 'utf8'), { level: 9 }));
  return { ok: n > 0 && twin.length > 0, n, twin: twin.length, wall, error, rel, pageErrors };
}

async function main() {
  const args = parseArgs(process.argv);
  const plan = buildPlan().filter((s) => args.ids.includes(`${s.site}-${s.index}`));
  const missing = args.ids.filter((id) => !plan.some((s) => `${s.site}-${s.index}` === id));
  if (missing.length) throw new Error(`--ids not in the plan: ${missing.join(',')} (see node scenarios.js)`);
  const bundles = {
    posthog: fs.readFileSync(path.join(HERE, 'node_modules', 'posthog-js', 'dist', 'array.full.js'), 'utf8'),
    packer: await bundle('packer'),
    sentry: await bundle('sentry'),
  };
  const srv = await startCaptureServer(args.port);
  const browser = await chromium.launch({ executablePath: args.chromium, args: LAUNCH_ARGS });
  const jobs = [];
  for (const sdk of args.sdks) for (const s of plan) jobs.push([sdk, s]);
  console.log(`chromium ${browser.version()}; ${jobs.length} sessions; capture on 127.0.0.1:${args.port}; out ${args.out}`);
  const started = Date.now();
  let next = 0, done = 0;
  const failed = [];
  async function worker(w) {
    while (next < jobs.length) {
      const [sdk, s] = jobs[next++];
      let r;
      for (let attempt = 0; attempt < 2; attempt++) {
        r = await recordSession(browser, sdk, s, args, srv, bundles).catch((e) => ({ ok: false, error: String(e), wall: 0, n: 0, twin: 0 }));
        if (r.ok) break;
      }
      done++;
      console.log(`[w${w} ${((Date.now() - started) / 1000).toFixed(0)}s ${done}/${jobs.length}] ${sdk} ${s.site}-${s.index} ` +
        `${s.scenario}/${s.length} ok=${r.ok} sdk_events=${r.n} twin=${r.twin} wall=${r.wall.toFixed(1)}s` +
        (r.error ? ` err=${r.error.slice(0, 160)}` : '') + (r.pageErrors && r.pageErrors.length ? ` page_errors=${JSON.stringify(r.pageErrors.slice(0, 3))}` : ''));
      if (!r.ok) failed.push(`${sdk}:${s.site}-${s.index}`);
    }
  }
  await Promise.all(Array.from({ length: args.parallel }, (_, i) => worker(i)));
  await browser.close();
  await srv.close();
  if (srv.errors.length) console.log(`capture server errors (${srv.errors.length}):\n  ${srv.errors.slice(0, 20).join('\n  ')}`);
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(0)}s; failed: ${failed.join(',') || 'none'}`);
  if (failed.length || srv.errors.length) process.exitCode = 1;
}

main().catch((e) => { console.error(e); process.exit(1); });
