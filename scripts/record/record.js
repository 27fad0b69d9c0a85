#!/usr/bin/env node
// Records the rrweb_hf sample corpus.
//
// Drives Debian's headless chromium through playwright-core against real web
// apps served on 127.0.0.1 (see setup_apps.py / record_corpus.sh), injects
// rrweb's UMD recorder at document start in every top-level document, and
// writes one gzip-compressed JSON array of events per session, exactly as
// rrweb emitted them.
//
// Usage: node record.js [--out DIR] [--only site[,site]] [--limit N] [--ids site-N,...]
//                       [--parallel 2] [--skip-existing]
//        node record.js --out DIR --seed S [--per-site N] [--only site,...] ...
// --seed switches from the bundled corpus's plan to a pretraining plan
// (scenarios.js buildPretrainPlan; --only then picks its sites, default all).
'use strict';

const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { chromium } = require('playwright-core');
const { SITES, buildPlan, buildPretrainPlan } = require('./scenarios');
const { Human, mulberry32 } = require('./human');

const HERE = __dirname;
const ROOT = path.resolve(HERE, '..', '..');

function parseArgs(argv) {
  const a = { out: path.join(ROOT, 'rrweb_hf', 'data', 'sample_corpus'), parallel: 2, only: null, limit: 0,
    chromium: process.env.CHROMIUM || '/usr/bin/chromium', skipExisting: false };
  for (let i = 2; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--out') a.out = path.resolve(argv[++i]);
    else if (k === '--parallel') a.parallel = +argv[++i];
    else if (k === '--only') a.only = argv[++i].split(',');
    else if (k === '--limit') a.limit = +argv[++i];
    else if (k === '--ids') a.ids = argv[++i].split(',');
    else if (k === '--skip-existing') a.skipExisting = true;
    else if (k === '--seed') a.seed = Number(argv[++i]);
    else if (k === '--per-site') a.perSite = Number(argv[++i]);
    else throw new Error('unknown arg ' + k);
  }
  return a;
}

const RRWEB_UMD = fs.readFileSync(path.join(HERE, 'node_modules', 'rrweb', 'dist', 'rrweb.umd.cjs'), 'utf8');
// Shadow AMD/CommonJS globals so the UMD bundle always assigns window.rrweb,
// and only record top-level documents (same-origin iframes are covered by the
// top-level recorder).
const INJECT = `(function(){ if (window.top !== window || window.rrweb) return;
var define = undefined, exports = undefined, module = undefined;
${RRWEB_UMD}
}).call(window);
(function(){ if (window.top !== window || !window.rrweb) return;
  var cfg = window.__RR_CFG__ || {};
  var opts = {
    emit: function (e) { window.__rrEmit(JSON.stringify(e)); },
    maskAllInputs: false
  };
  if (cfg.canvas) {
    opts.recordCanvas = true;
    opts.sampling = { canvas: 2 };
    opts.dataURLOptions = { type: 'image/webp', quality: 0.6 };
  }
  window.__rrStop = window.rrweb.record(opts);
})();`;

const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
  '--autoplay-policy=no-user-gesture-required', '--mute-audio'];

