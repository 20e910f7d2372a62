// The helpdesk page's half of the sandbox's Zoho Desk SDK stand-in, served at
// /__zoho/host.js: it answers the widget iframe's ZOHODESK calls (see /__zoho/sdk.js)
// from the page's context (the hidden #zohodesk-context element) and sends
// ZOHODESK.request to the helpdesk's own proxy, POST /__zoho/request, and
// ZOHODESK.set("extension.config", ...) to POST /__zoho/config, with the agent's session
// cookie, as Zoho Desk's web app does. Only the widget's origin is answered.
(function () {
  "use strict";
  var element = document.getElementById("zohodesk-context");
  if (!element) return;
  var context = JSON.parse(element.getAttribute("data-context"));

  window.addEventListener("message", function (event) {
    if (event.origin !== context.widgetOrigin) return;
    var message = event.data;
    if (!message || typeof message.zohodesk !== "string") return;
    function reply(ok, value) {
      event.source.postMessage({ zohodeskReply: message.id, ok: ok, value: value }, event.origin);
    }
    if (message.zohodesk === "onload") {
      reply(true, { location: context.location, locale: "en", meta: { dcType: "US" } });
    } else if (message.zohodesk === "get") {
      var key = String(message.payload);
      if (Object.prototype.hasOwnProperty.call(context.values, key)) {
        var answer = {};
        answer[key] = context.values[key];
        reply(true, answer);
      } else {
        reply(false, { errMsg: "No such key in this location: " + key });
      }
    } else if (message.zohodesk === "set") {
      var payload = message.payload || {};
      if (payload.key !== "extension.config") {
        reply(false, { errMsg: "Cannot set " + payload.key });
        return;
      }
      fetch("/__zoho/config", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(payload.value || {}),
      })
        .then(function (response) {
          return response.json().then(function (answer) {
            reply(response.ok, answer);
          });
        })
        .catch(function (error) {
          reply(false, { errMsg: String(error) });
        });
    } else if (message.zohodesk === "request") {
      fetch("/__zoho/request", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(message.payload || {}),
      })
        .then(function (response) {
          return response.text();
        })
        .then(function (text) {
          var wrapped = JSON.parse(text);
          reply(typeof wrapped.response === "string", text);
        })
        .catch(function (error) {
          reply(false, JSON.stringify({ status: "false", statusMessage: String(error) }));
        });
    }
  });
})();
