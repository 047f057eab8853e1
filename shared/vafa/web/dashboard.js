/* Vafa merchant dashboard: plain ES2017, no dependencies, talks only to this origin's /v1 API. */
(function () {
  "use strict";

  var T = {
    fa: {
      title: "داشبورد باشگاه مشتریان", from: "از", to: "تا", refresh: "به‌روزرسانی", signout: "خروج",
      signin_title: "ورود به داشبورد",
      signin_help: "کلید API فروشگاه را وارد کنید، یا با پیوند ورودی که از خط فرمان vafa dashboard-link گرفته‌اید وارد شوید.",
      key_placeholder: "کلید API", signin: "ورود",
      empty: "هنوز آماری محاسبه نشده است؛ پس از اجرای بعدی تابع metrics اعداد اینجا می‌آیند.",
      funnel: "قیف تعداد خرید", funnel_help: "چند مشتری به خرید دوم، سوم و … رسیده‌اند و کجا ریزش دارند.",
      gaps: "فاصلهٔ بین خریدها", cohorts: "ماندگاری گروه‌های ماهانه",
      cohorts_help: "هر سطر مشتریانی است که اولین خریدشان در آن ماه بوده؛ هر ستون درصدی که n ماه بعد دوباره خریده‌اند.",
      wallet: "کیف پول", segments: "بخش‌های مشتریان", messages: "پیام‌ها و کمپین‌ها",
      messages_help: "بازگشت: خریدی که پس از کلیک یا دریافت پیام آمد. اثر خالص: نرخ بازگشت گیرندگان منهای گروه شاهد.",
      new_campaign: "کمپین تازه", c_name: "نام کمپین", c_fa: "متن فارسی، مثلاً {name} عزیز، دلمان برایتان تنگ شده {link}",
      c_en: "متن انگلیسی (اختیاری)", send: "ارسال",
      as_of: "آخرین محاسبه: ", never: "هرگز",
      customers: "مشتریان", new: "مشتریان تازه", active_30d: "فعال ۳۰ روز اخیر", active_90d: "فعال ۹۰ روز اخیر",
      churned: "ریزش‌کرده", repeat: "نرخ خرید دوباره", return_30d: "بازگشت تا ۳۰ روز", return_60d: "بازگشت تا ۶۰ روز",
      return_90d: "بازگشت تا ۹۰ روز", aov: "میانگین سبد خرید", frequency: "دفعات خرید هر مشتری",
      ltv: "ارزش طول عمر", pltv: "ارزش پیش‌بینی‌شده", revenue: "فروش بازه", orders: "سفارش‌ها",
      purchase_n: "خرید ", drop: "ریزش ", median: "میانه: {n} روز", days: "روز",
      cohort: "گروه", size: "تعداد", month: "ماه ",
      earned: "به‌دست‌آمده", redeemed: "خرج‌شده", expired: "منقضی‌شده", reversed: "برگشت‌خورده", gifted: "هدیه",
      outstanding: "بدهی باز (مانده کیف پول‌ها)",
      kind: "پیام", sent: "ارسال", suppressed: "متوقف", clicked: "کلیک", converted: "بازگشت", lift: "اثر خالص",
      points: " واحد درصد", campaign: "کمپین: ",
      k_expiry_reminder: "یادآوری انقضای اعتبار", k_win_back: "بازگرداندن مشتری", k_birthday: "تبریک تولد",
      k_abandoned_cart: "سبد رهاشده", k_feedback_request: "درخواست نظر", k_campaign: "کمپین‌ها", k_purchase_thanks: "تشکر از خرید",
      s_all: "همه", s_champions: "قهرمانان", s_loyal: "وفاداران", s_promising: "امیدوارکننده", s_new: "تازه‌واردها",
      s_needs_attention: "نیازمند توجه", s_at_risk: "در خطر ریزش", s_hibernating: "خواب‌رفته", s_lost: "از دست رفته",
      s_prospects: "بدون خرید",
      created: "کمپین ثبت شد و در اجرای بعدی یادآورها ارسال می‌شود.", bad_key: "این کلید یا پیوند معتبر نیست."
    },
    en: {
      title: "Customer club dashboard", from: "From", to: "To", refresh: "Refresh", signout: "Sign out",
      signin_title: "Sign in to the dashboard",
      signin_help: "Enter the shop's API key, or open a sign-in link from `vafa dashboard-link`.",
      key_placeholder: "API key", signin: "Sign in",
      empty: "No metrics yet: the numbers appear after the next metrics run.",
      funnel: "Purchase-count funnel", funnel_help: "How many customers reach a 2nd, 3rd, … purchase, and where they drop off.",
      gaps: "Days between purchases", cohorts: "Monthly cohort retention",
      cohorts_help: "Each row is the customers whose first purchase fell in that month; each column the share who bought again n months later.",
      wallet: "Wallet", segments: "Customer segments", messages: "Messages and campaigns",
      messages_help: "Converted: a purchase after a click or a message. Lift: return rate of those messaged minus the holdout group's.",
      new_campaign: "New campaign", c_name: "Campaign name", c_fa: "Persian text, e.g. {name} عزیز …",
      c_en: "English text, e.g. We miss you, {name} {link}", send: "Send",
      as_of: "Last computed: ", never: "never",
      customers: "Customers", new: "New customers", active_30d: "Active, last 30 days", active_90d: "Active, last 90 days",
      churned: "Churned", repeat: "Repeat-purchase rate", return_30d: "Returned within 30 days", return_60d: "Returned within 60 days",
      return_90d: "Returned within 90 days", aov: "Average order value", frequency: "Purchases per customer",
      ltv: "Lifetime value", pltv: "Predicted lifetime value", revenue: "Revenue in range", orders: "Orders",
      purchase_n: "Purchase ", drop: "drop ", median: "Median: {n} days", days: "days",
      cohort: "Cohort", size: "Size", month: "Month ",
      earned: "Earned", redeemed: "Redeemed", expired: "Expired", reversed: "Reversed", gifted: "Gifted",
      outstanding: "Outstanding liability",
      kind: "Message", sent: "Sent", suppressed: "Suppressed", clicked: "Clicked", converted: "Converted", lift: "Lift",
      points: " pts", campaign: "Campaign: ",
      k_expiry_reminder: "Expiry reminder", k_win_back: "Win-back", k_birthday: "Birthday", k_abandoned_cart: "Abandoned cart",
      k_feedback_request: "Feedback request", k_campaign: "Campaigns", k_purchase_thanks: "Purchase thanks",
      s_all: "Everyone", s_champions: "Champions", s_loyal: "Loyal", s_promising: "Promising", s_new: "New",
      s_needs_attention: "Needs attention", s_at_risk: "At risk", s_hibernating: "Hibernating", s_lost: "Lost",
      s_prospects: "No purchase yet",
      created: "Campaign scheduled: it goes out on the next reminders run.", bad_key: "That key or link is not valid."
    }
  };

  var lang = localStorage.getItem("vafa.lang") === "en" ? "en" : "fa";
  var token = sessionStorage.getItem("vafa.token");
  var program = {currency: "IRR", display_unit: null, shop_name: ""};
  var last = null;

  function $(id) { return document.getElementById(id); }
  function t(key) { return (T[lang][key] !== undefined ? T[lang][key] : key); }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "style") node.style.cssText = attrs[k];  /* CSSOM: allowed by the page's strict CSP */
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { node.appendChild(c); });
    return node;
  }
  function locale() { return lang === "fa" ? "fa-IR" : "en-US"; }
  function num(n) { return new Intl.NumberFormat(locale(), {maximumFractionDigits: 2}).format(n); }
  function pct(x) { return new Intl.NumberFormat(locale(), {style: "percent", maximumFractionDigits: 1}).format(x || 0); }
  function money(amount) {
    var code = (program.currency || "IRR").toUpperCase();
    if (code === "IRR" || code === "IRT") {
      var unit = (program.display_unit || "IRT").toUpperCase();
      var shown = code === unit ? amount : (code === "IRR" ? Math.floor(amount / 10) : amount * 10);
      var name = unit === "IRT" ? (lang === "fa" ? "تومان" : "Toman") : (lang === "fa" ? "ریال" : "Rial");
      return num(shown) + " " + name;
    }
    return new Intl.NumberFormat(locale(), {minimumFractionDigits: 2}).format(amount / 100) + " " + code;
  }
  function day(iso) {
    var d = new Date(iso.length === 10 ? iso + "T12:00:00Z" : iso);
    var fmt = lang === "fa" ? "fa-IR-u-ca-persian" : "en-GB";
    return new Intl.DateTimeFormat(fmt, {year: "numeric", month: "long", day: "numeric", timeZone: "Asia/Tehran"}).format(d);
  }
  function monthLabel(ym) {
    var d = new Date(ym + "-01T12:00:00Z");
    if (lang === "fa") return new Intl.DateTimeFormat("fa-IR-u-ca-persian", {year: "numeric", month: "long", day: "numeric"}).format(d);
    return new Intl.DateTimeFormat("en-GB", {year: "numeric", month: "short"}).format(d);
  }

  function translate() {
    document.documentElement.lang = lang;
    document.documentElement.dir = lang === "fa" ? "rtl" : "ltr";
    document.title = (lang === "fa" ? "وفا · " : "Vafa · ") + t("title");
    document.querySelectorAll("[data-i18n]").forEach(function (n) { n.textContent = t(n.getAttribute("data-i18n")); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach(function (n) { n.placeholder = t(n.getAttribute("data-i18n-placeholder")); });
    $("lang").textContent = lang === "fa" ? "English" : "فارسی";
  }

  function api(path, options) {
    options = options || {};
    options.headers = Object.assign({"Authorization": "Bearer " + token}, options.headers || {});
    return fetch(path, options).then(function (r) {
      if (r.status === 401) { signOut(t("bad_key")); throw new Error("unauthorized"); }
      return r.json().then(function (body) { if (!r.ok) throw new Error((body.error && body.error.message) || r.status); return body; });
    });
  }

  function signOut(message) {
    token = null;
    sessionStorage.removeItem("vafa.token");
    $("board").hidden = true; $("signout").hidden = true; $("signin").hidden = false;
    $("signin-error").textContent = message || "";
  }

  function signedIn(value) {
    token = value;
    sessionStorage.setItem("vafa.token", value);
    $("signin").hidden = true; $("signout").hidden = false; $("board").hidden = false;
    load();
  }

  function stat(key, label, value) {
    return el("div", {"class": "stat", "data-testid": "stat-" + key}, [
      el("div", {"class": "label", text: label}), el("div", {"class": "value", text: value})]);
  }

  function renderCards(m) {
    var box = $("cards"); box.textContent = "";
    [["customers", t("customers"), num(m.customers.total)], ["new", t("new"), num(m.customers.new)],
     ["active_30d", t("active_30d"), num(m.customers.active_30d)], ["active_90d", t("active_90d"), num(m.customers.active_90d)],
     ["churned", t("churned"), num(m.customers.churned)], ["repeat", t("repeat"), pct(m.repeat_purchase_rate)],
     ["return_30d", t("return_30d"), pct(m.return_rate["30d"])], ["return_60d", t("return_60d"), pct(m.return_rate["60d"])],
     ["return_90d", t("return_90d"), pct(m.return_rate["90d"])], ["orders", t("orders"), num(m.orders || 0)],
     ["revenue", t("revenue"), money(m.revenue || 0)], ["aov", t("aov"), money(m.average_order_value)],
     ["frequency", t("frequency"), num(m.purchase_frequency)], ["ltv", t("ltv"), money(m.lifetime_value)],
     ["pltv", t("pltv"), money(m.predicted_lifetime_value || 0)]
    ].forEach(function (c) { box.appendChild(stat(c[0], c[1], c[2])); });
  }

  function renderFunnel(funnel) {
    var box = $("funnel"); box.textContent = "";
    var top = funnel[0] || 1;
    funnel.forEach(function (count, i) {
      var drop = i > 0 && funnel[i - 1] ? 1 - count / funnel[i - 1] : null;
      box.appendChild(el("div", {"class": "funnel-row", "data-testid": "funnel-" + (i + 1)}, [
        el("span", {text: t("purchase_n") + num(i + 1)}),
        el("div", {"class": "funnel-bar", style: "width:" + Math.max(2, 100 * count / top) + "%"}),
        el("span", {}, [el("b", {text: num(count)}), el("span", {"class": "drop", text: drop === null ? "" : "  " + t("drop") + pct(drop)})])
      ]));
    });
  }

  function renderHistogram(d) {
    $("median").textContent = t("median").replace("{n}", num(d.median));
    var box = $("histogram"); box.textContent = "";
    var bins = d.histogram, max = Math.max.apply(null, bins.map(function (b) { return b[2]; }).concat([1]));
    var w = 76, h = 150, ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 " + (bins.length * w) + " " + (h + 56));
    svg.setAttribute("width", "100%");
    bins.forEach(function (b, i) {
      var x = (lang === "fa" ? bins.length - 1 - i : i) * w, bh = Math.round(h * b[2] / max);
      var rect = document.createElementNS(ns, "rect");
      rect.setAttribute("x", x + 6); rect.setAttribute("y", 16 + h - bh); rect.setAttribute("width", w - 12);
      rect.setAttribute("height", bh); rect.setAttribute("rx", 4); rect.setAttribute("fill", "#14b8a6");
      var count = document.createElementNS(ns, "text");
      count.setAttribute("x", x + w / 2); count.setAttribute("y", 12 + h - bh); count.setAttribute("text-anchor", "middle");
      count.textContent = num(b[2]);
      var label = document.createElementNS(ns, "text");
      label.setAttribute("x", x + w / 2); label.setAttribute("y", h + 34); label.setAttribute("text-anchor", "middle");
      label.textContent = num(b[0]) + "–" + num(b[1]);
      svg.appendChild(rect); svg.appendChild(count); svg.appendChild(label);
    });
    box.appendChild(svg);
  }

  function renderCohorts(cohorts) {
    var table = $("cohorts"); table.textContent = "";
    var width = cohorts.reduce(function (w, c) { return Math.max(w, c.retention.length); }, 0);
    var head = [el("th", {text: t("cohort")}), el("th", {text: t("size")})];
    for (var i = 0; i < width; i++) head.push(el("th", {text: t("month") + num(i)}));
    table.appendChild(el("tr", {}, head));
    cohorts.forEach(function (c) {
      var cells = [el("th", {text: monthLabel(c.cohort)}), el("td", {text: num(c.size)})];
      c.retention.forEach(function (r) {
        var alpha = Math.min(1, 0.08 + r * 1.6);
        cells.push(el("td", {"class": "cell", style: "background:rgba(15,118,110," + alpha + ");color:" + (alpha > 0.55 ? "#fff" : "#1d2433"), text: pct(r)}));
      });
      table.appendChild(el("tr", {"data-testid": "cohort-" + c.cohort}, cells));
    });
  }

  function kv(box, rows) {
    box.textContent = "";
    rows.forEach(function (r) {
      box.appendChild(el("span", {"class": "k", text: r[0]}));
      box.appendChild(el("span", {"class": "v", "data-testid": r[2] || "", text: r[1]}));
    });
  }

  function lift(row) {
    if (row.holdout_lift === null || row.holdout_lift === undefined) return "—";
    var points = Math.round(row.holdout_lift * 1000) / 10;
    return (points > 0 ? "+" : "") + num(points) + t("points") + " (n=" + num(row.holdout_sample.messaged) + "/" + num(row.holdout_sample.holdout) + ")";
  }

  function renderMessages(m, campaigns) {
    var table = $("messages"); table.textContent = "";
    table.appendChild(el("tr", {}, ["kind", "sent", "suppressed", "clicked", "converted", "revenue", "lift"].map(function (k) {
      return el("th", {text: t(k === "revenue" ? "revenue" : k)});
    })));
    var names = {};
    campaigns.forEach(function (c) { names[c.campaign_id] = c.name; });
    var rows = Object.keys(m.messages).map(function (k) { return [t("k_" + k), m.messages[k], "message-" + k]; });
    Object.keys(m.campaigns || {}).forEach(function (id) { rows.push([t("campaign") + (names[id] || id), m.campaigns[id], "campaign-" + id]); });
    rows.forEach(function (r) {
      var row = r[1];
      table.appendChild(el("tr", {"data-testid": r[2]}, [el("td", {text: r[0]}), el("td", {text: num(row.sent)}),
        el("td", {text: num(row.suppressed)}), el("td", {text: num(row.clicked)}), el("td", {text: num(row.converted)}),
        el("td", {text: money(row.revenue)}), el("td", {text: lift(row)})]));
    });
  }

  function render() {
    if (!last) return;
    var m = last.metrics;
    $("asof").textContent = t("as_of") + (m.as_of ? day(m.as_of) : t("never"));
    $("empty").hidden = !!m.as_of;
    $("shop").textContent = program.shop_name || "";
    renderCards(m);
    renderFunnel(m.purchase_funnel);
    renderHistogram(m.days_between_purchases);
    renderCohorts(m.cohorts);
    var w = m.wallet;
    kv($("wallet"), [[t("earned"), money(w.earned), "wallet-earned"], [t("redeemed"), money(w.redeemed), "wallet-redeemed"],
      [t("expired"), money(w.expired), "wallet-expired"], [t("reversed"), money(w.reversed)], [t("gifted"), money(w.gifted || 0)],
      [t("outstanding"), money(w.outstanding), "wallet-outstanding"]]);
    kv($("segments"), last.segments.items.map(function (s) { return [t("s_" + s.name), num(s.size), "segment-" + s.name]; }));
    var select = $("c-segment"), chosen = select.value || "at_risk"; select.textContent = "";
    ["all"].concat(last.segments.items.map(function (s) { return s.name; })).forEach(function (name) {
      var option = el("option", {value: name, text: t("s_" + name)});
      if (name === chosen) option.selected = true;
      select.appendChild(option);
    });
    renderMessages(m, last.campaigns.items);
  }

  function load() {
    var query = "?from=" + encodeURIComponent($("from").value) + "&to=" + encodeURIComponent($("to").value);
    Promise.all([api("/v1/program"), api("/v1/metrics" + query), api("/v1/segments"), api("/v1/campaigns?limit=100")])
      .then(function (r) {
        program = r[0];
        last = {metrics: r[1], segments: r[2], campaigns: r[3]};
        render();
        document.body.setAttribute("data-loaded", "true");
      })
      .catch(function (e) { if (e.message !== "unauthorized") $("asof").textContent = String(e.message || e); });
  }

  function defaultRange() {
    var end = new Date(), start = new Date(end.getTime() - 365 * 864e5);
    $("to").value = end.toISOString().slice(0, 10);
    $("from").value = start.toISOString().slice(0, 10);
  }

  $("lang").addEventListener("click", function () {
    lang = lang === "fa" ? "en" : "fa";
    localStorage.setItem("vafa.lang", lang);
    translate(); render();
  });
  $("reload").addEventListener("click", function () { if (token) load(); });
  $("signout").addEventListener("click", function () { signOut(""); });
  $("signin-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var key = $("key").value.trim();
    $("key").value = "";
    if (key) signedIn(key);
  });
  $("campaign-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var template = {};
    if ($("c-fa").value.trim()) template.fa = $("c-fa").value.trim();
    if ($("c-en").value.trim()) template.en = $("c-en").value.trim();
    var body = {campaign_id: "c-" + Date.now().toString(36), name: $("c-name").value, segment: $("c-segment").value, template: template};
    if ($("c-url").value) body.url = $("c-url").value;
    api("/v1/campaigns", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)})
      .then(function () { $("c-result").textContent = t("created"); load(); })
      .catch(function (err) { $("c-result").textContent = String(err.message || err); });
  });

  defaultRange();
  translate();
  var hash = location.hash;
  if (hash.indexOf("#login=") === 0) {
    history.replaceState(null, "", location.pathname + location.search);
    fetch("/v1/dashboard/session", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({token: decodeURIComponent(hash.slice(7))})})
      .then(function (r) { return r.json().then(function (b) { if (!r.ok) throw new Error(b.error ? b.error.message : r.status); return b; }); })
      .then(function (b) { signedIn(b.session); })
      .catch(function (e) { signOut(String(e.message || e)); });
  } else if (token) {
    signedIn(token);
  } else {
    signOut("");
  }
})();
