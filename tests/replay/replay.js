// Replay rrweb event files with rrweb's own Replayer in headless Chromium; print one JSON line per file.
//
//   node replay.js CHROMIUM FILE.json [FILE.json ...]
//
// Each file is replayed in a fresh page with no network (every request is aborted): the Replayer is
// started at its start time and left to play to the end at speed 1000 (rrweb's timer, driven by
// requestAnimationFrame). A file passes when the Replayer emits "finish", its current time reaches the
// total time, and no exception was raised (page errors, errors thrown by the Replayer). Output:
// {"file", "events", "totalTime", "currentTime", "finished", "errors": [...], "warnings": N}
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const RRWEB_UMD = fs.readFileSync(path.join(__dirname, 'node_modules', 'rrweb', 'dist', 'rrweb.umd.cjs'), 'utf8');

async function replayOne(browser, file) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  await page.route('**/*', (route) => route.abort());
  await page.setContent('<!doctype html><html><body></body></html>');
  await page.addScriptTag({ content: RRWEB_UMD });
  const events = JSON.parse(fs.readFileSync(file, 'utf8'));
  const result = await page.evaluate(async (events) => {
    const out = { events: events.length, errors: [], warnings: 0, finished: false };
    const warn = console.warn;
    console.warn = (...a) => { out.warnings += 1; warn(...a); };
    try {
      const replayer = new rrweb.Replayer(events, { root: document.body, showWarning: true, mouseTail: false, speed: 1000 });
      const meta = replayer.getMetaData();
      out.totalTime = meta.totalTime;
      const done = new Promise((resolve) => replayer.on('finish', () => resolve(true)));
      replayer.play(0);
      const limit = new Promise((resolve) => setTimeout(() => resolve(false), meta.totalTime + 60000));
      out.finished = await Promise.race([done, limit]);
      out.currentTime = replayer.getCurrentTime();
    } catch (err) {
      out.errors.push(`${err && err.name}: ${err && err.message}`);
    }
    return out;
  }, events);
  result.errors = errors.concat(result.errors);
  await page.close();
  return { file, ...result };
}

(async () => {
  const [chromiumPath, ...files] = process.argv.slice(2);
  const browser = await chromium.launch({ executablePath: chromiumPath, args: LAUNCH_ARGS });
  try {
    for (const file of files) {
      process.stdout.write(JSON.stringify(await replayOne(browser, file)) + '\n');
    }
  } finally {
    await browser.close();
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
