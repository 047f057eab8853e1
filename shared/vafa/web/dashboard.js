/* Vafa merchant dashboard: plain ES2017, no dependencies, talks only to this origin's /v1 API.
   Persian (RTL, Jalali, Persian digits) by default, English on request; charts are inline SVG. */
(function () {
  "use strict";

  /* A sign-in link carries its token in the fragment: take it out of the address bar before anything
     else runs, so it is never bookmarked, shared or left in the history. */
  var loginToken = null;
  if (location.hash.indexOf("#login=") === 0) {
    loginToken = decodeURIComponent(location.hash.slice(7));
    history.replaceState(null, "", location.pathname + location.search);
  }

  var T = {
    fa: {
      title: "داشبورد باشگاه مشتریان", signout: "خروج", other_lang: "English",
      signin_title: "ورود به داشبورد",
      signin_help: "پیوند ورودی را که با دستور vafa dashboard-link ساخته شده باز کنید، یا کلید API فروشگاه را اینجا وارد کنید.",
      signin_note: "کلید فقط در همین زبانه نگه داشته می‌شود و با بستن آن پاک می‌شود.",
      key_placeholder: "کلید API", signin: "ورود",
      bad_key: "این کلید یا پیوند معتبر نیست.", expired: "نشست شما به پایان رسیده است؛ دوباره وارد شوید.",
      last_30: "۳۰ روز اخیر", last_90: "۹۰ روز اخیر", last_365: "یک سال اخیر",
      from: "از", to: "تا", apply: "نمایش", date_hint: "۱۴۰۵/۰۱/۳۱",
      bad_date: "تاریخ را به شکل سال/ماه/روز خورشیدی بنویسید، مثلاً ۱۴۰۵/۰۱/۳۱.", bad_range: "تاریخ آغاز پس از تاریخ پایان است.",
      as_of: "آخرین محاسبه: ", loading: "در حال بارگیری…",
      empty_title: "هنوز آماری محاسبه نشده است",
      empty: "اعداد پس از نخستین اجرای زمان‌بندی‌شدهٔ metrics اینجا می‌آیند؛ این تابع هر روز خودکار اجرا می‌شود.",
      g_customers: "مشتریان", g_return: "بازگشت", g_value: "ارزش",
      customers: "کل مشتریان", new: "مشتریان تازه در بازه", active_30d: "فعال در ۳۰ روز اخیر", active_90d: "فعال در ۹۰ روز اخیر",
      churned: "ریزش‌کرده (بی‌خرید در ۹۰ روز)", repeat: "نرخ خرید دوباره", return_30d: "بازگشت تا ۳۰ روز",
      return_60d: "بازگشت تا ۶۰ روز", return_90d: "بازگشت تا ۹۰ روز", orders: "سفارش‌های بازه", revenue: "فروش بازه",
      aov: "میانگین سبد خرید", frequency: "دفعات خرید هر مشتری", ltv: "ارزش طول عمر", pltv: "ارزش طول عمر پیش‌بینی‌شده",
      of_customers: "از مشتریان", of_first: "از خریداران نخست",
      funnel: "قیف تعداد خرید", funnel_help: "چند مشتری به خرید دوم، سوم و … رسیده‌اند و میان هر دو گام چند درصد ریزش داشته‌اند.",
      purchase_n: "خرید {n}", people: "{n} نفر", drop: "ریزش {p}", no_funnel: "هنوز خریدی ثبت نشده است.",
      gaps: "فاصلهٔ بین خریدها", median: "میانهٔ فاصله: {n} روز", median_short: "میانه {n}", days: "روز",
      no_gaps: "هنوز مشتری‌ای دوباره خرید نکرده است.",
      cohorts: "ماندگاری گروه‌های ماهانه",
      cohorts_help: "هر سطر مشتریانی است که نخستین خریدشان در آن ماه بوده؛ هر ستون درصدی از آنان که n ماه بعد خرید کرده‌اند.",
      cohort: "گروه (ماه نخستین خرید)", size: "تعداد", month: "ماه {n}", no_cohorts: "در این بازه مشتری تازه‌ای نیامده است.",
      wallet: "کیف پول و اعتبار",
      wallet_help: "جریان اعتبار در بازهٔ انتخاب‌شده؛ بدهی باز، مانده‌ای است که مشتریان هم‌اکنون در کیف پول دارند.",
      earned: "اعتبار داده‌شده", redeemed: "خرج‌شده", expired: "منقضی‌شده", reversed: "برگشت با مرجوعی", gifted: "هدیه",
      outstanding: "بدهی باز (مانده کیف پول‌ها)", of_earned: "{p} از اعتبار داده‌شده",
      segments: "بخش‌های مشتریان", segments_help: "هر مشتری بر پایهٔ تازگی، دفعات و مبلغ خرید (RFM) در یک بخش است.",
      messages: "پیام‌ها و کمپین‌ها",
      messages_help: "بازگشت: خریدی که پس از کلیک یا دریافت پیام آمد. اثر خالص: نرخ بازگشت گیرندگان منهای نرخ گروه شاهد، به واحد درصد.",
      kind: "پیام", sent: "ارسال", suppressed: "متوقف", failed: "ناموفق", clicked: "کلیک", converted: "بازگشت",
      attributed: "درآمد منتسب", lift: "اثر خالص", points: "{p} واحد درصد", sample: "{m} گیرنده · {h} شاهد",
      no_messages: "هنوز پیامی فرستاده نشده است.", campaign: "کمپین: {name}",
      k_expiry_reminder: "یادآوری انقضای اعتبار", k_win_back: "بازگرداندن مشتری", k_birthday: "تبریک تولد",
      k_abandoned_cart: "سبد خرید رهاشده", k_feedback_request: "درخواست نظر", k_purchase_thanks: "تشکر از خرید",
      k_campaign: "کمپین‌ها",
      s_all: "همه", s_champions: "قهرمانان", s_loyal: "وفاداران", s_promising: "امیدوارکننده", s_new: "تازه‌واردها",
      s_needs_attention: "نیازمند توجه", s_at_risk: "در خطر ریزش", s_hibernating: "خواب‌رفته", s_lost: "از دست رفته",
      s_prospects: "بدون خرید",
      new_campaign: "کمپین تازه",
      campaign_help: "پیام به یک بخش از مشتریان، با همان قواعد یادآورها (رضایت، ساعات سکوت، سقف هفتگی، گروه شاهد).",
      c_name: "نام کمپین", c_fa: "متن فارسی، مثلاً {name} عزیز، دلمان برایتان تنگ شده {link}",
      c_en: "English text (optional), e.g. We miss you, {name} {link}", send: "ارسال",
      created: "کمپین ثبت شد و در اجرای بعدی یادآورها ارسال می‌شود."
    },
    en: {
      title: "Customer club dashboard", signout: "Sign out", other_lang: "فارسی",
      signin_title: "Sign in to the dashboard",
      signin_help: "Open a sign-in link made with `vafa dashboard-link`, or enter the shop's API key here.",
      signin_note: "The key stays in this tab only and is forgotten when the tab closes.",
      key_placeholder: "API key", signin: "Sign in",
      bad_key: "That key or link is not valid.", expired: "Your session has ended; please sign in again.",
      last_30: "Last 30 days", last_90: "Last 90 days", last_365: "Last year",
      from: "From", to: "To", apply: "Show", date_hint: "2026-04-20",
      bad_date: "Enter dates as YYYY-MM-DD.", bad_range: "The start date is after the end date.",
      as_of: "Last computed: ", loading: "Loading…",
      empty_title: "No metrics yet",
      empty: "The numbers appear after the first scheduled metrics run; it runs by itself every day.",
      g_customers: "Customers", g_return: "Coming back", g_value: "Value",
      customers: "Customers", new: "New in range", active_30d: "Active, last 30 days", active_90d: "Active, last 90 days",
      churned: "Churned (no purchase in 90 days)", repeat: "Repeat-purchase rate", return_30d: "Returned within 30 days",
      return_60d: "Returned within 60 days", return_90d: "Returned within 90 days", orders: "Orders in range",
      revenue: "Revenue in range", aov: "Average order value", frequency: "Purchases per customer", ltv: "Lifetime value",
      pltv: "Predicted lifetime value", of_customers: "of customers", of_first: "of first-time buyers",
      funnel: "Purchase-count funnel", funnel_help: "How many customers reach a 2nd, 3rd, … purchase, and the drop between steps.",
      purchase_n: "Purchase {n}", people: "{n} customers", drop: "drop {p}", no_funnel: "No purchases yet.",
      gaps: "Days between purchases", median: "Median gap: {n} days", median_short: "median {n}", days: "days",
      no_gaps: "No customer has bought twice yet.",
      cohorts: "Monthly cohort retention",
      cohorts_help: "Each row is the customers whose first purchase fell in that month; each column the share who bought n months later.",
      cohort: "Cohort (first purchase)", size: "Size", month: "Month {n}", no_cohorts: "No new customers in this range.",
      wallet: "Wallet and credit",
      wallet_help: "Credit movements in the selected range; outstanding is what customers hold now, the shop's liability.",
      earned: "Earned", redeemed: "Redeemed", expired: "Expired", reversed: "Reversed by refunds", gifted: "Gifted",
      outstanding: "Outstanding liability", of_earned: "{p} of earned",
      segments: "Customer segments", segments_help: "Each customer sits in one segment by recency, frequency and spend (RFM).",
      messages: "Messages and campaigns",
      messages_help: "Converted: a purchase after a click or a message. Lift: conversion of those messaged minus the holdout group's, in percentage points.",
      kind: "Message", sent: "Sent", suppressed: "Suppressed", failed: "Failed", clicked: "Clicked", converted: "Converted",
      attributed: "Attributed revenue", lift: "Lift", points: "{p} pts", sample: "{m} messaged · {h} holdout",
      no_messages: "No messages sent yet.", campaign: "Campaign: {name}",
      k_expiry_reminder: "Expiry reminder", k_win_back: "Win-back", k_birthday: "Birthday greeting",
      k_abandoned_cart: "Abandoned cart", k_feedback_request: "Feedback request", k_purchase_thanks: "Purchase thanks",
      k_campaign: "Campaigns",
      s_all: "Everyone", s_champions: "Champions", s_loyal: "Loyal", s_promising: "Promising", s_new: "New",
      s_needs_attention: "Needs attention", s_at_risk: "At risk", s_hibernating: "Hibernating", s_lost: "Lost",
      s_prospects: "No purchase yet",
      new_campaign: "New campaign",
      campaign_help: "Message a segment under the same rules as reminders (consent, quiet hours, weekly cap, holdout).",
      c_name: "Campaign name", c_fa: "Persian text, e.g. {name} عزیز …", c_en: "English text, e.g. We miss you, {name} {link}",
      send: "Send", created: "Campaign scheduled: it goes out on the next reminders run."
    }
  };
  var KIND_ORDER = ["expiry_reminder", "win_back", "birthday", "abandoned_cart", "feedback_request", "purchase_thanks"];
  var RIALS = {IRR: 1, IRT: 10, IRHR: 1000, IRHT: 10000};
  var UNIT_NAMES = {
    fa: {IRR: "ریال", IRT: "تومان", IRHR: "هزار ریال", IRHT: "هزار تومان"},
    en: {IRR: "Rials", IRT: "Toman", IRHR: "thousand Rials", IRHT: "thousand Toman"}
  };
  var DAY = 864e5;
  var SVG = "http://www.w3.org/2000/svg";

  var lang = localStorage.getItem("vafa.lang") === "en" ? "en" : "fa";
  var auth = readAuth();
  var program = {currency: "IRR", display_unit: null, shop_name: null};
  var range = defaultRange(365);
  var last = null;
  var loads = 0;

  /* ---------- small helpers ---------- */
  function $(id) { return document.getElementById(id); }
  function t(key, vars) {
    var text = T[lang][key] !== undefined ? T[lang][key] : key;
    Object.keys(vars || {}).forEach(function (k) { text = text.replace("{" + k + "}", vars[k]); });
    return text;
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "css") node.style.cssText = attrs[k];  /* CSSOM: allowed under the page's strict CSP */
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }
  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* ---------- formatting: Persian digits and separators from Intl, Jalali through ICU's calendar ---------- */
  function locale() { return lang === "fa" ? "fa-IR" : "en-US"; }
  function num(n, digits) {
    return new Intl.NumberFormat(locale(), {maximumFractionDigits: digits === undefined ? 2 : digits}).format(n || 0);
  }
  function pct(x) { return new Intl.NumberFormat(locale(), {style: "percent", maximumFractionDigits: 1}).format(x || 0); }
  function moneyParts(amount) {
    var code = String(program.currency || "IRR").toUpperCase();
    var sign = amount < 0 ? "-" : "", magnitude = Math.abs(amount || 0);
    if (RIALS[code]) {
      var unit = String(program.display_unit || (code === "IRR" ? "IRT" : code)).toUpperCase();
      if (!RIALS[unit]) unit = code;
      return [sign + num(Math.floor(magnitude * RIALS[code] / RIALS[unit]), 0), UNIT_NAMES[lang][unit]];
    }
    var places = 2;
    try { places = new Intl.NumberFormat("en", {style: "currency", currency: code}).resolvedOptions().maximumFractionDigits; }
    catch (e) { places = 2; }
    var shown = new Intl.NumberFormat(locale(), {minimumFractionDigits: places, maximumFractionDigits: places})
      .format(magnitude / Math.pow(10, places));
    return [sign + shown, code];
  }
  function money(amount) { return moneyParts(amount).join(" "); }

  function toLatinDigits(text) {
    return String(text).replace(/[۰-۹]/g, function (d) { return String(d.charCodeAt(0) - 0x06f0); })
      .replace(/[٠-٩]/g, function (d) { return String(d.charCodeAt(0) - 0x0660); });
  }
  function isoOf(ms) { return new Date(ms).toISOString().slice(0, 10); }
  function msOf(iso) { return Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)); }
  var JALALI_PARTS = new Intl.DateTimeFormat("en-u-ca-persian-nu-latn", {year: "numeric", month: "numeric", day: "numeric", timeZone: "UTC"});
  function jalali(ms) {
    var p = {};
    JALALI_PARTS.formatToParts(new Date(ms)).forEach(function (x) { p[x.type] = x.value; });
    return [parseInt(p.year, 10), parseInt(p.month, 10), parseInt(p.day, 10)];
  }
  function jalaliRank(j) { return j[0] * 366 + (j[1] <= 6 ? (j[1] - 1) * 31 : 186 + (j[1] - 7) * 30) + j[2]; }
  function fromJalali(y, m, d) {
    /* Guess from 1 Farvardin ≈ 21 March, then walk to the day ICU's Persian calendar agrees on. */
    if (m < 1 || m > 12 || d < 1 || d > 31 || y < 1200 || y > 1600) return null;
    var ms = Date.UTC(y + 621, 2, 21) + ((m <= 6 ? (m - 1) * 31 : 186 + (m - 7) * 30) + d - 1) * DAY;
    for (var i = 0; i < 6; i++) {
      var diff = jalaliRank([y, m, d]) - jalaliRank(jalali(ms));
      if (!diff) break;
      ms += diff * DAY;
    }
    var j = jalali(ms);
    return j[0] === y && j[1] === m && j[2] === d ? isoOf(ms) : null;  /* e.g. Esfand 30 of a common year */
  }
  function dateFormat(options) {
    return new Intl.DateTimeFormat(lang === "fa" ? "fa-IR-u-ca-persian" : "en-GB", Object.assign({timeZone: "UTC"}, options));
  }
  function longDate(iso) { return dateFormat({year: "numeric", month: "long", day: "numeric"}).format(new Date(msOf(iso))); }
  function inputDate(iso) {
    return lang === "fa" ? dateFormat({year: "numeric", month: "2-digit", day: "2-digit"}).format(new Date(msOf(iso))) : iso;
  }
  function parseInputDate(text) {
    var parts = toLatinDigits(text).trim().split(/[\/\-.\s]+/);
    if (parts.length !== 3 || parts.some(function (p) { return !/^\d{1,4}$/.test(p); })) return null;
    var y = +parts[0], m = +parts[1], d = +parts[2];
    if (y > 1700) {  /* a Gregorian date typed in Persian mode is accepted as it is */
      var ms = Date.UTC(y, m - 1, d), back = new Date(ms);
      return back.getUTCFullYear() === y && back.getUTCMonth() === m - 1 && back.getUTCDate() === d ? isoOf(ms) : null;
    }
    return fromJalali(y, m, d);
  }
  function cohortLabel(ym) {
    var y = +ym.slice(0, 4), m = +ym.slice(5, 7);
    var first = new Date(Date.UTC(y, m - 1, 1)), lastDay = new Date(Date.UTC(y, m, 0));
    if (lang !== "fa") return dateFormat({year: "numeric", month: "short"}).format(first);
    /* Cohorts are calendar months as the metrics run counts them: show the Jalali days each one spans. */
    var dm = dateFormat({day: "numeric", month: "long"}), yr = dateFormat({year: "numeric"});
    var sameYear = jalali(first.getTime())[0] === jalali(lastDay.getTime())[0];
    return dm.format(first) + (sameYear ? "" : " " + yr.format(first)) + " – " + dm.format(lastDay) + " " + yr.format(lastDay);
  }

  /* ---------- sign-in ---------- */
  function readAuth() {
    try { return JSON.parse(sessionStorage.getItem("vafa.auth") || "null"); } catch (e) { return null; }
  }
  function saveAuth(value) {
    auth = value;
    if (value) sessionStorage.setItem("vafa.auth", JSON.stringify(value));
    else sessionStorage.removeItem("vafa.auth");
  }
  function signOut(message) {
    saveAuth(null);
    last = null;
    document.body.removeAttribute("data-loaded");
    $("board").hidden = true; $("signout").hidden = true; $("signin").hidden = false;
    $("signin-error").textContent = message || "";
    $("key").focus();
  }
  function signedIn(value) {
    saveAuth(value);
    $("signin").hidden = true; $("signout").hidden = false; $("board").hidden = false;
    $("signin-error").textContent = "";
    $("campaign-box").hidden = value.kind !== "key";  /* a dashboard session only reads */
    load();
  }
  function api(path, options) {
    options = options || {};
    options.headers = Object.assign({"Authorization": "Bearer " + auth.token}, options.headers || {});
    return fetch(path, options).then(function (r) {
      if (r.status === 401) {
        signOut(auth && auth.kind === "session" ? t("expired") : t("bad_key"));
        throw new Error("unauthorized");
      }
      return r.json().then(function (body) {
        if (!r.ok) throw new Error((body.error && body.error.message) || String(r.status));
        return body;
      });
    });
  }
  function exchange(token) {
    fetch("/v1/dashboard/session", {
      method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({token: token})
    }).then(function (r) {
      return r.json().then(function (b) { if (!r.ok) throw new Error((b.error && b.error.message) || r.status); return b; });
    }).then(function (b) {
      signedIn({token: b.session, kind: "session", expires_at: b.expires_at});
    }).catch(function () { signOut(t("bad_key")); });
  }

  /* ---------- date range ---------- */
  function defaultRange(days) {
    var end = new Date();
    var to = isoOf(Date.UTC(end.getFullYear(), end.getMonth(), end.getDate()));
    return {from: isoOf(msOf(to) - days * DAY), to: to};
  }
  function showRange() {
    ["from", "to"].forEach(function (name) {
      var input = $(name);
      input.type = lang === "fa" ? "text" : "date";
      input.placeholder = t("date_hint");
      input.value = inputDate(range[name]);
      input.dir = "ltr";
    });
    var span = Math.round((msOf(range.to) - msOf(range.from)) / DAY);
    document.querySelectorAll("#presets .chip").forEach(function (b) {
      b.classList.toggle("on", +b.getAttribute("data-days") === span && range.to === defaultRange(0).to);
    });
  }
  function readRange() {
    var from = parseInputDate($("from").value), to = parseInputDate($("to").value);
    $("from").classList.toggle("invalid", !from);
    $("to").classList.toggle("invalid", !to);
    if (!from || !to) { $("range-error").textContent = t("bad_date"); return false; }
    if (from > to) { $("range-error").textContent = t("bad_range"); return false; }
    $("range-error").textContent = "";
    range = {from: from, to: to};
    return true;
  }

  /* ---------- panels ---------- */
  function stat(key, label, value, note, share) {
    var figure = Array.isArray(value) ? value[0] : value;
    var valueNode = el("div", {"class": "value" + (figure.length > 9 ? " long" : "")}, [
      el("bdi", {"class": "figure", text: figure}), Array.isArray(value) ? " " : null,
      Array.isArray(value) ? el("small", {text: value[1]}) : null
    ]);
    var children = [el("div", {"class": "label", text: label}), valueNode];
    if (share !== undefined && share !== null) {
      children.push(el("div", {"class": "meter"}, [el("i", {css: "width:" + Math.max(0, Math.min(100, share * 100)) + "%"})]));
    }
    if (note) children.push(el("div", {"class": "note", text: note}));
    return el("div", {"class": "stat", "data-testid": "stat-" + key}, children);
  }
  function fill(box, cards) {
    box.textContent = "";
    cards.forEach(function (c) { box.appendChild(c); });
  }
  function renderCards(m) {
    var c = m.customers, total = c.total || 0;
    fill($("kpi-customers"), [
      stat("customers", t("customers"), num(total)),
      stat("new", t("new"), num(c.new)),
      stat("active_30d", t("active_30d"), num(c.active_30d), pct(total ? c.active_30d / total : 0) + " " + t("of_customers"), total ? c.active_30d / total : 0),
      stat("active_90d", t("active_90d"), num(c.active_90d), pct(total ? c.active_90d / total : 0) + " " + t("of_customers"), total ? c.active_90d / total : 0),
      stat("churned", t("churned"), num(c.churned), pct(total ? c.churned / total : 0) + " " + t("of_customers"), total ? c.churned / total : 0)
    ]);
    fill($("kpi-return"), [
      stat("repeat", t("repeat"), pct(m.repeat_purchase_rate), t("of_first"), m.repeat_purchase_rate),
      stat("return_30d", t("return_30d"), pct(m.return_rate["30d"]), null, m.return_rate["30d"]),
      stat("return_60d", t("return_60d"), pct(m.return_rate["60d"]), null, m.return_rate["60d"]),
      stat("return_90d", t("return_90d"), pct(m.return_rate["90d"]), null, m.return_rate["90d"])
    ]);
    fill($("kpi-value"), [
      stat("orders", t("orders"), num(m.orders)),
      stat("revenue", t("revenue"), moneyParts(m.revenue)),
      stat("aov", t("aov"), moneyParts(m.average_order_value)),
      stat("frequency", t("frequency"), num(m.purchase_frequency)),
      stat("ltv", t("ltv"), moneyParts(m.lifetime_value)),
      stat("pltv", t("pltv"), moneyParts(m.predicted_lifetime_value))
    ]);
  }

  function renderFunnel(funnel) {
    var box = $("funnel"); box.textContent = "";
    if (!funnel.length) { box.appendChild(el("p", {"class": "none", text: t("no_funnel")})); return; }
    var top = funnel[0] || 1;
    funnel.forEach(function (count, i) {
      if (i > 0) {
        var drop = funnel[i - 1] ? 1 - count / funnel[i - 1] : 0;
        box.appendChild(el("div", {"class": "drop-row"}, [
          el("span", {"class": "drop", "data-testid": "funnel-drop-" + (i + 1), text: "↓ " + t("drop", {p: pct(drop)})})
        ]));
      }
      box.appendChild(el("div", {"class": "funnel-row", "data-testid": "funnel-" + (i + 1)}, [
        el("span", {"class": "step", text: t("purchase_n", {n: num(i + 1)})}),
        el("div", {"class": "track"}, [el("div", {"class": "bar", css: "width:" + Math.max(1.5, 100 * count / top) + "%"})]),
        el("span", {"class": "count"}, [
          el("b", {"data-testid": "funnel-count-" + (i + 1), text: num(count)}),
          el("small", {text: " " + pct(count / top)})
        ])
      ]));
    });
  }

  function renderHistogram(d) {
    var box = $("histogram"); box.textContent = "";
    var bins = d.histogram || [];
    var any = bins.some(function (b) { return b[2] > 0; });
    $("median").textContent = any ? t("median", {n: num(d.median)}) : t("no_gaps");
    if (!bins.length) return;
    var rtl = lang === "fa", W = 640, H = 250, top = 44, base = 194, left = 12, right = 12;
    var slot = (W - left - right) / bins.length, max = Math.max.apply(null, bins.map(function (b) { return b[2]; }).concat([1]));
    var chart = svg("svg", {viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": t("gaps"), "class": "histogram"});
    function xAt(i, fraction) { /* bin i, fraction 0..1 across it; mirrored right-to-left in Persian */
      var pos = (i + fraction) * slot;
      return rtl ? W - right - pos : left + pos;
    }
    [0.5, 1].forEach(function (f) {
      chart.appendChild(svg("line", {x1: left, x2: W - right, y1: base - (base - top) * f, y2: base - (base - top) * f, "class": "grid"}));
    });
    var medianAt = any ? bins.findIndex(function (b) { return d.median >= b[0] && d.median < b[1]; }) : -1;
    if (any) {
      if (medianAt < 0) medianAt = bins.length - 1;
      var lo = bins[medianAt][0], hi = bins[medianAt][1];
      var mx = xAt(medianAt, Math.min(1, Math.max(0, (d.median - lo) / (hi - lo))));
      chart.appendChild(svg("line", {x1: mx, x2: mx, y1: 22, y2: base, "class": "median"}));
      chart.appendChild(svg("text", {x: Math.min(W - 44, Math.max(44, mx)), y: 14, "text-anchor": "middle", "class": "median-label"},
        t("median_short", {n: num(d.median)})));
    }
    bins.forEach(function (b, i) {
      var h = Math.round((base - top) * b[2] / max), x = Math.min(xAt(i, 0.16), xAt(i, 0.84));
      if (b[2] > 0) {
        chart.appendChild(svg("rect", {x: x, y: base - h, width: slot * 0.68, height: h, rx: 5, "class": "bar", "data-testid": "bin-" + i}));
        chart.appendChild(svg("text", {x: xAt(i, 0.5), y: base - h - 7, "text-anchor": "middle", "class": "count"}, num(b[2])));
      }
      chart.appendChild(svg("text", {x: xAt(i, 0.5), y: base + 20, "text-anchor": "middle"}, num(b[0]) + "–" + num(b[1])));
    });
    chart.appendChild(svg("line", {x1: left, x2: W - right, y1: base, y2: base, "class": "axis"}));
    chart.appendChild(svg("text", {x: W / 2, y: base + 44, "text-anchor": "middle", "class": "axis-title"}, t("days")));
    box.appendChild(chart);
  }

  function renderCohorts(cohorts) {
    var table = $("cohorts"); table.textContent = "";
    if (!cohorts.length) { table.appendChild(el("tr", {}, [el("td", {"class": "none", text: t("no_cohorts")})])); return; }
    var width = cohorts.reduce(function (w, c) { return Math.max(w, c.retention.length); }, 0);
    var head = [el("th", {"class": "rowhead", text: t("cohort")}), el("th", {text: t("size")})];
    for (var i = 0; i < width; i++) head.push(el("th", {text: t("month", {n: num(i)})}));
    table.appendChild(el("thead", {}, [el("tr", {}, head)]));
    var body = el("tbody");
    cohorts.forEach(function (c) {
      var cells = [el("th", {"class": "rowhead", scope: "row", text: cohortLabel(c.cohort)}), el("td", {"class": "size", text: num(c.size)})];
      for (var k = 0; k < width; k++) {
        var r = c.retention[k];
        if (r === undefined) { cells.push(el("td", {"class": "future"})); continue; }
        var alpha = r > 0 ? 0.14 + 0.86 * Math.min(1, r) : 0.04;
        cells.push(el("td", {
          "class": "cell" + (alpha > 0.55 ? " dark" : ""), title: pct(r),
          css: "background:rgba(13,148,136," + alpha.toFixed(3) + ")", text: pct(r)
        }));
      }
      body.appendChild(el("tr", {"data-testid": "cohort-" + c.cohort}, cells));
    });
    table.appendChild(body);
  }

  function renderWallet(w) {
    var box = $("wallet"); box.textContent = "";
    function tile(key, label, amount, note, strong) {
      var parts = moneyParts(amount);
      return el("div", {"class": "tile" + (strong ? " strong" : ""), "data-testid": "wallet-" + key}, [
        el("div", {"class": "label", text: label}),
        el("div", {"class": "value"}, [el("bdi", {"class": "figure", text: parts[0]}), " ", el("small", {text: parts[1]})]),
        note ? el("div", {"class": "note", text: note}) : null
      ]);
    }
    var earned = w.earned || 0;
    function share(x) { return earned > 0 ? t("of_earned", {p: pct(x / earned)}) : null; }
    box.appendChild(tile("outstanding", t("outstanding"), w.outstanding, null, true));
    box.appendChild(tile("earned", t("earned"), w.earned));
    box.appendChild(tile("redeemed", t("redeemed"), w.redeemed, share(w.redeemed)));
    box.appendChild(tile("expired", t("expired"), w.expired, share(w.expired)));
    box.appendChild(tile("reversed", t("reversed"), w.reversed));
    box.appendChild(tile("gifted", t("gifted"), w.gifted || 0));
  }

  function renderSegments(segments) {
    var box = $("segments"); box.textContent = "";
    var items = segments.items || [];
    var total = items.reduce(function (s, x) { return s + x.size; }, 0);
    var max = Math.max.apply(null, items.map(function (x) { return x.size; }).concat([1]));
    items.forEach(function (s) {
      box.appendChild(el("div", {"class": "bar-row", "data-testid": "segment-" + s.name, title: s.description || ""}, [
        el("span", {"class": "name", text: t("s_" + s.name)}),
        el("div", {"class": "track"}, [el("div", {"class": "bar", css: "width:" + (s.size ? Math.max(2, 100 * s.size / max) : 0) + "%"})]),
        el("span", {"class": "count"}, [el("b", {text: num(s.size)}), el("small", {text: total ? " " + pct(s.size / total) : ""})])
      ]));
    });
  }

  function liftCell(row) {
    if (row.holdout_lift === null || row.holdout_lift === undefined) return el("td", {"class": "lift", text: "—"});
    var points = new Intl.NumberFormat(locale(), {maximumFractionDigits: 1, signDisplay: "exceptZero"})
      .format(row.holdout_lift * 100).replace(/[\u200e\u200f]/g, "");  /* the <bdi> below keeps it left-to-right */
    var sample = row.holdout_sample || {};
    var label = t("points", {p: "\u0000"}).split("\u0000");
    return el("td", {"class": "lift " + (row.holdout_lift > 0 ? "up" : row.holdout_lift < 0 ? "down" : "")}, [
      el("b", {"data-testid": "lift"}, [label[0], el("bdi", {dir: "ltr", text: points}), label[1]]),
      el("small", {text: t("sample", {m: num(sample.messaged), h: num(sample.holdout)})})
    ]);
  }
  function rateCell(count, of) {
    return el("td", {}, [el("span", {text: num(count)}), of ? el("small", {text: " " + pct(count / of)}) : null]);
  }
  function renderMessages(m, campaigns) {
    var table = $("messages"); table.textContent = "";
    var heads = ["kind", "sent", "suppressed", "failed", "clicked", "converted", "attributed", "lift"];
    table.appendChild(el("thead", {}, [el("tr", {}, heads.map(function (k) { return el("th", {text: t(k)}); }))]));
    var names = {};
    (campaigns.items || []).forEach(function (c) { names[c.campaign_id] = c.name; });
    var kinds = Object.keys(m.messages || {}).sort(function (a, b) {
      var ia = KIND_ORDER.indexOf(a), ib = KIND_ORDER.indexOf(b);
      return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || (a < b ? -1 : 1);
    });
    var rows = kinds.map(function (k) { return [t("k_" + k), m.messages[k], "message-" + k]; });
    Object.keys(m.campaigns || {}).forEach(function (id) {
      rows.push([t("campaign", {name: names[id] || id}), m.campaigns[id], "campaign-" + id]);
    });
    var body = el("tbody");
    if (!rows.length) body.appendChild(el("tr", {}, [el("td", {"class": "none", colspan: heads.length, text: t("no_messages")})]));
    rows.forEach(function (r) {
      var row = r[1];
      body.appendChild(el("tr", {"data-testid": r[2]}, [
        el("th", {scope: "row", text: r[0]}), el("td", {text: num(row.sent)}), el("td", {text: num(row.suppressed)}),
        el("td", {text: num(row.failed)}), rateCell(row.clicked, row.sent), rateCell(row.converted, row.sent),
        el("td", {text: money(row.revenue)}), liftCell(row)
      ]));
    });
    table.appendChild(body);
  }

  function renderCampaignForm(segments) {
    var select = $("c-segment"), chosen = select.value || "at_risk";
    select.textContent = "";
    ["all"].concat((segments.items || []).map(function (s) { return s.name; })).forEach(function (name) {
      var option = el("option", {value: name, text: t("s_" + name)});
      if (name === chosen) option.selected = true;
      select.appendChild(option);
    });
  }

  function render() {
    if (!last) return;
    var m = last.metrics;
    $("asof").textContent = t("as_of") + (m.as_of ? longDate(m.as_of.slice(0, 10)) : "—");
    $("empty").hidden = !!m.as_of;
    $("shop").textContent = program.shop_name || "";
    renderCards(m);
    renderFunnel(m.purchase_funnel || []);
    renderHistogram(m.days_between_purchases);
    renderCohorts(m.cohorts || []);
    renderWallet(m.wallet);
    renderSegments(last.segments);
    renderMessages(m, last.campaigns);
    renderCampaignForm(last.segments);
    document.querySelectorAll(".legend span").forEach(function (s, i) { s.textContent = pct(i); });
  }

  function load() {
    showRange();
    $("asof").textContent = t("loading");
    document.body.setAttribute("data-loading", "true");
    var query = "?from=" + encodeURIComponent(range.from) + "&to=" + encodeURIComponent(range.to);
    var ticket = ++loads;
    Promise.all([api("/v1/program"), api("/v1/metrics" + query), api("/v1/segments"), api("/v1/campaigns?limit=100")])
      .then(function (r) {
        if (ticket !== loads) return;  /* a newer range was asked for meanwhile */
        program = r[0];
        last = {metrics: r[1], segments: r[2], campaigns: r[3]};
        render();
        document.body.removeAttribute("data-loading");
        document.body.setAttribute("data-loaded", "true");
      })
      .catch(function (e) {
        document.body.removeAttribute("data-loading");
        if (e.message !== "unauthorized") $("asof").textContent = String(e.message || e);
      });
  }

  function translate() {
    document.documentElement.lang = lang;
    document.documentElement.dir = lang === "fa" ? "rtl" : "ltr";
    document.title = (lang === "fa" ? "وفا · " : "Vafa · ") + t("title");
    document.querySelectorAll("[data-i18n]").forEach(function (n) { n.textContent = t(n.getAttribute("data-i18n")); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach(function (n) { n.placeholder = t(n.getAttribute("data-i18n-placeholder")); });
    $("lang").textContent = t("other_lang");
    $("lang").setAttribute("lang", lang === "fa" ? "en" : "fa");
    showRange();
  }

  /* ---------- events ---------- */
  $("lang").addEventListener("click", function () {
    lang = lang === "fa" ? "en" : "fa";
    localStorage.setItem("vafa.lang", lang);
    translate();
    render();
  });
  $("signout").addEventListener("click", function () { signOut(""); });
  $("signin-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var key = $("key").value.trim();
    $("key").value = "";
    if (key) signedIn({token: key, kind: "key"});
  });
  $("range").addEventListener("submit", function (e) {
    e.preventDefault();
    if (readRange()) load();
  });
  document.querySelectorAll("#presets .chip").forEach(function (b) {
    b.addEventListener("click", function () {
      range = defaultRange(+b.getAttribute("data-days"));
      $("range-error").textContent = "";
      load();
    });
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

  /* ---------- start ---------- */
  translate();
  if (loginToken) exchange(loginToken);
  else if (auth && auth.token) signedIn(auth);
  else signOut("");
})();
