// Sites, scenarios and the deterministic recording plan.
'use strict';

const fs = require('fs');
const path = require('path');
const { mulberry32 } = require('./human');

const PORTS = { mkdocs: 8701, django: 8702, dash: 8703, media: 8704, datasette: 8705, swagger: 8706 };
const base = (site) => `http://127.0.0.1:${PORTS[site]}`;

// Fake PII on purpose: the downstream tokenizer must mask these.
const PEOPLE = [
  { first: 'Jane', last: 'Doe', email: 'jane.doe@example.com', phone: '+1 415 555 0134', card: '4111 1111 1111 1111' },
  { first: 'John', last: 'Smith', email: 'john.smith@example.org', phone: '(212) 555-0199', card: '5555 5555 5555 4444' },
  { first: 'Maria', last: 'Garcia', email: 'maria.garcia@mail.example', phone: '+34 612 345 678', card: '4012 8888 8888 1881' },
  { first: 'Wei', last: 'Chen', email: 'wei.chen@example.net', phone: '+86 138 0013 8000', card: '3782 822463 10005' },
  { first: 'Amara', last: 'Okafor', email: 'amara.okafor@example.com', phone: '+44 20 7946 0958', card: '6011 1111 1111 1117' },
  { first: 'Lukas', last: 'Müller', email: 'lukas.mueller@beispiel.example', phone: '+49 30 901820', card: '4000 0566 5566 5556' },
];
const PASSWORDS = ['hunter2-Fake!', 'Tr0ub4dor&3', 'correct horse battery', 'S3cret-Demo-99'];
const NOTES = [
  'Customer called about a late delivery; promised a follow-up by Friday.',
  'Prefers contact by e-mail. Do not call before 10am.',
  'Requested invoice copies for Q3. Billing address changed last month.',
  'Interested in the enterprise tier, asked for a demo next week.',
  'Card on file expired; asked to update payment details.',
];

// ============================================================================ mkdocs
const MKDOCS_DIR = path.join(__dirname, 'build', 'mkdocs', 'site');
function mkdocsPages() {
  const out = [];
  for (const sec of ['commands', 'configuring-npm', 'using-npm']) {
    const d = path.join(MKDOCS_DIR, sec);
    if (!fs.existsSync(d)) continue;
    for (const p of fs.readdirSync(d).sort()) out.push(`/${sec}/${p}/`);
  }
  return out.length ? out : ['/'];
}
const QUERIES = ['package-lock', 'workspaces', 'audit', 'peer dependencies', 'scripts', 'publish', 'registry', 'cache', 'semver', 'npx', 'config', 'tokens'];

const mk = {
  async openSearch(h, q) {
    await h.click(h.page.locator('label.md-search__icon:visible, .md-search__input:visible').first());
    await h.type(h.page.locator('input.md-search__input'), q, { noClick: true });
    await h.idle(500, 1200);
    const res = h.page.locator('.md-search-result__link');
    if (await res.count() > 0 && h.chance(0.8)) {
      // move through results with the mouse, then pick one
      const n = Math.min(await res.count(), 5);
      for (let i = 0; i < h.ri(1, n); i++) await h.hover(res.nth(i)).catch(() => {});
      await h.clickNav(res.nth(h.ri(0, n - 1)));
    } else {
      await h.page.keyboard.press('Escape');
    }
  },
  async clickContentLink(h) {
    const links = h.page.locator('article a[href$="/"]:not(.headerlink), article a[href*="../"]');
    const n = await links.count();
    if (!n) return false;
    await h.clickNav(links.nth(h.ri(0, Math.min(n, 12) - 1)));
    await h.idle(300, 800);
    return true;
  },
  async tocJump(h) {
    const toc = h.page.locator('nav.md-nav--secondary a.md-nav__link:visible');
    const n = await toc.count();
    if (!n) return false;
    await h.click(toc.nth(h.ri(0, n - 1)));
    return true;
  },
  async nextPage(h) {
    const nx = h.page.locator('a.md-footer__link--next');
    if (await nx.count()) { await h.clickNav(nx); return true; }
    return false;
  },
  async palette(h) {
    const t = h.page.locator('form[data-md-component="palette"] label:visible').first();
    if (await t.count()) await h.click(t);
  },
  async copyCode(h) {
    const pre = h.page.locator('article pre:visible');
    if (!(await pre.count())) return false;
    await h.hover(pre.first());
    const btn = h.page.locator('button.md-clipboard:visible').first();
    if (await btn.count()) await h.click(btn);
    return true;
  },
  async filler(h, s) {
    while (h.elapsed() < s.target) {
      const r = h.rnd();
      try {  // an element out of reach (e.g. the TOC at a narrow width) must not end the session
        if (r < 0.42) await h.read(h.r(4, 12));
        else if (r < 0.5) await mk.openSearch(h, h.pick(QUERIES));
        else if (r < 0.62) await mk.clickContentLink(h);
        else if (r < 0.72) await mk.tocJump(h);
        else if (r < 0.8) await mk.nextPage(h);
        else if (r < 0.86) await h.resize();
        else if (r < 0.9) await mk.palette(h);
        else if (r < 0.95) await mk.copyCode(h);
        else await h.goto(base('mkdocs') + h.pick(mkdocsPages()));
      } catch (e) {
        await h.goto(base('mkdocs') + h.pick(mkdocsPages()));
      }
      await h.step('filler');
    }
  },
};

const mkdocsScenarios = {
  'read-article': async (h, s) => {
    await h.startSession(base('mkdocs') + h.pick(mkdocsPages()));
    await h.step('read');
    await h.read(s.length === 'tiny' ? 1 : h.r(3, 8));
    if (s.length === 'tiny') return;
    await mk.tocJump(h).catch(() => {});
    await h.read(h.r(2, 5));
    await h.step('next');
    await mk.nextPage(h).catch(() => {});
    await mk.filler(h, s);
  },
  'search-docs': async (h, s) => {
    await h.startSession(base('mkdocs') + '/');
    await h.step('search');
    // a result out of reach must not end the session (the filler goes on from the page)
    await mk.openSearch(h, h.pick(QUERIES)).catch(() => h.page.keyboard.press('Escape').catch(() => {}));
    if (s.length === 'tiny') return;
    await h.read(h.r(2, 6));
    await mk.openSearch(h, h.pick(QUERIES)).catch(() => {});
    await mk.filler(h, s);
  },
  'browse-nav': async (h, s) => {
    await h.startSession(base('mkdocs') + '/');
    await h.wander(2);
    if (s.length === 'tiny') return;
    await h.step('tabs');
    const tabs = h.page.locator('.md-tabs__link:visible');
    if (await tabs.count()) await h.click(tabs.nth(h.ri(0, (await tabs.count()) - 1)));
    await h.read(h.r(2, 5));
    await mk.clickContentLink(h).catch(() => {});
    await h.resize();
    await mk.filler(h, s);
  },
  'copy-snippet': async (h, s) => {
    await h.startSession(base('mkdocs') + h.pick(['/commands/npm-install/', '/commands/npm-run/', '/configuring-npm/package-json/', '/using-npm/scripts/', '/commands/npm-exec/']));
    await h.read(h.r(1, 4));
    if (s.length === 'tiny') return;
    await h.step('copy');
    await mk.copyCode(h).catch(() => {});
    await mk.palette(h).catch(() => {});
    await mk.filler(h, s);
  },
};

