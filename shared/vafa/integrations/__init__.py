"""Shop platforms that report their orders to Vafa by themselves (WooCommerce's webhooks)."""
