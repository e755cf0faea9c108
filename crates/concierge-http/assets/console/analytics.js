// The analytics page: the business's figures over a range of days, a
// chart drawn with the vendored uPlot (a global from /console/uplot.js),
// top intents, and unanswered questions one click from a knowledge entry.

import { api } from "./session.js";

const $ = (id) => document.getElementById(id);

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

/** Loads the report for the chosen days (the last 30 when none are chosen). */
export async function loadAnalytics() {
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

$("range").addEventListener("submit", (event) => {
  event.preventDefault();
  loadAnalytics();
});