// ============================================================================ django
const dj = {
  async login(h, opts = {}) {
    await h.startSession(base('django') + '/admin/');
    await h.step('login');
    await h.type('#id_username', 'admin', { fast: opts.fast });
    if (opts.typo) {
      await h.type('#id_password', h.pick(PASSWORDS));
      await h.clickNav('input[type=submit]');
      await h.idle(500, 1500);
      await h.step('retry-login');
    }
    await h.type('#id_password', 'rec-Password-123', { clear: !!opts.typo });
    await h.clickNav('input[type=submit]');
    await h.idle(400, 1000);
  },
  async nav(h, href) {
    const link = h.page.locator(`a[href="${href}"]`).first();
    if (await link.count() && await link.isVisible()) {
      await h.clickNav(link);
    } else {
      await h.goto(base('django') + href);
    }
    await h.idle(300, 900);
  },
  async changelistBrowse(h, href) {
    await dj.nav(h, href);
    const filters = h.page.locator('#changelist-filter a:visible');
    const n = await filters.count();
    if (n && h.chance(0.8)) {
      await h.clickNav(filters.nth(h.ri(0, n - 1)));
    }
    if (h.chance(0.5)) {
      const heads = h.page.locator('#result_list thead th.sortable a:visible');
      if (await heads.count()) { await h.clickNav(heads.nth(h.ri(0, (await heads.count()) - 1))); }
    }
    await h.read(h.r(1, 4));
  },
  async search(h, href, q) {
    await dj.nav(h, href);
    await h.type('#searchbar', q);
    await h.pressNav('Enter');
    await h.idle(400, 1200);
  },
  async addCustomer(h, s) {
    const p = h.pick(PEOPLE);
    await dj.nav(h, '/admin/crm/customer/add/');
    await h.step('add-customer');
    await h.type('#id_first_name', p.first);
    await h.type('#id_last_name', p.last);
    const [u, d] = p.email.split('@');
    await h.type('#id_email', `${u}+${s.seed}@${d}`);
    await h.type('#id_phone', p.phone);
    await h.type('#id_card_number', p.card);
    if (h.chance(0.5)) {
      await h.type('#id_birth_date', `${h.ri(1960, 2003)}-0${h.ri(1, 9)}-${h.ri(10, 28)}`);
    } else {
      await h.click('#calendarlink0');
      const days = h.page.locator('.calendarbox:visible td a');
      if (await days.count()) await h.click(days.nth(h.ri(0, (await days.count()) - 1)));
    }
    await h.click('#id_country'); await h.page.selectOption('#id_country', h.pick(['US', 'GB', 'DE', 'FR', 'IN', 'BR', 'JP', 'CA']));
    await h.click('#id_tier'); await h.page.selectOption('#id_tier', h.pick(['free', 'pro', 'enterprise']));
    if (h.chance(0.6)) await h.click('#id_newsletter');
    await h.type('#id_notes', h.pick(NOTES));
    if (s.length !== 'short' && h.chance(0.7)) {
      await h.step('inline-order');
      await h.type('#id_orders-0-reference', `ORD-${s.seed}`);
      await h.click('#id_orders-0-placed_at_0 ~ .datetimeshortcuts a, .datetimeshortcuts a >> nth=0').catch(() => {});
      const today = h.page.locator('tr#orders-0 .datetimeshortcuts a').first();
      if (await today.count()) await h.click(today).catch(() => {});
      const nowl = h.page.locator('tr#orders-0 .datetimeshortcuts a').nth(2);
      if (await nowl.count()) await h.click(nowl).catch(() => {});
      await h.type('#id_orders-0-total', `${h.ri(5, 400)}.${h.ri(10, 99)}`);
      await h.page.selectOption('#id_orders-0-status', h.pick(['new', 'paid', 'shipped']));
      await h.type('#id_orders-0-shipping_address', `${h.ri(1, 999)} Market Street\nSan Francisco, CA 94103`);
    }
    await h.clickNav(h.pick(['input[name=_save]', 'input[name=_continue]']));
    await h.idle(500, 1200);
  },
  async editCustomer(h, s) {
    await dj.search(h, '/admin/crm/customer/', h.pick(['Hopper', 'Ada', 'Knuth', 'example.com', 'Turing', 'Lamarr']));
    const rows = h.page.locator('#result_list tbody th a');
    if (!(await rows.count())) return;
    await h.clickNav(rows.nth(h.ri(0, Math.min(await rows.count(), 8) - 1)));
    await h.step('edit-customer');
    await h.type('#id_phone', h.pick(PEOPLE).phone, { clear: true });
    await h.type('#id_notes', ' ' + h.pick(NOTES), {});
    if (h.chance(0.5)) await h.click('#id_newsletter');
    await h.clickNav('input[name=_continue]');
    await h.read(h.r(1, 3));
  },
  async orders(h, s) {
    await dj.changelistBrowse(h, '/admin/crm/order/');
    await h.step('orders');
    const dh = h.page.locator('.xfull a, nav.toplinks a');
    if (await dh.count() && h.chance(0.5)) { await h.clickNav(dh.first()); }
    const boxes = h.page.locator('#result_list tbody input.action-select');
    const n = await boxes.count();
    for (let i = 0; i < Math.min(n, h.ri(1, 4)); i++) await h.click(boxes.nth(h.ri(0, n - 1)));
    const sel = h.page.locator('#result_list tbody select:visible');
    if (await sel.count()) {
      const k = h.ri(0, (await sel.count()) - 1);
      await h.click(sel.nth(k));
      await sel.nth(k).selectOption(h.pick(['new', 'paid', 'shipped', 'refunded']));
      await h.clickNav('input[name=_save]');
    } else if (n) {
      await h.page.selectOption('select[name=action]', 'mark_shipped');
      await h.clickNav('button[name=index]');
    }
    await h.idle(400, 1000);
  },
  async usersGroups(h, s) {
    await dj.nav(h, '/admin/auth/user/add/');
    await h.step('add-user');
    const uname = `${h.pick(PEOPLE).first.toLowerCase()}${s.seed}`;
    await h.type('#id_username', uname);
    const pw = h.pick(PASSWORDS);
    const usable = h.page.locator('input[name=usable_password][value=true]');
    if (await usable.count()) await h.click(usable).catch(() => {});
    await h.type('#id_password1', pw);
    await h.type('#id_password2', pw);
    await h.clickNav('input[name=_continue]');
    await h.step('edit-user');
    const p = h.pick(PEOPLE);
    if (await h.page.locator('#id_first_name').count()) {
      await h.type('#id_first_name', p.first);
      await h.type('#id_last_name', p.last);
      await h.type('#id_email', p.email.replace('@', `${s.seed}@`));
      await h.click('#id_is_staff');
      const from = h.page.locator('#id_groups_from option');
      if (await from.count()) {
        await h.click(from.nth(h.ri(0, (await from.count()) - 1)));
        await h.click('#id_groups_add_link, #id_groups_add, a.selector-add').catch(() => {});
      }
      await h.type('#id_user_permissions_input', h.pick(['customer', 'order', 'group']));
      await h.clickNav('input[name=_save]');
    }
    if (s.length !== 'short') {
      await dj.nav(h, '/admin/auth/group/add/');
      await h.step('add-group');
      await h.type('#id_name', `${h.pick(['Ops', 'Finance', 'Marketing', 'QA'])} ${s.seed}`);
      await h.type('#id_permissions_input', h.pick(['customer', 'order', 'user']));
      const opts = h.page.locator('#id_permissions_from option:visible');
      const n = await opts.count();
      for (let i = 0; i < Math.min(n, 3); i++) await h.click(opts.nth(i));
      await h.click('#id_permissions_add_link, #id_permissions_add, a.selector-add').catch(() => {});
      await h.clickNav('input[name=_save]');
    }
  },
  async filler(h, s) {
    while (h.elapsed() < s.target) {
      const r = h.rnd();
      try {
        if (r < 0.25) await dj.changelistBrowse(h, h.pick(['/admin/crm/customer/', '/admin/crm/order/', '/admin/auth/user/']));
        else if (r < 0.4) await dj.search(h, h.pick(['/admin/crm/customer/', '/admin/crm/order/']), h.pick(['ORD-00', 'Knuth', 'example', 'Grace', 'Ritchie']));
        else if (r < 0.6) await dj.addCustomer(h, s);
        else if (r < 0.75) await dj.editCustomer(h, s);
        else if (r < 0.85) await dj.orders(h, s);
        else if (r < 0.9) await h.resize();
        else await dj.nav(h, '/admin/');
      } catch (e) {
        await h.goto(base('django') + '/admin/');
      }
      await h.step('filler');
    }
  },
};

