// Live updates: the notifications service's inbox stream (Server-Sent Events, through the gateway's /api door).
// A new notification bumps the unread count, is announced to screen readers, and the page's live regions
// ([data-live-region] with an id) are fetched again, so a partner's change appears without reloading; forms then
// carry the plan version shown (If-Match), so acting after seeing the partner's change is not refused as stale.
(function () {
  "use strict";
  var body = document.body;
  if (body.dataset.live !== "on" || !window.EventSource) { return; }
  var status = document.getElementById("live-status");
  var unread = null;
  var pending = null;

  function setUnread(n) {
    unread = n;
    document.querySelectorAll("#unread-count, [data-unread]").forEach(function (el) { el.textContent = String(n); });
  }

  function refresh() {
    if (pending) { clearTimeout(pending); }
    pending = setTimeout(function () {
      pending = null;
      fetch(window.location.href, { credentials: "same-origin", headers: { "X-Live-Refresh": "1" } })
        .then(function (answer) { return answer.ok ? answer.text() : null; })
        .then(function (html) {
          if (!html) { return; }
          var fresh = new DOMParser().parseFromString(html, "text/html");
          document.querySelectorAll("[data-live-region][id]").forEach(function (region) {
            var next = fresh.getElementById(region.id);
            if (next) { region.innerHTML = next.innerHTML; }
          });
          // The forms now act on the plan version just shown (the partner's change is on the screen).
          var version = fresh.querySelector("input[name=version]");
          if (version) {
            document.querySelectorAll("input[name=version]").forEach(function (input) { input.value = version.value; });
          }
          body.dataset.liveRefreshed = String(Number(body.dataset.liveRefreshed || "0") + 1);
        });
    }, 250);
  }

  var source = new EventSource("/api/notifications/inbox/stream");
  source.addEventListener("ready", function (event) {
    setUnread(JSON.parse(event.data).unread);
    body.dataset.liveConnected = "true";
  });
  source.addEventListener("notification", function (event) {
    var item = JSON.parse(event.data);
    setUnread((unread || 0) + 1);
    if (status) { status.textContent = item.title; }
    var client = body.dataset.clientId;
    if (!client || !item.client_id || item.client_id === client) { refresh(); }
  });
  source.onerror = function () { body.dataset.liveConnected = "false"; };
})();
