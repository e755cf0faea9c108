// The live inbox: the tenant's conversations, kept current over the inbox
// WebSocket (handed-off ones first, with a sound, a visual alert and the
// browser's notification), searchable by what was said; a transcript with
// what the bot understood; take over, reply, release and close.

import { api, accessToken } from "./session.js";

const $ = (id) => document.getElementById(id);
const STATUS_NAMES = {
  waiting_for_human: "Needs a person",
  with_human: "With a person",
  bot: "With the bot",
  closed: "Closed",
};
let socket = null;
let selected = null;
let lastSeq = 0;
const conversations = new Map();

// --- the list -------------------------------------------------------------
const rank = { waiting_for_human: 0, with_human: 1, bot: 2, closed: 3 };

// The last search's hits (conversation id to the message that matched), or null.
let searchHits = null;

function renderList() {
  const filter = $("filter").value;
  const list = $("conversations");
  list.replaceChildren();
  const shown = [...conversations.values()]
    .filter((c) => !filter || c.status === filter)
    .filter((c) => !searchHits || searchHits.has(c.id))
    .sort((a, b) => rank[a.status] - rank[b.status] || (b.updated_at > a.updated_at ? 1 : -1));
  for (const c of shown) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.id = c.id;
    if (c.id === selected) button.setAttribute("aria-current", "true");
    const badge = document.createElement("span");
    badge.className = `badge ${c.status}`;
    badge.textContent = STATUS_NAMES[c.status] || c.status;
    const label = document.createElement("span");
    label.textContent = ` ${c.channel} · ${c.id.slice(0, 8)} · ${new Date(c.updated_at).toLocaleTimeString()}`;
    button.append(badge, label);
    if (searchHits && searchHits.has(c.id)) {
      const said = document.createElement("span");
      said.className = "said";
      said.textContent = searchHits.get(c.id);
      button.append(said);
    }
    button.addEventListener("click", () => select(c.id));
    item.append(button);
    list.append(item);
  }
}

async function search(text) {
  if (!text) {
    searchHits = null;
    renderList();
    return;
  }
  try {
    const found = await api("GET", `/v1/admin/conversations/search?q=${encodeURIComponent(text)}`);
    searchHits = new Map();
    for (const hit of found.hits) {
      conversations.set(hit.conversation.id, hit.conversation);
      searchHits.set(hit.conversation.id, hit.text);
    }
  } catch (err) {
    searchHits = new Map();
    $("alert").textContent = `Search failed: ${err.message}`;
    $("alert").hidden = false;
  }
  renderList();
}

async function loadList() {
  const page = await api("GET", "/v1/admin/conversations?limit=200");
  conversations.clear();
  for (const c of page.conversations) conversations.set(c.id, c);
  renderList();
}

// --- alerts ----------------------------------------------------------------
function beep() {
  try {
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    tone.frequency.value = 880;
    tone.connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.2);
  } catch (_) {
    // No audio here: the visual alert stands.
  }
}

function alertHandoff(id) {
  const alert = $("alert");
  alert.textContent = `A customer is waiting for a person (conversation ${id.slice(0, 8)}).`;
  alert.hidden = false;
  document.title = "(!) Concierge console";
  beep();
  if ("Notification" in window && Notification.permission === "granted") {
    new Notification("A customer is waiting for a person", { body: `Conversation ${id.slice(0, 8)}` });
  }
}

// --- the transcript ---------------------------------------------------------
function describe(item) {
  if (item.type === "reply") return ["bot", "Bot", item.text];
  if (item.type === "agent_message") return ["agent", "Human agent", item.text];
  const e = item.event || {};
  switch (e.type) {
    case "user_message": return ["customer", "Customer", e.text];
    case "intent_detected": return ["note", "Understood", `intent ${e.name} (${Math.round(e.confidence * 100)}%)`];
    case "slot_set": return ["note", "Understood", `${e.name} = ${typeof e.value === "string" ? e.value : JSON.stringify(e.value)}`];
    case "kb_answer": return ["note", "Knowledge", `answered from entry ${e.id}`];
    case "handoff_requested": return ["note", "Handoff", `asked for a person: ${e.reason || ""}`];
    case "handoff_released": return ["note", "Handoff", "back to the bot"];
    case "agent_joined": return ["note", "Handoff", `${e.agent} took over`];
    case "agent_left": return ["note", "Handoff", `${e.agent} left`];
    case "booking_confirmed": return ["note", "Booking", `booked ${e.service || ""} ${e.start || ""}`];
    case "closed": return ["note", "Closed", "conversation closed"];
    default: return null;
  }
}

