"""Files served as they are: the merchant dashboard and the web-push service worker and snippet."""
