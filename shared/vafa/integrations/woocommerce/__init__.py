"""WooCommerce intake: `orders` reads a delivery and decides (pure), `settings` keeps the merchant's
delivery URL and signing secret, `intake` applies a decision to the wallet."""
