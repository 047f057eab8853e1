/* Vafa web push service worker.
 * Serve it from your own site's origin (a service worker must be same-origin), e.g. save this file as
 * /vafa-sw.js, or merge it into the service worker you already have with one line:
 *     importScripts("https://<your-vafa-api>/vafa-sw.js");
 * It only adds `push` and `notificationclick` listeners: it never intercepts fetches, never calls
 * skipWaiting() or clients.claim(), and ignores pushes that are not Vafa's. */
(function () {
  "use strict";
  var RTL = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/; // Hebrew, Arabic (Persian), presentation forms
  var STRONG = /[A-Za-z\u00C0-\u024F\u0370-\u03FF\u0400-\u04FF\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/;

  // The direction of the first letter that has one (the body first): "۱۲٬۰۰۰ تومان" is right to left,
  // "Your 12,000 toman" left to right even under a Persian shop name.
  function direction(data) {
    var first = STRONG.exec(data.body) || STRONG.exec(data.title || "");
    return first && RTL.test(first[0]) ? "rtl" : "ltr";
  }

  function parse(event) {
    if (!event.data) return null;
    try {
      var data = event.data.json();
      // Every push Vafa sends carries a tag "vafa-<notification id>"; anything else is another sender's.
      var ours = data && typeof data === "object" && typeof data.body === "string" &&
        typeof data.tag === "string" && data.tag.indexOf("vafa-") === 0;
      return ours ? data : null;
    } catch (e) {
      return null;
    }
  }

  self.addEventListener("push", function (event) {
    var data = parse(event);
    if (!data) return;
    var options = {
      body: data.body,
      tag: data.tag || undefined,
      lang: data.lang || undefined,
      dir: data.dir === "rtl" || data.dir === "ltr" ? data.dir : direction(data),
      icon: data.icon || undefined,
      badge: data.badge || undefined,
      data: {url: /^https?:\/\//.test(data.url || "") ? data.url : "/", vafa: true}
    };
    event.waitUntil(self.registration.showNotification(data.title || "", options));
  });

  self.addEventListener("notificationclick", function (event) {
    var data = event.notification.data || {};
    if (!data.vafa) return;
    event.notification.close();
    var url = data.url || "/";
    event.waitUntil(
      self.clients.matchAll({type: "window", includeUncontrolled: true}).then(function (windows) {
        for (var i = 0; i < windows.length; i++) {
          if (windows[i].url === url && "focus" in windows[i]) return windows[i].focus();
        }
        return self.clients.openWindow ? self.clients.openWindow(url) : undefined;
      })
    );
  });
})();
