/* Vafa web push subscription snippet. Paste on pages where a signed-in customer is known:
 *   <script src="https://<your-vafa-api>/vafa-subscribe.js" async
 *           data-api="https://<your-vafa-api>" data-site-key="vafa_pk_…"
 *           data-customer-id="<the shop's customer id>" data-sw="/vafa-sw.js"></script>
 * data-sw-scope (optional) registers the worker for another scope, e.g. "/" for a worker kept in a folder.
 * With data-customer-id it asks once the page has loaded; without it, call
 * window.Vafa.subscribe("<customer id>") yourself, e.g. from a "notify me" button (browsers only
 * show the permission prompt after a user gesture on some platforms). */
(function () {
  "use strict";
  var script = document.currentScript;
  var config = {
    api: (script && script.getAttribute("data-api")) || (script && script.src ? new URL(script.src).origin : ""),
    siteKey: script && script.getAttribute("data-site-key"),
    customerId: script && script.getAttribute("data-customer-id"),
    sw: (script && script.getAttribute("data-sw")) || "/vafa-sw.js",
    scope: script && script.getAttribute("data-sw-scope")
  };

  function urlBase64ToUint8Array(text) {
    var padded = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function call(path, options) {
    options = options || {};
    options.headers = Object.assign({"X-Site-Key": config.siteKey}, options.headers || {});
    return fetch(config.api.replace(/\/$/, "") + path, options).then(function (r) {
      if (!r.ok) throw new Error("Vafa " + path + " answered " + r.status);
      return r.json();
    });
  }

  function registration() {
    return navigator.serviceWorker.getRegistration().then(function (existing) {
      return existing || navigator.serviceWorker.register(config.sw, config.scope ? {scope: config.scope} : undefined);
    }).then(function () { return navigator.serviceWorker.ready; });
  }

  function subscribe(customerId) {
    if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
      return Promise.resolve({subscribed: false, reason: "unsupported"});
    }
    if (!config.siteKey || !customerId) return Promise.reject(new Error("Vafa: data-site-key and a customer id are needed"));
    return Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") return {subscribed: false, reason: permission};
      return Promise.all([registration(), call("/v1/push/vapid-public-key")]).then(function (both) {
        var reg = both[0], key = urlBase64ToUint8Array(both[1].public_key);
        return reg.pushManager.getSubscription().then(function (current) {
          return current || reg.pushManager.subscribe({userVisibleOnly: true, applicationServerKey: key});
        });
      }).then(function (subscription) {
        var body = Object.assign({customer_id: String(customerId)}, subscription.toJSON());
        return call("/v1/push-subscriptions", {
          method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)
        }).then(function () { return {subscribed: true}; });
      });
    });
  }

  window.Vafa = Object.assign(window.Vafa || {}, {subscribe: subscribe});
  if (config.customerId) {
    if (document.readyState === "complete") subscribe(config.customerId).catch(function () {});
    else window.addEventListener("load", function () { subscribe(config.customerId).catch(function () {}); });
  }
})();