function append(items) {
  const list = $("items");
  for (const item of items) {
    if (item.seq <= lastSeq) continue;
    lastSeq = item.seq;
    const shown = describe(item);
    if (!shown) continue;
    const [kind, who, text] = shown;
    const li = document.createElement("li");
    li.className = kind;
    const label = document.createElement("span");
    label.className = "who";
    label.textContent = who;
    li.append(label, document.createTextNode(text || ""));
    list.append(li);
  }
}

function showStatus() {
  const c = conversations.get(selected);
  if (!c) return;
  $("status-line").textContent = `Status: ${STATUS_NAMES[c.status] || c.status}`;
  $("takeover").disabled = c.status === "with_human" || c.status === "closed";
  $("release").disabled = c.status !== "with_human" && c.status !== "waiting_for_human";
  $("close").disabled = c.status === "closed";
  $("reply").querySelector("button").disabled = c.status !== "with_human";
}

async function select(id) {
  selected = id;
  lastSeq = 0;
  $("items").replaceChildren();
  $("transcript-title").textContent = `Conversation ${id.slice(0, 8)}`;
  $("actions").hidden = false;
  $("action-error").textContent = "";
  renderList();
  showStatus();
  const page = await api("GET", `/v1/admin/conversations/${id}/items?after=0`);
  append(page.items || page);
  $("transcript").focus();
}

async function act(path, body) {
  $("action-error").textContent = "";
  try {
    const outcome = await api("POST", `/v1/admin/conversations/${selected}/${path}`, body);
    const c = conversations.get(selected);
    if (c && outcome) c.status = outcome.status;
    renderList();
    showStatus();
    return outcome;
  } catch (err) {
    $("action-error").textContent = err.message;
    return null;
  }
}

// --- live updates -------------------------------------------------------------
function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}/v1/admin/inbox/ws`);
  socket.addEventListener("open", () => socket.send(JSON.stringify({ type: "auth", token: accessToken() })));
  socket.addEventListener("message", (message) => {
    const data = JSON.parse(message.data);
    if (data.type === "resync") loadList();
    if (data.type !== "update") return;
    const known = conversations.get(data.conversation_id);
    const wasWaiting = known && known.status === "waiting_for_human";
    const c = known || { id: data.conversation_id, channel: "web", created_at: new Date().toISOString() };
    c.status = data.status;
    c.updated_at = new Date().toISOString();
    conversations.set(c.id, c);
    renderList();
    if (data.status === "waiting_for_human" && !wasWaiting) alertHandoff(c.id);
    if (c.id === selected) {
      append(data.items);
      showStatus();
    }
  });
  socket.addEventListener("close", () => {
    if (accessToken()) setTimeout(connect, 2000);
  });
}

/** Loads the conversations and starts listening for changes. */
export async function startInbox() {
  await loadList();
  connect();
}

/** Stops listening (the session ended). */
export function stopInbox() {
  if (socket) socket.close();
  socket = null;
}

$("filter").addEventListener("change", renderList);
$("search").addEventListener("submit", (event) => {
  event.preventDefault();
  search($("search-text").value.trim());
});
$("takeover").addEventListener("click", async () => {
  if (await act("takeover")) $("reply-text").focus();
});
$("release").addEventListener("click", () => act("release"));
$("close").addEventListener("click", () => act("close"));
$("reply").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("reply-text").value.trim();
  if (!text) return;
  if (await act("messages", { text })) $("reply-text").value = "";
});
$("alert").addEventListener("click", () => {
  $("alert").hidden = true;
  document.title = "Concierge console";
});
