// The console's session: the refresh token stays in an HttpOnly cookie the
// script never sees (scoped to /v1/auth/console), the access token only in
// this module's memory. `api` calls the admin API with it and refreshes it
// once when the server says it expired.

const CSRF = { "X-Concierge-CSRF": "1" };

let access = null;
let refreshTimer = null;
let current = null;
const onStart = [];
const onEnd = [];

/** Calls `listener(session)` whenever a session starts or is refreshed. */
export function whenStarted(listener) {
  onStart.push(listener);
}

/** Calls `listener()` when the session ends (logout, or refresh refused). */
export function whenEnded(listener) {
  onEnd.push(listener);
}

/** The current session ({tenant, user_id, role, ...}) or null. */
export function who() {
  return current;
}

/** The access token, for the inbox WebSocket's first message. */
export function accessToken() {
  return access;
}

function message(json, response) {
  return json && json.error ? json.error.message : response.statusText;
}

/** POSTs to /v1/auth/console/<path> (login, refresh, logout, invites/accept). */
export async function session(path, body) {
  const response = await fetch(`/v1/auth/console/${path}`, {
    method: "POST",
    credentials: "same-origin",
    headers: { ...CSRF, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (response.status === 204) return null;
  const json = await response.json();
  if (!response.ok) throw new Error(message(json, response));
  return json;
}

/** Keeps a session the server answered with, and refreshes it before it expires. */
export function start(answer) {
  access = answer.access_token;
  current = answer;
  clearTimeout(refreshTimer);
  const wait = Math.max(10, answer.expires_in - 60) * 1000;
  refreshTimer = setTimeout(() => session("refresh").then(start).catch(end), wait);
  for (const listener of onStart) listener(answer);
}

/** Forgets the session (the cookie is cleared by the logout route). */
export function end() {
  access = null;
  current = null;
  clearTimeout(refreshTimer);
  for (const listener of onEnd) listener();
}

/** Calls the admin API; the answer's JSON, or an Error with the server's message. */
export async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { Authorization: `Bearer ${access}`, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (response.status === 401) {
    start(await session("refresh"));
    return api(method, path, body);
  }
  const json = response.status === 204 ? null : await response.json();
  if (!response.ok) throw new Error(message(json, response));
  return json;
}

/** A DOM element with attributes and children (strings become text). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value == null) continue;
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name in node && typeof value !== "string") node[name] = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children);
  return node;
}