async function recordSession(browser, s, outDir) {
  const site = SITES[s.site];
  const rnd = mulberry32(s.seed);
  const vp = site.viewports[Math.floor(rnd() * site.viewports.length)];
  const context = await browser.newContext({ viewport: vp, locale: 'en-US', timezoneId: 'UTC', deviceScaleFactor: 1 });
  const events = [];
  let types = {};
  await context.exposeBinding('__rrEmit', (_src, json) => {
    events.push(json);
  });
  await context.addInitScript(`window.__RR_CFG__ = ${JSON.stringify({ canvas: !!site.recordCanvas })};`);
  await context.addInitScript(INJECT);
  context.setDefaultTimeout(8000);
  context.setDefaultNavigationTimeout(20000);
  const page = await context.newPage();
  const h = new Human(page, rnd, vp, s);
  const t0 = Date.now();
  let error = null;
  try {
    await site.scenarios[s.scenario](h, s);
  } catch (e) {
    error = String(e && e.message || e).split('\n')[0];
  }
  // let rrweb flush its throttled mousemove buffer before closing
  await page.waitForTimeout(700).catch(() => {});
  await context.close().catch(() => {});
  const wall = (Date.now() - t0) / 1000;
  const hasSnapshot = events.some((j) => j.startsWith('{"type":2,'));
  if (!hasSnapshot) return { ok: false, wall, events: events.length, error: error || 'no full snapshot' };
  const body = Buffer.from('[' + events.join(',') + ']', 'utf8');
  const gz = zlib.gzipSync(body, { level: 9 });
  const rel = path.join(s.site, `${s.site}-${String(s.index).padStart(4, '0')}.json.gz`);
  fs.mkdirSync(path.join(outDir, s.site), { recursive: true });
  fs.writeFileSync(path.join(outDir, rel), gz);
  return { ok: true, wall, events: events.length, bytes: gz.length, raw: body.length, rel, error };
}

async function main() {
  const args = parseArgs(process.argv);
  if (args.seed !== undefined && args.out === path.join(ROOT, 'rrweb_hf', 'data', 'sample_corpus')) {
    throw new Error('--seed records a pretraining corpus: pass --out DIR outside rrweb_hf/data/sample_corpus');
  }
  let plan = args.seed !== undefined
    ? buildPretrainPlan({ seed: args.seed, perSite: args.perSite || 25, sites: args.only || undefined })
    : buildPlan();
  if (args.only) plan = plan.filter((s) => args.only.includes(s.site));
  if (args.ids) plan = plan.filter((s) => args.ids.includes(`${s.site}-${s.index}`));
  if (args.skipExisting) plan = plan.filter((s) => !fs.existsSync(path.join(args.out, s.site, `${s.site}-${String(s.index).padStart(4, '0')}.json.gz`)));
  if (args.limit) plan = plan.slice(0, args.limit);
  // longest first so the tail of the run is short sessions
  const order = { xxl: -3, live: -2, xlong: -1, long: 0, medium: 1, short: 2, tiny: 3 };
  plan.sort((a, b) => order[a.length] - order[b.length] || a.site.localeCompare(b.site) || a.index - b.index);
  const browser = await chromium.launch({ executablePath: args.chromium, args: LAUNCH_ARGS });
  console.log(`chromium ${browser.version()}; ${plan.length} sessions; out ${args.out}`);
  fs.mkdirSync(args.out, { recursive: true });
  const started = Date.now();
  let next = 0, done = 0, failed = [];
  async function worker(w) {
    while (next < plan.length) {
      const s = plan[next++];
      let r;
      for (let attempt = 0; attempt < 2; attempt++) {
        r = await recordSession(browser, s, args.out).catch((e) => ({ ok: false, error: String(e), wall: 0, events: 0 }));
        if (r.ok) break;
      }
      done++;
      const el = ((Date.now() - started) / 1000).toFixed(0);
      console.log(`[w${w} ${el}s ${done}/${plan.length}] ${s.site}-${s.index} ${s.scenario}/${s.length} seed=${s.seed} ` +
        `ok=${r.ok} events=${r.events} kb=${r.bytes ? (r.bytes / 1024).toFixed(0) : '-'} wall=${r.wall.toFixed(1)}s` +
        (r.error ? ` err=${r.error.slice(0, 160)}` : ''));
      if (!r.ok) failed.push(`${s.site}-${s.index}`);
    }
  }
  await Promise.all(Array.from({ length: args.parallel }, (_, i) => worker(i)));
  await browser.close();
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(0)}s; failed: ${failed.join(',') || 'none'}`);
}

module.exports = { INJECT, LAUNCH_ARGS, RRWEB_UMD };

if (require.main === module) main().catch((e) => { console.error(e); process.exit(1); });