const djangoScenarios = {
  'login-only': async (h, s) => {
    await dj.login(h, { fast: s.length === 'tiny' });
    await h.read(s.length === 'tiny' ? 0.5 : h.r(2, 5));
    if (s.length !== 'tiny') await dj.filler(h, s);
  },
  'login-typo': async (h, s) => {
    await dj.login(h, { typo: true });
    await dj.filler(h, s);
  },
  'add-customer': async (h, s) => {
    await dj.login(h);
    await dj.addCustomer(h, s);
    await dj.filler(h, s);
  },
  'edit-customer': async (h, s) => {
    await dj.login(h);
    await dj.editCustomer(h, s);
    await dj.filler(h, s);
  },
  'orders-bulk': async (h, s) => {
    await dj.login(h);
    await dj.orders(h, s);
    await dj.filler(h, s);
  },
  'users-groups': async (h, s) => {
    await dj.login(h);
    await dj.usersGroups(h, s);
    await dj.filler(h, s);
  },
};

// ============================================================================ dash
const da = {
  async tab(h, name) {
    await h.click(h.page.locator('#tabs .tab', { hasText: name }).first());
    await h.idle(600, 1200);
  },
  async hoverGraph(h, id, seconds) {
    const g = h.page.locator(`#${id} .nsewdrag`).first();
    await g.waitFor({ state: 'visible', timeout: 10000 });
    const b = await h.reveal(g);
    const end = Date.now() + seconds * 1000;
    while (Date.now() < end) {
      await h.moveTo(b.x + b.width * h.r(0.05, 0.95), b.y + b.height * h.r(0.05, 0.95), { steps: h.ri(8, 30) });
      await h.idle(50, 400);
    }
  },
  async explorer(h, s, seconds) {
    await da.tab(h, 'Explorer');
    await h.step('explorer');
    await da.hoverGraph(h, 'ex-graph', seconds * 0.4);
    const marks = h.page.locator('#ex-year .dash-slider-mark, #ex-year [class*="mark"]');
    if (await marks.count()) await h.click(marks.nth(h.ri(0, (await marks.count()) - 1))).catch(() => {});
    const boxes = h.page.locator('#ex-cont label');
    if (await boxes.count()) await h.click(boxes.nth(h.ri(0, (await boxes.count()) - 1)));
    await h.type('#ex-search', h.pick(['Jap', 'Nig', 'Bra', 'Ger', 'India', 'Chi']));
    await h.click('#ex-y').catch(() => {});
    const opt = h.page.locator('[role=option]:visible', { hasText: h.pick(['Population', 'Life expectancy']) }).first();
    if (await opt.count()) await h.click(opt).catch(() => {});
    else await h.page.keyboard.press('Escape');
    await da.hoverGraph(h, 'ex-graph', seconds * 0.4);
  },
  async table(h, s) {
    await da.tab(h, 'Table');
    await h.step('table');
    const filt = h.page.locator('#tb th.dash-filter input, #tb .dash-filter input');
    if (await filt.count()) {
      await h.type(filt.nth(h.ri(0, Math.min(await filt.count(), 2) - 1)), h.pick(['A', 'Ma', 'Europe', 'Asia', 'In']));
      await h.page.keyboard.press('Enter');
      await h.idle(400, 900);
    }
    const sorts = h.page.locator('#tb .column-header--sort');
    if (await sorts.count()) await h.click(sorts.nth(h.ri(0, (await sorts.count()) - 1)));
    const rows = h.page.locator('#tb input[type=checkbox]');
    for (let i = 0; i < h.ri(1, 3) && (await rows.count()); i++) await h.click(rows.nth(h.ri(0, (await rows.count()) - 1)));
    const cells = h.page.locator('#tb td[data-dash-column=lifeExp]');
    if (await cells.count()) {
      await h.click(cells.nth(h.ri(0, (await cells.count()) - 1)));
      await h.page.keyboard.press('Enter');
      await h.type(h.page.locator('#tb td.focused input, #tb input.dash-cell-value').first(), String(h.ri(40, 85)), { noClick: true }).catch(() => {});
      await h.page.keyboard.press('Enter');
    }
    const nextp = h.page.locator('#tb button.next-page, #tb .next-page');
    for (let i = 0; i < h.ri(0, 3) && (await nextp.count()); i++) await h.click(nextp.first()).catch(() => {});
    await h.read(h.r(1, 3));
  },
  async signup(h, s) {
    await da.tab(h, 'Sign up');
    await h.step('signup');
    const p = h.pick(PEOPLE);
    await h.type('#su-name', `${p.first} ${p.last}`);
    await h.type('#su-email', p.email);
    await h.type('#su-phone', p.phone);
    await h.type('#su-card', p.card);
    await h.type('#su-password', h.pick(PASSWORDS));
    await h.click('#su-country');
    const opt = h.page.locator('[role=option]:visible').nth(h.ri(0, 5));
    if (await opt.count()) await h.click(opt).catch(() => {}); else await h.page.keyboard.press('Escape');
    await h.click(h.page.locator('#su-plan label').nth(h.ri(0, 2)));
    const opts = h.page.locator('#su-opts label');
    for (let i = 0; i < 3; i++) if (h.chance(0.6)) await h.click(opts.nth(i));
    await h.type('#su-bio', h.pick(NOTES) + ' ' + h.pick(NOTES));
    await h.click('#su-submit');
    await h.idle(600, 1400);
  },
  async live(h, s, seconds) {
    await da.tab(h, 'Live monitor');
    await h.step('live');
    const rates = h.page.locator('#lv-rate label');
    if (await rates.count()) {
      // long sessions watch the dashboard at a fast refresh rate
      const k = (s.length === 'xlong' || s.length === 'xxl' || s.length === 'live') ? 3 : s.length === 'long' ? h.ri(2, 3) : h.ri(0, 3);
      await h.click(rates.nth(k));
      await h.step('refresh-rate', { option: k });
    }
    await da.hoverGraph(h, 'lv-graph', seconds * ((s.length === 'xxl' || s.length === 'live') ? 0.9 : 0.6));
    await h.click('#lv-pause');
    await h.idle(800, 2000);
    await h.click('#lv-pause');
    await h.read(seconds * 0.3);
  },
  async tasks(h, s) {
    await da.tab(h, 'Tasks');
    await h.step('tasks');
    const items = h.shuffle(['Review pull request', 'Email Jane about invoices', 'Renew domain', 'Book dentist', 'Write release notes', 'Call +1 415 555 0134 re: order']);
    for (const it of items.slice(0, h.ri(2, 5))) {
      await h.type('#tk-new', it);
      if (h.chance(0.5)) await h.page.keyboard.press('Enter'); else await h.click('#tk-add');
      await h.idle(400, 900);
    }
    const cbs = h.page.locator('#tk-list input[type=checkbox]');
    for (let i = 0; i < h.ri(1, 2) && (await cbs.count()); i++) await h.click(cbs.nth(h.ri(0, (await cbs.count()) - 1)));
    const dels = h.page.locator('#tk-list button');
    if (await dels.count() && h.chance(0.6)) await h.click(dels.first());
  },
  async filler(h, s) {
    while (h.elapsed() < s.target) {
      const r = h.rnd();
      try {
        const heavy = ['long', 'xlong', 'xxl', 'live'].includes(s.length);
        if (r < 0.3) await da.explorer(h, s, heavy ? h.r(10, 25) : h.r(4, 12));
        else if (r < 0.5 || (heavy && r < 0.6)) await da.live(h, s, heavy ? h.r(20, 45) : h.r(5, 15));
        else if (r < 0.65) await da.table(h, s);
        else if (r < 0.77) await da.signup(h, s);
        else if (r < 0.9) await da.tasks(h, s);
        else await h.resize();
      } catch (e) {
        await h.goto(base('dash') + '/');
      }
      await h.step('filler');
    }
  },
};

