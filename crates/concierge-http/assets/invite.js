// The invitation page: the token is in the link's fragment (never sent to
// a server or written to its logs); the chosen password is posted with it
// to /v1/auth/console/invites/accept, which sets it and opens a console
// session (its refresh token in an HttpOnly cookie), and the page moves on
// to the console, logged in.
(function () {
  "use strict";
  var token = decodeURIComponent(location.hash.replace(/^#/, ""));
  var form = document.getElementById("invite");
  var error = document.getElementById("error");
  var done = document.getElementById("done");
  // Keep the token out of the address bar and the history once read.
  history.replaceState(null, "", location.pathname);
  if (!token) {
    error.textContent = "This link has no invitation in it. Ask for a new invitation link.";
    form.querySelector("button").disabled = true;
    return;
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var password = form.password.value;
    error.textContent = "";
    if (password.length < 10) {
      error.textContent = "Choose a password of at least 10 characters.";
      form.password.focus();
      return;
    }
    if (password !== form.confirm.value) {
      error.textContent = "The two passwords are not the same.";
      form.confirm.focus();
      return;
    }
    form.querySelector("button").disabled = true;
    fetch("/v1/auth/console/invites/accept", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-Concierge-CSRF": "1" },
      body: JSON.stringify({ token: token, password: password })
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (!result.ok) {
        error.textContent = (result.body && result.body.error && result.body.error.message) || "The password could not be set.";
        form.querySelector("button").disabled = false;
        return;
      }
      form.hidden = true;
      done.hidden = false;
      done.textContent = "Your password is set. Opening the console…";
      location.assign("/console");
    }).catch(function () {
      error.textContent = "The server could not be reached. Try again.";
      form.querySelector("button").disabled = false;
    });
  });
})();
