// End-to-end tests of the regulator console (console/) in headless Chromium
// against a real ledger-node filled by udi-gen (fixture.mjs).
//
//   UDI_BIN_DIR=build/bin UDI_ARTEFACTS=build/test-artefacts/console \
//     node tests/console/console_e2e.mjs <case>...
//
// Cases: signin, trace, recall, federation, bundle, missing, split_view. Each starts its
// own node and browser; screenshots go to $UDI_ARTEFACTS/<case>-<step>.png.
// Chromium: $UDI_CHROMIUM or /usr/bin/chromium (Debian's package).
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {existsSync, mkdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {chromium} from 'playwright-core';
import {spawnSync} from 'node:child_process';
import {binDir, startFilledNode} from './fixture.mjs';

const CASES = ['signin', 'trace', 'recall', 'federation', 'bundle', 'missing', 'split_view'];
const wanted = process.argv.slice(2);
for (const c of wanted) {
  if (!CASES.includes(c)) throw new Error(`case '${c}': unknown (known: ${CASES.join(', ')})`);
}
const selected = (name) => wanted.length === 0 || wanted.includes(name);

const ARTEFACTS = process.env.UDI_ARTEFACTS || join(process.cwd(), 'test-artefacts', 'console');
const CHROMIUM = process.env.UDI_CHROMIUM || '/usr/bin/chromium';
const TIMEOUT = 30000;

let node;     // the filled ledger-node
let browser;  // headless Chromium

before(async () => {
  mkdirSync(ARTEFACTS, {recursive: true});
  if (!existsSync(CHROMIUM)) {
    throw new Error(`chromium: ${CHROMIUM} not found (scripts/install-deps.sh installs Debian's chromium)`);
  }
  node = await startFilledNode();
  browser = await chromium.launch({executablePath: CHROMIUM, args: ['--no-sandbox'], timeout: 60000});
});

after(async () => {
  if (browser) await browser.close();
  if (node) node.stop();
});

// A page with an error collector: uncaught exceptions and console errors
// (other than the browser's own line for a failed request, which the page
// reports itself) fail the test.
async function openPage(name, {viewport = {width: 1280, height: 900}} = {}) {
  const context = await browser.newContext({viewport, acceptDownloads: true});
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`);
  });
  return {
    page, context, errors,
    shot: (step) => page.screenshot({path: join(ARTEFACTS, `${name}-${step}.png`), fullPage: true}),
  };
}

async function signIn(page, token) {
  await page.goto(`${node.url}/console`);
  await page.locator('#token').fill(token);
  await page.locator('#signin button[type=submit]').click();
  await page.locator('#search').waitFor();
}

// Waits until the console finished drawing the page for `hash` (app.js sets
// body[data-ready] to the hash once the page's requests are answered).
async function settled(page, hash) {
  await page.waitForFunction((want) => document.body.dataset.ready === want, hash);
}

const traceHash = (id) => `#/trace/${encodeURIComponent(id)}`;
const recallHash = (id) => `#/recall/${encodeURIComponent(id)}`;

// The node's own answer for path (regulator token), for comparing with what
// the page shows; {status, body}.
async function api(path) {
  const res = await fetch(node.url + path, {headers: {Authorization: `Bearer ${node.regulatorToken}`}});
  const text = await res.text();
  let body = text;
  try { body = JSON.parse(text); } catch (_) { /* text */ }
  return {status: res.status, body};
}

function endpointMissing(answer) {
  return answer.status === 404 && typeof answer.body === 'object' &&
         String(answer.body.error || '').startsWith('no such endpoint');
}

// A unit of the truth with inferred hops and an anomaly (the richest timeline).
function interestingUnit(truth) {
  const anomalous = new Set(truth.anomalies.map((a) => a.unit));
  const keys = Object.keys(truth.units);
  const score = (k) => {
    const u = truth.units[k];
    return (anomalous.has(k) ? 100 : 0) + (u.events.some((e) => e.inferred) ? 10 : 0) + u.events.length / 100;
  };
  return keys.reduce((best, k) => (score(k) > score(best) ? k : best), keys[0]);
}

const STATUS_LABELS = {commissioned: 'Commissioned', in_transit: 'In transit', in_stock: 'In stock',
  dispensed: 'Dispensed', decommissioned: 'Decommissioned', recalled: 'Recalled', destroyed: 'Destroyed',
  expired: 'Expired', unknown: 'Unknown'};

if (selected('signin')) {
  test('signin: the console loads, refuses an unknown token, keeps a good one in the tab, signs out', async () => {
    const {page, context, errors, shot} = await openPage('signin');
    const res = await page.goto(`${node.url}/console`);
    assert.equal(res.status(), 200);
    assert.match(res.headers()['content-type'], /^text\/html/);
    await page.locator('#signin').waitFor();
    await shot('1-form');

    await page.locator('#token').fill('udi_' + '0'.repeat(64));
    await page.locator('#signin button[type=submit]').click();
    await page.getByText('This node does not know that token.').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);
    await shot('2-refused');

    await page.locator('#token').fill(node.regulatorToken);
    await page.locator('#signin button[type=submit]').click();
    await page.locator('#search').waitFor();
    await page.locator('#node-label', {hasText: node.origin}).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('udi-console-token')), node.regulatorToken);
    await shot('3-signed-in');

    await page.reload();  // same tab: still signed in
    await page.locator('#search').waitFor();
    await page.locator('#signout').click();
    await page.locator('#signin').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

if (selected('trace')) {
  test('trace: a Digital Link, an EPC URI and a raw scan show the unit\'s timeline', async () => {
    const truth = node.truth;
    const key = interestingUnit(truth);
    const unit = truth.units[key];
    const want = await api(`/v1/trace/${encodeURIComponent(unit.epc)}`);
    assert.equal(want.status, 200, `GET /v1/trace: ${JSON.stringify(want.body)}`);
    const {page, context, errors, shot} = await openPage('trace');
    await signIn(page, node.regulatorToken);

    await page.locator('#search').fill(unit.digitalLink);
    await page.getByText('Recognised as: GS1 Digital Link').waitFor();
    await page.locator('#search-form button[type=submit]').click();
    await settled(page, traceHash(unit.digitalLink));
    await page.locator('#timeline').waitFor();
    await shot('1-digital-link');

    assert.equal(await page.locator('#unit-key').textContent(), key);
    const hops = page.locator('#timeline > li');
    assert.equal(await hops.count(), unit.events.length, 'one timeline entry per event of the unit');
    const inferred = unit.events.filter((e) => e.inferred).length;
    assert.ok(inferred > 0, 'the chosen unit has inferred moves');
    assert.equal(await page.locator('#timeline > li.hop-inferred').count(), inferred);
    const inferredStyle = await page.locator('#timeline > li.hop-inferred .hop-body').first()
        .evaluate((el) => getComputedStyle(el).borderTopStyle);
    assert.equal(inferredStyle, 'dashed', 'inferred moves are drawn dashed');
    for (let i = 0; i < unit.events.length; i++) {
      assert.equal(await hops.nth(i).getAttribute('data-event-id'), unit.events[i].eventId, `hop ${i}`);
    }
    const badge = page.locator('.unit-key .badge');
    assert.equal(await badge.textContent(), STATUS_LABELS[unit.status]);
    assert.match(await page.locator('#summary').textContent(), new RegExp(unit.custodian));

    const anomalies = truth.anomalies.filter((a) => a.unit === key);
    assert.ok(anomalies.length > 0, 'the chosen unit has an anomaly');
    await page.locator('#anomalies').waitFor();
    for (const a of anomalies) {
      const hop = page.locator(`#timeline > li[data-event-id="${a.eventId}"]`);
      assert.match(await hop.getAttribute('class'), /hop-anomaly/, `${a.kind} highlighted`);
    }
    await page.locator('#anomalies').screenshot({path: join(ARTEFACTS, 'trace-2-anomalies.png')});

    // The same unit by EPC URI and by a raw scan (GS1 element string).
    for (const [label, id] of [['epc-uri', unit.epc], ['raw-scan', `(01)${key.split('/')[1]}(21)${key.split('/')[3]}`]]) {
      await page.locator('#search').fill(id);
      await page.locator('#search-form button[type=submit]').click();
      await settled(page, traceHash(id));
      await page.locator('#timeline').waitFor();
      assert.equal(await page.locator('#unit-key').textContent(), key, label);
      assert.equal(await page.locator('#timeline > li').count(), unit.events.length, label);
      await shot(`3-${label}`);
    }
    assert.deepEqual(errors, []);
    await context.close();
  });
}

if (selected('recall')) {
  test('recall: from a recalled unit\'s timeline to the recall report', async () => {
    const recall = node.truth.recalls[0];
    const key = recall.units[0];
    const unit = node.truth.units[key];
    const {page, context, errors, shot} = await openPage('recall');
    await signIn(page, node.regulatorToken);
    await page.goto(`${node.url}/console${traceHash(unit.epc)}`);
    await settled(page, traceHash(unit.epc));
    const link = page.locator(`#recalls a.recall-link`, {hasText: recall.eventId});
    await link.waitFor();
    await link.click();
    await settled(page, recallHash(recall.eventId));
    await page.locator('#recall-units').waitFor();
    await shot('1-report');

    const want = await api(`/v1/recalls/${encodeURIComponent(recall.eventId)}`);
    assert.equal(want.status, 200, JSON.stringify(want.body));
    assert.equal(await page.locator('#kpi-units .kpi-value').textContent(), String(recall.units.length));
    assert.equal(want.body.unitCount, recall.units.length);
    assert.equal(await page.locator('#kpi-dispensed .kpi-value').textContent(), String(want.body.dispensed));
    assert.equal(await page.locator('#kpi-in-stock .kpi-value').textContent(), String(want.body.inStock));
    const custodians = Object.keys(want.body.countsByCustodian);
    assert.equal(await page.locator('#custodians tbody tr').count(), custodians.length);
    for (const gln of custodians) {
      const row = page.locator('#custodians tbody tr', {hasText: gln});
      assert.equal(await row.locator('td.num').first().textContent(), String(want.body.countsByCustodian[gln]), gln);
    }
    const shownUnits = Math.min(100, recall.units.length);
    assert.equal(await page.locator('#recall-units tbody tr').count(), shownUnits);
    const bars = page.locator('#acknowledgement .ack-row [role=progressbar]');
    assert.equal(await bars.count(), 2);
    assert.equal(Number(await bars.first().getAttribute('aria-valuenow')),
                 Math.round(want.body.acknowledgement.unitShare * 1000) / 10);
    // A unit of the report leads back to its trace.
    const unitLink = page.locator('#recall-units tbody tr a').first();
    const href = await unitLink.getAttribute('href');
    await unitLink.click();
    await settled(page, href);
    await page.locator('#timeline').waitFor();
    assert.deepEqual(errors, []);
    await context.close();
  });
}

if (selected('federation')) {
  test('federation: this node, the logs it holds and the alarms', async () => {
    const {page, context, errors, shot} = await openPage('federation');
    await signIn(page, node.regulatorToken);
    await page.locator('nav a[data-nav=federation]').click();
    await settled(page, '#/federation');
    const nodeCard = page.locator('#node');
    await nodeCard.getByText(node.origin).first().waitFor();
    const info = await api('/v1/node');
    assert.match(await nodeCard.textContent(), new RegExp(`Log size\\s*${info.body.size}`));

    const logs = await api('/v1/logs');
    if (endpointMissing(logs)) {
      await page.locator('#logs-card .notice-missing', {hasText: 'GET /v1/logs'}).waitFor();
    } else {
      assert.equal(logs.status, 200, JSON.stringify(logs.body));
      const list = Array.isArray(logs.body) ? logs.body : logs.body.logs;
      await page.locator('#logs tbody tr').first().waitFor();
      assert.equal(await page.locator('#logs tbody tr').count(), list.length);
      const own = page.locator('#logs tbody tr', {hasText: node.origin});
      assert.equal(await own.count(), 1, 'the own log is listed');
      const mine = list.find((l) => l.origin === node.origin);
      assert.match(await own.textContent(), /own log/);
      assert.equal(await own.locator('td.num').first().textContent(), String(mine.size));
    }
    const alarms = await api('/v1/alarms');
    if (alarms.status === 404) {  // no such endpoint, or a node running no witness
      await page.locator('#alarms .notice-missing', {hasText: 'Alarms are not available on this node'}).waitFor();
      if (!endpointMissing(alarms)) {
        await page.locator('#alarms .notice-missing', {hasText: alarms.body.error}).waitFor();
      }
    } else {
      assert.equal(alarms.status, 200, JSON.stringify(alarms.body));
      const list = Array.isArray(alarms.body) ? alarms.body : alarms.body.alarms;
      if (list.length === 0) await page.locator('#no-alarms').waitFor();
      else assert.equal(await page.locator('#alarms li.alarm').count(), list.length);
    }
    await shot('1-view');
    assert.deepEqual(errors, []);
    await context.close();
  });
}

if (selected('bundle')) {
  test('bundle: the download button saves an evidence bundle that ledgerctl verify-bundle accepts', async () => {
    const key = interestingUnit(node.truth);
    const unit = node.truth.units[key];
    const {page, context, errors, shot} = await openPage('bundle');
    await signIn(page, node.regulatorToken);
    await page.goto(`${node.url}/console${traceHash(unit.epc)}`);
    await settled(page, traceHash(unit.epc));
    await page.locator('#timeline').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#bundle-download').click()]);
    const saved = join(ARTEFACTS, `bundle-${download.suggestedFilename()}`);
    await download.saveAs(saved);
    await page.locator('#bundle-status', {hasText: 'Saved'}).waitFor();
    await shot('1-saved');
    // Each regulator query is itself logged, so two bundles differ in their checkpoints; what
    // must hold is that this one is the unit's and verifies offline against the node's key.
    const bundle = JSON.parse(readFileSync(saved, 'utf8'));
    assert.equal(bundle.format, 'udi-ledger-evidence-bundle/1');
    assert.equal(bundle.trace.key, key);
    assert.deepEqual(bundle.trace.hops.map((h) => h.eventId), unit.events.map((e) => e.eventId));
    const info = await api('/v1/node');
    const verified = spawnSync(join(binDir(), 'ledgerctl'), ['verify-bundle', saved, '--key', info.body.verifierKey],
                               {encoding: 'utf8'});
    assert.equal(verified.status, 0, `ledgerctl verify-bundle: ${verified.stdout}${verified.stderr}`);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

if (selected('missing')) {
  test('missing: endpoints a node does not serve give a clear message, not a broken page', async () => {
    const {page, context, errors, shot} = await openPage('missing');
    // A node without the regulator and federation endpoints answers like this.
    for (const pattern of ['**/v1/trace/**', '**/v1/verify/**', '**/v1/recalls/**', '**/v1/logs', '**/v1/alarms']) {
      await page.route(pattern, (route) => route.fulfill({
        status: 404, contentType: 'application/json',
        body: JSON.stringify({error: `no such endpoint: ${new URL(route.request().url()).pathname}`}),
      }));
    }
    await signIn(page, node.regulatorToken);
    const epc = 'urn:epc:id:sgtin:0614141.107346.2018';
    await page.locator('#search').fill(epc);
    await page.locator('#search-form button[type=submit]').click();
    await settled(page, traceHash(epc));
    await page.getByText('Trace is not available on this node').waitFor();
    await page.locator('.notice-missing', {hasText: 'GET /v1/trace/'}).waitFor();
    await shot('1-trace');

    await page.goto(`${node.url}/console${recallHash('ni:///sha-256;00')}`);
    await settled(page, recallHash('ni:///sha-256;00'));
    await page.getByText('Recalls are not available on this node').waitFor();
    await page.locator('nav a[data-nav=federation]').click();
    await settled(page, '#/federation');
    await page.getByText('Federation is not available on this node').waitFor();
    await page.getByText('Alarms are not available on this node').waitFor();
    await page.locator('#node').getByText(node.origin).first().waitFor();  // the rest still works
    await shot('2-federation');
    assert.deepEqual(errors, []);
    await context.close();
  });
}

if (selected('split_view')) {
  test('split_view: replicas with cosignatures and a split-view alarm as GET /v1/logs and /v1/alarms describe them', async () => {
    const {page, context, errors, shot} = await openPage('split_view');
    // A signed note (C2SP): body, blank line, one line per signature "— <key name> <base64>".
    const note = (origin, size, signers) => `${origin}\n${size}\nq83v8C2kT0ZW4+yQ0uzSsUe3XqAvKU4JjSTGjBNJ8Qo=\n\n` +
        signers.map((n) => `\u2014 ${n} AAAAAQ${'A'.repeat(80)}\n`).join('');
    const logs = {logs: [
      {origin: node.origin, verifierKey: 'k', size: 361, checkpoint: note(node.origin, 361, [node.origin]), lag: 0, own: true},
      {origin: 'distributor.example/log', verifierKey: 'k', size: 120,
       checkpoint: note('distributor.example/log', 118, ['distributor.example/log', 'hospital.example/witness', 'regulator.example/witness']),
       lag: 2, own: false},
    ]};
    const alarms = {alarms: [{origin: 'distributor.example/log', reason: 'same size 118, different root hash',
      conflicting: note('distributor.example/log', 118, ['distributor.example/log']),
      evidence: {held: 'held checkpoint'}, source: 'gossip', detectedAt: '2026-11-26T10:00:00Z'}]};
    await page.route('**/v1/logs', (r) => r.fulfill({status: 200, contentType: 'application/json', body: JSON.stringify(logs)}));
    await page.route('**/v1/alarms', (r) => r.fulfill({status: 200, contentType: 'application/json', body: JSON.stringify(alarms)}));
    await signIn(page, node.regulatorToken);
    await page.goto(`${node.url}/console#/federation`);
    await settled(page, '#/federation');
    const rows = page.locator('#logs tbody tr');
    assert.equal(await rows.count(), 2);
    assert.match(await rows.nth(0).textContent(), /own log/);
    assert.match(await rows.nth(0).locator('td').nth(5).textContent(), /^none$/);
    const replica = rows.nth(1);
    assert.match(await replica.textContent(), /replica/);
    assert.deepEqual(await replica.locator('td.num').allTextContents(), ['120', '118']);
    assert.equal(await replica.locator('td').nth(4).textContent(), '2');
    assert.match(await replica.getAttribute('class'), /row-alarm/, 'the log with an alarm is marked');
    assert.match(await replica.locator('td').last().textContent(), /split view/);
    assert.doesNotMatch(await rows.nth(0).getAttribute('class'), /row-alarm/);
    assert.deepEqual(await replica.locator('ul.cosigners li').allTextContents(),
                     ['hospital.example/witness', 'regulator.example/witness']);
    const alarm = page.locator('#alarms li.alarm');
    assert.equal(await alarm.count(), 1);
    assert.match(await alarm.textContent(), /Split view of distributor\.example\/log/);
    assert.match(await alarm.textContent(), /same size 118, different root hash/);
    assert.match(await page.locator('#alarms').getAttribute('class'), /card-alert/);
    await shot('1-view');
    assert.deepEqual(errors, []);
    await context.close();
  });
}
