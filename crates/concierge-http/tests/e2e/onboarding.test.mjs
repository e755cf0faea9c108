// End-to-end test of a business joining a server, in headless Chromium, against
// `concierge serve` on an empty data directory (scripts/test-browser.sh starts one).
//
// The operator creates a tenant with `concierge tenants create`; its owner opens the
// printed invitation link, sets a password and lands in /console logged in; on the
// settings page they create a publishable key for their website's origin; a page on
// that origin (a second local web server) chats with the tenant's bot through the
// widget, while a page on another origin is refused. A second tenant made the same way
// sees none of the first's conversations or keys, in the console or the REST API, even
// with the first tenant's ids guessed right. Every page is checked with axe-core and
// screenshotted at desktop and phone sizes.
//
// Environment: CONCIERGE_E2E_URL, CONCIERGE_E2E_ARTIFACTS, CHROMIUM,
// CONCIERGE_E2E_STEP_TIMEOUT_MS as the other files, and CONCIERGE_E2E_BIN (the
// `concierge` binary), CONCIERGE_E2E_DATABASE (the server's database URL),
// CONCIERGE_E2E_BOT (the bot spec the tenants get).

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import http from "node:http";
import { accessible, baseUrl, launchBrowser, say, seeMessage, step, STEP_TIMEOUT_MS } from "./support.mjs";

const bin = process.env.CONCIERGE_E2E_BIN;
const database = process.env.CONCIERGE_E2E_DATABASE;
const botSpec = process.env.CONCIERGE_E2E_BOT;

/** `concierge tenants create` on the server's database; the invitation link it prints. */
function createTenant(slug, name, ownerEmail) {
  const printed = execFileSync(
    bin,
    ["tenants", "create", "--database", database, "--slug", slug, "--name", name,
      "--timezone", "America/New_York", "--owner-email", ownerEmail, "--bot", botSpec, "--public-url", baseUrl],
    { encoding: "utf8" },
  );
  const link = printed.split("\n").map((l) => l.trim()).find((l) => l.startsWith(`${baseUrl}/invite#`));
  assert.ok(link, `tenants create printed no invitation link:\n${printed}`);
  return link;
}

