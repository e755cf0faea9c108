// End-to-end test of the chat widget in headless Chromium, against a running
// `concierge serve --demo` (scripts/test-browser.sh starts one with a fixed --now).
//
// It opens the demo page, opens the widget, asks about parking, books an appointment by
// typing and clicking a quick reply, closes the panel with Escape, reloads the page and
// checks the conversation is restored, then looks at the panel on a phone-sized screen.
// A second test refuses the widget's WebSockets and checks it works and restores through
// REST; a third has the demo admin take a conversation over through the admin API, answer
// (shown with a "Human agent" badge) and hand it back.
// A screenshot is saved after every step (and on failure) in the artifacts directory.
//
// Environment:
//   CONCIERGE_E2E_URL        the server's base URL, e.g. http://127.0.0.1:8123 (required)
//   CONCIERGE_E2E_ARTIFACTS  where screenshots go (default: ../../../../target/e2e-artifacts)
//   CHROMIUM                 the browser binary (default: /usr/bin/chromium)
//   CONCIERGE_E2E_STEP_TIMEOUT_MS  how long to wait for each expected text (default 15000)
//   CONCIERGE_E2E_ADMIN_PASSWORD   the demo admin's password (the server's CONCIERGE_ADMIN_PASSWORD);
//                                  without it the handoff test is skipped, saying so
//
// Run: node --test widget.test.mjs

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { adminPassword, baseUrl, launchBrowser, say, seeMessage, step, STEP_TIMEOUT_MS } from "./support.mjs";

/** The class of the element focused inside the widget's shadow root. */
function focusedInWidget(page) {
  return page.evaluate(() => {
    const el = document.querySelector("#concierge-widget").shadowRoot.activeElement;
    return el ? el.className || el.id : null;
  });
}

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

test("the widget answers, books, and survives a reload", { timeout: 20 * STEP_TIMEOUT_MS }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    const pageErrors = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    const launcher = page.getByRole("button", { name: "Chat with Salon Lumière" });
    const dialog = page.getByRole("dialog", { name: "Salon Lumière" });

    await step(page, "01-demo-page", async () => {
      const res = await page.goto(baseUrl + "/");
      assert.equal(res.status(), 200, "GET / should serve the demo page");
      await page.getByRole("heading", { name: "Salon Lumière" }).waitFor({ timeout: STEP_TIMEOUT_MS });
      await launcher.waitFor({ timeout: STEP_TIMEOUT_MS });
    });

    await step(page, "02-widget-open", async () => {
      await launcher.click();
      await dialog.waitFor({ state: "visible", timeout: STEP_TIMEOUT_MS });
      assert.equal(await launcher.getAttribute("aria-expanded"), "true");
      assert.equal(await focusedInWidget(page), "cw-input", "opening the chat should focus the message box");
    });

    await step(page, "03-parking-answer", async () => {
      await say(page, "is there parking?");
      await seeMessage(page, "bot", "four free parking spaces behind the salon");
    });

    await step(page, "04-booking-details", async () => {
      await say(page, "I'd like to book a women's haircut tomorrow at 3pm");
      await seeMessage(page, "bot", "What name should I put the booking under?");
      await say(page, "Jane Doe");
      await seeMessage(page, "bot", "phone number");
      await say(page, "415 555 0100");
      await seeMessage(page, "bot", "Shall I book it?");
    });

    await step(page, "05-booking-confirmed", async () => {
      const yes = page.getByRole("group", { name: "Quick replies" }).getByRole("button", { name: "Yes" });
      await yes.click({ timeout: STEP_TIMEOUT_MS });
      await seeMessage(page, "user", "Yes");
      await seeMessage(page, "bot", "You're booked! Your reference is");
      assert.equal(await yes.count(), 0, "quick replies should go away once one is used");
    });

    await step(page, "06-escape-closes", async () => {
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "hidden", timeout: STEP_TIMEOUT_MS });
      assert.equal(await focusedInWidget(page), "launcher", "Escape should return focus to the launcher");
    });

    await step(page, "07-restored-after-reload", async () => {
      await page.reload();
      await launcher.click({ timeout: STEP_TIMEOUT_MS });
      await dialog.waitFor({ state: "visible", timeout: STEP_TIMEOUT_MS });
      await seeMessage(page, "user", "is there parking?");
      await seeMessage(page, "bot", "four free parking spaces behind the salon");
      await seeMessage(page, "bot", "You're booked! Your reference is");
      const booked = page.locator("#concierge-widget .msg.bot", { hasText: "You're booked!" });
      assert.equal(await booked.count(), 1, "the restored conversation should show the confirmation once");
    });

    await step(page, "08-phone-layout", async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      const box = await dialog.boundingBox();
      assert.ok(box && box.width >= 380 && box.height >= 800, `on a phone the panel should fill the screen, got ${JSON.stringify(box)}`);
    });

    assert.deepEqual(pageErrors, [], "the page should raise no JavaScript errors");
  } finally {
    await context.close();
  }
});