async function dashStart(h) {
  await h.startSession(base('dash') + '/');
  await h.page.locator('#ex-graph .nsewdrag').first().waitFor({ timeout: 15000 }).catch(() => {});
}

const dashScenarios = {
  'explore-graph': async (h, s) => { await dashStart(h); if (s.length === 'tiny') return h.wander(2); await da.explorer(h, s, h.r(4, 10)); await da.filler(h, s); },
  'table-edit': async (h, s) => { await dashStart(h); await da.table(h, s); await da.filler(h, s); },
  'signup-form': async (h, s) => { await dashStart(h); await da.signup(h, s); await da.filler(h, s); },
  'live-monitor': async (h, s) => {
    await dashStart(h);
    await da.live(h, s, s.length === 'tiny' ? 2 : Math.max(6, s.target * 0.7));
    await da.filler(h, s);
  },
  'task-list': async (h, s) => { await dashStart(h); await da.tasks(h, s); await da.filler(h, s); },
};

// ============================================================================ media
const me = {
  async play(h) {
    const a = h.page.locator('#player');
    const b = await h.reveal(a);
    await h.moveTo(b.x + 16, b.y + b.height / 2);
    await h.idle(100, 300);
    await h.page.mouse.down(); await h.page.mouse.up();
    await h.idle(500, 1500);
    // make sure it plays even if the control layout differs
    await h.page.evaluate(() => { const p = document.getElementById('player'); if (p.paused) p.play(); }).catch(() => {});
  },
  async listen(h, s, seconds) {
    await h.step('listen');
    await me.play(h);
    const end = Date.now() + seconds * 1000;
    while (Date.now() < end) {
      const r = h.rnd();
      if (r < 0.2) await h.click(h.pick(['#rate-up', '#rate-down']));
      else if (r < 0.4) {
        const v = await h.reveal(h.page.locator('#vol'));
        await h.moveTo(v.x + v.width * h.r(0.1, 0.9), v.y + v.height / 2);
        await h.page.mouse.down(); await h.moveTo(v.x + v.width * h.r(0.1, 0.9), v.y + v.height / 2); await h.page.mouse.up();
      } else if (r < 0.55) {
        // seek via the native timeline
        const b = await h.reveal(h.page.locator('#player'));
        await h.click(h.page.locator('#player')).catch(() => {});
        await h.page.evaluate((f) => { const p = document.getElementById('player'); if (p.duration) p.currentTime = p.duration * f; }, h.r(0, 0.9));
      } else if (r < 0.65) {
        await h.page.evaluate(() => { const p = document.getElementById('player'); p.paused ? p.play() : p.pause(); }).catch(() => {});
      } else if (r < 0.75) await h.click('#loop');
      else await h.wander(1);
      await h.idle(400, 1500);
    }
  },
  async feedback(h, s) {
    await h.step('feedback');
    const p = h.pick(PEOPLE);
    await h.type('#fb-name', `${p.first} ${p.last}`);
    await h.type('#fb-email', p.email);
    await h.click('#fb-rating'); await h.page.selectOption('#fb-rating', String(h.ri(1, 5)));
    await h.type('#fb-text', h.pick(['Great narration, a bit fast though.', 'Please add captions. You can reach me at ' + p.phone + '.', 'Audio was clear; the meter is a nice touch.']));
    await h.click('#fb-send');
  },
  async sketch(h, s, seconds) {
    await h.step('sketch');
    const c = await h.reveal(h.page.locator('#pad'));
    const end = Date.now() + seconds * 1000;
    while (Date.now() < end) {
      const r = h.rnd();
      if (r < 0.55) {
        await h.moveTo(c.x + h.r(10, c.width - 10), c.y + h.r(10, c.height - 10));
        await h.page.mouse.down();
        for (let i = 0; i < h.ri(3, 8); i++) await h.moveTo(c.x + h.r(10, c.width - 10), c.y + h.r(10, c.height - 10), { steps: h.ri(5, 15) });
        await h.page.mouse.up();
      } else if (r < 0.7) await h.click(h.pick(['#rect', '#circle']));
      else if (r < 0.78) { await h.click('#color'); await h.page.selectOption('#color', h.pick(['#222', '#d33', '#36c', '#2a2'])); }
      else if (r < 0.85) await h.click('#fill');
      else if (r < 0.9) await h.click('#clear');
      else { await h.type('#title', h.pick(['Wireframe v2', 'Logo idea', 'Floor plan', 'Cat'])); await h.click('#save'); }
      await h.idle(200, 800);
    }
  },
  async plot(h, s, seconds) {
    await h.step('plot');
    const canvas = h.page.locator('.bk-Canvas, canvas').first();
    await canvas.waitFor({ timeout: 10000 }).catch(() => {});
    const end = Date.now() + seconds * 1000;
    while (Date.now() < end) {
      const b = await h.reveal(h.page.locator('canvas').first());
      const r = h.rnd();
      if (r < 0.5) await h.moveTo(b.x + b.width * h.r(0.1, 0.9), b.y + b.height * h.r(0.1, 0.9), { steps: h.ri(10, 25) });
      else if (r < 0.65) { await h.moveTo(b.x + b.width * 0.5, b.y + b.height * 0.5); await h.page.mouse.wheel(0, h.r(-300, 300)); }
      else if (r < 0.8) {
        const sl = h.page.locator('.noUi-handle, .bk-slider-title').first();
        if (await sl.count()) {
          const sb = await h.reveal(sl);
          await h.moveTo(sb.x + sb.width / 2, sb.y + sb.height / 2);
          await h.page.mouse.down();
          await h.moveTo(sb.x + h.r(-150, 250), sb.y + sb.height / 2, { steps: 20 });
          await h.page.mouse.up();
        }
      } else if (r < 0.9) {
        await h.moveTo(b.x + b.width * 0.3, b.y + b.height * 0.4);
        await h.page.mouse.down();
        await h.moveTo(b.x + b.width * h.r(0.4, 0.8), b.y + b.height * h.r(0.3, 0.7), { steps: 15 });
        await h.page.mouse.up();
      } else await h.wander(1);
      await h.idle(200, 900);
    }
  },
  async filler(h, s) {
    while (h.elapsed() < s.target) {
      const r = h.rnd();
      try {
        const pg = h.pick(['index.html', 'plot.html', 'draw.html']);
        const link = h.page.locator(`nav a[href="${pg}"]`);
        if (await link.count()) { await h.clickNav(link); } else await h.goto(`${base('media')}/${pg}`);
        await h.idle(500, 1000);
        const secs = h.r(4, 12);
        if (pg === 'index.html') { if (r < 0.6) await me.listen(h, s, secs); else await me.feedback(h, s); }
        else if (pg === 'plot.html') await me.plot(h, s, secs);
        else await me.sketch(h, s, secs);
        if (h.chance(0.15)) await h.resize();
      } catch (e) {
        await h.goto(base('media') + '/index.html');
      }
      await h.step('filler');
    }
  },
};

