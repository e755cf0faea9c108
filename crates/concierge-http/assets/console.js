// The staff console: log in (the refresh token stays in an HttpOnly cookie,
// the access token in memory), watch the tenant's conversations live over
// the inbox WebSocket, read a transcript with what the bot understood, and
// take over, reply, release and close; and the analytics page (figures of
// the business's days, a chart drawn with the vendored uPlot, top intents,
// unanswered questions one click from a knowledge entry). No framework, no
// build step.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const CSRF = { "X-Concierge-CSRF": "1" };
  const STATUS_NAMES = {
    waiting_for_human: "Needs a person",
    with_human: "With a person",
    bot: "With the bot",
    closed: "Closed",
  };
  let access = null;
  let refreshTimer = null;
  let socket = null;
  let selected = null;
  let lastSeq = 0;
  const conversations = new Map();

  async function session(path, body) {
    const response = await fetch(`/v1/auth/console/${path}`, {
      method: "POST",
      credentials: "same-origin",
      headers: { ...CSRF, ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (response.status === 204) return null;
    const json = await response.json();
    if (!response.ok) throw new Error(json.error ? json.error.message : response.statusText);
    return json;
  }

  function started(answer) {
    access = answer.access_token;
    $("who").textContent = `Signed in (${answer.role})`;
    clearTimeout(refreshTimer);
    const wait = Math.max(10, answer.expires_in - 60) * 1000;
    refreshTimer = setTimeout(() => session("refresh").then(started).catch(signedOut), wait);
  }

  function signedOut() {
    access = null;
    if (socket) socket.close();
    $("app").hidden = true;
    $("login-view").hidden = false;
    $("tenant").focus();
  }

  async function api(method, path, body) {
    const response = await fetch(path, {
      method,
      headers: { Authorization: `Bearer ${access}`, ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (response.status === 401) {
      started(await session("refresh"));
      return api(method, path, body);
    }
    const json = response.status === 204 ? null : await response.json();
    if (!response.ok) throw new Error(json && json.error ? json.error.message : response.statusText);
    return json;
  }

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
    socket.addEventListener("open", () => socket.send(JSON.stringify({ type: "auth", token: access })));
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
      if (access) setTimeout(connect, 2000);
    });
  }

  async function open(answer) {
    started(answer);
    $("login-view").hidden = true;
    $("app").hidden = false;
    await loadList();
    connect();
    showView();
  }

  // --- analytics ------------------------------------------------------------------
  let chart = null;

  function duration(seconds) {
    if (seconds == null) return "–";
    if (seconds < 90) return `${Math.round(seconds)} s`;
    if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
    return `${(seconds / 3600).toFixed(1)} h`;
  }
  const percent = (share) => (share == null ? "–" : `${Math.round(share * 100)}%`);
  const number = (value, digits) => (value == null ? "–" : Number(value).toFixed(digits));

  function renderKpis(t) {
    const kpis = [
      ["conversations", "Conversations", t.conversations],
      ["messages", "Customer messages", t.messages],
      ["resolved_by_bot", "Resolved by the bot", t.resolved_by_bot],
      ["handoffs", "Handoffs", t.handoffs],
      ["handoff_rate", "Handoff rate", percent(t.handoff_rate)],
      ["first_response", "First response after a handoff", duration(t.first_response_seconds)],
      ["resolution", "Resolution time", duration(t.resolution_seconds)],
      ["bookings_made", "Bookings made", t.bookings_made],
      ["bookings_cancelled", "Bookings cancelled", t.bookings_cancelled],
      ["bookings_rescheduled", "Bookings moved", t.bookings_rescheduled],
      ["no_shows", "No-shows", t.no_shows],
      ["ratings", "Ratings", t.ratings],
      ["csat_average", "Average rating (of 5)", number(t.csat_average, 1)],
      ["csat_satisfied", "Satisfied (4 or 5)", percent(t.csat_satisfied)],
    ];
    $("kpis").replaceChildren(
      ...kpis.map(([key, name, value]) => {
        const box = document.createElement("div");
        box.dataset.kpi = key;
        const dt = document.createElement("dt");
        dt.textContent = name;
        const dd = document.createElement("dd");
        dd.textContent = String(value);
        box.append(dt, dd);
        return box;
      }),
    );
  }

  function renderDays(days) {
    $("days").tBodies[0].replaceChildren(
      ...days.map((d) => {
        const row = document.createElement("tr");
        for (const value of [d.day, d.conversations, d.handoffs, d.resolved_by_bot, d.bookings_made, d.ratings]) {
          const cell = document.createElement("td");
          cell.textContent = String(value);
          row.append(cell);
        }
        return row;
      }),
    );
    const box = $("chart");
    if (chart) chart.destroy();
    chart = null;
    if (typeof uPlot !== "function") return; // the table carries the figures
    const data = [
      days.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000),
      days.map((d) => d.conversations),
      days.map((d) => d.handoffs),
    ];
    chart = new uPlot(
      {
        width: Math.max(280, box.clientWidth - 16),
        height: 220,
        scales: { x: { time: true } },
        series: [
          { label: "Day" },
          { label: "Conversations", stroke: "#0969da", width: 2 },
          { label: "Handoffs", stroke: "#cf222e", width: 2 },
        ],
        axes: [{}, { label: "per day" }],
      },
      data,
      box,
    );
  }

  function slug(text) {
    const words = text.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
    return `asked-${words.slice(0, 48) || "question"}`;
  }

  // An unanswered question, with a form that makes it a knowledge entry.
  function unansweredItem(question) {
    const item = document.createElement("li");
    const text = document.createElement("span");
    text.textContent = `“${question.key}” (${question.count}×)`;
    const details = document.createElement("details");
    const summary = document.createElement("summary");
    summary.textContent = "Add to knowledge";
    const form = document.createElement("form");
    const id = `answer-${slug(question.key)}`;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = `Answer to “${question.key}”`;
    const answer = document.createElement("textarea");
    answer.id = id;
    answer.required = true;
    answer.rows = 2;
    const save = document.createElement("button");
    save.type = "submit";
    save.textContent = "Save entry";
    const outcome = document.createElement("p");
    outcome.setAttribute("role", "status");
    form.append(label, answer, save, outcome);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = answer.value.trim();
      if (!body) return;
      try {
        await api("PUT", `/v1/admin/knowledge/${slug(question.key)}`, { title: question.key, body });
        outcome.textContent = "Saved: the bot answers it from now on.";
        save.disabled = true;
      } catch (err) {
        outcome.textContent = `Not saved: ${err.message}`;
      }
    });
    details.append(summary, form);
    item.append(text, details);
    return item;
  }

  async function loadAnalytics() {
    $("analytics-error").textContent = "";
    const query = new URLSearchParams();
    if ($("from").value) query.set("from", $("from").value);
    if ($("to").value) query.set("to", $("to").value);
    try {
      const report = await api("GET", `/v1/admin/analytics?${query}`);
      $("from").value = report.from;
      $("to").value = report.to;
      renderKpis(report.totals);
      renderDays(report.days);
      $("top-intents").replaceChildren(
        ...report.top_intents.map((c) => {
          const li = document.createElement("li");
          li.textContent = `${c.key} (${c.count})`;
          return li;
        }),
      );
      const unanswered = report.unanswered.map(unansweredItem);
      if (!unanswered.length) {
        const none = document.createElement("li");
        none.textContent = "None in these days.";
        unanswered.push(none);
      }
      $("unanswered").replaceChildren(...unanswered);
    } catch (err) {
      $("analytics-error").textContent = err.message;
    }
  }

  // --- pages -------------------------------------------------------------------------
  function showView() {
    const analytics = location.hash === "#analytics";
    $("inbox-view").hidden = analytics;
    $("analytics-view").hidden = !analytics;
    $("view-title").textContent = analytics ? "Analytics" : "Inbox";
    $("to-inbox").toggleAttribute("aria-current", !analytics);
    $("to-analytics").toggleAttribute("aria-current", analytics);
    if (analytics) {
      $("to-analytics").setAttribute("aria-current", "page");
      if (access) loadAnalytics();
    } else {
      $("to-inbox").setAttribute("aria-current", "page");
    }
  }

  // --- wiring ---------------------------------------------------------------------
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
    signedOut();
  });
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

  window.addEventListener("hashchange", showView);
  $("range").addEventListener("submit", (event) => {
    event.preventDefault();
    loadAnalytics();
  });

  session("refresh").then(open).catch(signedOut);
})();