test("without a WebSocket the widget talks and restores through REST", { timeout: 10 * STEP_TIMEOUT_MS }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    // Every WebSocket to the server is refused, as behind a proxy that does not pass them.
    let refused = 0;
    await context.routeWebSocket(/\/ws\?/, (ws) => {
      refused++;
      ws.close({ code: 1011, reason: "refused by the test" });
    });
    const page = await context.newPage();
    const launcher = page.getByRole("button", { name: "Chat with Salon Lumière" });
    const dialog = page.getByRole("dialog", { name: "Salon Lumière" });

    await step(page, "fallback-01-answer-over-rest", async () => {
      await page.goto(baseUrl + "/");
      await launcher.click({ timeout: STEP_TIMEOUT_MS });
      await dialog.waitFor({ state: "visible", timeout: STEP_TIMEOUT_MS });
      await say(page, "what are your opening hours?");
      await seeMessage(page, "bot", "Tuesday to Saturday");
      assert.ok(refused > 0, "the widget should have tried its WebSocket first");
    });

    await step(page, "fallback-02-restored-over-rest", async () => {
      await page.reload();
      await launcher.click({ timeout: STEP_TIMEOUT_MS });
      await seeMessage(page, "user", "what are your opening hours?");
      await seeMessage(page, "bot", "Tuesday to Saturday");
    });
  } finally {
    await context.close();
  }
});

/** Calls the admin API as the demo admin; returns the parsed JSON answer or throws. */
async function admin(path, body, accessToken) {
  const headers = { "Content-Type": "application/json" };
  if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
  const res = await fetch(baseUrl + path, { method: "POST", headers, body: JSON.stringify(body ?? {}) });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

test("a person takes over: agent messages carry the human-agent badge", { timeout: 10 * STEP_TIMEOUT_MS }, async (t) => {
  if (!adminPassword) {
    t.skip("CONCIERGE_E2E_ADMIN_PASSWORD is not set (scripts/test-browser.sh sets it)");
    return;
  }
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    const launcher = page.getByRole("button", { name: "Chat with Salon Lumière" });
    let conversationId;
    let accessToken;

    await step(page, "handoff-01-bot-answers", async () => {
      await page.goto(baseUrl + "/");
      await launcher.click({ timeout: STEP_TIMEOUT_MS });
      await say(page, "hello");
      await seeMessage(page, "bot", "book an appointment or ask a question");
      conversationId = await page.evaluate(() => JSON.parse(localStorage.getItem("concierge:demo-salon")).id);
      assert.ok(conversationId, "the widget keeps its conversation id in localStorage");
    });

    await step(page, "handoff-02-agent-joined", async () => {
      const login = await admin("/v1/auth/login", {
        tenant: "demo-salon",
        email: "admin@demo-salon.test",
        password: adminPassword,
      });
      accessToken = login.access_token;
      await admin(`/v1/admin/conversations/${conversationId}/takeover`, {}, accessToken);
      await seeMessage(page, "system", "joined the conversation");
      await page.locator("#concierge-widget .status", { hasText: "Talking with a person" }).waitFor({ timeout: STEP_TIMEOUT_MS });
    });

    await step(page, "handoff-03-agent-message", async () => {
      await admin(`/v1/admin/conversations/${conversationId}/messages`, { text: "Hi, I'm here to help with your visit." }, accessToken);
      await seeMessage(page, "agent", "I'm here to help with your visit.");
      const badge = page.locator("#concierge-widget .msg.agent .badge").first();
      assert.match(await badge.textContent(), /^Human agent/, "an agent's message carries the human-agent badge");
      await say(page, "thank you!");
    });

    await step(page, "handoff-04-released", async () => {
      await admin(`/v1/admin/conversations/${conversationId}/release`, {}, accessToken);
      await seeMessage(page, "system", "You are back with the assistant.");
      await say(page, "is there parking?");
      await seeMessage(page, "bot", "four free parking spaces behind the salon");
    });
  } finally {
    await context.close();
  }
});
