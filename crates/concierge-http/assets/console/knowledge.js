// The knowledge page (admins): try a question as a customer would ask it
// (which entry the bot answers from, how sure it is, what it replies);
// the entries staff added or imported, filtered as you type, edited with a
// preview of the answer; a document imported (Markdown, HTML, text, CSV,
// JSON). Entries written in the bot's spec are changed in its versions.

import { api, el } from "./session.js";

const $ = (id) => document.getElementById(id);
let entries = [];

/** An id for a new entry, from its title ("Do you have parking?" -> "do-you-have-parking"). */
function idFor(title) {
  const words = title.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  return words.slice(0, 60) || "entry";
}

function renderEntries() {
  const filter = $("kb-filter").value.trim().toLowerCase();
  const shown = entries.filter(
    (e) => !filter || [e.id, e.title, e.body, ...e.alternatives].some((t) => t.toLowerCase().includes(filter)),
  );
  $("kb-entries").tBodies[0].replaceChildren(
    ...shown.map((e) =>
      el(
        "tr",
        {},
        el("td", {}, el("button", { type: "button", class: "link", text: e.title, onclick: () => edit(e) })),
        el("td", { text: e.source }),
        el("td", { text: new Date(e.updated_at).toLocaleDateString() }),
      ),
    ),
  );
  $("kb-count").textContent = `${shown.length} of ${entries.length} entries`;
}

/** Fills the form with an entry (or empties it for a new one). */
function edit(entry) {
  $("kb-id").value = entry ? entry.id : "";
  $("kb-id").readOnly = Boolean(entry);
  $("kb-title").value = entry ? entry.title : "";
  $("kb-alternatives").value = entry ? entry.alternatives.join("\n") : "";
  $("kb-body").value = entry ? entry.body : "";
  $("kb-delete").hidden = !entry;
  $("kb-form-title").textContent = entry ? `Edit “${entry.title}”` : "New entry";
  $("kb-status").textContent = "";
  preview();
  $("kb-title").focus();
}

/** The answer as the customer would see it. */
function preview() {
  $("kb-preview").textContent = $("kb-body").value.trim() || "(the answer appears here)";
}

/** Loads the entries. */
export async function loadKnowledge() {
  $("kb-error").textContent = "";
  try {
    entries = (await api("GET", "/v1/admin/knowledge")).entries;
    renderEntries();
  } catch (err) {
    $("kb-error").textContent = err.message;
  }
}

$("kb-filter").addEventListener("input", renderEntries);
$("kb-new").addEventListener("click", () => edit(null));
$("kb-body").addEventListener("input", preview);
$("kb-title").addEventListener("input", () => {
  if (!$("kb-id").readOnly) $("kb-id").value = idFor($("kb-title").value);
});

$("kb-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const id = $("kb-id").value.trim() || idFor($("kb-title").value);
  const body = {
    title: $("kb-title").value.trim(),
    alternatives: $("kb-alternatives").value.split("\n").map((a) => a.trim()).filter(Boolean),
    body: $("kb-body").value.trim(),
  };
  if (!body.title || !body.body) {
    $("kb-status").textContent = "An entry needs a question and an answer.";
    return;
  }
  try {
    const saved = await api("PUT", `/v1/admin/knowledge/${encodeURIComponent(id)}`, body);
    await loadKnowledge();
    edit(saved);
    $("kb-status").textContent = "Saved: the bot answers from it now.";
  } catch (err) {
    $("kb-status").textContent = `Not saved: ${err.message}`;
  }
});

$("kb-delete").addEventListener("click", async () => {
  const id = $("kb-id").value;
  if (!id || !window.confirm(`Delete the entry “${$("kb-title").value}”?`)) return;
  try {
    await api("DELETE", `/v1/admin/knowledge/${encodeURIComponent(id)}`);
    edit(null);
    await loadKnowledge();
    $("kb-status").textContent = "Deleted.";
  } catch (err) {
    $("kb-status").textContent = err.message;
  }
});

$("kb-try").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("kb-question").value.trim();
  if (!text) return;
  const out = $("kb-try-result");
  out.replaceChildren();
  try {
    const tried = await api("POST", "/v1/admin/knowledge/try", { text });
    const verdict = tried.answer
      ? `Answered from “${tried.answer.title}” (${tried.answer.id}), ${Math.round(tried.answer.score * 100)}% sure.`
      : "No entry answers this.";
    out.append(el("p", { class: "verdict", text: verdict }));
    out.append(el("p", { text: "The bot would reply:" }));
    out.append(el("ul", { class: "replies" }, ...tried.replies.map((r) => el("li", { text: r }))));
    if (tried.answer) {
      const entry = entries.find((e) => e.id === tried.answer.id);
      if (entry) out.append(el("button", { type: "button", text: "Edit this entry", onclick: () => edit(entry) }));
    }
  } catch (err) {
    out.append(el("p", { role: "alert", text: err.message }));
  }
});

$("kb-import").addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = $("kb-file").files[0];
  if (!file) return;
  try {
    const done = await api("POST", "/v1/admin/knowledge/import", { name: file.name, content: await file.text() });
    $("kb-import-status").textContent =
      `Imported ${file.name}: ${done.added.length} added, ${done.updated.length} updated, ` +
      `${done.removed.length} removed, ${done.unchanged} unchanged.`;
    await loadKnowledge();
  } catch (err) {
    $("kb-import-status").textContent = `Not imported: ${err.message}`;
  }
});
