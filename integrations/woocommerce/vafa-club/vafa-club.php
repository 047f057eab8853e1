<?php
/**
 * Plugin Name:       Vafa Club
 * Plugin URI:        https://github.com/vafa/vafa
 * Description:       Connects a WooCommerce shop to its Vafa customer club: order webhooks, the customer's wallet on the shop's pages, and club credit at checkout.
 * Version:           0.1.0
 * Requires at least: 6.3
 * Requires PHP:      8.0
 * Requires Plugins:  woocommerce
 * WC requires at least: 8.0
 * Author:            Vafa
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       vafa-club
 * Domain Path:       /languages
 *
 * @package VafaClub
 */

defined( 'ABSPATH' ) || exit;

define( 'VAFA_CLUB_VERSION', '0.1.0' );
define( 'VAFA_CLUB_FILE', __FILE__ );
define( 'VAFA_CLUB_DIR', __DIR__ );

require_once VAFA_CLUB_DIR . '/includes/class-vafa-club-money.php';
require_once VAFA_CLUB_DIR . '/includes/class-vafa-club-api.php';
require_once VAFA_CLUB_DIR . '/includes/class-vafa-club-settings.php';
require_once VAFA_CLUB_DIR . '/includes/class-vafa-club-webhooks.php';
require_once VAFA_CLUB_DIR . '/includes/class-vafa-club-tokens.php';
require_once VAFA_CLUB_DIR . '/includes/class-vafa-club-checkout.php';

/**
 * Hooks the plugin into WordPress and WooCommerce.
 */
function vafa_club_boot() {
	load_plugin_textdomain( 'vafa-club', false, dirname( plugin_basename( VAFA_CLUB_FILE ) ) . '/languages' );
	Vafa_Club_Settings::register();
	// Everything else needs WooCommerce; without it the settings page says so and nothing more runs.
	if ( ! function_exists( 'WC' ) ) {
		return;
	}
	Vafa_Club_Tokens::register();
	Vafa_Club_Checkout::register();
}
add_action( 'plugins_loaded', 'vafa_club_boot' );

/**
 * Order data is read and written through WC_Order only, so the plugin works with HPOS order tables.
 */
function vafa_club_declare_hpos() {
	if ( class_exists( '\Automattic\WooCommerce\Utilities\FeaturesUtil' ) ) {
		\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( 'custom_order_tables', VAFA_CLUB_FILE, true );
	}
}
add_action( 'before_woocommerce_init', 'vafa_club_declare_hpos' );
