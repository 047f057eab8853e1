/* Vafa web push subscription snippet. Paste on the shop's pages:
 *   <script src="https://<your-vafa-api>/vafa-subscribe.js" async
 *           data-api="https://<your-vafa-api>" data-site-key="vafa_pk_…"
 *           data-customer-token="<minted by the shop's server for the signed-in customer>"
 *           data-sw="/vafa-sw.js"></script>
 * The site key is public: on its own it only lets this browser subscribe anonymously, under a visitor
 * id the snippet keeps in localStorage (window.Vafa.visitorId()). For a signed-in customer the shop's
 * server mints a customer token (POST /v1/customers/{id}/token with the secret key) and prints it in
 * data-customer-token; only then is the subscription bound to that customer.
 * With data-subscribe="auto" it asks once the page has loaded; otherwise call
 * window.Vafa.subscribe() yourself, e.g. from a "notify me" button (browsers only show the permission
 * prompt after a user gesture on some platforms). data-sw-scope (optional) registers the worker for
 * another scope, e.g. "/" for a worker kept in a folder.
 * Events: window.Vafa.track(type, {product: {sku, name, price}, query}) tells Vafa what the visitor
 * did (page_viewed, product_viewed, searched, added_to_cart, checkout_started). With data-track="auto"
 * the snippet sends one event when the page loads: product_viewed when the tag carries
 * data-product-sku (and optionally data-product-name, data-product-price), else page_viewed. */
(function () {
  "use strict";
  var script = document.currentScript;
  function attr(name) { return script ? script.getAttribute(name) : null; }
  var config = {
    api: attr("data-api") || (script && script.src ? new URL(script.src).origin : ""),
    siteKey: attr("data-site-key"),
    customerToken: attr("data-customer-token"),
    sw: attr("data-sw") || "/vafa-sw.js",
    scope: attr("data-sw-scope"),
    track: attr("data-track"),
    product: attr("data-product-sku") ? {
      sku: attr("data-product-sku"),
      name: attr("data-product-name") || undefined,
      price: attr("data-product-price") ? Number(attr("data-product-price")) : undefined
    } : null
  };
  var STORAGE_KEY = "vafa_visitor_id";
  var memoryVisitor = null;

  function newVisitorId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    var text = "";
    for (var i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  /* One id per browser, kept across pages; the shop links it to a customer at sign-in. */
  function visitorId() {
    try {
      var kept = window.localStorage.getItem(STORAGE_KEY);
      if (kept && /^[A-Za-z0-9_-]{8,64}$/.test(kept)) return kept;
      kept = newVisitorId();
      window.localStorage.setItem(STORAGE_KEY, kept);
      return kept;
    } catch (e) { /* storage blocked: this page view only */
      memoryVisitor = memoryVisitor || newVisitorId();
      return memoryVisitor;
    }
  }

  function urlBase64ToUint8Array(text) {
    var padded = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function call(path, options, token) {
    options = options || {};
    var headers = {"X-Site-Key": config.siteKey};
    if (token) headers["X-Customer-Token"] = token;
    options.headers = Object.assign(headers, options.headers || {});
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

  /* options.customerToken overrides data-customer-token (e.g. a token fetched after sign-in). */
  function subscribe(options) {
    var token = (options && options.customerToken) || config.customerToken;
    if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
      return Promise.resolve({subscribed: false, reason: "unsupported"});
    }
    if (!config.siteKey) return Promise.reject(new Error("Vafa: data-site-key is needed"));
    return Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") return {subscribed: false, reason: permission};
      return Promise.all([registration(), call("/v1/push/vapid-public-key")]).then(function (both) {
        var reg = both[0], key = urlBase64ToUint8Array(both[1].public_key);
        return reg.pushManager.getSubscription().then(function (current) {
          return current || reg.pushManager.subscribe({userVisibleOnly: true, applicationServerKey: key});
        });
      }).then(function (subscription) {
        var body = Object.assign({visitor_id: visitorId()}, subscription.toJSON());
        return call("/v1/push-subscriptions", {
          method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)
        }, token).then(function (saved) {
          return {subscribed: true, customer_id: saved.customer_id, visitor_id: saved.visitor_id};
        });
      });
    });
  }

  /* The page's address as Vafa checks it (http(s), no fragment, at most 2000 characters), or none. */
  function pageUrl() {
    var href = String(window.location.href).split("#")[0];
    return /^https?:\/\//.test(href) && href.length <= 2000 ? href : undefined;
  }

  /* One event; resolves to Vafa's answer, rejects when Vafa refused it (e.g. 429 when too many). */
  function track(type, details) {
    details = details || {};
    if (!config.siteKey) return Promise.reject(new Error("Vafa: data-site-key is needed"));
    var body = {visitor_id: visitorId(), type: type, url: details.url || pageUrl()};
    if (details.product) body.product = details.product;
    if (details.query) body.query = details.query;
    return call("/v1/events", {
      method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)
    }, details.customerToken || config.customerToken);
  }

  window.Vafa = Object.assign(window.Vafa || {}, {subscribe: subscribe, visitorId: visitorId, track: track});
  if (config.track === "auto") {
    var first = config.product ? track("product_viewed", {product: config.product}) : track("page_viewed");
    first.catch(function () {});
  }
  if (attr("data-subscribe") === "auto") {
    var start = function () { subscribe().catch(function () {}); };
    if (document.readyState === "complete") start();
    else window.addEventListener("load", start);
  }
})();
