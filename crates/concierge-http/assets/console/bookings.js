// The bookings page (admins): a day or a week of bookings, one row per
// staff member and day, in the browser's time zone; a booking moved to a
// new start (and staff member) or cancelled. Moves and cancels go through
// the store's atomic checks, so a taken slot is refused and nothing changes.

import { api, el } from "./session.js";

const $ = (id) => document.getElementById(id);
const DAY_MS = 24 * 60 * 60 * 1000;
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const time = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dayName = new Intl.DateTimeFormat(undefined, { weekday: "long", day: "numeric", month: "long" });

let services = new Map();
let staff = new Map();
let bookings = [];

/** Local midnight of the date input's day. */
function firstDay() {
  const [y, m, d] = $("bk-date").value.split("-").map(Number);
  return new Date(y, m - 1, d);
}

/** The days shown: one, or the seven from the chosen day. */
function days() {
  const count = $("bk-span").value === "week" ? 7 : 1;
  const first = firstDay();
  return Array.from({ length: count }, (_, i) => new Date(first.getFullYear(), first.getMonth(), first.getDate() + i));
}

/** `YYYY-MM-DDTHH:MM` of a date in local time, as datetime-local inputs take it. */
function localInput(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function bookingItem(b) {
  const start = new Date(b.start);
  const active = b.status === "confirmed" || b.status === "held";
  const label = `${time.format(start)}–${time.format(new Date(b.end))} ${services.get(b.service) || b.service}, ${b.customer.name}`;
  const parts = active
    ? [
        el("button", { type: "button", text: "Move…", "aria-label": `Move ${label}`, onclick: () => startMove(b) }),
        el("button", { type: "button", text: "Cancel", "aria-label": `Cancel ${label}`, onclick: () => cancel(b, label) }),
      ]
    : [el("span", { class: "status", text: ` (${b.status})` })];
  return el("li", { class: `booking ${b.status}` }, el("span", { text: label }), ...parts);
}

function render() {
  const who = $("bk-staff").value;
  // Staff of the catalog, and anyone else the bookings shown name.
  const everyone = new Map(staff);
  for (const b of bookings) if (!everyone.has(b.staff)) everyone.set(b.staff, b.staff);
  const people = [...everyone.entries()].filter(([id]) => !who || id === who);
  const shown = days();
  $("bk-days").replaceChildren(
    ...shown.map((day) => {
      const next = new Date(day.getTime() + DAY_MS);
      const ofDay = bookings.filter((b) => new Date(b.start) >= day && new Date(b.start) < next);
      const headingId = `bk-day-${day.getTime()}`;
      return el(
        "section",
        { class: "bk-day", "aria-labelledby": headingId },
        el("h3", { id: headingId, text: dayName.format(day) }),
        el(
          "table",
          {},
          el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Staff" }), el("th", { scope: "col", text: "Bookings" }))),
          el(
            "tbody",
            {},
            ...people.map(([id, name]) => {
              const theirs = ofDay.filter((b) => b.staff === id).sort((a, b) => a.start.localeCompare(b.start));
              return el(
                "tr",
                {},
                el("th", { scope: "row", text: name }),
                el("td", {}, theirs.length ? el("ul", {}, ...theirs.map(bookingItem)) : el("span", { class: "muted", text: "Free" })),
              );
            }),
          ),
        ),
      );
    }),
  );
  const count = bookings.filter((b) => b.status === "confirmed" || b.status === "held").length;
  $("bk-count").textContent = `${count} active booking${count === 1 ? "" : "s"} shown, times in ${zone}`;
}

/** Loads services, staff and the bookings of the days shown. */
export async function loadBookings() {
  $("bk-error").textContent = "";
  if (!$("bk-date").value) $("bk-date").value = localInput(new Date()).slice(0, 10);
  try {
    const [serviceList, staffList] = await Promise.all([api("GET", "/v1/admin/services"), api("GET", "/v1/admin/staff")]);
    services = new Map(serviceList.services.map((s) => [s.id, s.name]));
    staff = new Map(staffList.staff.map((s) => [s.id, s.name]));
    const chosen = $("bk-staff").value;
    $("bk-staff").replaceChildren(
      el("option", { value: "", text: "Everyone" }),
      ...[...staff.entries()].map(([id, name]) => el("option", { value: id, text: name })),
    );
    $("bk-staff").value = staff.has(chosen) ? chosen : "";

    const shown = days();
    const from = shown[0].toISOString();
    const to = new Date(shown[shown.length - 1].getTime() + DAY_MS).toISOString();
    bookings = (await api("GET", `/v1/admin/bookings?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`)).bookings;
    render();
  } catch (err) {
    $("bk-error").textContent = err.message;
  }
}

/** Opens the move form for a booking. */
function startMove(b) {
  $("bk-move").hidden = false;
  $("bk-move").dataset.id = b.id;
  const people = new Map(staff).set(b.staff, staff.get(b.staff) || b.staff);
  $("bk-move-staff").replaceChildren(...[...people.entries()].map(([id, name]) => el("option", { value: id, text: name })));
  $("bk-move-what").textContent = `${services.get(b.service) || b.service} for ${b.customer.name}, now ${dayName.format(new Date(b.start))} at ${time.format(new Date(b.start))}`;
  $("bk-move-start").value = localInput(new Date(b.start));
  $("bk-move-staff").value = b.staff;
  $("bk-move-status").textContent = "";
  $("bk-move-start").focus();
}

async function cancel(b, label) {
  if (!confirm(`Cancel ${label}?`)) return;
  try {
    await api("POST", `/v1/admin/bookings/${encodeURIComponent(b.id)}/cancel`);
    $("bk-status").textContent = `Cancelled: ${label}.`;
    await loadBookings();
  } catch (err) {
    $("bk-error").textContent = err.message;
  }
}

$("bk-range").addEventListener("submit", (event) => {
  event.preventDefault();
  loadBookings();
});
$("bk-staff").addEventListener("change", render);

$("bk-move").addEventListener("submit", async (event) => {
  event.preventDefault();
  const id = $("bk-move").dataset.id;
  const start = new Date($("bk-move-start").value);
  try {
    const moved = await api("POST", `/v1/admin/bookings/${encodeURIComponent(id)}/move`, {
      start: start.toISOString(),
      staff: $("bk-move-staff").value,
    });
    $("bk-move").hidden = true;
    $("bk-status").textContent = `Moved to ${dayName.format(new Date(moved.start))} at ${time.format(new Date(moved.start))} with ${staff.get(moved.staff) || moved.staff}; new reference ${moved.reference}.`;
    await loadBookings();
  } catch (err) {
    $("bk-move-status").textContent = err.message;
  }
});
$("bk-move-close").addEventListener("click", () => {
  $("bk-move").hidden = true;
});
