// Sites, scenarios and the deterministic recording plan.
'use strict';

const fs = require('fs');
const path = require('path');
const { mulberry32 } = require('./human');

const PORTS = { mkdocs: 8701, django: 8702, dash: 8703, media: 8704 };
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
    await h.click(h.page.locator('label.md-search__icon, .md-search__input').first());
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
      if (r < 0.42) await h.read(h.r(4, 12));
      else if (r < 0.5) await mk.openSearch(h, h.pick(QUERIES));
      else if (r < 0.62) await mk.clickContentLink(h);
      else if (r < 0.72) await mk.tocJump(h);
      else if (r < 0.8) await mk.nextPage(h);
      else if (r < 0.86) await h.resize();
      else if (r < 0.9) await mk.palette(h);
      else if (r < 0.95) await mk.copyCode(h);
      else await h.goto(base('mkdocs') + h.pick(mkdocsPages()));
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
    await mk.openSearch(h, h.pick(QUERIES));
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

// ============================================================================ plan
const DESKTOP = [{ width: 1280, height: 800 }, { width: 1366, height: 768 }, { width: 1440, height: 900 }, { width: 1536, height: 864 }, { width: 1920, height: 1080 }];
const SITES = {
  mkdocs: { scenarios: mkdocsScenarios, viewports: [...DESKTOP, { width: 390, height: 844 }] },
  django: { scenarios: djangoScenarios, viewports: DESKTOP },
  // the dash live monitor is the event-dense app: its extra-long sessions run longer
  dash: { scenarios: dashScenarios, viewports: DESKTOP, lengths: { xlong: [170, 210], xxl: [300, 330], live: [100, 130] } },
  media: { scenarios: mediaScenarios, viewports: DESKTOP, recordCanvas: true },
};

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

module.exports = { SITES, PLAN, buildPlan, PORTS };

if (require.main === module) {
  const p = buildPlan();
  const agg = {};
  for (const s of p) { const k = `${s.site}/${s.scenario}`; agg[k] = (agg[k] || 0) + 1; }
  console.log(p.length, 'sessions', agg);
  console.log('estimated wall seconds (sum):', p.reduce((t, s) => t + s.target + 4, 0).toFixed(0));
}
