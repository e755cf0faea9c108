// What the browser tests share: their settings from the environment, the browser, named
// steps with screenshots, and the widget's messages.

import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));

/** The server's base URL (CONCIERGE_E2E_URL). */
export const baseUrl = process.env.CONCIERGE_E2E_URL;
/** Where screenshots go (CONCIERGE_E2E_ARTIFACTS). */
export const artifacts = path.resolve(process.env.CONCIERGE_E2E_ARTIFACTS || path.join(here, "../../../../target/e2e-artifacts"));
/** The demo admin's password (CONCIERGE_E2E_ADMIN_PASSWORD), if set. */
export const adminPassword = process.env.CONCIERGE_E2E_ADMIN_PASSWORD;
/** How long to wait for each expected text (CONCIERGE_E2E_STEP_TIMEOUT_MS). */
export const STEP_TIMEOUT_MS = Number(process.env.CONCIERGE_E2E_STEP_TIMEOUT_MS || 15000);

/** Headless Chromium (CHROMIUM, default /usr/bin/chromium), after checking the settings. */
export async function launchBrowser() {
  assert.ok(baseUrl, "set CONCIERGE_E2E_URL to the server's base URL (scripts/test-browser.sh does)");
  mkdirSync(artifacts, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** Runs one named step; saves a screenshot after it, or on failure, naming the step in the error. */
export async function step(page, name, body) {
  try {
    await body();
    await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
  } catch (err) {
    const shot = path.join(artifacts, `${name}-FAILED.png`);
    await page.screenshot({ path: shot }).catch(() => {});
    throw new Error(`step "${name}" failed: ${err.message}\n(screenshot: ${shot})`, { cause: err });
  }
}

/** Waits until a widget message of this kind ("bot", "user", "agent", "system") containing `text` is visible. */
export async function seeMessage(page, kind, text) {
  const msg = page.locator(`#concierge-widget .msg.${kind}`, { hasText: text });
  await msg.first().waitFor({ state: "visible", timeout: STEP_TIMEOUT_MS }).catch(() => {
    throw new Error(`no ${kind} message containing ${JSON.stringify(text)} appeared within ${STEP_TIMEOUT_MS} ms`);
  });
}

/** Types a message into the widget and sends it with Enter. */
export async function say(page, text) {
  const input = page.getByRole("textbox", { name: "Message" });
  await input.fill(text);
  await input.press("Enter");
  await seeMessage(page, "user", text);
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** Runs axe-core on the page; fails on serious or critical violations. */
export async function accessible(page, what) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
    [],
    `${what} has serious accessibility violations`,
  );
}