const mediaScenarios = {
  'listen-audio': async (h, s) => { await h.startSession(base('media') + '/index.html'); await me.listen(h, s, s.length === 'tiny' ? 1 : h.r(4, 10)); await me.filler(h, s); },
  'sketch': async (h, s) => { await h.startSession(base('media') + '/draw.html'); await me.sketch(h, s, s.length === 'tiny' ? 1 : h.r(4, 10)); await me.filler(h, s); },
  'plot-explore': async (h, s) => { await h.startSession(base('media') + '/plot.html'); await me.plot(h, s, s.length === 'tiny' ? 1 : h.r(4, 10)); await me.filler(h, s); },
  'feedback': async (h, s) => { await h.startSession(base('media') + '/index.html'); if (s.length !== 'tiny') await me.feedback(h, s); await me.filler(h, s); },
};

// ============================================================================ datasette
// Datasette 0.65 on a seeded SQLite shop (setup_apps.py): server-rendered pages, every
// filter / facet / sort / SQL run is a new document (its own FullSnapshot).
const DS_TABLES = ['customers', 'orders', 'products', 'tickets'];
const DS_FILTERS = {
  customers: [['country', 'exact', 'DE'], ['tier', 'exact', 'pro'], ['email', 'contains', 'garcia'], ['city', 'startswith', 'San'], ['signup_date', 'gt', '2024-01-01']],
  orders: [['status', 'exact', 'shipped'], ['total', 'gt', '500'], ['quantity', 'gte', '3'], ['placed_at', 'contains', '2025-0']],
  products: [['category', 'exact', 'Electronics'], ['price', 'lt', '100'], ['name', 'contains', 'lamp']],
  tickets: [['priority', 'exact', 'urgent'], ['status', 'not', 'closed'], ['body', 'contains', 'invoice']],
};
const DS_SQL = [
  'select country, count(*) as n\nfrom customers\ngroup by country\norder by n desc',
  'select status, count(*), round(sum(total), 2) as revenue\nfrom orders group by status',
  "select * from customers\nwhere email like '%garcia%'\nlimit 20",
  'select p.name, sum(o.quantity) as sold\nfrom orders o join products p on p.id = o.product_id\ngroup by p.name order by sold desc limit 10',
  "select priority, count(*) from tickets\nwhere status != 'closed' group by priority",
  'select tier, avg(newsletter) as share from customers group by tier',
];
const ds = {
  async table(h, name) {
    const link = h.page.locator(`a[href="/shop/${name}"]`).first();
    if (await link.count() && await link.isVisible()) await h.clickNav(link);
    else await h.goto(`${base('datasette')}/shop/${name}`);
    await h.idle(300, 800);
  },
  async facet(h) {
    const vals = h.page.locator('.facet-info li a:not(.cross):visible');
    const n = await vals.count();
    if (!n) return false;
    await h.clickNav(vals.nth(h.ri(0, Math.min(n, 8) - 1)));
    await h.read(h.r(1, 3));
    const cross = h.page.locator('.facet-info a.cross:visible, .filters a.cross:visible');
    if (await cross.count() && h.chance(0.4)) await h.clickNav(cross.first());
    return true;
  },
  async suggestedFacet(h) {
    const sug = h.page.locator('.suggested-facets a:visible');
    if (!(await sug.count())) return false;
    await h.clickNav(sug.nth(h.ri(0, (await sug.count()) - 1)));
    return true;
  },
  async filter(h, name) {
    const [col, op, val] = h.pick(DS_FILTERS[name] || DS_FILTERS.customers);
    const colSel = h.page.locator('form.filters select[name=_filter_column]').first();
    if (!(await colSel.count())) return false;
    await h.click(colSel); await colSel.selectOption(col);
    const opSel = h.page.locator('form.filters select[name=_filter_op]').first();
    await h.click(opSel); await opSel.selectOption(op);
    // the empty last row (rows of active filters are named _filter_column_1, ...)
    await h.type(h.page.locator('form.filters input[name=_filter_value]').first(), val, { clear: true });
    await h.clickNav(h.page.locator('form.filters input[type=submit]').first());
    await h.read(h.r(1, 3));
    return true;
  },
  async sort(h) {
    if (h.chance(0.5)) {
      const icons = h.page.locator('.rows-and-columns th .dropdown-menu-icon');
      const n = await icons.count();
      if (n) {
        await h.click(icons.nth(h.ri(0, n - 1)));
        const item = h.page.locator(h.pick(['.dropdown-menu a.dropdown-sort-desc', '.dropdown-menu a.dropdown-sort-asc', '.dropdown-menu a.dropdown-facet']) + ':visible').first();
        if (await item.count()) { await h.clickNav(item); return true; }
        await h.page.keyboard.press('Escape');
      }
    }
    const heads = h.page.locator('.rows-and-columns th a:visible');
    const n = await heads.count();
    if (!n) return false;
    await h.clickNav(heads.nth(h.ri(0, n - 1)));
    return true;
  },
  async nextPage(h) {
    const nx = h.page.locator('a[href*="_next="]:visible').first();
    if (!(await nx.count())) return false;
    await h.clickNav(nx);
    await h.read(h.r(1, 3));
    return true;
  },
  async row(h) {
    const pks = h.page.locator('.rows-and-columns td.type-pk a:visible');
    const n = await pks.count();
    if (!n) return false;
    await h.clickNav(pks.nth(h.ri(0, Math.min(n, 12) - 1)));
    await h.step('row');
    await h.read(h.r(1, 3));
    // foreign keys and "links from other tables"
    const rel = h.page.locator('main a[href^="/shop/"]:visible, .content a[href^="/shop/"]:visible');
    const m = await rel.count();
    if (m && h.chance(0.7)) await h.clickNav(rel.nth(h.ri(0, m - 1)));
    return true;
  },
  async sql(h) {
    await h.goto(`${base('datasette')}/shop`);
    await h.step('sql');
    const cm = h.page.locator('.CodeMirror').first();
    await cm.waitFor({ timeout: 8000 });
    await h.click(cm);
    await h.type(cm, h.pick(DS_SQL), { noClick: true, clear: true });
    if (h.chance(0.3)) await h.click(h.page.locator('#sql-format:visible')).catch(() => {});
    await h.clickNav(h.page.locator('form.sql input[type=submit]').first());
    await h.read(h.r(1, 4));
    if (h.chance(0.4)) {  // edit the query once more on the results page
      const cm2 = h.page.locator('.CodeMirror').first();
      if (await cm2.count()) {
        await h.click(cm2);
        await h.page.keyboard.press('Control+End');
        await h.type(cm2, h.pick(['\nlimit 5', ' -- check', '\n']), { noClick: true });
        await h.pressNav('Shift+Enter');
        await h.idle(400, 1000);
      }
    }
  },
  async canned(h) {
    await h.goto(`${base('datasette')}/shop`);
    const q = h.page.locator('a[href="/shop/revenue_by_country"]').first();
    if (await q.count()) await h.clickNav(q);
    else await h.goto(`${base('datasette')}/shop/revenue_by_country`);
    await h.read(h.r(1, 3));
  },
  async filler(h, s) {
    while (h.elapsed() < s.target) {
      const r = h.rnd();
      try {
        if (r < 0.15) await ds.table(h, h.pick(DS_TABLES));
        else if (r < 0.3) await ds.facet(h);
        else if (r < 0.42) await ds.filter(h, h.pick(DS_TABLES.filter((t) => h.page.url().includes(`/${t}`))) || 'customers');
        else if (r < 0.52) await ds.sort(h);
        else if (r < 0.6) await ds.nextPage(h);
        else if (r < 0.72) await ds.row(h);
        else if (r < 0.8) await ds.sql(h);
        else if (r < 0.83) await ds.canned(h);
        else if (r < 0.86) await ds.suggestedFacet(h);
        else if (r < 0.9) await h.resize();
        else await h.read(h.r(2, 5));
      } catch (e) {
        await h.goto(`${base('datasette')}/shop`);
      }
      await h.step('filler');
    }
  },
};

