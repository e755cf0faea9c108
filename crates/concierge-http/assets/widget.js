/*
 * Concierge chat widget: a launcher button and a chat panel for one tenant.
 *
 *   <script src="https://HOST/widget.js" data-tenant="demo-salon" data-key="pk_demo_salon"></script>
 *
 * Optional attributes: data-title (panel heading), data-greeting (first line shown),
 * data-color (accent colour, any CSS colour), data-csat="off" (do not ask the customer to rate
 * a conversation when it is closed; asked by default, once per conversation).
 *
 * Plain JavaScript with no dependencies and no build step. The server origin is taken
 * from this script's own src. The UI lives in a Shadow DOM so the host page's CSS does
 * not reach it. Messages go over the conversation's WebSocket (reconnecting with
 * exponential backoff and resuming after the last sequence number seen); while the
 * socket is down they go through the REST API. The conversation id, its token and the
 * last sequence number are kept in localStorage per tenant, so a reload replays the
 * conversation from the start (after=0).
 */
(function () {
  "use strict";

  var script = document.currentScript || document.querySelector("script[data-tenant][src*='widget.js']");
  if (!script || window.__conciergeWidget) return;
  window.__conciergeWidget = true;

  var tenant = script.getAttribute("data-tenant") || "";
  var key = script.getAttribute("data-key") || "";
  var title = script.getAttribute("data-title") || "Chat with us";
  var greeting = script.getAttribute("data-greeting") || "Hi! Ask a question or book an appointment.";
  var askRating = script.getAttribute("data-csat") !== "off";
  var origin = new URL(script.src, location.href).origin;
  var base = origin + "/v1/chat/" + encodeURIComponent(tenant) + "/conversations";
  var storeKey = "concierge:" + tenant;

  // ---- persisted conversation: {id, token, seq} --------------------------------------
  function load() {
    try { return JSON.parse(localStorage.getItem(storeKey)) || null; } catch (e) { return null; }
  }
  function save() {
    try { localStorage.setItem(storeKey, JSON.stringify(conv)); } catch (e) { /* private mode */ }
  }
  var conv = load();

  // ---- DOM ----------------------------------------------------------------------------
  var CSS =
    ":host{all:initial;--accent:" + (script.getAttribute("data-color") || "#7a3e6f") + ";font:15px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d1d1f}" +
    "*{box-sizing:border-box}" +
    "button{font:inherit;cursor:pointer}" +
    ":focus-visible{outline:3px solid #1a73e8;outline-offset:2px}" +
    ".launcher{position:fixed;right:20px;bottom:20px;width:60px;height:60px;border-radius:50%;border:0;background:var(--accent);color:#fff;box-shadow:0 4px 14px rgba(0,0,0,.25);z-index:2147483000;display:grid;place-items:center}" +
    ".launcher svg{width:28px;height:28px;fill:currentColor}" +
    ".unread{position:absolute;top:-2px;right:-2px;min-width:20px;height:20px;border-radius:10px;background:#d93025;color:#fff;font-size:12px;line-height:20px;padding:0 5px}" +
    ".panel{position:fixed;right:20px;bottom:92px;width:370px;height:min(600px,calc(100vh - 112px));background:#fff;border-radius:14px;box-shadow:0 8px 30px rgba(0,0,0,.25);display:flex;flex-direction:column;overflow:hidden;z-index:2147483001;transition:opacity .18s,transform .18s}" +
    ".panel[hidden]{display:none}" +
    "header{background:var(--accent);color:#fff;padding:12px 14px;display:flex;align-items:center;gap:10px}" +
    "h2{font-size:16px;margin:0;flex:1}" +
    ".status{font-size:12px;opacity:.9}" +
    ".close{background:transparent;border:0;color:#fff;font-size:24px;line-height:1;width:36px;height:36px;border-radius:8px}" +
    ".log{flex:1;overflow-y:auto;padding:14px;display:flex;flex-direction:column;gap:8px;background:#f7f5f7}" +
    ".intro{color:#555;font-size:14px;text-align:center;margin:4px 0 8px}" +
    ".msg{max-width:85%;padding:8px 12px;border-radius:14px;white-space:pre-wrap;overflow-wrap:anywhere}" +
    ".bot,.agent{align-self:flex-start;background:#fff;border:1px solid #e3dfe3;border-bottom-left-radius:4px}" +
    ".agent{border-color:#1a7f4b}" +
    ".user{align-self:flex-end;background:var(--accent);color:#fff;border-bottom-right-radius:4px}" +
    ".system{align-self:center;font-size:13px;color:#6b4b00;background:#fff4d6;border-radius:8px}" +
    ".badge{display:inline-block;font-size:11px;font-weight:600;color:#fff;background:#1a7f4b;border-radius:6px;padding:1px 6px;margin-bottom:4px}" +
    ".msg a{color:inherit}" +
    ".sources{font-size:12px;color:#555;margin-top:4px}" +
    ".quick{display:flex;flex-wrap:wrap;gap:6px;align-self:flex-start}" +
    ".quick button{border:1px solid var(--accent);color:var(--accent);background:#fff;border-radius:16px;padding:6px 12px}" +
    ".quick button:hover{background:var(--accent);color:#fff}" +
    ".typing{align-self:flex-start;display:flex;gap:4px;padding:12px 14px;background:#fff;border:1px solid #e3dfe3;border-radius:14px}" +
    ".typing[hidden]{display:none}" +
    ".typing i{width:7px;height:7px;border-radius:50%;background:#888;animation:blink 1.2s infinite}" +
    ".typing i:nth-child(2){animation-delay:.2s}.typing i:nth-child(3){animation-delay:.4s}" +
    "@keyframes blink{0%,80%,100%{opacity:.25}40%{opacity:1}}" +
    "form{display:flex;gap:8px;padding:10px;border-top:1px solid #e3dfe3;background:#fff}" +
    "input{flex:1;font:inherit;padding:9px 12px;border:1px solid #bbb;border-radius:20px;min-width:0}" +
    ".send{border:0;background:var(--accent);color:#fff;border-radius:20px;padding:0 16px}" +
    ".rating{align-self:stretch;background:#fff;border:1px solid #e3dfe3;border-radius:12px;padding:10px 12px;display:flex;flex-direction:column;gap:8px}" +
    ".rating fieldset{border:0;margin:0;padding:0;display:flex;gap:6px;flex-wrap:wrap}" +
    ".rating legend{font-weight:600;margin-bottom:6px}" +
    ".rating .score{border:1px solid var(--accent);color:var(--accent);background:#fff;border-radius:8px;min-width:40px;height:40px}" +
    ".rating .score[aria-pressed=true]{background:var(--accent);color:#fff}" +
    ".rating textarea{font:inherit;border:1px solid #bbb;border-radius:8px;padding:6px 8px;min-height:3em;resize:vertical}" +
    ".rating .submit{align-self:flex-end;border:0;background:var(--accent);color:#fff;border-radius:16px;padding:6px 14px}" +
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}" +
    "@media (max-width:480px){.panel{inset:0;width:auto;height:auto;border-radius:0}}" +
    "@media (prefers-reduced-motion:reduce){.panel{transition:none}.typing i{animation:none;opacity:.6}}";

  var host = document.createElement("div");
  host.id = "concierge-widget";
  var root = host.attachShadow({ mode: "open" });
  var sheet = null;
  try { sheet = new CSSStyleSheet(); sheet.replaceSync(CSS); root.adoptedStyleSheets = [sheet]; } catch (e) { sheet = null; }
  root.innerHTML =
    (sheet ? "" : "<style>" + CSS + "</style>") +
    '<button class="launcher" type="button" aria-expanded="false" aria-controls="cw-panel">' +
    '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>' +
    '<span class="unread" hidden></span></button>' +
    '<section class="panel" id="cw-panel" role="dialog" aria-modal="false" aria-labelledby="cw-title" hidden>' +
    '<header><h2 id="cw-title"></h2><span class="status"></span>' +
    '<button class="close" type="button" aria-label="Close chat">&times;</button></header>' +
    '<div class="log" role="log" aria-live="polite" aria-label="Conversation" tabindex="0"><p class="intro"></p></div>' +
    '<form><label class="sr" for="cw-input">Message</label>' +
    '<input id="cw-input" type="text" autocomplete="off" maxlength="1000" placeholder="Type a message…">' +
    '<button class="send" type="submit">Send</button></form></section>';

  function $(sel) { return root.querySelector(sel); }
  var launcher = $(".launcher"), unread = $(".unread"), panel = $(".panel"), log = $(".log");
  var statusEl = $(".status"), form = $("form"), input = $("input");
  $("h2").textContent = title;
  launcher.setAttribute("aria-label", "Chat with " + title);
  $(".intro").textContent = greeting;
  var typing = document.createElement("div");
  typing.className = "typing";
  typing.hidden = true;
  typing.innerHTML = "<i></i><i></i><i></i><span class='sr'>Typing…</span>";

  // ---- rendering ----------------------------------------------------------------------
  var URL_RE = /(https?:\/\/[^\s<>"')\]]+)/g;

  function appendText(el, text) {
    var parts = String(text).split(URL_RE);
    for (var i = 0; i < parts.length; i++) {
      if (i % 2) {
        var url = parts[i].replace(/[.,;:!?]+$/, ""); // a sentence's full stop is not the link's
        var a = document.createElement("a");
        a.href = url;
        a.textContent = url;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        el.appendChild(a);
        if (url.length < parts[i].length) el.appendChild(document.createTextNode(parts[i].slice(url.length)));
      } else if (parts[i]) {
        el.appendChild(document.createTextNode(parts[i]));
      }
    }
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function addMessage(kind, text, opts) {
    opts = opts || {};
    var el = document.createElement("div");
    el.className = "msg " + kind;
    if (kind === "agent") {
      var badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = "Human agent" + (opts.name ? " · " + opts.name : "");
      el.appendChild(badge);
      el.appendChild(document.createElement("br"));
    }
    var sr = document.createElement("span");
    sr.className = "sr";
    sr.textContent = kind === "user" ? "You: " : kind === "agent" ? "Agent: " : kind === "bot" ? title + ": " : "";
    el.appendChild(sr);
    appendText(el, text);
    var sources = (opts.sources || []).filter(function (s) { return s && s.url; });
    if (sources.length) {
      var src = document.createElement("div");
      src.className = "sources";
      src.appendChild(document.createTextNode("Source: "));
      sources.forEach(function (s, i) {
        if (i) src.appendChild(document.createTextNode(", "));
        var a = document.createElement("a");
        a.href = s.url;
        a.textContent = s.title || s.url;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        src.appendChild(a);
      });
      el.appendChild(src);
    }
    log.insertBefore(el, typing.parentNode === log ? typing : null);
    if (kind !== "user" && kind !== "system" && panel.hidden && !quiet) {
      unreadCount++;
      unread.textContent = unreadCount;
      unread.hidden = false;
      launcher.setAttribute("aria-label", "Chat with " + title + " (" + unreadCount + " new)");
    }
    scrollDown();
    return el;
  }

  var quickGroup = null;
  var buttonTitles = {};
  function clearQuick() {
    if (quickGroup) quickGroup.remove();
    quickGroup = null;
  }
  function addQuick(buttons) {
    clearQuick();
    if (!buttons || !buttons.length) return;
    quickGroup = document.createElement("div");
    quickGroup.className = "quick";
    quickGroup.setAttribute("role", "group");
    quickGroup.setAttribute("aria-label", "Quick replies");
    buttons.forEach(function (b) {
      if (!b.shown) buttonTitles[b.payload] = b.title;
      var btn = document.createElement("button");
      btn.type = "button";
      btn.textContent = b.title;
      btn.addEventListener("click", function () {
        send(b.payload, b.shown || b.title);
        input.focus();
      });
      quickGroup.appendChild(btn);
    });
    log.insertBefore(quickGroup, typing.parentNode === log ? typing : null);
    scrollDown();
  }

  var typingTimer = 0;
  function showTyping(on) {
    clearTimeout(typingTimer);
    if (on) {
      log.appendChild(typing);
      typing.hidden = false;
      typingTimer = setTimeout(function () { showTyping(false); }, 15000);
      scrollDown();
    } else {
      typing.hidden = true;
    }
  }

  var handoff = false;
  var quiet = false; // replaying items seen before a reload: no unread count
  function setStatus() {
    statusEl.textContent = handoff ? "Talking with a person" : connected ? "Online" : conv ? "Connecting…" : "";
  }

  // ---- what the server says -----------------------------------------------------------
  // Stored items: {seq, type: "reply", text, buttons}, {seq, type: "agent_message", text,
  // agent}, {seq, type: "event", event: {type: "user_message" | "kb_answer" |
  // "handoff_requested" | "agent_joined" | "handoff_released" | ...}}.
  var pending = []; // texts sent from this page whose user_message has not come back yet
  var pendingSources = [];
  var unreadCount = 0;
  var replayedUpTo = conv ? conv.seq : 0; // items up to here were seen before the reload

  function sourcesOf(reply) {
    var list = reply.sources || [];
    return list.map(function (s) { return typeof s === "string" ? { url: s, title: s } : s; })
      .filter(function (s) { return /^https?:\/\//.test(s.url || ""); });
  }

  function onReply(reply) {
    showTyping(false);
    addMessage("bot", reply.text || "", { sources: sourcesOf(reply).concat(pendingSources) });
    pendingSources = [];
    addQuick(reply.buttons);
  }

  function onEvent(e) {
    switch (e.type) {
      case "user_message":
        var i = pending.indexOf(e.text);
        if (i >= 0) { pending.splice(i, 1); break; }
        clearQuick();
        addMessage("user", buttonTitles[e.text] || e.text);
        break;
      case "kb_answer":
        if (/^https?:\/\//.test(e.source || "")) pendingSources.push({ url: e.source, title: e.title });
        break;
      case "handoff_requested":
        if (!handoff) addMessage("system", "A person from the team will reply here.");
        handoff = true;
        setStatus();
        break;
      case "agent_joined":
        addMessage("system", (displayName(e.agent) || "A person from the team") + " joined the conversation.");
        handoff = true;
        setStatus();
        break;
      case "closed":
        showTyping(false);
        addMessage("system", "This conversation was closed. Send a message to start a new one.");
        handoff = false;
        var closed = conv;
        forget();
        if (askRating && closed && !quiet) addRating(closed);
        break;
      case "handoff_released":
        if (handoff) addMessage("system", "You are back with the assistant.");
        handoff = false;
        setStatus();
        break;
    }
  }

  // Asks the customer to rate a closed conversation: 1 to 5 and an optional comment, sent once.
  function addRating(c) {
    var form = document.createElement("form");
    form.className = "rating";
    var id = "cw-rate-" + c.id;
    form.innerHTML =
      '<fieldset><legend>How did we do?</legend></fieldset>' +
      '<label class="sr" for="' + id + '">Anything to add? (optional)</label>' +
      '<textarea id="' + id + '" maxlength="2000" placeholder="Anything to add? (optional)"></textarea>' +
      '<button class="submit" type="submit" disabled>Send rating</button>';
    var set = form.querySelector("fieldset"), submit = form.querySelector(".submit"), score = 0;
    var labels = ["Very poor", "Poor", "OK", "Good", "Excellent"];
    labels.forEach(function (label, i) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "score";
      b.textContent = String(i + 1);
      b.setAttribute("aria-label", "Rate " + (i + 1) + " of 5: " + label);
      b.setAttribute("aria-pressed", "false");
      b.addEventListener("click", function () {
        score = i + 1;
        set.querySelectorAll(".score").forEach(function (o) { o.setAttribute("aria-pressed", String(o === b)); });
        submit.disabled = false;
      });
      set.appendChild(b);
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (!score) return;
      submit.disabled = true;
      var comment = form.querySelector("textarea").value.trim();
      var body = comment ? { score: score, comment: comment } : { score: score };
      api("POST", convPath(c, "/rating"), body, auth(c)).then(function () {
        form.remove();
        addMessage("system", "Thank you for your feedback!");
      }, function (err) {
        form.remove();
        addMessage("system", err.status === 409 ? "You already rated this conversation. Thank you!" :
          "Your rating could not be sent (" + err.message + ").");
      });
    });
    log.appendChild(form);
    scrollDown();
  }

  // A person's name for the customer; internal ids ("user:<uuid>") are not shown.
  function displayName(name) {
    return name && !/^[\w-]+:|[0-9a-f]{8}-[0-9a-f]{4}-/i.test(name) ? name : "";
  }

  // One item pushed over the WebSocket or listed by the REST API.
  function onServerMessage(m) {
    if (m.type === "typing") { if (!handoff) showTyping(true); return; } // a person types in their own time
    if (m.type === "error") {
      showTyping(false);
      pending.shift();
      addMessage("system", "Not sent: " + ((m.error && m.error.message) || "something went wrong") + ".");
      return;
    }
    if (typeof m.seq === "number" && conv) {
      if (m.seq <= conv.seq) return; // already shown
      conv.seq = m.seq;
      save();
    }
    quiet = typeof m.seq === "number" && m.seq <= replayedUpTo;
    if (m.type === "reply") onReply(m);
    else if (m.type === "agent_message") { showTyping(false); addMessage("agent", m.text, { name: displayName(m.agent) }); }
    else if (m.type === "event" && m.event) onEvent(m.event);
    quiet = false;
  }

  // ---- transport ----------------------------------------------------------------------
  var ws = null, connected = false, attempts = 0, retryTimer = 0, creating = null;

  function api(method, path, body, headers) {
    var init = { method: method, headers: headers };
    if (body) { headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    return fetch(base + path, init).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) {
          var err = new Error((data.error && data.error.message) || "HTTP " + r.status);
          err.status = r.status;
          throw err;
        }
        return data;
      });
    });
  }
  function convPath(c, rest) { return "/" + encodeURIComponent(c.id) + rest; }
  function auth(c) { return { Authorization: "Bearer " + c.token }; }

  function ensureConversation() {
    if (conv) return Promise.resolve(conv);
    if (!creating) {
      creating = api("POST", "", {}, { "X-Concierge-Key": key }).then(function (d) {
        conv = { id: d.conversation_id, token: d.token, seq: 0 };
        save();
        creating = null;
        connect();
        return conv;
      }, function (e) { creating = null; throw e; });
    }
    return creating;
  }

  // REST catch-up: whatever was stored after the last item shown.
  function catchUp() {
    var c = conv;
    if (!c) return Promise.resolve();
    return api("GET", convPath(c, "/items?after=" + c.seq), null, auth(c)).then(function (d) {
      if (c === conv) (d.items || []).forEach(onServerMessage);
    }, function (e) {
      if (e.status === 401 || e.status === 404) forget();
      throw e;
    });
  }

  function connect() {
    if (!conv || ws || !window.WebSocket) return;
    clearTimeout(retryTimer);
    var url = base.replace(/^http/, "ws") + convPath(conv, "/ws?token=" + encodeURIComponent(conv.token) + "&after=" + conv.seq);
    var sock = (ws = new WebSocket(url));
    var openedAt = 0;
    sock.onopen = function () {
      connected = true;
      openedAt = Date.now();
      setStatus();
    };
    sock.onmessage = function (ev) {
      var m;
      try { m = JSON.parse(ev.data); } catch (e) { return; }
      onServerMessage(m);
    };
    sock.onclose = function () {
      ws = null;
      connected = false;
      setStatus();
      if (!conv) return;
      // A socket that stayed up a while reconnects at once; one that failed to open, or
      // dropped right away, backs off exponentially (up to 30 s, with jitter).
      attempts = openedAt && Date.now() - openedAt > 5000 ? 0 : attempts + 1;
      var unsent = pending.slice();
      // Show through REST what the socket would have replayed (this also finds out
      // whether the conversation is gone), then offer to resend what did not arrive.
      catchUp().then(function () {
        unsent.filter(function (t) { return pending.indexOf(t) >= 0; }).forEach(offerResend);
      }, function () {});
      var delay = attempts ? Math.min(30000, 500 * Math.pow(2, attempts)) * (0.75 + Math.random() / 2) : 250;
      retryTimer = setTimeout(connect, delay);
    };
  }

  // A message sent just before the socket dropped and not stored: let the customer resend it.
  function offerResend(text) {
    pending.splice(pending.indexOf(text), 1);
    showTyping(false);
    addMessage("system", "Your message \u201c" + text + "\u201d may not have arrived.");
    addQuick([{ title: "Send again", payload: text, shown: text }]);
  }

  // The stored conversation is gone or its token refused: the next message starts a new one.
  function forget() {
    conv = null;
    try { localStorage.removeItem(storeKey); } catch (e) { /* private mode */ }
    clearTimeout(retryTimer);
    if (ws) ws.close();
    setStatus();
  }

  function send(text, shown) {
    text = String(text).trim();
    if (!text) return;
    clearQuick();
    addMessage("user", shown || text);
    if (!handoff) showTyping(true);
    ensureConversation().then(function (c) {
      pending.push(text);
      if (ws && connected && ws.readyState === 1) {
        ws.send(JSON.stringify({ type: "message", text: text }));
        return;
      }
      return api("POST", convPath(c, "/messages"), { text: text }, auth(c)).then(function (turn) {
        return catchUp().catch(function () {
          // Could not list the stored items: show the turn as the messages endpoint gave it.
          pending.splice(pending.indexOf(text), 1);
          (turn.events || []).forEach(function (e) { if (e.type !== "user_message") onEvent(e); });
          (turn.replies || []).forEach(onReply);
          if (conv && turn.seq > conv.seq) { conv.seq = turn.seq; save(); }
        });
      }, function (e) {
        pending.splice(pending.indexOf(text), 1);
        throw e;
      });
    }).catch(function (e) {
      showTyping(false);
      if (e.status === 401 || e.status === 404) forget();
      addMessage("system", "Your message could not be sent (" + e.message + "). Please try again.");
    });
  }

  // ---- opening and closing ------------------------------------------------------------
  function open() {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    unreadCount = 0;
    unread.hidden = true;
    launcher.setAttribute("aria-label", "Chat with " + title);
    setStatus();
    input.focus();
    scrollDown();
    ensureConversation().catch(function (e) {
      addMessage("system", "The chat is unavailable right now (" + e.message + ").");
    });
  }
  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  launcher.addEventListener("click", function () { if (panel.hidden) open(); else close(); });
  $(".close").addEventListener("click", close);
  root.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && !panel.hidden) { e.preventDefault(); close(); }
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value;
    input.value = "";
    send(text);
  });

  function mount() {
    document.body.appendChild(host);
    if (conv) connect(); // restore: replay the stored conversation from the start
  }
  if (conv) conv.seq = 0;
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