/** A business's website on its own loopback origin: one page with the widget, keyed by `site.key`. */
async function website(tenant, title) {
  const site = { key: "", url: "", server: null };
  site.server = http.createServer((request, response) => {
    response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    response.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>
<body><main><h1>${title}</h1><p>Welcome to our website.</p></main>
<script src="${baseUrl}/widget.js" data-tenant="${tenant}" data-key="${site.key}" data-title="${title}" async></script>
</body></html>`);
  });
  await new Promise((resolve) => site.server.listen(0, "127.0.0.1", resolve));
  site.url = `http://127.0.0.1:${site.server.address().port}`;
  return site;
}

/** The owner opens the invitation link, chooses a password and lands in the console. */
async function acceptInvitation(page, link, tenant, shot) {
  await step(page, shot, async () => {
    const res = await page.goto(link);
    assert.equal(res.status(), 200);
    await page.getByRole("heading", { name: "Set your password" }).waitFor({ timeout: STEP_TIMEOUT_MS });
    assert.ok(!page.url().includes("#"), "the invitation is taken out of the address bar");
    await accessible(page, "the invitation page");
    await page.getByLabel("New password").fill("a long owner passphrase");
    await page.getByLabel("Repeat it").fill("a long owner passphrase");
    await page.getByRole("button", { name: "Set password" }).click();
    await page.waitForURL(`${baseUrl}/console`, { timeout: STEP_TIMEOUT_MS });
    await page.getByRole("heading", { name: "Inbox" }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await page.getByText(`Signed in to ${tenant} (owner)`).waitFor({ timeout: STEP_TIMEOUT_MS });
  });
}

/** Calls the admin API from the console's page with a fresh access token from its cookie session. */
async function adminCall(page, method, path) {
  return page.evaluate(async ([method, path]) => {
    const refreshed = await fetch("/v1/auth/console/refresh", { method: "POST", headers: { "X-Concierge-CSRF": "1" } });
    const { access_token: token } = await refreshed.json();
    const response = await fetch(path, { method, headers: { Authorization: `Bearer ${token}` } });
    return { status: response.status, body: response.status === 204 ? null : await response.json() };
  }, [method, path]);
}

let browser;
const servers = [];

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  for (const server of servers) server.close();
});

test("a new business is invited, makes a website key and chats on its own site; another business sees none of it",
  { timeout: 30 * STEP_TIMEOUT_MS }, async (t) => {
    if (!bin || !database || !botSpec) {
      t.skip("CONCIERGE_E2E_BIN, CONCIERGE_E2E_DATABASE and CONCIERGE_E2E_BOT are not set (scripts/test-browser.sh sets them)");
      return;
    }
    const site = await website("acme-spa", "Acme Day Spa");
    const otherSite = await website("acme-spa", "Not Acme");
    servers.push(site.server, otherSite.server);
    const owner = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    const customer = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    const stranger = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    const rival = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    const pageErrors = [];
    owner.on("pageerror", (e) => pageErrors.push(e.message));

    const link = createTenant("acme-spa", "Acme Day Spa", "owner@acme-spa.test");
    await acceptInvitation(owner, link, "acme-spa", "onboarding-01-invitation-accepted");

    await step(owner, "onboarding-02-invitation-spent", async () => {
      const again = await owner.context().browser().newContext();
      const page = await again.newPage();
      await page.goto(link);
      await page.getByLabel("New password").fill("another passphrase here");
      await page.getByLabel("Repeat it").fill("another passphrase here");
      await page.getByRole("button", { name: "Set password" }).click();
      await page.getByRole("alert").filter({ hasText: /invitation/i }).waitFor({ timeout: STEP_TIMEOUT_MS });
      await again.close();
    });

    let key;
    await step(owner, "onboarding-03-settings-website-key", async () => {
      await owner.getByRole("link", { name: "Settings" }).click();
      await owner.getByRole("heading", { name: "Settings", level: 1 }).waitFor({ timeout: STEP_TIMEOUT_MS });
      await owner.locator("#staff").getByRole("cell", { name: "owner@acme-spa.test", exact: true }).waitFor({ timeout: STEP_TIMEOUT_MS });
      await owner.getByLabel(/Allowed origins/).fill("not a web address");
      await owner.getByRole("button", { name: "Create key" }).click();
      await owner.getByText("is not an origin").waitFor({ timeout: STEP_TIMEOUT_MS });
      await owner.getByLabel(/Allowed origins/).fill(site.url);
      await owner.getByRole("button", { name: "Create key" }).click();
      const created = owner.getByText(/^Created pk_[0-9a-f]{24}/);
      await created.waitFor({ timeout: STEP_TIMEOUT_MS });
      key = (await created.textContent()).match(/pk_[0-9a-f]{24}/)[0];
      await owner.getByRole("cell", { name: site.url }).waitFor({ timeout: STEP_TIMEOUT_MS });
      const snippet = await owner.locator("#chat-key-snippet pre code").textContent();
      assert.ok(snippet.includes(`data-key="${key}"`) && snippet.includes('data-tenant="acme-spa"'), snippet);
      await owner.getByRole("cell", { name: "publishable_key.create" }).waitFor({ timeout: STEP_TIMEOUT_MS });
      await accessible(owner, "the settings page");
    });
    site.key = key;
    otherSite.key = key;

    await step(customer, "onboarding-04-customer-chats-on-the-business-site", async () => {
      await customer.goto(site.url);
      await customer.getByRole("button", { name: "Chat with Acme Day Spa" }).click();
      await customer.getByRole("dialog", { name: "Acme Day Spa" }).waitFor({ timeout: STEP_TIMEOUT_MS });
      await say(customer, "when are you open?");
      await seeMessage(customer, "bot", "Tuesday to Saturday");
    });

    await step(stranger, "onboarding-05-another-origin-is-refused", async () => {
      await stranger.goto(otherSite.url);
      await stranger.getByRole("button", { name: "Chat with Not Acme" }).click();
      await say(stranger, "when are you open?");
      await seeMessage(stranger, "system", "could not be sent");
    });

    await step(owner, "onboarding-06-owner-sees-the-conversation", async () => {
      await owner.getByRole("link", { name: "Inbox" }).click();
      await owner.locator("#conversations li").first().waitFor({ timeout: STEP_TIMEOUT_MS });
      assert.equal(await owner.locator("#conversations li").count(), 1, "exactly the customer's conversation");
    });
    const acmeConversation = JSON.parse(await customer.evaluate(() => localStorage.getItem("concierge:acme-spa"))).id;

    const rivalLink = createTenant("rival-spa", "Rival Spa", "owner@rival-spa.test");
    await acceptInvitation(rival, rivalLink, "rival-spa", "onboarding-07-second-tenant");

    await step(rival, "onboarding-08-second-tenant-sees-nothing-of-the-first", async () => {
      // Let the inbox's live connection settle, then check what it lists.
      await rival.waitForTimeout(500);
      assert.equal(await rival.locator("#conversations li").count(), 0, "the rival's inbox is empty");
      const guessed = await adminCall(rival, "GET", `/v1/admin/conversations/${acmeConversation}`);
      assert.equal(guessed.status, 404, "another tenant's conversation, by its id");
      const items = await adminCall(rival, "GET", `/v1/admin/conversations/${acmeConversation}/items?after=0`);
      assert.equal(items.status, 404, "another tenant's transcript, by its id");
      const revoke = await adminCall(rival, "DELETE", `/v1/admin/publishable-keys/${key}`);
      assert.equal(revoke.status, 404, "another tenant's key cannot be revoked");
      const keys = await adminCall(rival, "GET", "/v1/admin/publishable-keys");
      assert.deepEqual(keys.body.keys, [], "the rival has no keys");
      const found = await adminCall(rival, "GET", "/v1/admin/conversations/search?q=open");
      assert.deepEqual(found.body.hits, [], "search finds nothing of the other tenant");
      await rival.getByRole("link", { name: "Settings" }).click();
      await rival.getByRole("heading", { name: "Settings", level: 1 }).waitFor({ timeout: STEP_TIMEOUT_MS });
      await rival.locator("#staff").getByRole("cell", { name: "owner@rival-spa.test", exact: true }).waitFor({ timeout: STEP_TIMEOUT_MS });
      assert.equal(await rival.getByRole("cell", { name: "owner@acme-spa.test", exact: true }).count(), 0);
      assert.equal(await rival.getByRole("cell", { name: key }).count(), 0);
    });

    await step(owner, "onboarding-09-invite-a-colleague", async () => {
      await owner.getByRole("link", { name: "Settings" }).click();
      await owner.getByLabel("Invite a colleague by email").fill("agent@acme-spa.test");
      await owner.getByLabel("Role", { exact: true }).selectOption("agent");
      await owner.getByRole("button", { name: "Invite" }).click();
      await owner.getByText("Invited agent@acme-spa.test").waitFor({ timeout: STEP_TIMEOUT_MS });
      const invitation = await owner.getByLabel("Invitation link").inputValue();
      assert.ok(invitation.startsWith(`${baseUrl}/invite#inv_acme-spa.`), invitation);
      await owner.locator("#staff").getByRole("cell", { name: "agent@acme-spa.test", exact: true }).waitFor({ timeout: STEP_TIMEOUT_MS });
    });

    await step(owner, "onboarding-10-settings-phone", async () => {
      await owner.setViewportSize({ width: 390, height: 844 });
      await owner.getByRole("heading", { name: "Website chat" }).scrollIntoViewIfNeeded();
      await accessible(owner, "the settings page on a phone");
    });

    await step(owner, "onboarding-11-revoked-key-stops-the-widget", async () => {
      await owner.setViewportSize({ width: 1280, height: 800 });
      owner.once("dialog", (dialog) => dialog.accept());
      await owner.getByRole("button", { name: `Revoke ${key}` }).click();
      await owner.getByText("No keys yet.").waitFor({ timeout: STEP_TIMEOUT_MS });
      const fresh = await (await browser.newContext()).newPage();
      await fresh.goto(site.url);
      await fresh.getByRole("button", { name: "Chat with Acme Day Spa" }).click();
      await say(fresh, "hello");
      await seeMessage(fresh, "system", "could not be sent");
      await fresh.context().close();
    });

    assert.deepEqual(pageErrors, [], "the console threw no script errors");
  });
