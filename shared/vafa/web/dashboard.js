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
      cohorts_help: "هر سطر مشتریانی است که نخستین خریدشان در آن ماه خورشیدی بوده؛ هر ستون درصدی از آنان که n ماه بعد خرید کرده‌اند.",
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
  /* Strings of the screens that run the club (settings, templates, campaigns, customers, audit). */
  Object.assign(T.fa, {
    nps: "خالص ترویج‌کنندگان (NPS)", nps_note: "{n} پاسخ · میانگین {a} از ۱۰", nps_none: "هنوز نظری در این بازه نیامده است",
    sections: "بخش‌ها", nav_overview: "نمای کلی", nav_settings: "تنظیمات", nav_templates: "متن پیام‌ها",
    nav_campaigns: "کمپین‌ها", nav_customers: "مشتریان", nav_audit: "تاریخچهٔ تغییرات",
    viewer_note: "این ورود فقط برای دیدن است؛ برای تغییر تنظیمات از مدیر فروشگاه پیوند «مدیر» بخواهید.",
    who_key: "با کلید API", role_manager: "مدیر", role_viewer: "بیننده",
    save: "ذخیره", saved: "ذخیره شد.", saving: "در حال ذخیره…", no_changes: "چیزی تغییر نکرده است.",
    fix_field: "این مقدار پذیرفته نشد؛ پیام کنار فیلد را ببینید.", read_only: "این ورود فقط برای دیدن است.",
    off_hint: "خالی = خاموش", none_hint: "خالی = بدون سقف", tehran_time: "به وقت {tz}", percent: "٪",
    minutes: "دقیقه", g_cashback: "بازگشت وجه و کیف پول", g_reminders: "یادآورها", g_sending: "ارسال پیام",
    g_shop: "فروشگاه", g_gateways: "درگاه پیامک و ایمیل",
    f_cashback_rate_bps: "درصد بازگشت وجه از هر خرید", f_min_purchase_amount: "کمینهٔ مبلغ خرید برای بازگشت وجه",
    f_max_cashback_per_purchase: "سقف بازگشت وجه هر خرید", f_cashback_expiry_days: "اعتبار تا چند روز می‌ماند",
    f_max_redeem_percent: "بیشترین سهم سفارش که با اعتبار پرداخت می‌شود", f_hold_minutes: "مهلت نگه‌داشتن اعتبار در پرداخت",
    "f_reminders.expiry_days_before": "یادآوری انقضا، چند روز پیش از آن (مثلاً ۳، ۱)",
    "f_reminders.win_back_after_days": "بازگرداندن مشتری پس از چند روز بی‌خریدی",
    "f_reminders.win_back_mode": "زمان بازگرداندن", "o_fixed": "همان روزها برای همه", "o_personal": "به اندازهٔ فاصلهٔ خرید هر مشتری",
    "f_reminders.birthday_gift_amount": "هدیهٔ تولد", "f_reminders.birthday_gift_expiry_days": "اعتبار هدیهٔ تولد (روز)",
    "f_reminders.abandoned_cart_after_minutes": "یادآوری سبد رهاشده پس از",
    "f_reminders.browse_abandoned_after_minutes": "یادآوری محصول دیده‌شده پس از",
    "f_reminders.feedback_after_days": "درخواست نظر چند روز پس از خرید",
    "f_quiet_hours.start": "آغاز ساعات سکوت", "f_quiet_hours.end": "پایان ساعات سکوت",
    f_max_marketing_messages_per_week: "بیشترین پیام تبلیغاتی به هر مشتری در هفته", f_channel_order: "ترتیب کانال‌ها",
    f_holdout_percent: "گروه شاهد (بی‌پیام، برای سنجش اثر)", f_attribution_window_days: "پنجرهٔ انتساب خرید به پیام",
    f_shop_name: "نام فروشگاه در پیام‌ها", f_shop_url: "نشانی فروشگاه", f_default_locale: "زبان پیش‌فرض مشتریان",
    f_display_unit: "واحد نمایش مبلغ", f_timezone: "منطقهٔ زمانی", f_currency: "واحد پول برنامه",
    "f_sms.provider": "درگاه پیامک", "f_sms.sender": "شمارهٔ فرستنده", "f_sms.base_url": "نشانی درگاه",
    "f_sms.international": "پیامک به شماره‌های خارج از ایران", "f_sms.international_sender_id": "نام فرستنده در خارج",
    "f_email.from_address": "نشانی فرستندهٔ ایمیل",
    o_fa: "فارسی", o_en: "انگلیسی", o_IRR: "ریال", o_IRT: "تومان", o_none: "هیچ‌کدام", o_default_unit: "پیش‌فرض (تومان برای فروشگاه ریالی)", o_kavenegar: "کاوه‌نگار", o_smsir: "SMS.ir",
    o_sns: "Amazon SNS", o_gateway: "همان درگاه", o_local: "آزمایشی",
    ch_sms: "پیامک", ch_email: "ایمیل", ch_push: "اعلان",
    t_kind: "نوع پیام", t_lang: "زبان پیام", t_price: "بهای هر بخش پیامک ({unit})", t_reset: "بازگشت به متن پیش‌فرض",
    t_help: "جای‌نگهدارها: {name} {shop} {amount} {balance} {expires_on} {days} {link} {gift} {cart_total} {order_id}. خالی گذاشتن هر بخش یعنی متن پیش‌فرض.",
    t_preview: "پیش‌نمایش برای یک مشتری نمونه", t_push: "اعلان", t_email: "ایمیل",
    p_sms: "پیامک", p_email_subject: "موضوع ایمیل", p_email_body: "متن ایمیل", p_push_title: "عنوان اعلان", p_push_body: "متن اعلان",
    t_meta: "{parts} بخش پیامک · {chars} نویسه", t_cost: " · هزینهٔ هر پیام: {cost}", t_custom: "ویرایش‌شده", t_reset_done: "متن پیش‌فرض برگشت.",
    k_browse_abandoned: "محصول دیده‌شده", k_campaign_kind: "کمپین (متن پیش‌فرض)",
    c_segment: "بخش مشتریان", c_min_spent: "کمینهٔ کل خرید ({unit})", c_min_purchases: "کمینهٔ تعداد خرید", c_consent: "فقط با رضایت",
    c_any: "هر کدام", c_channel: "کانال", c_channel_order: "به ترتیب کانال‌های برنامه", c_fa_label: "متن فارسی",
    c_en_label: "متن انگلیسی (اختیاری)", c_url: "پیوند", c_when: "زمان ارسال (به وقت تهران)", c_create: "زمان‌بندی کمپین",
    c_list: "کمپین‌ها و نتایج", c_list_help: "اثر خالص: نرخ خرید گیرندگان منهای گروه شاهد، با بازهٔ اطمینان ۹۵٪.",
    audience: "{n} مشتری در این بخش · با رضایت پیامک {sms}، ایمیل {email}، اعلان {push}", counting: "در حال شمارش…",
    c_now: "خالی = همین حالا", c_status: "وضعیت", c_send_at: "زمان ارسال", c_audience_col: "مخاطبان", cost: "هزینه",
    st_scheduled: "زمان‌بندی‌شده", st_sending: "در حال ارسال", st_sent: "ارسال‌شده", st_canceled: "لغوشده",
    cancel: "لغو", canceled: "کمپین لغو شد.", no_campaigns: "هنوز کمپینی ساخته نشده است.",
    not_enough: "دادهٔ کافی نیست", not_enough_note: "دست‌کم {n} نفر در هر گروه لازم است", interval: "بازه: {a} تا {b}",
    not_yet: "هنوز نه", not_yet_note: "هنوز {d} روز از نخستین خرید کسی در این بازه نگذشته است", of_n: "از {n} مشتری",
    pltv_short: "میانگین سبد × {n} خرید؛ نه کمتر از خرج تا امروز",
    pltv_note: "میانگین سبد × {n} خرید مورد انتظار با نرخ بازگشت امروز؛ هرگز کمتر از آنچه مشتریان تا کنون خرج کرده‌اند",
    q_label: "جست‌وجوی مشتری", q_placeholder: "نام، شمارهٔ تلفن یا شناسه", search: "جست‌وجو",
    exports: "خروجی CSV:", x_customers: "مشتریان", x_ledger: "دفتر کیف پول", x_messages: "پیام‌ها",
    x_done: "فایل {name} دریافت شد.", no_results: "مشتری‌ای پیدا نشد.", unavailable: "این بخش هنوز روی این سرور فعال نیست.",
    profile: "مشخصات", phone: "تلفن", email: "ایمیل", locale: "زبان", birthday: "تولد", purchases: "تعداد خرید",
    total_spent: "کل خرید", first_purchase: "نخستین خرید", last_purchase: "آخرین خرید", consent: "رضایت دریافت پیام",
    yes: "دارد", no: "ندارد", wallet_c: "کیف پول", balance: "موجودی", expiring: "اعتبارهایی که می‌سوزند", expires: "انقضا {d}",
    none: "—", ledger: "دفتر کیف پول", l_type: "نوع", amount: "مبلغ", balance_after: "موجودی پس از آن", when: "زمان",
    reason: "دلیل", by: "به دست", lt_earn: "بازگشت وجه", lt_redeem: "خرج", lt_expire: "انقضا", lt_reverse: "برگشت مرجوعی",
    lt_gift: "هدیه", lt_adjust: "اصلاح دستی", lt_release: "آزادسازی", messages_c: "پیام‌ها", channel: "کانال", status: "وضعیت",
    ms_queued: "در صف", ms_sending: "در حال ارسال", ms_sent: "ارسال‌شده", ms_failed: "ناموفق", ms_suppressed: "فرستاده نشد",
    feedback: "نظرها", score: "امتیاز", comment: "نظر", no_rows: "چیزی ثبت نشده است.",
    adjust: "اصلاح موجودی", adjust_help: "مبلغ مثبت اعتبار می‌افزاید و منفی کم می‌کند؛ دلیل در دفتر کیف پول و تاریخچه می‌ماند.",
    adj_amount: "مبلغ (مثبت یا منفی)", adj_reason: "دلیل", adjust_go: "ثبت اصلاح", adjusted: "موجودی اصلاح شد: {b}",
    back: "بازگشت به نتایج",
    audit_help: "هر تغییری که در تنظیمات، متن پیام‌ها، کمپین‌ها و موجودی مشتریان داده شده، با نام کسی که آن را داده است.",
    a_when: "زمان", a_who: "چه کسی", a_action: "چه تغییری", a_target: "روی", a_detail: "جزئیات",
    "a_program.update": "تغییر تنظیمات", "a_campaign.create": "کمپین تازه", "a_campaign.cancel": "لغو کمپین",
    "a_customer.adjust": "اصلاح موجودی", no_audit: "هنوز تغییری ثبت نشده است.", body_col: "متن"
  });
  Object.assign(T.en, {
    nps: "Net promoter score", nps_note: "{n} answers · average {a} of 10", nps_none: "No feedback in this range yet",
    sections: "Sections", nav_overview: "Overview", nav_settings: "Settings", nav_templates: "Messages",
    nav_campaigns: "Campaigns", nav_customers: "Customers", nav_audit: "Change history",
    viewer_note: "This sign-in can only view. Ask the shop's owner for a manager link to change settings.",
    who_key: "API key", role_manager: "manager", role_viewer: "viewer",
    save: "Save", saved: "Saved.", saving: "Saving…", no_changes: "Nothing has changed.",
    fix_field: "A value was not accepted; see the message by the field.", read_only: "This sign-in can only view.",
    off_hint: "empty = off", none_hint: "empty = no cap", tehran_time: "{tz} time", percent: "%",
    minutes: "minutes", g_cashback: "Cashback and wallet", g_reminders: "Reminders", g_sending: "Sending",
    g_shop: "Shop", g_gateways: "SMS and email gateways",
    f_cashback_rate_bps: "Cashback on each purchase", f_min_purchase_amount: "Smallest purchase that earns cashback",
    f_max_cashback_per_purchase: "Most cashback per purchase", f_cashback_expiry_days: "Credit lasts",
    f_max_redeem_percent: "Largest share of an order credit may pay", f_hold_minutes: "Checkout hold lasts",
    "f_reminders.expiry_days_before": "Expiry reminders, days before (e.g. 3, 1)",
    "f_reminders.win_back_after_days": "Win-back after days without a purchase",
    "f_reminders.win_back_mode": "Win-back timing", "o_fixed": "The same days for everyone", "o_personal": "Each customer's own rhythm",
    "f_reminders.birthday_gift_amount": "Birthday gift", "f_reminders.birthday_gift_expiry_days": "Birthday gift lasts",
    "f_reminders.abandoned_cart_after_minutes": "Abandoned-cart reminder after",
    "f_reminders.browse_abandoned_after_minutes": "Viewed-product reminder after",
    "f_reminders.feedback_after_days": "Ask for feedback, days after a purchase",
    "f_quiet_hours.start": "Quiet hours start", "f_quiet_hours.end": "Quiet hours end",
    f_max_marketing_messages_per_week: "Most marketing messages per customer a week", f_channel_order: "Channel order",
    f_holdout_percent: "Holdout group (not messaged, to measure lift)", f_attribution_window_days: "Attribution window",
    f_shop_name: "Shop name in messages", f_shop_url: "Shop address", f_default_locale: "Customers' default language",
    f_display_unit: "Show amounts in", f_timezone: "Time zone", f_currency: "Program currency",
    "f_sms.provider": "SMS gateway", "f_sms.sender": "Sender line", "f_sms.base_url": "Gateway address",
    "f_sms.international": "SMS to numbers outside Iran", "f_sms.international_sender_id": "Sender ID abroad",
    "f_email.from_address": "Email sender address",
    o_fa: "Persian", o_en: "English", o_IRR: "Rials", o_IRT: "Toman", o_none: "None", o_default_unit: "Default (Toman for a rial shop)", o_kavenegar: "Kavenegar", o_smsir: "SMS.ir",
    o_sns: "Amazon SNS", o_gateway: "The same gateway", o_local: "Local test",
    ch_sms: "SMS", ch_email: "Email", ch_push: "Push",
    t_kind: "Message", t_lang: "Language", t_price: "Price of one SMS part ({unit})", t_reset: "Reset to default",
    t_help: "Placeholders: {name} {shop} {amount} {balance} {expires_on} {days} {link} {gift} {cart_total} {order_id}. Leave a part empty for the default text.",
    t_preview: "Preview for a sample customer", t_push: "Push", t_email: "Email",
    p_sms: "SMS", p_email_subject: "Email subject", p_email_body: "Email body", p_push_title: "Push title", p_push_body: "Push text",
    t_meta: "{parts} SMS parts · {chars} characters", t_cost: " · cost per message: {cost}", t_custom: "edited", t_reset_done: "Default text restored.",
    k_browse_abandoned: "Viewed product", k_campaign_kind: "Campaign (default text)",
    c_segment: "Segment", c_min_spent: "Spent at least ({unit})", c_min_purchases: "At least this many purchases", c_consent: "Only with consent for",
    c_any: "Any", c_channel: "Channel", c_channel_order: "The program's channel order", c_fa_label: "Persian text",
    c_en_label: "English text (optional)", c_url: "Link", c_when: "Send at (Tehran time)", c_create: "Schedule campaign",
    c_list: "Campaigns and results", c_list_help: "Lift: conversion of those messaged minus the holdout's, with a 95% interval.",
    audience: "{n} customers in this segment · with consent: SMS {sms}, email {email}, push {push}", counting: "Counting…",
    c_now: "empty = now", c_status: "Status", c_send_at: "Send at", c_audience_col: "Audience", cost: "Cost",
    st_scheduled: "Scheduled", st_sending: "Sending", st_sent: "Sent", st_canceled: "Canceled",
    cancel: "Cancel", canceled: "Campaign canceled.", no_campaigns: "No campaigns yet.",
    not_enough: "Not enough data", not_enough_note: "needs at least {n} in each group", interval: "interval {a} to {b}",
    not_yet: "Not yet", not_yet_note: "No first purchase in this range is {d} days old yet", of_n: "of {n} customers",
    pltv_short: "average order × {n} purchases; never below spend so far",
    pltv_note: "Average order × {n} expected purchases at today's repeat rate; never below what customers have already spent",
    q_label: "Find a customer", q_placeholder: "Name, phone or id", search: "Search",
    exports: "CSV exports:", x_customers: "Customers", x_ledger: "Wallet ledger", x_messages: "Messages",
    x_done: "Downloaded {name}.", no_results: "No customer found.", unavailable: "This is not available on this server yet.",
    profile: "Profile", phone: "Phone", email: "Email", locale: "Language", birthday: "Birthday", purchases: "Purchases",
    total_spent: "Total spent", first_purchase: "First purchase", last_purchase: "Last purchase", consent: "Marketing consent",
    yes: "yes", no: "no", wallet_c: "Wallet", balance: "Balance", expiring: "Credit that expires", expires: "expires {d}",
    none: "—", ledger: "Wallet ledger", l_type: "Type", amount: "Amount", balance_after: "Balance after", when: "When",
    reason: "Reason", by: "By", lt_earn: "Cashback", lt_redeem: "Spent", lt_expire: "Expired", lt_reverse: "Refund reversal",
    lt_gift: "Gift", lt_adjust: "Adjustment", lt_release: "Released", messages_c: "Messages", channel: "Channel", status: "Status",
    ms_queued: "Queued", ms_sending: "Sending", ms_sent: "Sent", ms_failed: "Failed", ms_suppressed: "Not sent",
    feedback: "Feedback", score: "Score", comment: "Comment", no_rows: "Nothing yet.",
    adjust: "Adjust balance", adjust_help: "A positive amount adds credit, a negative one takes it; the reason stays in the ledger and the change history.",
    adj_amount: "Amount (+ or −)", adj_reason: "Reason", adjust_go: "Adjust", adjusted: "Balance adjusted: {b}",
    back: "Back to results",
    audit_help: "Every change made to settings, message texts, campaigns and customers' balances, with who made it.",
    a_when: "When", a_who: "Who", a_action: "Change", a_target: "On", a_detail: "Details",
    "a_program.update": "Settings changed", "a_campaign.create": "Campaign created", "a_campaign.cancel": "Campaign canceled",
    "a_customer.adjust": "Balance adjusted", no_audit: "No changes recorded yet.", body_col: "Text"
  });
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
    showRole();
    $("key").focus();
  }
  function signedIn(value) {
    saveAuth(value);
    $("signin").hidden = true; $("signout").hidden = false; $("board").hidden = false;
    $("signin-error").textContent = "";
    showRole();
    load();
    showScreen();
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
        if (!r.ok) {
          var err = new Error((body.error && body.error.message) || String(r.status));
          err.status = r.status; err.code = body.error && body.error.code; err.field = body.error && body.error.field;
          throw err;
        }
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
      signedIn({token: b.session, kind: "session", expires_at: b.expires_at, role: b.role || "viewer", user: b.user || ""});
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
    /* A window that has not passed for anyone in the range is "not yet", never a bold 0%. */
    function returned(days) {
      var key = days + "d", base = (m.return_rate_eligible || {})[key];
      if (base === 0) return stat("return_" + key, t("return_" + key), t("not_yet"), t("not_yet_note", {d: num(days)}));
      return stat("return_" + key, t("return_" + key), pct(m.return_rate[key]), base ? t("of_n", {n: num(base)}) : null, m.return_rate[key]);
    }
    fill($("kpi-return"), [
      stat("repeat", t("repeat"), pct(m.repeat_purchase_rate), t("of_first"), m.repeat_purchase_rate),
      returned(30), returned(60), returned(90)
    ]);
    /* Net promoter score from the feedback customers gave in the range: promoters − detractors. */
    var fb = m.feedback;
    if (fb) {
      $("kpi-return").appendChild(fb.count
        ? stat("nps", t("nps"), num(fb.nps), t("nps_note", {n: num(fb.count), a: num(fb.average, 1)}))
        : stat("nps", t("nps"), t("none"), t("nps_none")));
    }
    var basis = m.predicted_lifetime_value_basis;
    fill($("kpi-value"), [
      stat("orders", t("orders"), num(m.orders)),
      stat("revenue", t("revenue"), moneyParts(m.revenue)),
      stat("aov", t("aov"), moneyParts(m.average_order_value)),
      stat("frequency", t("frequency"), num(m.purchase_frequency)),
      stat("ltv", t("ltv"), moneyParts(m.lifetime_value)),
      stat("pltv", t("pltv"), moneyParts(m.predicted_lifetime_value), basis ? t("pltv_short", {n: num(basis.expected_purchases)}) : null)
    ]);
    var pltv = document.querySelector('[data-testid="stat-pltv"]');
    if (basis) { pltv.title = t("pltv_note", {n: num(basis.expected_purchases)}); pltv.setAttribute("aria-description", pltv.title); }
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
      chart.appendChild(svg("line", {x1: mx, x2: mx, y1: 6, y2: base, "class": "median"}));
      /* The label sits beside the line, in the band above the tallest bar, so it never meets a bar's count. */
      var towardStart = mx > W / 2;
      chart.appendChild(svg("text", {x: towardStart ? mx - 6 : mx + 6, y: 16, "text-anchor": towardStart ? "end" : "start",
        direction: "ltr", "class": "median-label"}, t("median_short", {n: num(d.median)})));
    }
    bins.forEach(function (b, i) {
      var h = Math.round((base - top) * b[2] / max), x = Math.min(xAt(i, 0.16), xAt(i, 0.84));
      if (b[2] > 0) {
        chart.appendChild(svg("rect", {x: x, y: base - h, width: slot * 0.68, height: h, rx: 5, "class": "bar", "data-testid": "bin-" + i}));
        /* Counts inside their bar when it is tall enough; a short bar's count sits just above it. */
        var inside = h >= 24;
        chart.appendChild(svg("text", {x: xAt(i, 0.5), y: inside ? base - h + 17 : base - h - 7, "text-anchor": "middle",
          "class": inside ? "count inside" : "count"}, num(b[2])));
      }
      chart.appendChild(svg("text", {x: xAt(i, 0.5), y: base + 20, "text-anchor": "middle"}, num(b[0]) + "–" + num(b[1])));
    });
    chart.appendChild(svg("line", {x1: left, x2: W - right, y1: base, y2: base, "class": "axis"}));
    chart.appendChild(svg("text", {x: W / 2, y: base + 44, "text-anchor": "middle", "class": "axis-title"}, t("days")));
    box.appendChild(chart);
  }

  function jalaliMonthLabel(ym) {
    var first = fromJalali(+ym.slice(0, 4), +ym.slice(5, 7), 1);
    if (!first) return ym;
    /* "مرداد ۱۴۰۵", as Persian writes it (ICU puts the year first for this pattern). */
    var day = new Date(msOf(first));
    return dateFormat({month: "long"}).format(day) + " " + dateFormat({year: "numeric"}).format(day);
  }
  function renderCohorts(cohorts, jalaliMonths) {
    var table = $("cohorts"); table.textContent = "";
    if (!cohorts.length) { table.appendChild(el("tr", {}, [el("td", {"class": "none", text: t("no_cohorts")})])); return; }
    var width = cohorts.reduce(function (w, c) { return Math.max(w, c.retention.length); }, 0);
    var head = [el("th", {"class": "rowhead", text: t("cohort")}), el("th", {text: t("size")})];
    for (var i = 0; i < width; i++) head.push(el("th", {text: t("month", {n: num(i)})}));
    table.appendChild(el("thead", {}, [el("tr", {}, head)]));
    var body = el("tbody");
    cohorts.forEach(function (c) {
      var label = jalaliMonths ? jalaliMonthLabel(c.cohort) : cohortLabel(c.cohort);
      var cells = [el("th", {"class": "rowhead", scope: "row", text: label}), el("td", {"class": "size", text: num(c.size)})];
      for (var k = 0; k < width; k++) {
        var r = c.retention[k];
        if (r === undefined) { cells.push(el("td", {"class": "future"})); continue; }
        var alpha = r > 0 ? 0.14 + 0.86 * Math.min(1, r) : 0.04;
        cells.push(el("td", {
          "class": "cell" + (alpha > 0.55 ? " dark" : ""), title: pct(r),
          css: "background:rgba(13,148,136," + alpha.toFixed(3) + ")", text: pct(r)
        }));
      }
      body.appendChild(el("tr", {"data-testid": (jalaliMonths ? "cohort-j-" : "cohort-") + c.cohort}, cells));
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
    var cell = el("td", {"class": "lift"}, liftParts(row));
    if (row.holdout_lift !== null && row.holdout_lift !== undefined && row.holdout_enough_data !== false) {
      cell.classList.add(row.holdout_lift > 0 ? "up" : row.holdout_lift < 0 ? "down" : "flat");
    }
    return cell;
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
    var select = $("c-segment"), chosen = select.value || "all";
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
    var jalaliRows = lang === "fa" && m.jalali_cohorts && m.jalali_cohorts.length;
    renderCohorts(jalaliRows ? m.jalali_cohorts : (m.cohorts || []), !!jalaliRows);
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
        translate();  /* labels that name the shop's unit follow its program */
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
    document.querySelectorAll("[data-i18n]").forEach(function (n) { n.textContent = t(n.getAttribute("data-i18n"), {unit: unitInfo().name}); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach(function (n) { n.placeholder = t(n.getAttribute("data-i18n-placeholder")); });
    $("lang").textContent = t("other_lang");
    $("lang").setAttribute("lang", lang === "fa" ? "en" : "fa");
    document.querySelectorAll("[data-i18n-aria]").forEach(function (n) { n.setAttribute("aria-label", t(n.getAttribute("data-i18n-aria"))); });
    renderTemplatePicker();
    $("c-when-shown").textContent = t("c_now");
    showRange();
  }

  /* ---------- events ---------- */
  $("lang").addEventListener("click", function () {
    lang = lang === "fa" ? "en" : "fa";
    localStorage.setItem("vafa.lang", lang);
    translate();
    render();
    if (auth) { showRole(); if (screenOf() !== "overview") showScreen(); }
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
  $("campaign-form").addEventListener("submit", createCampaign);
  ["c-segment", "c-consent"].forEach(function (id) { $(id).addEventListener("change", previewAudience); });
  ["c-min-spent", "c-min-purchases"].forEach(function (id) { $(id).addEventListener("input", debounce(previewAudience, 300)); });
  $("c-when").addEventListener("input", function () {
    var when = sendAtIso();
    $("c-when-shown").textContent = when ? shortDateTime(when) : t("c_now");
  });
  window.addEventListener("hashchange", showScreen);
  $("settings-form").addEventListener("submit", saveSettings);
  $("t-kind").addEventListener("change", loadTemplate);
  $("t-locale").addEventListener("change", loadTemplate);
  $("t-price").addEventListener("input", debounce(function () {
    var raw = fromShown($("t-price").value);
    if (raw === "") localStorage.removeItem("vafa.smsPartPrice"); else localStorage.setItem("vafa.smsPartPrice", raw);
    previewTemplate();
  }, 300));
  $("template-form").addEventListener("submit", function (e) { e.preventDefault(); saveTemplate(false); });
  $("t-reset").addEventListener("click", function () { saveTemplate(true); });
  $("search-form").addEventListener("submit", search);
  document.querySelectorAll("[data-export]").forEach(function (b) {
    b.addEventListener("click", function () { download(b.getAttribute("data-export")); });
  });

  /* ================= Running the club: screens beyond the overview ================= */
  var SCREENS = ["overview", "settings", "templates", "campaigns", "customers", "audit"];
  var TEMPLATE_KINDS = ["expiry_reminder", "win_back", "birthday", "abandoned_cart", "browse_abandoned",
    "feedback_request", "purchase_thanks", "campaign"];
  var PARTS = ["sms", "email_subject", "email_body", "push_title", "push_body"];
  var PERMUTATIONS = [["push", "sms", "email"], ["push", "email", "sms"], ["sms", "push", "email"],
    ["sms", "email", "push"], ["email", "push", "sms"], ["email", "sms", "push"]];
  /* Every program field the settings form sets: [name, kind, options]. */
  var FIELDS = [
    ["g_cashback", [["cashback_rate_bps", "bps"], ["min_purchase_amount", "money"],
      ["max_cashback_per_purchase", "money", {nullable: "none_hint"}], ["cashback_expiry_days", "days"],
      ["max_redeem_percent", "percent"], ["hold_minutes", "minutes"]]],
    ["g_reminders", [["reminders.expiry_days_before", "daylist", {nullable: "off_hint"}],
      ["reminders.win_back_after_days", "days", {nullable: "off_hint"}],
      ["reminders.win_back_mode", "select", {options: ["fixed", "personal"]}],
      ["reminders.birthday_gift_amount", "money", {nullable: "off_hint"}], ["reminders.birthday_gift_expiry_days", "days"],
      ["reminders.abandoned_cart_after_minutes", "minutes", {nullable: "off_hint"}],
      ["reminders.browse_abandoned_after_minutes", "minutes", {nullable: "off_hint"}],
      ["reminders.feedback_after_days", "days", {nullable: "off_hint"}]]],
    ["g_sending", [["quiet_hours.start", "time"], ["quiet_hours.end", "time"], ["max_marketing_messages_per_week", "int"],
      ["channel_order", "channels"], ["holdout_percent", "percent"], ["attribution_window_days", "days"]]],
    ["g_shop", [["shop_name", "text", {nullable: 1}], ["shop_url", "url", {nullable: 1}],
      ["default_locale", "select", {options: ["fa", "en"]}], ["display_unit", "select", {options: ["", "IRR", "IRT"], nullable: 1}],
      ["timezone", "text"], ["currency", "text"]]],
    ["g_gateways", [["sms.provider", "select", {options: ["", "kavenegar", "smsir", "sns", "local"], nullable: 1}],
      ["sms.sender", "text", {nullable: 1}], ["sms.base_url", "url", {nullable: 1}],
      ["sms.international", "select", {options: ["", "sns", "gateway"], nullable: 1}],
      ["sms.international_sender_id", "text", {nullable: 1}], ["email.from_address", "text"]]]
  ];

  function canManage() { return !!auth && (auth.kind === "key" || auth.role === "manager"); }
  function toLocalDigits(text) {
    return lang === "fa" ? String(text).replace(/[0-9]/g, function (d) { return "۰۱۲۳۴۵۶۷۸۹"[+d]; }) : String(text);
  }
  function getPath(obj, dotted) {
    return dotted.split(".").reduce(function (o, k) { return o === null || o === undefined ? undefined : o[k]; }, obj);
  }
  function setPath(obj, dotted, value) {
    var keys = dotted.split("."), last = keys.pop();
    keys.reduce(function (o, k) { return (o[k] = o[k] || {}); }, obj)[last] = value;
  }
  /* Amounts are kept in the program currency; shops type them in the unit they think in (Toman).
     `factor`: program-currency units in one display unit (10 rials in a Toman). */
  function unitInfo() {
    var code = String(program.currency || "IRR").toUpperCase();
    if (!RIALS[code]) return {factor: 1, name: code};
    var unit = String(program.display_unit || (code === "IRR" ? "IRT" : code)).toUpperCase();
    if (!RIALS[unit]) unit = code;
    return {factor: RIALS[unit] / RIALS[code], name: UNIT_NAMES[lang][unit]};
  }
  function fromShown(text) { return toLatinDigits(String(text)).replace(/[٬,\s]/g, "").replace("٫", ".").replace(/^−/, "-"); }
  function debounce(fn, ms) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }
  function shortDateTime(isoText) {
    if (!isoText) return t("none");
    return new Intl.DateTimeFormat(lang === "fa" ? "fa-IR-u-ca-persian" : "en-GB", {
      timeZone: program.timezone || "Asia/Tehran", year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit"
    }).format(new Date(isoText));
  }
  function failure(status, error) {
    status.textContent = error.code === "read_only_session" ? t("read_only") : String(error.message || error);
    status.className = "status error";
  }
  function done(status, text) { status.textContent = text; status.className = "status ok"; }
  function clearErrors(form) {
    form.querySelectorAll(".field-error").forEach(function (n) { n.textContent = ""; });
    form.querySelectorAll(".invalid").forEach(function (n) { n.classList.remove("invalid"); n.removeAttribute("aria-invalid"); });
  }
  /* The API names the failing field (`reminders.win_back_after_days`): its message goes next to that control. */
  function showFieldError(form, error, status) {
    var field = error.field || "";
    var control = field && form.querySelector('[name="' + field.replace(/"/g, "") + '"]');
    /* The program API names `templates` and says which part in its message ("win_back.fa.sms uses …"). */
    var part = field === "templates" && /\.(?:fa|en)\.([a-z_]+) /.exec(error.message || "");
    if (!control && part) control = form.querySelector('[name="' + part[1] + '"]');
    if (control) {
      control.classList.add("invalid");
      control.setAttribute("aria-invalid", "true");
      var holder = form.querySelector('[data-error-for="' + control.name + '"]');
      if (holder) holder.textContent = error.message;
      control.focus();
      failure(status, {message: t("fix_field")});
    } else {
      failure(status, error);
    }
  }
  function jsonPost(path, body, method) {
    return api(path, {method: method || "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
  }

  /* ---------- screens ---------- */
  function screenOf() {
    var name = location.hash.replace(/^#/, "").split("/")[0];
    return SCREENS.indexOf(name) >= 0 ? name : "overview";
  }
  function showScreen() {
    var current = screenOf();
    SCREENS.forEach(function (name) { $("screen-" + name).hidden = name !== current; });
    document.querySelectorAll("#tabs a").forEach(function (a) {
      if (a.getAttribute("data-screen") === current) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    });
    document.body.setAttribute("data-screen", current);
    if (!auth) return;
    if (current === "settings") renderSettings();
    if (current === "templates") loadTemplate();
    if (current === "campaigns") { renderCampaignForm(last ? last.segments : {}); loadCampaigns(); previewAudience(); }
    if (current === "audit") loadAudit();
  }
  function showRole() {
    var manager = canManage();
    $("viewer-note").hidden = manager;
    document.body.classList.toggle("viewer", !manager);
    document.querySelectorAll("[data-manage]").forEach(function (n) { n.disabled = !manager; });
    $("who").textContent = !auth ? "" : auth.kind === "key" ? t("who_key")
      : (auth.user || "") + " · " + t(auth.role === "manager" ? "role_manager" : "role_viewer");
  }

  /* ---------- settings ---------- */
  function controlFor(spec) {
    var name = spec[0], kind = spec[1], opts = spec[2] || {}, value = getPath(program, name), control;
    var id = "f-" + name.replace(/\./g, "-");
    if (kind === "select" || kind === "channels") {
      control = el("select", {id: id, name: name});
      var options = kind === "channels" ? PERMUTATIONS.map(function (p) { return p.join(","); }) : opts.options;
      options.forEach(function (o) {
        var label = kind === "channels" ? o.split(",").map(function (c) { return t("ch_" + c); }).join(lang === "fa" ? " ← " : " → ")
          : o === "" ? t(name === "display_unit" ? "o_default_unit" : "o_none") : t("o_" + o);
        var option = el("option", {value: o, text: label});
        var current = kind === "channels" ? (value || []).join(",") : (value === null || value === undefined ? "" : String(value));
        if (current === o) option.selected = true;
        control.appendChild(option);
      });
    } else {
      var shown = "";
      if (value !== null && value !== undefined) {
        if (kind === "bps") shown = toLocalDigits(String(value / 100));
        else if (kind === "money") shown = toLocalDigits(String(Math.round(value / unitInfo().factor * 100) / 100));
        else if (kind === "daylist") shown = value.map(function (d) { return toLocalDigits(String(d)); }).join(lang === "fa" ? "، " : ", ");
        else if (kind === "time") shown = toLocalDigits(String(value));
        else if (kind === "text" || kind === "url") shown = String(value);
        else shown = toLocalDigits(String(value));
      }
      var attrs = {id: id, name: name, autocomplete: "off"};
      if (kind === "time") { attrs.type = "text"; attrs.dir = "ltr"; attrs.inputmode = "numeric"; attrs.placeholder = toLocalDigits("21:00"); attrs["class"] = "num clock"; }
      else if (kind === "url") { attrs.type = "url"; attrs.dir = "ltr"; }
      else if (kind === "text") { attrs.type = "text"; if (name !== "shop_name") attrs.dir = "ltr"; }
      else { attrs.inputmode = kind === "bps" ? "decimal" : "numeric"; attrs.dir = "ltr"; attrs["class"] = "num"; }
      control = el("input", attrs);
      control.value = shown;
    }
    control.setAttribute("aria-describedby", id + "-help " + id + "-error");
    var unit = {bps: t("percent"), percent: t("percent"), money: unitInfo().name, days: t("days"), daylist: t("days"),
      minutes: t("minutes"), time: t("tehran_time", {tz: program.timezone === "Asia/Tehran" || !program.timezone ? (lang === "fa" ? "تهران" : "Tehran") : program.timezone})}[kind];
    var help = [unit, opts.nullable && typeof opts.nullable === "string" ? t(opts.nullable) : null].filter(Boolean).join(" · ");
    return el("div", {"class": "field", "data-testid": "field-" + name}, [
      el("label", {"for": id, text: t("f_" + name)}),
      el("div", {"class": "control"}, [control, help ? el("small", {id: id + "-help", "class": "unit", text: help}) : null]),
      el("small", {id: id + "-error", "class": "field-error", role: "alert", "data-error-for": name})
    ]);
  }
  function renderSettings() {
    var box = $("settings-groups"); box.textContent = "";
    FIELDS.forEach(function (group) {
      var present = group[1].filter(function (spec) { return getPath(program, spec[0]) !== undefined || spec[0].indexOf("quiet_hours.") === 0; });
      if (!present.length) return;
      var fields = el("div", {"class": "fields"}, present.map(controlFor));
      box.appendChild(el("fieldset", {"class": "card group", "data-manage": "1"}, [el("legend", {text: t(group[0])}), fields]));
    });
    $("settings-save").setAttribute("data-manage", "1");
    showRole();
  }
  function readControl(spec) {
    var name = spec[0], kind = spec[1], opts = spec[2] || {};
    var control = $("settings-form").querySelector('[name="' + name + '"]');
    var raw = control.value.trim();
    if (kind === "select") return raw === "" && opts.nullable ? null : raw;
    if (kind === "channels") return raw.split(",");
    if (kind === "time") return raw === "" && opts.nullable ? null : toLatinDigits(raw);
    if (kind === "text" || kind === "url") return raw === "" && opts.nullable ? null : raw;
    if (raw === "") return opts.nullable ? null : raw;  /* the API says why an empty value is refused */
    if (kind === "daylist") {
      var days = fromShown(raw.replace(/[،,]/g, " ")).length ? toLatinDigits(raw).split(/[\s،,]+/).filter(Boolean) : [];
      return days.map(function (d) { return /^\d+$/.test(d) ? +d : d; });
    }
    var n = Number(fromShown(raw));
    if (!isFinite(n) || fromShown(raw) === "") return raw;  /* not a number: sent as typed, so the API names the field */
    if (kind === "bps") return Math.round(n * 100);
    if (kind === "money") return Math.round(n * unitInfo().factor);
    return n;
  }
  function settingsUpdate() {
    var update = {}, changed = false;
    FIELDS.forEach(function (group) {
      group[1].forEach(function (spec) {
        var name = spec[0];
        if (!$("settings-form").querySelector('[name="' + name + '"]')) return;
        if (name.indexOf("quiet_hours.") === 0) return;
        var value = readControl(spec);
        if (JSON.stringify(value) !== JSON.stringify(getPath(program, name))) { setPath(update, name, value); changed = true; }
      });
    });
    /* Quiet hours: both empty turns them off (null); otherwise both clocks are sent together. */
    var start = readControl(["quiet_hours.start", "time", {nullable: 1}]), end = readControl(["quiet_hours.end", "time", {nullable: 1}]);
    var quiet = start === null && end === null ? null : {start: start || "", end: end || ""};
    if (JSON.stringify(quiet) !== JSON.stringify(program.quiet_hours)) { update.quiet_hours = quiet; changed = true; }
    return changed ? update : null;
  }
  function saveSettings(e) {
    e.preventDefault();
    var form = $("settings-form"), status = $("settings-status");
    clearErrors(form);
    var update = settingsUpdate();
    if (!update) { done(status, t("no_changes")); return; }
    status.textContent = t("saving"); status.className = "status";
    jsonPost("/v1/program", update, "PUT").then(function (saved) {
      program = saved;
      renderSettings();
      done($("settings-status"), t("saved"));
    }).catch(function (err) { showFieldError(form, err, status); });
  }

  /* ---------- templates ---------- */
  var templateState = {defaults: {}, customized: []};
  var templateTicket = 0;
  function partPrice() {
    var raw = fromShown($("t-price").value || "");
    var n = Number(raw);
    return raw !== "" && isFinite(n) && n >= 0 ? Math.round(n * unitInfo().factor) : null;
  }
  function renderTemplateFields(template) {
    var box = $("template-fields"); box.textContent = "";
    PARTS.forEach(function (part) {
      var id = "t-" + part, multi = part === "sms" || part === "email_body";
      var control = el(multi ? "textarea" : "input", {id: id, name: part, rows: part === "sms" ? 4 : 6, "data-testid": id,
        dir: $("t-locale").value === "fa" ? "rtl" : "ltr", "aria-describedby": id + "-error"});
      control.value = template[part] || "";
      control.addEventListener("input", debounce(previewTemplate, 250));
      var custom = templateState.customized.indexOf(part) >= 0;
      box.appendChild(el("div", {"class": "field wide"}, [
        el("label", {"for": id}, [t("p_" + part), custom ? el("span", {"class": "badge", text: t("t_custom")}) : null]),
        control,
        el("small", {id: id + "-error", "class": "field-error", role: "alert", "data-error-for": part})
      ]));
    });
  }
  function edited() {
    var parts = {};
    PARTS.forEach(function (part) { var c = $("t-" + part); if (c) parts[part] = c.value; });
    return parts;
  }
  function showPreview(r) {
    $("p-sms").textContent = r.sms.body;
    $("p-sms").dir = r.locale === "fa" ? "rtl" : "ltr";
    var meta = t("t_meta", {parts: num(r.sms.parts), chars: num(r.sms.characters)});
    if (r.sms.cost !== null && r.sms.cost !== undefined) meta += t("t_cost", {cost: money(r.sms.cost)});
    $("p-meta").textContent = meta;
    $("p-meta").setAttribute("data-parts", String(r.sms.parts));
    $("p-push-title").textContent = r.push.subject || "";
    $("p-push-body").textContent = r.push.body;
    $("p-mail-subject").textContent = r.email.subject || "";
    $("p-mail-body").textContent = r.email.body;
    document.querySelectorAll(".preview .phone, .preview .push-card, .preview .mail").forEach(function (n) { n.dir = r.locale === "fa" ? "rtl" : "ltr"; });
  }
  function previewBody(parts) {
    var body = {kind: $("t-kind").value, locale: $("t-locale").value, template: parts || {}};
    var price = partPrice();
    if (price !== null) body.sms_part_price = price;
    return body;
  }
  function loadTemplate() {
    var ticket = ++templateTicket;
    $("t-status").textContent = "";
    return jsonPost("/v1/templates/preview", previewBody({})).then(function (r) {
      if (ticket !== templateTicket) return;
      templateState = {defaults: r.defaults, customized: r.customized};
      renderTemplateFields(r.template);
      showPreview(r);
      document.body.setAttribute("data-template", r.kind + "." + r.locale);
    }).catch(function (err) { failure($("t-status"), err); });
  }
  function previewTemplate() {
    var form = $("template-form"), ticket = ++templateTicket;
    return jsonPost("/v1/templates/preview", previewBody(edited())).then(function (r) {
      if (ticket !== templateTicket) return;
      clearErrors(form);
      $("t-status").textContent = "";
      showPreview(r);
    }).catch(function (err) {
      if (ticket !== templateTicket) return;
      clearErrors(form);
      showFieldError(form, {message: err.message, field: (err.field || "").replace(/^template\./, ""), code: err.code}, $("t-status"));
    });
  }
  function saveTemplate(reset) {
    var form = $("template-form"), status = $("t-status"), kind = $("t-kind").value, locale = $("t-locale").value;
    clearErrors(form);
    var parts = {}, texts = edited();
    /* A part equal to the built-in text is stored empty, so it keeps following the default. */
    PARTS.forEach(function (part) { parts[part] = reset || texts[part] === templateState.defaults[part] ? "" : texts[part]; });
    var update = {templates: {}};
    update.templates[kind] = {};
    update.templates[kind][locale] = parts;
    status.textContent = t("saving"); status.className = "status";
    return jsonPost("/v1/program", update, "PUT").then(function (saved) {
      program = saved;
      return loadTemplate().then(function () { done($("t-status"), reset ? t("t_reset_done") : t("saved")); });
    }).catch(function (err) { showFieldError(form, err, status); });
  }
  function renderTemplatePicker() {
    var select = $("t-kind"), chosen = select.value || "win_back";
    select.textContent = "";
    TEMPLATE_KINDS.forEach(function (kind) {
      var option = el("option", {value: kind, text: t(kind === "campaign" ? "k_campaign_kind" : "k_" + kind)});
      if (kind === chosen) option.selected = true;
      select.appendChild(option);
    });
    var stored = localStorage.getItem("vafa.smsPartPrice");
    if (stored && !$("t-price").value) $("t-price").value = toLocalDigits(stored);
  }

  /* ---------- campaigns ---------- */
  function segmentOf() {
    var name = $("c-segment").value || "all", filters = {name: name}, any = false;
    [["c-min-spent", "min_total_spent", true], ["c-min-purchases", "min_purchases", false]].forEach(function (f) {
      var raw = fromShown($(f[0]).value || "");
      if (raw === "") return;
      var n = Number(raw);
      filters[f[1]] = isFinite(n) ? (f[2] ? Math.round(n * unitInfo().factor) : n) : $(f[0]).value;
      any = true;
    });
    if ($("c-consent").value) { filters.consent = $("c-consent").value; any = true; }
    return any ? filters : name;
  }
  var audienceTicket = 0;
  function previewAudience() {
    var ticket = ++audienceTicket, box = $("c-audience");
    box.textContent = t("counting");
    jsonPost("/v1/segments/preview", {segment: segmentOf()}).then(function (r) {
      if (ticket !== audienceTicket) return;
      box.textContent = t("audience", {n: num(r.size), sms: num(r.with_consent.sms), email: num(r.with_consent.email), push: num(r.with_consent.push)});
      box.setAttribute("data-size", String(r.size));
    }).catch(function (err) { if (ticket === audienceTicket) box.textContent = String(err.message || err); });
  }
  /* `datetime-local` is read as the program's clock (Tehran), whatever the browser's own zone is. */
  function zoneOffset(ms) {
    var parts = {};
    new Intl.DateTimeFormat("en-US", {timeZone: program.timezone || "Asia/Tehran", hourCycle: "h23", year: "numeric",
      month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric"})
      .formatToParts(new Date(ms)).forEach(function (p) { parts[p.type] = p.value; });
    return Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour % 24, +parts.minute, +parts.second) - ms;
  }
  function sendAtIso() {
    var v = $("c-when").value;
    if (!v) return null;
    var wall = Date.UTC(+v.slice(0, 4), +v.slice(5, 7) - 1, +v.slice(8, 10), +v.slice(11, 13), +v.slice(14, 16));
    return new Date(wall - zoneOffset(wall)).toISOString().replace(/\.\d{3}Z$/, "Z");
  }
  function createCampaign(e) {
    e.preventDefault();
    var form = $("campaign-form"), status = $("c-result");
    clearErrors(form);
    var template = {};
    if ($("c-fa").value.trim()) template.fa = $("c-fa").value.trim();
    if ($("c-en").value.trim()) template.en = $("c-en").value.trim();
    var body = {campaign_id: "c-" + Date.now().toString(36), name: $("c-name").value, segment: segmentOf(), template: template};
    if ($("c-channel").value) body.channel = $("c-channel").value;
    if ($("c-url").value) body.url = $("c-url").value;
    var when = sendAtIso();
    if (when) body.send_at = when;
    jsonPost("/v1/campaigns", body).then(function () {
      done(status, t("created"));
      loadCampaigns();
    }).catch(function (err) { showFieldError(form, err, status); });
  }
  function liftParts(row) {
    if (row.holdout_lift === null || row.holdout_lift === undefined) return [el("b", {"data-testid": "lift", text: "—"})];
    var sample = row.holdout_sample || {};
    var sampleNote = el("small", {text: t("sample", {m: num(sample.messaged), h: num(sample.holdout)})});
    if (row.holdout_enough_data === false) {
      return [el("b", {"data-testid": "lift", "class": "thin", text: t("not_enough")}), sampleNote,
        el("small", {text: t("not_enough_note", {n: num(row.holdout_min_sample || 30)})})];
    }
    function points(x) {
      /* A true minus sign in both languages (English Intl gives a hyphen), marks dropped: <bdi> keeps it LTR. */
      return new Intl.NumberFormat(locale(), {maximumFractionDigits: 1, signDisplay: "exceptZero"}).format(x * 100)
        .replace(/[\u200e\u200f]/g, "").replace("-", "−");
    }
    var label = t("points", {p: "\u0000"}).split("\u0000");
    var parts = [el("b", {"data-testid": "lift"}, [label[0], el("bdi", {dir: "ltr", text: points(row.holdout_lift)}), label[1]]), sampleNote];
    if (row.holdout_lift_interval) {
      parts.push(el("small", {"data-testid": "lift-interval"}, [t("interval", {a: "\u0001", b: "\u0002"}).split(/[\u0001\u0002]/)[0],
        el("bdi", {dir: "ltr", text: points(row.holdout_lift_interval[0])}), t("interval", {a: "\u0001", b: "\u0002"}).split(/[\u0001\u0002]/)[1],
        el("bdi", {dir: "ltr", text: points(row.holdout_lift_interval[1])})]));
    }
    return parts;
  }
  function renderCampaigns(list) {
    var table = $("campaigns"); table.textContent = "";
    var heads = ["c_name", "c_status", "c_send_at", "c_audience_col", "sent", "clicked", "converted", "attributed", "cost", "lift", ""];
    table.appendChild(el("thead", {}, [el("tr", {}, heads.map(function (k) { return el("th", {text: k ? t(k) : ""}); }))]));
    var body = el("tbody");
    if (!list.length) body.appendChild(el("tr", {}, [el("td", {"class": "none", colspan: heads.length, text: t("no_campaigns")})]));
    list.forEach(function (c) {
      var action = null;
      if (c.status === "scheduled" || c.status === "sending") {
        action = el("button", {type: "button", "class": "ghost small-btn", "data-testid": "cancel-" + c.campaign_id, "data-manage": "1", text: t("cancel")});
        action.disabled = !canManage();
        action.addEventListener("click", function () {
          jsonPost("/v1/campaigns/" + encodeURIComponent(c.campaign_id) + "/cancel", {}).then(function () {
            done($("c-result"), t("canceled")); loadCampaigns();
          }).catch(function (err) { failure($("c-result"), err); });
        });
      }
      body.appendChild(el("tr", {"data-testid": "campaign-row-" + c.campaign_id}, [
        el("th", {scope: "row", text: c.name}),
        el("td", {"data-testid": "status", text: t("st_" + c.status)}),
        el("td", {text: shortDateTime(c.send_at)}),
        el("td", {text: num(c.audience || 0)}),
        el("td", {text: num(c.sent)}), rateCell(c.clicked, c.sent), rateCell(c.converted, c.sent),
        el("td", {text: money(c.revenue)}), el("td", {text: money(c.cost || 0)}),
        el("td", {"class": "lift"}, liftParts(c)),
        el("td", {}, [action])
      ]));
    });
    table.appendChild(body);
  }
  function loadCampaigns() {
    return api("/v1/campaigns?limit=100").then(function (r) {
      if (last) last.campaigns = r;
      renderCampaigns(r.items || []);
    }).catch(function (err) { failure($("c-result"), err); });
  }

  /* ---------- customers ---------- */
  var found = [];
  function unavailable(err) { return err.status === 404 && err.code === "route_not_found"; }
  function search(e) {
    if (e) e.preventDefault();
    var q = $("q").value.trim(), list = $("results");
    if (!q) return;
    $("customer").hidden = true; list.hidden = false;
    api("/v1/customers?q=" + encodeURIComponent(q)).then(function (r) {
      found = r.items || [];
      list.textContent = "";
      if (!found.length) list.appendChild(el("li", {"class": "none", text: t("no_results")}));
      found.forEach(function (c) {
        var open = el("button", {type: "button", "class": "result", "data-testid": "result-" + c.customer_id}, [
          el("b", {text: c.name || c.customer_id}),
          el("bdi", {dir: "ltr", "class": "muted", text: c.phone || ""}),
          el("span", {"class": "muted", text: c.customer_id}),
          el("span", {text: money(c.balance)})
        ]);
        open.addEventListener("click", function () { openCustomer(c.customer_id); });
        list.appendChild(el("li", {}, [open]));
      });
    }).catch(function (err) {
      list.textContent = "";
      list.appendChild(el("li", {"class": "none error", text: unavailable(err) ? t("unavailable") : String(err.message || err)}));
    });
  }
  function table(heads, rows, testid) {
    var node = el("table", {"class": "rows", "data-testid": testid});
    node.appendChild(el("thead", {}, [el("tr", {}, heads.map(function (h) { return el("th", {text: t(h)}); }))]));
    var body = el("tbody");
    if (!rows.length) body.appendChild(el("tr", {}, [el("td", {"class": "none", colspan: heads.length, text: t("no_rows")})]));
    rows.forEach(function (cells) { body.appendChild(el("tr", {}, cells.map(function (c) { return typeof c === "string" ? el("td", {text: c}) : c; }))); });
    node.appendChild(body);
    return el("div", {"class": "scroll"}, [node]);
  }
  function openCustomer(id) {
    var path = "/v1/customers/" + encodeURIComponent(id);
    var soft = function (p) { return p.catch(function () { return {items: []}; }); };
    Promise.all([api(path), soft(api(path + "/ledger?limit=50")), soft(api(path + "/notifications?limit=50")), soft(api(path + "/feedback?limit=20"))])
      .then(function (r) { renderCustomer(r[0], r[1].items || [], r[2].items || [], r[3].items || []); })
      .catch(function (err) { failure($("x-status"), err); });
  }
  function renderCustomer(c, ledger, notes, feedback) {
    var box = $("customer"); box.textContent = ""; box.hidden = false; $("results").hidden = true;
    box.setAttribute("data-customer", c.customer_id);
    var back = el("button", {type: "button", "class": "ghost", text: t("back")});
    back.addEventListener("click", function () { box.hidden = true; $("results").hidden = false; $("q").focus(); });
    var day = function (x) { return x ? longDate(x.slice(0, 10)) : t("none"); };
    var birthday = c.birthday ? toLocalDigits(c.birthday.date) : t("none");
    var facts = [["phone", el("bdi", {dir: "ltr", text: c.phone || t("none")})], ["email", c.email || t("none")],
      ["locale", c.locale ? t("o_" + c.locale) : t("none")], ["birthday", birthday], ["purchases", num(c.purchases_count)],
      ["total_spent", money(c.total_spent)], ["first_purchase", day(c.first_purchase_at)], ["last_purchase", day(c.last_purchase_at)]];
    var profile = el("section", {"class": "card"}, [
      el("header", {"class": "card-head row"}, [el("h2", {text: c.name || c.customer_id}), back]),
      el("dl", {"class": "facts"}, facts.reduce(function (out, f) {
        out.push(el("dt", {text: t(f[0])}));
        out.push(el("dd", {}, [typeof f[1] === "string" ? f[1] : f[1]]));
        return out;
      }, [])),
      el("h3", {text: t("consent")}),
      el("ul", {"class": "chips"}, Object.keys(c.consent || {}).map(function (ch) {
        var v = c.consent[ch];
        return el("li", {"class": v === true ? "yes" : "no", text: t("ch_" + ch) + ": " + (v === true ? t("yes") : v === false ? t("no") : String(v))});
      }))
    ]);
    var lots = (c.expiring || []).map(function (lot) { return el("li", {text: money(lot.amount) + " · " + t("expires", {d: day(lot.expires_at)})}); });
    var wallet = el("section", {"class": "card"}, [
      el("h2", {text: t("wallet_c")}),
      el("p", {"class": "big", "data-testid": "customer-balance", text: money(c.balance)}),
      el("h3", {text: t("expiring")}),
      lots.length ? el("ul", {"class": "lots"}, lots) : el("p", {"class": "none", text: t("no_rows")})
    ]);
    var adjust = el("form", {"class": "card adjust", id: "adjust-form", novalidate: "novalidate"}, [
      el("h2", {text: t("adjust")}), el("p", {"class": "muted small", text: t("adjust_help")}),
      el("div", {"class": "fields"}, [
        el("div", {"class": "field"}, [el("label", {"for": "adj-amount", text: t("adj_amount") + " (" + unitInfo().name + ")"}),
          el("input", {id: "adj-amount", name: "amount", inputmode: "numeric", dir: "ltr", "data-testid": "adj-amount", autocomplete: "off"}),
          el("small", {"class": "field-error", role: "alert", "data-error-for": "amount"})]),
        el("div", {"class": "field"}, [el("label", {"for": "adj-reason", text: t("adj_reason")}),
          el("input", {id: "adj-reason", name: "reason", "data-testid": "adj-reason", autocomplete: "off"}),
          el("small", {"class": "field-error", role: "alert", "data-error-for": "reason"})])
      ]),
      el("div", {"class": "form-actions"}, [el("button", {type: "submit", "data-testid": "adj-go", text: t("adjust_go")}),
        el("span", {id: "adj-status", "class": "status", role: "status", "data-testid": "adj-status"})])
    ]);
    adjust.hidden = !canManage();
    adjust.addEventListener("submit", function (e) {
      e.preventDefault();
      clearErrors(adjust);
      var raw = fromShown($("adj-amount").value), n = Number(raw);
      var body = {adjustment_id: "adj-" + Date.now().toString(36) + Math.random().toString(36).slice(2, 6),
        amount: raw !== "" && isFinite(n) ? Math.round(n * unitInfo().factor) : $("adj-amount").value, reason: $("adj-reason").value};
      jsonPost("/v1/customers/" + encodeURIComponent(c.customer_id) + "/adjustments", body).then(function (r) {
        var balance = r.balance !== undefined ? r.balance : c.balance;
        openCustomer(c.customer_id);
        setTimeout(function () { done($("adj-status") || $("x-status"), t("adjusted", {b: money(balance)})); }, 300);
      }).catch(function (err) { showFieldError(adjust, err, $("adj-status")); });
    });
    var ledgerRows = ledger.map(function (x) {
      /* The sign stands apart from the amount, first in reading order, so right-to-left text cannot move it. */
      var sign = x.amount > 0 ? "+" : x.amount < 0 ? "−" : "";
      return [t("lt_" + x.type), el("td", {"class": x.amount > 0 ? "credit" : x.amount < 0 ? "debit" : ""}, [
        el("span", {"class": "sign", text: sign}), " " + money(Math.abs(x.amount))]),
        money(x.balance_after), shortDateTime(x.at), x.reason || "", x.by || ""];
    });
    var noteRows = notes.map(function (n) {
      return [t("k_" + n.kind), n.channel ? t("ch_" + n.channel) : t("none"), t("ms_" + n.status) + (n.reason ? " (" + n.reason + ")" : ""),
        shortDateTime(n.at), el("td", {"class": "body-cell", text: n.body || ""})];
    });
    var feedbackRows = feedback.map(function (f) { return [num(f.score), f.comment || "", shortDateTime(f.at)]; });
    box.appendChild(el("div", {"class": "grid two"}, [profile, el("div", {}, [wallet, adjust])]));
    box.appendChild(el("section", {"class": "card"}, [el("h2", {text: t("ledger")}),
      table(["l_type", "amount", "balance_after", "when", "reason", "by"], ledgerRows, "ledger")]));
    box.appendChild(el("section", {"class": "card"}, [el("h2", {text: t("messages_c")}),
      table(["kind", "channel", "status", "when", "body_col"], noteRows, "customer-messages")]));
    box.appendChild(el("section", {"class": "card"}, [el("h2", {text: t("feedback")}),
      table(["score", "comment", "when"], feedbackRows, "customer-feedback")]));
    document.body.setAttribute("data-customer-open", c.customer_id);
  }
  function download(kind) {
    var status = $("x-status");
    status.textContent = t("loading"); status.className = "status small";
    fetch("/v1/exports/" + kind + ".csv", {headers: {"Authorization": "Bearer " + auth.token}}).then(function (r) {
      if (!r.ok) {
        return r.json().catch(function () { return {}; }).then(function (b) {
          var err = new Error((b.error && b.error.message) || String(r.status));
          err.status = r.status; err.code = b.error && b.error.code;
          throw err;
        });
      }
      return r.blob();
    }).then(function (blob) {
      var name = "vafa-" + kind + "-" + isoOf(Date.now()) + ".csv";
      var link = el("a", {href: URL.createObjectURL(blob), download: name});
      document.body.appendChild(link); link.click(); link.remove();
      setTimeout(function () { URL.revokeObjectURL(link.href); }, 5000);
      done(status, t("x_done", {name: name}));
    }).catch(function (err) { failure(status, unavailable(err) ? {message: t("unavailable")} : err); });
  }

  /* ---------- audit ---------- */
  function whoLabel(who) {
    return String(who || "").replace(/^key /, t("who_key") + " ").replace(/\((manager|viewer)\)$/, function (_, role) {
      return "(" + t("role_" + role) + ")";
    });
  }
  /* A change in the merchant's words: each field by its settings label, amounts in the shop's unit. */
  function auditDetail(a) {
    var data = null;
    try { data = JSON.parse(a.summary || "null"); } catch (e) { data = null; }
    if (!data || typeof data !== "object") return [a.summary || ""];
    var lines = [];
    if (a.action === "program.update") {
      Object.keys(data).forEach(function (name) {
        var label = name.indexOf("templates.") === 0 ? t("nav_templates") + ": " + t("k_" + name.split(".")[1]) + " (" + name.split(".")[2] + ")"
          : (T[lang]["f_" + name] ? t("f_" + name) : name);
        var value = data[name];
        var shown = name.indexOf("templates.") === 0 ? "" : ": " + (value === null ? t("off_hint").split("=")[1] || "—" : typeof value === "object" ? JSON.stringify(value) : toLocalDigits(String(value)));
        lines.push(el("div", {"data-field": name}, [label + shown]));
      });
    } else if (a.action === "campaign.create") {
      lines.push(el("div", {text: (data.name || "") + " · " + (typeof data.segment === "string" ? t("s_" + data.segment) : JSON.stringify(data.segment))}));
    } else if (a.action === "customer.adjust") {
      lines.push(el("div", {text: (typeof data.amount === "number" ? money(data.amount) : "") + " · " + (data.reason || "")}));
    }
    return lines;
  }
  function loadAudit() {
    return api("/v1/audit?limit=100").then(function (r) {
      var box = $("audit"); box.textContent = "";
      var heads = ["a_when", "a_who", "a_action", "a_target", "a_detail"];
      box.appendChild(el("thead", {}, [el("tr", {}, heads.map(function (h) { return el("th", {text: t(h)}); }))]));
      var body = el("tbody");
      if (!(r.items || []).length) body.appendChild(el("tr", {}, [el("td", {"class": "none", colspan: 5, text: t("no_audit")})]));
      (r.items || []).forEach(function (a) {
        body.appendChild(el("tr", {"data-testid": "audit-row"}, [el("td", {text: shortDateTime(a.at)}), el("td", {}, [el("bdi", {text: whoLabel(a.who)})]),
          el("td", {text: t("a_" + a.action)}), el("td", {}, [el("bdi", {text: a.target || ""})]),
          el("td", {"class": "detail"}, auditDetail(a))]));
      });
      box.appendChild(body);
    }).catch(function (err) { $("audit").textContent = String(err.message || err); });
  }

  /* ---------- start ---------- */
  translate();
  if (loginToken) exchange(loginToken);
  else if (auth && auth.token) signedIn(auth);
  else signOut("");
})();
