// The staff console (no framework, no build step: ES modules served by the
// server). This module logs in and out and switches between the pages:
// the inbox (./inbox.js), analytics (./analytics.js), for admins the
// bookings (./bookings.js) and knowledge (./knowledge.js), and for owners
// settings (./settings.js). The session lives in ./session.js.

import { end, session, start, whenEnded, whenStarted } from "./session.js";
import { startInbox, stopInbox } from "./inbox.js";
import { loadAnalytics } from "./analytics.js";
import { loadBookings } from "./bookings.js";
import { loadKnowledge } from "./knowledge.js";
import { loadSettings } from "./settings.js";

const $ = (id) => document.getElementById(id);

/** The roles, from the least to the most a staff member may do. */
const ROLES = ["agent", "admin", "owner"];

/** The pages, by the address fragment that opens them, and the role each needs. */
const PAGES = {
  "#inbox": { title: "Inbox", view: "inbox-view", link: "to-inbox", load: null, role: "agent" },
  "#analytics": { title: "Analytics", view: "analytics-view", link: "to-analytics", load: loadAnalytics, role: "agent" },
  "#bookings": { title: "Bookings", view: "bookings-view", link: "to-bookings", load: loadBookings, role: "admin" },
  "#knowledge": { title: "Knowledge", view: "knowledge-view", link: "to-knowledge", load: loadKnowledge, role: "admin" },
  "#settings": { title: "Settings", view: "settings-view", link: "to-settings", load: loadSettings, role: "owner" },
};

/** Whether the signed-in staff member may open `page`. */
const allowed = (page) => ROLES.indexOf(role) >= ROLES.indexOf(page.role);

let signedIn = false;
let role = null;

function showView() {
  let page = PAGES[location.hash] || PAGES["#inbox"];
  if (!allowed(page)) page = PAGES["#inbox"];
  for (const other of Object.values(PAGES)) {
    $(other.view).hidden = other !== page;
    if (other === page) $(other.link).setAttribute("aria-current", "page");
    else $(other.link).removeAttribute("aria-current");
  }
  $("view-title").textContent = page.title;
  document.title = `${page.title} · Concierge console`;
  if (signedIn && page.load) page.load();
}

whenStarted((answer) => {
  role = answer.role;
  $("who").textContent = `Signed in to ${answer.tenant} (${answer.role})`;
  for (const page of Object.values(PAGES)) $(page.link).hidden = !allowed(page);
});

whenEnded(() => {
  signedIn = false;
  stopInbox();
  $("app").hidden = true;
  $("login-view").hidden = false;
  $("tenant").focus();
});

async function open(answer) {
  start(answer);
  signedIn = true;
  $("login-view").hidden = true;
  $("app").hidden = false;
  await startInbox();
  showView();
}

const asked = new URLSearchParams(location.search).get("tenant");
if (asked) $("tenant").value = asked;

$("login").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("login-error").textContent = "";
  if ("Notification" in window && Notification.permission === "default") Notification.requestPermission();
  try {
    const answer = await session("login", {
      tenant: $("tenant").value.trim(),
      email: $("email").value.trim(),
      password: $("password").value,
    });
    $("password").value = "";
    await open(answer);
  } catch (err) {
    $("login-error").textContent = err.message;
  }
});
$("logout").addEventListener("click", async () => {
  await session("logout").catch(() => {});
  end();
});
window.addEventListener("hashchange", showView);

session("refresh").then(open).catch(end);
