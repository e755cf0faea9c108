// The settings page (owners): the website chat keys (publishable keys, with
// the origins allowed to use them and the snippet to paste), the staff and
// their roles (a colleague is invited by a one-time link), API keys for
// servers, and the audit log.

import { api, el, who } from "./session.js";

const $ = (id) => document.getElementById(id);
const when = (iso) => (iso ? new Date(iso).toLocaleString() : "–");

/** A short status line under a form: what happened, or why not. */
function say(id, text) {
  $(id).textContent = text;
}

/** A row of table cells; strings become text cells. */
function row(...cells) {
  return el("tr", {}, ...cells.map((c) => (c instanceof Node ? el("td", {}, c) : el("td", { text: String(c) }))));
}

/** A cell's button that asks first, then runs `action` and reloads the page. */
function confirmButton(label, question, action, statusId) {
  return el("button", {
    type: "button",
    text: label,
    onclick: async () => {
      if (!window.confirm(question)) return;
      try {
        await action();
        await loadSettings();
      } catch (err) {
        say(statusId, err.message);
      }
    },
  });
}

/** The widget's snippet for a key. */
export function snippet(tenant, key) {
  return `<script src="${location.origin}/widget.js" data-tenant="${tenant}" data-key="${key}" async></script>`;
}

function renderKeys(keys, tenant) {
  $("chat-keys").tBodies[0].replaceChildren(
    ...keys.map((k) =>
      row(
        el("code", { text: k.key }),
        k.bot_id,
        k.allowed_origins.join(" "),
        when(k.created_at),
        confirmButton(
          `Revoke ${k.key}`,
          `Revoke ${k.key}? Websites using it stop chatting at once.`,
          () => api("DELETE", `/v1/admin/publishable-keys/${encodeURIComponent(k.key)}`),
          "chat-key-status",
        ),
      ),
    ),
  );
  if (!keys.length) $("chat-keys").tBodies[0].append(el("tr", {}, el("td", { colspan: "5", text: "No keys yet." })));
  $("chat-key-snippet").hidden = !keys.length;
  if (keys.length) $("chat-key-snippet").querySelector("pre code").textContent = snippet(tenant, keys[keys.length - 1].key);
}

function renderBots(bots) {
  const select = $("chat-key-bot");
  const chosen = select.value;
  select.replaceChildren(...bots.map((b) => el("option", { value: b.id, text: `${b.name} (${b.id})` })));
  if (chosen) select.value = chosen;
  $("chat-key-form").querySelector("button").disabled = !bots.length;
  if (!bots.length) say("chat-key-status", "Upload a bot first: a key names the bot it chats with.");
}

function renderUsers(users, me) {
  $("staff").tBodies[0].replaceChildren(
    ...users.map((u) =>
      row(
        u.email,
        u.role,
        when(u.created_at),
        u.id === me
          ? "(you)"
          : confirmButton(
              `Remove ${u.email}`,
              `Remove ${u.email}? They are logged out and cannot log in again.`,
              () => api("DELETE", `/v1/admin/users/${encodeURIComponent(u.id)}`),
              "invite-status",
            ),
      ),
    ),
  );
}

function renderApiKeys(keys) {
  $("api-keys").tBodies[0].replaceChildren(
    ...keys.map((k) =>
      row(
        k.label,
        el("code", { text: `${k.prefix}…` }),
        when(k.created_at),
        k.revoked_at
          ? `revoked ${when(k.revoked_at)}`
          : confirmButton(
              `Revoke ${k.label}`,
              `Revoke the API key “${k.label}”? Servers using it are refused at once.`,
              () => api("DELETE", `/v1/admin/api-keys/${encodeURIComponent(k.id)}`),
              "api-key-status",
            ),
      ),
    ),
  );
}

function renderAudit(entries, users) {
  // Staff are shown by email ("user:<id>" in the log), API keys by their id.
  const emails = new Map(users.map((u) => [u.id, u.email]));
  const person = (actor) => (actor.startsWith("user:") && emails.get(actor.slice(5))) || actor;
  $("audit").tBodies[0].replaceChildren(
    ...entries.map((e) => row(when(e.recorded_at), person(e.actor), e.action, emails.get(e.target) || e.target || "")),
  );
}

/** Loads every section of the page. */
export async function loadSettings() {
  const me = who();
  if (!me) return;
  say("settings-error", "");
  try {
    const [keys, bots, users, apiKeys, audit] = await Promise.all([
      api("GET", "/v1/admin/publishable-keys"),
      api("GET", "/v1/admin/bots"),
      api("GET", "/v1/admin/users"),
      api("GET", "/v1/admin/api-keys"),
      api("GET", "/v1/admin/audit-log?limit=100"),
    ]);
    renderBots(bots.bots);
    renderKeys(keys.keys, me.tenant);
    renderUsers(users.users, me.user_id);
    renderApiKeys(apiKeys.keys);
    renderAudit(audit.entries, users.users);
  } catch (err) {
    say("settings-error", err.message);
  }
}

/** The origins typed one per line (or separated by spaces or commas). */
function origins(text) {
  return text.split(/[\s,]+/).map((o) => o.trim().replace(/\/$/, "")).filter(Boolean);
}

$("chat-key-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const allowed = origins($("chat-key-origins").value);
  const bad = allowed.find((o) => o !== "*" && !/^https?:\/\/[^/\s]+$/.test(o));
  if (!allowed.length || bad) {
    say("chat-key-status", bad ? `“${bad}” is not an origin (like https://www.example.com)` : "Name at least one origin.");
    $("chat-key-origins").focus();
    return;
  }
  try {
    const key = await api("POST", "/v1/admin/publishable-keys", { bot_id: $("chat-key-bot").value, allowed_origins: allowed });
    $("chat-key-origins").value = "";
    await loadSettings();
    say("chat-key-status", `Created ${key.key}: paste the snippet below into the pages of ${allowed.join(", ")}.`);
  } catch (err) {
    say("chat-key-status", err.message);
  }
});

$("invite-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    const invited = await api("POST", "/v1/admin/users/invites", {
      email: $("invite-email").value.trim(),
      role: $("invite-role").value,
    });
    $("invite-email").value = "";
    await loadSettings();
    say("invite-status", `Invited ${invited.user.email}. Send them this link (it works once, until ${when(invited.expires_at)}):`);
    $("invite-link").value = invited.url;
    $("invite-link").hidden = false;
  } catch (err) {
    say("invite-status", err.message);
  }
});

$("api-key-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    const created = await api("POST", "/v1/admin/api-keys", { label: $("api-key-label").value.trim() });
    $("api-key-label").value = "";
    await loadSettings();
    say("api-key-status", `Created “${created.key.label}”. Copy the key now; it is not shown again:`);
    $("api-key-secret").value = created.secret;
    $("api-key-secret").hidden = false;
  } catch (err) {
    say("api-key-status", err.message);
  }
});