const datasetteScenarios = {
  'browse-tables': async (h, s) => {
    await h.startSession(base('datasette') + '/');
    await h.step('browse');
    const db = h.page.locator('a[href="/shop"]').first();
    if (await db.count()) await h.clickNav(db); else await h.goto(base('datasette') + '/shop');
    await h.read(h.r(1, 3));
    const t = h.pick(DS_TABLES);
    await ds.table(h, t);
    await ds.nextPage(h).catch(() => {});
    await ds.row(h).catch(() => {});
    await ds.filler(h, s);
  },
  'facet-drill': async (h, s) => {
    await h.startSession(base('datasette') + '/shop/' + h.pick(['customers', 'orders', 'tickets']));
    await h.step('facets');
    await ds.facet(h).catch(() => {});
    await ds.facet(h).catch(() => {});
    await ds.suggestedFacet(h).catch(() => {});
    await ds.filler(h, s);
  },
  'filter-sort': async (h, s) => {
    const t = h.pick(DS_TABLES);
    await h.startSession(base('datasette') + '/shop/' + t);
    await h.step('filter');
    await ds.filter(h, t).catch(() => {});
    await h.step('sort');
    await ds.sort(h).catch(() => {});
    await ds.filler(h, s);
  },
  'sql-editor': async (h, s) => {
    await h.startSession(base('datasette') + '/shop');
    await ds.sql(h);
    if (h.chance(0.5)) await ds.canned(h).catch(() => {});
    await ds.filler(h, s);
  },
  'row-detail': async (h, s) => {
    await h.startSession(base('datasette') + '/shop/' + h.pick(['orders', 'tickets', 'customers']));
    await ds.row(h).catch(() => {});
    await ds.row(h).catch(() => {});
    await ds.filler(h, s);
  },
};

