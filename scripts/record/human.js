// Seeded, human-like input primitives on top of a Playwright page.
'use strict';

function mulberry32(seed) {
  let a = seed >>> 0;
  return function () {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class Human {
  constructor(page, rnd, viewport, session) {
    this.page = page;
    this.rnd = rnd;
    this.vp = { ...viewport };
    this.session = session;
    this.x = Math.floor(viewport.width / 2);
    this.y = Math.floor(viewport.height / 3);
    this.t0 = Date.now();
    this.stepNo = 0;
  }

  // ---------------------------------------------------------------- random
  r(a, b) { return a + (b - a) * this.rnd(); }
  ri(a, b) { return Math.floor(this.r(a, b + 1)); }
  pick(arr) { return arr[Math.floor(this.rnd() * arr.length)]; }
  chance(p) { return this.rnd() < p; }
  shuffle(arr) { const a = arr.slice(); for (let i = a.length - 1; i > 0; i--) { const j = Math.floor(this.rnd() * (i + 1)); [a[i], a[j]] = [a[j], a[i]]; } return a; }
  elapsed() { return (Date.now() - this.t0) / 1000; }

  async idle(a = 300, b = 1200) { await sleep(this.r(a, b)); }

  // ---------------------------------------------------------------- rrweb custom events
  async custom(tag, payload) {
    try {
      await this.page.evaluate(([t, p]) => {
        if (window.rrweb && window.__rrStop) window.rrweb.record.addCustomEvent(t, p);
      }, [tag, payload]);
    } catch (e) { /* page navigating */ }
  }

  async step(name, extra = {}) {
    this.stepNo++;
    await this.custom('scenario-step', { step: this.stepNo, name, ...extra });
  }

  // ---------------------------------------------------------------- navigation
  async goto(url) {
    await this.page.goto(url, { waitUntil: 'load' });
    await this.idle(300, 900);
  }

  async startSession(url) {
    await this.goto(url);
    const s = this.session;
    await this.custom('session', { site: s.site, scenario: s.scenario, seed: s.seed, length: s.length });
  }

  // ---------------------------------------------------------------- mouse
  async moveTo(x, y, opts = {}) {
    x = Math.max(1, Math.min(this.vp.width - 2, x));
    y = Math.max(1, Math.min(this.vp.height - 2, y));
    const dist = Math.hypot(x - this.x, y - this.y);
    // curved path: one or two intermediate waypoints off the straight line
    const n = dist > 300 ? 2 : 1;
    const pts = [];
    for (let i = 1; i <= n; i++) {
      const f = i / (n + 1);
      const off = this.r(-0.15, 0.15) * dist;
      pts.push([this.x + (x - this.x) * f + off * this.r(-1, 1), this.y + (y - this.y) * f + off * this.r(-1, 1)]);
    }
    pts.push([x, y]);
    for (const [px, py] of pts) {
      const steps = opts.steps || Math.max(3, Math.min(30, Math.round(Math.hypot(px - this.x, py - this.y) / this.r(15, 40))));
      await this.page.mouse.move(px, py, { steps });
      this.x = px; this.y = py;
      await sleep(this.r(10, 60));
    }
  }

  async wander(n = 3) {
    for (let i = 0; i < n; i++) {
      await this.moveTo(this.r(20, this.vp.width - 20), this.r(20, this.vp.height - 20));
      await this.idle(80, 400);
    }
  }

  async box(loc) {
    const b = await loc.boundingBox();
    if (!b) throw new Error('element not visible');
    return b;
  }

  // bring an element into view with wheel scrolling like a user would
  async reveal(loc) {
    await loc.waitFor({ state: 'visible', timeout: 8000 });
    for (let i = 0; i < 25; i++) {
      const b = await this.box(loc);
      if (b.y >= 40 && b.y + Math.min(b.height, 40) <= this.vp.height - 20) return b;
      const dy = b.y < 40 ? Math.max(-600, b.y - this.vp.height / 3) : Math.min(600, b.y - this.vp.height / 2);
      if (Math.abs(dy) < 5) return b;
      await this.wheel(dy);
      const nb = await this.box(loc);
      if (Math.abs(nb.y - b.y) < 2) { // not scrollable by wheel at this point
        await loc.scrollIntoViewIfNeeded();
        return this.box(loc);
      }
    }
    return this.box(loc);
  }

  async hover(loc) {
    const b = await this.reveal(loc);
    await this.moveTo(b.x + b.width * this.r(0.2, 0.8), b.y + b.height * this.r(0.25, 0.75));
    await this.idle(150, 700);
  }

  async click(loc, opts = {}) {
    if (typeof loc === 'string') loc = this.page.locator(loc).first();
    const b = await this.reveal(loc);
    await this.moveTo(b.x + b.width * this.r(0.25, 0.75), b.y + b.height * this.r(0.3, 0.7));
    await this.idle(60, 250);
    await this.page.mouse.down();
    await sleep(this.r(40, 120));
    await this.page.mouse.up();
    if (!opts.noWait) await this.idle(120, 400);
  }

  // click something that navigates, and wait for the new document to load
  async clickNav(loc) {
    if (typeof loc === 'string') loc = this.page.locator(loc).first();
    const main = this.page.mainFrame();
    const nav = this.page.waitForEvent('framenavigated', { predicate: (f) => f === main, timeout: 12000 }).catch(() => {});
    await this.click(loc, { noWait: true });
    await nav;
    await this.page.waitForLoadState('load').catch(() => {});
    await this.idle(200, 600);
  }

  async pressNav(key) {
    const main = this.page.mainFrame();
    const nav = this.page.waitForEvent('framenavigated', { predicate: (f) => f === main, timeout: 12000 }).catch(() => {});
    await this.page.keyboard.press(key);
    await nav;
    await this.page.waitForLoadState('load').catch(() => {});
  }

  async clickText(text, scope) {
    const loc = (scope || this.page).getByText(text, { exact: true }).first();
    await this.click(loc);
  }

  // ---------------------------------------------------------------- scrolling
  async wheel(total) {
    let left = total;
    while (Math.abs(left) > 1) {
      const d = Math.sign(left) * Math.min(Math.abs(left), this.r(60, 200));
      await this.page.mouse.wheel(0, d);
      left -= d;
      await sleep(this.r(25, 110));
    }
    await sleep(120);
  }

  async read(seconds) {
    const end = Date.now() + seconds * 1000;
    while (Date.now() < end) {
      const r = this.rnd();
      if (r < 0.55) await this.wheel(this.r(120, 700));
      else if (r < 0.65) await this.wheel(-this.r(100, 400));
      else if (r < 0.85) await this.moveTo(this.r(40, this.vp.width - 40), this.r(60, this.vp.height - 40));
      await this.idle(200, 1500);
    }
  }

  // ---------------------------------------------------------------- keyboard
  async type(loc, text, opts = {}) {
    if (typeof loc === 'string') loc = this.page.locator(loc).first();
    if (!opts.noClick) await this.click(loc);
    if (opts.clear) {
      await this.page.keyboard.press('Control+A');
      await sleep(this.r(80, 200));
      await this.page.keyboard.press('Backspace');
      await sleep(this.r(80, 250));
    }
    const base = opts.fast ? this.r(25, 50) : this.r(45, 110);
    for (const ch of text) {
      if (!opts.noTypos && /[a-z]/.test(ch) && this.chance(0.025)) {
        await this.page.keyboard.type(String.fromCharCode(97 + this.ri(0, 25)));
        await sleep(base * this.r(1, 3));
        await this.page.keyboard.press('Backspace');
        await sleep(base * this.r(0.8, 2));
      }
      if (ch === '\n') await this.page.keyboard.press('Enter');
      else await this.page.keyboard.type(ch);
      let d = base * this.r(0.5, 1.6);
      if (ch === ' ' && this.chance(0.15)) d += this.r(150, 600);
      await sleep(d);
    }
    await this.idle(150, 500);
  }

  // ---------------------------------------------------------------- window
  async resize() {
    const sizes = [[1280, 800], [1366, 768], [1440, 900], [1024, 768], [1536, 864], [800, 900], [414, 896], [1920, 1080]];
    const [w, hgt] = this.pick(sizes);
    // resize in a couple of drags like a window edge being dragged
    const steps = this.ri(2, 4);
    for (let i = 1; i <= steps; i++) {
      const nw = Math.round(this.vp.width + (w - this.vp.width) * (i / steps));
      const nh = Math.round(this.vp.height + (hgt - this.vp.height) * (i / steps));
      await this.page.setViewportSize({ width: nw, height: nh });
      await sleep(this.r(60, 200));
    }
    this.vp = { width: w, height: hgt };
    this.x = Math.min(this.x, w - 2); this.y = Math.min(this.y, hgt - 2);
    await this.idle(300, 900);
  }
}

module.exports = { Human, mulberry32, sleep };
