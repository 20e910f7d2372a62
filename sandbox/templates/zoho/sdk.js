// The sandbox's stand-in for Zoho Desk's JS SDK (ZohoDeskClientSDK.min.js), served at
// /__zoho/sdk.js for an extension's widget page. As in Zoho Desk, the widget runs in an
// iframe and asks the helpdesk page around it for everything: ZOHODESK.extension.onload()
// resolves to the App object, ZOHODESK.get(key) to {key: value} ("ticket.email", "user",
// "portal.id", ...), ZOHODESK.set("extension.config", {name, value}) sets a parameter the
// extension declares and the admin does not type ("Set param values"), and
// ZOHODESK.request(reqObj) to the proxy's answer as text, which
// the helpdesk page (host.js) gets from its own server, where the secure parameters and
// the connection's OAuth token are added. A refusal rejects with the proxy's answer as
// text, as Zoho's does.
(function () {
  "use strict";
  var pending = {};
  var last = 0;

  // Every call is a promise of its own, answered by its id, so calls made at once are
  // answered independently, in any order (Zoho Desk extension guide, "Global Methods":
  // each ZOHODESK.get(key) resolves to {key: value}).
  function ask(kind, payload) {
    return new Promise(function (resolve, reject) {
      last += 1;
      pending[last] = { kind: kind, resolve: resolve, reject: reject };
      mark(kind);
      window.parent.postMessage({ zohodesk: kind, id: last, payload: payload }, "*");
    });
  }

  // A User Timing mark for each call asked and answered, which `cargo xtask bench widget`
  // reads to place the SDK's calls in a page load (the sandbox's own: Zoho's SDK sets none).
  function mark(name) {
    if (window.performance && performance.mark) performance.mark("zohodesk " + name);
  }

  window.addEventListener("message", function (event) {
    if (event.source !== window.parent) return;
    var message = event.data;
    if (!message || typeof message.zohodeskReply !== "number") return;
    var waiting = pending[message.zohodeskReply];
    if (!waiting) return;
    delete pending[message.zohodeskReply];
    mark(waiting.kind + " answered");
    if (message.ok) {
      waiting.resolve(message.value);
    } else {
      waiting.reject(message.value);
    }
  });

  window.ZOHODESK = {
    extension: {
      onload: function () {
        return ask("onload");
      },
    },
    get: function (key) {
      return ask("get", key);
    },
    set: function (key, value) {
      return ask("set", { key: key, value: value });
    },
    request: function (reqObj) {
      return ask("request", reqObj);
    },
  };
})();