// ============================================================================ swagger
// swagger-ui-dist 5 (a React single-page explorer) on the local OpenAPI spec; "Execute"
// calls the mock API of apps/swagger_server.py on the same origin.
const SW_BODIES = {
  customers: (p, s) => ({ first_name: p.first, last_name: p.last, email: p.email, phone: p.phone, country: 'US', tier: 'pro', newsletter: s.seed % 2 === 0 }),
  orders: (p, s) => ({ customer_id: 1 + (s.seed % 60), product_id: 3, quantity: 2, status: 'new', card_number: p.card }),
  tickets: (p, s) => ({ customer_id: 1 + (s.seed % 60), subject: 'Late delivery', priority: 'high', body: `Please call ${p.first} at ${p.phone}.` }),
};
const sw = {
  async ready(h) {
    await h.page.locator('.opblock-tag').first().waitFor({ timeout: 15000 });
    await h.idle(300, 800);
  },
  async toggleTag(h, name) {
    const tag = name ? h.page.locator(`.opblock-tag[data-tag="${name}"]`).first() : h.page.locator('.opblock-tag:visible').nth(h.ri(0, 3));
    await h.click(tag);
    await h.idle(200, 600);
  },
  op(h, method, pathFrag) {
    return h.page.locator(`.opblock.opblock-${method}`, { has: h.page.locator(`.opblock-summary-path[data-path="${pathFrag}"]`) }).first();
  },
  async expandOp(h, block) {
    if (!(await block.isVisible())) {
      const tagName = await block.evaluate((el) => el.closest('.opblock-tag-section')?.querySelector('.opblock-tag')?.getAttribute('data-tag')).catch(() => null);
      if (tagName) await sw.toggleTag(h, tagName);
    }
    if (!(await block.evaluate((el) => el.classList.contains('is-open')))) await h.click(block.locator('.opblock-summary').first());
    await h.idle(300, 800);
  },
  async authorize(h) {
    await h.step('authorize');
    await h.click(h.page.locator('.auth-wrapper .btn.authorize').first());
    const inp = h.page.locator('.modal-ux input:visible');
    await inp.first().waitFor({ timeout: 5000 });
    await h.type(inp.first(), `tok-${h.ri(100000000, 999999999)}`);
    if (h.chance(0.4) && (await inp.count()) > 1) await h.type(inp.nth(1), `key-${h.ri(1000, 9999)}-demo`);
    const btns = h.page.locator('.modal-ux .auth-btn-wrapper button.authorize:visible');
    for (let i = 0; i < await btns.count(); i++) await h.click(btns.nth(i)).catch(() => {});
    await h.click(h.page.locator('.modal-ux button.btn-done:visible, .modal-ux .close-modal:visible').first());
  },
  async tryGet(h, s) {
    const res = h.pick(['customers', 'orders', 'tickets']);
    const byId = h.chance(0.5);
    const block = sw.op(h, 'get', byId ? `/${res}/{id}` : `/${res}`);
    await sw.expandOp(h, block);
    await h.step('try-get', { resource: res });
    const tryBtn = block.locator('button.try-out__btn').first();
    if (await tryBtn.count() && (await tryBtn.innerText()).includes('Try')) await h.click(tryBtn);
    if (byId) await h.type(block.locator('tr[data-param-name="id"] input').first(), String(h.ri(1, 70)), { clear: true });
    else {
      if (h.chance(0.6)) await h.type(block.locator('tr[data-param-name="limit"] input').first(), String(h.ri(2, 10)), { clear: true });
      const enumSel = block.locator('tbody select:visible');
      if (await enumSel.count() && h.chance(0.6)) {
        const sel = enumSel.first();
        await h.click(sel);
        const opts = await sel.locator('option').allInnerTexts();
        if (opts.length > 1) await sel.selectOption({ index: h.ri(1, opts.length - 1) });
      }
    }
    await h.click(block.locator('button.execute').first());
    await block.locator('.responses-inner .live-responses-table, .response-col_status').first().waitFor({ timeout: 8000 }).catch(() => {});
    await h.read(h.r(1, 3));
    if (h.chance(0.4)) await h.click(block.locator('button.btn-clear').first()).catch(() => {});
  },
  async tryPost(h, s) {
    const res = h.pick(['customers', 'orders', 'tickets']);
    const method = h.chance(0.75) ? 'post' : 'put';
    const block = sw.op(h, method, method === 'post' ? `/${res}` : `/${res}/{id}`);
    await sw.expandOp(h, block);
    await h.step('try-' + method, { resource: res });
    const tryBtn = block.locator('button.try-out__btn').first();
    if (await tryBtn.count() && (await tryBtn.innerText()).includes('Try')) await h.click(tryBtn);
    if (method === 'put') await h.type(block.locator('tr[data-param-name="id"] input').first(), String(h.ri(1, 40)), { clear: true });
    const body = JSON.stringify(SW_BODIES[res](h.pick(PEOPLE), s), null, 2);
    const ta = block.locator('textarea.body-param__text').first();
    await h.type(ta, body, { clear: true });
    await h.click(block.locator('button.execute').first());
    await h.idle(600, 1400);
    await h.read(h.r(1, 3));
  },
  async tryToken(h, s) {
    const block = sw.op(h, 'post', '/auth/token');
    await sw.expandOp(h, block);
    await h.step('try-token');
    const tryBtn = block.locator('button.try-out__btn').first();
    if (await tryBtn.count() && (await tryBtn.innerText()).includes('Try')) await h.click(tryBtn);
    await h.type(block.locator('textarea.body-param__text').first(),
      JSON.stringify({ username: 'admin', password: h.pick(PASSWORDS) }, null, 2), { clear: true });
    await h.click(block.locator('button.execute').first());
    await h.idle(600, 1400);
  },
  async models(h) {
    await h.step('models');
    const sec = h.page.locator('section.models').first();
    await h.reveal(sec);
    const head = sec.locator('h4').first();
    if (!(await sec.evaluate((el) => el.classList.contains('is-open')))) await h.click(head).catch(() => {});
    const boxes = h.page.locator('section.models .model-container:visible');
    const n = await boxes.count();
    for (let i = 0; i < Math.min(n, h.ri(1, 3)); i++) {
      const b = boxes.nth(h.ri(0, n - 1));
      await h.click(b.locator('.model-box-control, button.model-box-control').first()).catch(() => {});
      await h.idle(300, 900);
      const inner = b.locator('.model-toggle:visible');
      if (await inner.count() && h.chance(0.5)) await h.click(inner.first()).catch(() => {});
    }
    await h.read(h.r(1, 3));
  },
  async filterOps(h) {
    const f = h.page.locator('input.operation-filter-input').first();
    if (!(await f.count())) return false;
    await h.step('filter');
    await h.type(f, h.pick(['customers', 'orders', 'support', 'auth']), { clear: true });
    await h.read(h.r(1, 2));
    if (h.chance(0.6)) await h.type(f, '', { clear: true });
    return true;
  },
  async browse(h) {
    const blocks = h.page.locator('.opblock:visible');
    const n = await blocks.count();
    if (!n) { await sw.toggleTag(h); return; }
    const b = blocks.nth(h.ri(0, n - 1));
    await h.click(b.locator('.opblock-summary').first());
    await h.read(h.r(1, 3));
    const tabs = b.locator('.tab li button:visible, .tablinks:visible');
    if (await tabs.count() && h.chance(0.5)) await h.click(tabs.nth(h.ri(0, (await tabs.count()) - 1))).catch(() => {});
    if (h.chance(0.5)) await h.click(b.locator('.opblock-summary').first()).catch(() => {});
  },
  async filler(h, s) {
    while (h.elapsed() < s.target) {
      const r = h.rnd();
      try {
        if (r < 0.25) await sw.browse(h);
        else if (r < 0.45) await sw.tryGet(h, s);
        else if (r < 0.58) await sw.tryPost(h, s);
        else if (r < 0.64) await sw.tryToken(h, s);
        else if (r < 0.72) await sw.models(h);
        else if (r < 0.78) await sw.filterOps(h);
        else if (r < 0.84) await sw.toggleTag(h);
        else if (r < 0.88) await h.resize();
        else if (r < 0.92) { await h.goto(base('swagger') + '/index.html'); await sw.ready(h); }
        else await h.read(h.r(2, 5));
      } catch (e) {
        await h.goto(base('swagger') + '/index.html');
        await sw.ready(h).catch(() => {});
      }
      await h.step('filler');
    }
  },
};

async function swaggerStart(h, hash = '') {
  await h.startSession(base('swagger') + '/index.html' + hash);
  await sw.ready(h);
}

const swaggerScenarios = {
  'browse-operations': async (h, s) => {
    await swaggerStart(h);
    await h.step('browse');
    for (let i = 0; i < h.ri(2, 4); i++) await sw.browse(h).catch(() => {});
    await sw.filler(h, s);
  },
  'try-get': async (h, s) => {
    await swaggerStart(h);
    await sw.authorize(h).catch(() => {});
    await sw.tryGet(h, s).catch(() => {});
    await sw.filler(h, s);
  },
  'try-post': async (h, s) => {
    await swaggerStart(h);
    await sw.authorize(h).catch(() => {});
    await sw.tryPost(h, s).catch(() => {});
    await sw.filler(h, s);
  },
  'models-schemas': async (h, s) => {
    await swaggerStart(h);
    await sw.models(h).catch(() => {});
    await sw.filterOps(h).catch(() => {});
    await sw.filler(h, s);
  },
  'auth-flow': async (h, s) => {
    await swaggerStart(h, '#/auth');
    await sw.tryToken(h, s).catch(() => {});
    await sw.authorize(h).catch(() => {});
    await sw.filler(h, s);
  },
};

