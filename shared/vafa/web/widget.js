/* Vafa wallet widget: the signed-in customer's balance and what expires when. Paste on the shop's pages:
 *   <div id="vafa-wallet"></div>   (optional: where it goes; otherwise right after the script tag)
 *   <script src="https://<your-vafa-api>/widget.js" async
 *           data-api="https://<your-vafa-api>" data-site-key="vafa_pk_…"
 *           data-customer-token="<minted by the shop's server for the signed-in customer>"
 *           data-target="#vafa-wallet" data-lang="fa"></script>
 * Persian, right to left, unless data-lang="en"; the reader can switch. Without a customer token (a
 * visitor who is not signed in) it shows nothing. Everything it draws sits in a shadow root, so the
 * theme's styles cannot reach it and its styles cannot leak into the theme. No framework. */
(function () {
  "use strict";
  var script = document.currentScript;
  function attr(name) { return script ? script.getAttribute(name) : null; }
  var config = {
    api: (attr("data-api") || (script && script.src ? new URL(script.src).origin : "")).replace(/\/$/, ""),
    siteKey: attr("data-site-key"),
    token: attr("data-customer-token"),
    target: attr("data-target"),
    lang: attr("data-lang") === "en" ? "en" : "fa"
  };
  var TEXT = {
    fa: {title: "کیف پول شما", balance: "موجودی", expiring: "اعتبار رو به پایان", until: "تا",
         none: "اعتباری رو به پایان ندارید.", other: "English", error: "کیف پول در دسترس نیست."},
    en: {title: "Your wallet", balance: "Balance", expiring: "Expiring credit", until: "by",
         none: "Nothing is about to expire.", other: "فارسی", error: "The wallet is not available."}
  };
  var STYLE = [
    ":host{all:initial;display:block}",
    ".card{box-sizing:border-box;max-width:22rem;margin:.5rem 0;padding:1rem 1.1rem;border-radius:.75rem;",
    "background:#fff;color:#1f2933;border:1px solid #d9e2ec;box-shadow:0 1px 3px rgba(0,0,0,.08);",
    "font:400 15px/1.7 Vazirmatn,Tahoma,'Segoe UI',system-ui,sans-serif}",
    ".card[dir=rtl]{text-align:right}.card[dir=ltr]{text-align:left}",
    ".head{display:flex;align-items:center;justify-content:space-between;gap:.5rem}",
    "h2{margin:0;font-size:1rem;font-weight:700;color:#102a43}",
    "button{font:inherit;font-size:.8rem;padding:.1rem .6rem;border:1px solid #bcccdc;border-radius:1rem;",
    "background:#f0f4f8;color:#243b53;cursor:pointer}button:hover{background:#d9e2ec}",
    ".label{margin:.6rem 0 0;font-size:.85rem;color:#627d98}",
    ".balance{margin:0;font-size:1.6rem;font-weight:700;color:#0b7a4b}",
    "ul{list-style:none;margin:.25rem 0 0;padding:0}",
    "li{display:flex;justify-content:space-between;gap:.75rem;padding:.3rem 0;border-top:1px dashed #d9e2ec}",
    ".amount{font-weight:700;color:#b44d12}.when{color:#486581}.muted{color:#829ab1;font-size:.85rem;margin:.25rem 0 0}"
  ].join("");

  function visitorId() {
    try { return window.localStorage.getItem("vafa_visitor_id"); } catch (e) { return null; }
  }

  function load(lang) {
    var query = "?locale=" + lang;
    var visitor = visitorId();
    if (visitor && /^[A-Za-z0-9_-]{8,64}$/.test(visitor)) query += "&visitor_id=" + visitor;
    return fetch(config.api + "/v1/me" + query, {
      headers: {"X-Site-Key": config.siteKey, "X-Customer-Token": config.token}
    }).then(function (r) {
      if (!r.ok) throw new Error("Vafa /v1/me answered " + r.status);
      return r.json();
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;  /* text only: nothing from the API is parsed as HTML */
    return node;
  }

  function draw(root, me, lang) {
    var t = TEXT[lang];
    var card = el("section", "card");
    card.setAttribute("dir", lang === "fa" ? "rtl" : "ltr");
    card.setAttribute("lang", lang);
    var head = el("div", "head");
    head.appendChild(el("h2", "", t.title));
    var other = el("button", "switch", t.other);
    other.type = "button";
    other.setAttribute("lang", lang === "fa" ? "en" : "fa");
    other.addEventListener("click", function () { show(root, lang === "fa" ? "en" : "fa"); });
    head.appendChild(other);
    card.appendChild(head);
    if (!me) {
      card.appendChild(el("p", "muted", t.error));
    } else {
      card.appendChild(el("p", "label", t.balance));
      card.appendChild(el("p", "balance", me.display.balance));
      card.appendChild(el("p", "label", t.expiring));
      if (!me.display.expiring.length) card.appendChild(el("p", "muted", t.none));
      var list = el("ul");
      me.display.expiring.forEach(function (lot) {
        var row = el("li");
        row.appendChild(el("span", "amount", lot.amount));
        row.appendChild(el("span", "when", t.until + " " + lot.expires_at));
        list.appendChild(row);
      });
      if (me.display.expiring.length) card.appendChild(list);
    }
    root.replaceChildren(styleNode(), card);
  }

  function styleNode() { return el("style", "", STYLE); }

  function show(root, lang) {
    return load(lang).then(function (me) { draw(root, me, lang); return me; },
                           function (error) { draw(root, null, lang); throw error; });
  }

  function mount() {
    if (!config.siteKey || !config.token) return Promise.resolve(null);  /* not signed in: nothing to show */
    var host = config.target ? document.querySelector(config.target) : null;
    if (!host) {
      host = document.createElement("div");
      if (script && script.parentNode) script.parentNode.insertBefore(host, script.nextSibling);
      else document.body.appendChild(host);
    }
    host.setAttribute("data-vafa-widget", "");
    var root = host.shadowRoot || host.attachShadow({mode: "open"});
    return show(root, config.lang).catch(function () { return null; });
  }

  var ready = document.readyState === "loading"
    ? new Promise(function (resolve) { document.addEventListener("DOMContentLoaded", resolve); }).then(mount)
    : mount();
  window.VafaWallet = {ready: ready};
})();
