// Loads the `web` build in headless Chromium from a page served on loopback and parses
// a message in the page. Needs /usr/bin/chromium (Debian) and npm playwright-core,
// which scripts/test-wasm.sh installs (playwright-core into target/wasm-tools).
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { root } = require('./salon.js');
const { start } = require('../www/serve.js');

function loadPlaywright() {
  const local = path.join(root, 'target/wasm-tools/node_modules/playwright-core');
  return require(fs.existsSync(local) ? local : 'playwright-core');
}

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

test('the web build parses a message in a real page', async (t) => {
  assert.ok(
    fs.existsSync(path.join(root, 'crates/concierge-wasm/pkg/web/concierge_bg.wasm')),
    'pkg/web is missing: run scripts/build-wasm.sh first',
  );
  const { chromium } = loadPlaywright();
  const { server, url } = await start(0);
  t.after(() => server.close());
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  t.after(() => browser.close());

  const page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.ready, null, { timeout: 30_000 });
  assert.deepEqual(pageErrors, []);
  assert.equal(await page.evaluate(() => document.body.dataset.ready), 'true');

  const parse = await page.evaluate(() =>
    window.concierge.parse("I'd like to book a women's haircut tomorrow at 3pm", '2026-03-02T09:00:00-05:00'),
  );
  assert.equal(parse.intent.name, 'book_appointment');
  const datetime = parse.entities.find((e) => e.entity === 'datetime');
  assert.equal(datetime.value.value, '2026-03-03T15:00:00-05:00');

  // The demo's input box shows the intent as the user types.
  await page.fill('#message', 'can I book a haircut for friday?');
  await page.waitForFunction(() => document.getElementById('intent').textContent !== '-');
  assert.match(await page.textContent('#intent'), /^book_appointment \(/);
});