// ============================================================================ plan
const DESKTOP = [{ width: 1280, height: 800 }, { width: 1366, height: 768 }, { width: 1440, height: 900 }, { width: 1536, height: 864 }, { width: 1920, height: 1080 }];
const SITES = {
  mkdocs: { scenarios: mkdocsScenarios, viewports: [...DESKTOP, { width: 390, height: 844 }] },
  django: { scenarios: djangoScenarios, viewports: DESKTOP },
  // the dash live monitor is the event-dense app: its extra-long sessions run longer
  dash: { scenarios: dashScenarios, viewports: DESKTOP, lengths: { xlong: [170, 210], xxl: [300, 330], live: [100, 130] } },
  media: { scenarios: mediaScenarios, viewports: DESKTOP, recordCanvas: true },
  // recorded only into the pretraining corpus (buildPretrainPlan), not into the bundled one
  datasette: { scenarios: datasetteScenarios, viewports: DESKTOP },
  swagger: { scenarios: swaggerScenarios, viewports: DESKTOP },
};
// a site's number in session seeds: the bundled corpus uses 1000 * number + index
const SITE_NUMBER = Object.fromEntries(Object.keys(SITES).map((site, i) => [site, i + 1]));

// target wall-clock seconds per length class
const LENGTHS = { tiny: [0, 0], short: [6, 12], medium: [18, 30], long: [55, 80], xlong: [110, 150], xxl: [300, 330], live: [100, 130] };

// sessions per site and length class
const PLAN = {
  mkdocs: { tiny: 10, short: 22, medium: 8, long: 2, xlong: 1 },
  django: { tiny: 10, short: 22, medium: 10, long: 3, xlong: 1 },
  dash: { tiny: 8, short: 22, medium: 10, long: 8, xlong: 2, xxl: 2, live: 4 },
  media: { tiny: 8, short: 14, medium: 6, long: 1, xlong: 0 },
};

function buildPlan() {
  const out = [];
  Object.keys(PLAN).forEach((site, si) => {
    const names = Object.keys(SITES[site].scenarios);
    let index = 0;
    for (const [length, n] of Object.entries(PLAN[site])) {
      for (let k = 0; k < n; k++) {
        index++;
        const seed = 1000 * (si + 1) + index;
        const rnd = mulberry32(seed * 7919);
        let scenario = names[Math.floor(rnd() * names.length)];
        // the extra-extra-long sessions are the live dashboard left open at a fast refresh
        if (length === 'xxl' || length === 'live') scenario = 'live-monitor';
        const [a, b] = (SITES[site].lengths || {})[length] || LENGTHS[length];
        out.push({ site, index, seed, scenario, length, target: a + (b - a) * rnd() });
      }
    }
  });
  return out;
}

// ---------------------------------------------------------------------------- pretraining plan
// A larger corpus recorded outside the repository (record_pretraining_corpus.sh), any of
// the SITES, reproducible from one integer seed S >= 1. Session seeds are
// PRETRAIN_SEED_STRIDE * S + 1000 * (site number) + index (index 1..999), so they are all
// >= 1,000,000 and never equal a bundled seed (1000 * site number + index < 1,000,000), and
// two corpus seeds never share a session seed. Scenarios are dealt round-robin in an order
// shuffled from S (balanced labels); each length class is drawn from the session seed.
const PRETRAIN_SEED_STRIDE = 1000000;
const PRETRAIN_MIX = [['short', 0.25], ['medium', 0.45], ['long', 0.3]];
const MAX_PRETRAIN_SEED = 4000;  // keeps every session seed < 2**32

function buildPretrainPlan({ seed, perSite = 25, sites = Object.keys(SITES) }) {
  if (!Number.isInteger(seed) || seed < 1 || seed > MAX_PRETRAIN_SEED) {
    throw new Error(`pretraining seed ${seed}: expected an integer from 1 to ${MAX_PRETRAIN_SEED} (0 would reuse the bundled corpus's seeds)`);
  }
  if (!Number.isInteger(perSite) || perSite < 1 || perSite > 999) {
    throw new Error(`sessions per site ${perSite}: expected an integer from 1 to 999`);
  }
  const out = [];
  for (const site of sites) {
    if (!SITES[site]) throw new Error(`unknown site ${site}: expected one of ${Object.keys(SITES).join(', ')}`);
    const n = SITE_NUMBER[site];
    const order = Object.keys(SITES[site].scenarios);
    const deal = mulberry32(seed * 104729 + n);
    for (let i = order.length - 1; i > 0; i--) { const j = Math.floor(deal() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
    for (let index = 1; index <= perSite; index++) {
      const sseed = PRETRAIN_SEED_STRIDE * seed + 1000 * n + index;
      const rnd = mulberry32(sseed * 7919);
      let u = rnd(), length = PRETRAIN_MIX[PRETRAIN_MIX.length - 1][0];
      for (const [cls, w] of PRETRAIN_MIX) { if (u < w) { length = cls; break; } u -= w; }
      const [a, b] = LENGTHS[length];
      out.push({ site, index, seed: sseed, scenario: order[(index - 1) % order.length], length, target: a + (b - a) * rnd() });
    }
  }
  return out;
}

// flows: the new sites' action helpers, to try selectors one by one against a running app
module.exports = { SITES, PLAN, buildPlan, buildPretrainPlan, PORTS, SITE_NUMBER, PRETRAIN_SEED_STRIDE, flows: { datasette: ds, swagger: sw } };

function summary(p) {
  const agg = {};
  for (const s of p) { const k = `${s.site}/${s.scenario}`; agg[k] = (agg[k] || 0) + 1; }
  return agg;
}

if (require.main === module) {
  // node scenarios.js                        the bundled corpus's plan
  // node scenarios.js --seed S [--per-site N] [--sites a,b] [--json]   a pretraining plan
  const argv = process.argv.slice(2);
  const opt = (k) => { const i = argv.indexOf(k); return i >= 0 ? argv[i + 1] : undefined; };
  if (opt('--seed') !== undefined) {
    const p = buildPretrainPlan({ seed: Number(opt('--seed')), perSite: Number(opt('--per-site') || 25),
      sites: opt('--sites') ? opt('--sites').split(',') : undefined });
    if (argv.includes('--json')) { console.log(JSON.stringify(p)); return; }
    console.log(p.length, 'sessions', summary(p));
    console.log('estimated wall seconds (sum):', p.reduce((t, s) => t + s.target + 8, 0).toFixed(0));
    return;
  }
  const p = buildPlan();
  console.log(p.length, 'sessions', summary(p));
  console.log('estimated wall seconds (sum):', p.reduce((t, s) => t + s.target + 4, 0).toFixed(0));
}
