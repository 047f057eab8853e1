<?php
/**
 * Drives the plugin against a running Vafa (the local stack) over real HTTP, for
 * tests/e2e/test_woocommerce_plugin.py. Usage:
 *   VAFA_URL=… VAFA_KEY=… VAFA_SITE_KEY=… php e2e-driver.php <scenario> [order id]
 * Prints one JSON object with what the plugin did; the Python test checks the effects through the API.
 *
 * @package VafaClub
 */

require __DIR__ . '/bootstrap.php';

vafa_test_reset();
$GLOBALS['wp']['http']      = 'vafa_test_stream_http';
$GLOBALS['wp']['users'][77] = (object) array(
	'ID'           => 77,
	'display_name' => 'Reza',
	'user_email'   => 'reza@example.com',
);

$scenario = $argv[1] ?? '';
$order_id = (int) ( $argv[2] ?? 1 );
$posted   = array(
	'vafa_club_api_url'  => getenv( 'VAFA_URL' ),
	'vafa_club_api_key'  => getenv( 'VAFA_KEY' ),
	'vafa_club_site_key' => getenv( 'VAFA_SITE_KEY' ),
);
// Settings as saved on the page, without connecting (the checkout and token scenarios).
Vafa_Club_Settings::put( array_merge( Vafa_Club_Settings::get(), array( 'api_url' => Vafa_Club_Settings::clean_url( $posted['vafa_club_api_url'] ), 'api_key' => $posted['vafa_club_api_key'], 'site_key' => $posted['vafa_club_site_key'] ) ) );

/** The calls made so far, as "METHOD /path", so the test can count them. */
function vafa_e2e_calls(): array {
	$calls = array();
	foreach ( $GLOBALS['wp']['requests'] as $request ) {
		$calls[] = ( $request['args']['method'] ?? 'GET' ) . ' ' . parse_url( $request['url'], PHP_URL_PATH );
	}
	return $calls;
}

$out = array();
switch ( $scenario ) {
	case 'connect':
		$out['first']    = Vafa_Club_Settings::save_and_connect( $posted );
		$out['ids']      = Vafa_Club_Settings::get()['webhook_ids'];
		$out['second']   = Vafa_Club_Settings::save_and_connect( $posted );
		$out['ids_again'] = Vafa_Club_Settings::get()['webhook_ids'];
		$out['webhooks'] = array_values( $GLOBALS['wp']['webhooks'] );
		break;
	case 'token':
		$user         = $order_id;
		$out['tag']   = Vafa_Club_Tokens::widget_tag( $user );
		$out['token'] = Vafa_Club_Tokens::token( $user );
		break;
	case 'capture':
	case 'void':
		Vafa_Club_Checkout::register();
		WC()->cart->contents = (int) getenv( 'VAFA_CART_TOMAN' );
		do_action( 'woocommerce_checkout_update_order_review', 'vafa_club_use_credit=1' );
		try {
			$order        = vafa_test_place_order( $order_id );
			$out['total'] = $order->total;
			$out['fee']   = WC()->cart->fees_api()->fees['vafa-club-credit']->amount ?? null;
			$out['held']  = Vafa_Club_Checkout::hold_of( $order );
			if ( 'capture' === $scenario ) {
				do_action( 'woocommerce_payment_complete', $order_id, 'txn' );
				do_action( 'woocommerce_order_status_processing', $order_id, $order );
			} else {
				do_action( 'woocommerce_order_status_failed', $order_id, $order );
			}
			$out['after'] = Vafa_Club_Checkout::hold_of( $order );
			$out['notes'] = $order->notes;
		} catch ( Exception $e ) {
			$out['refused'] = $e->getMessage();
		}
		break;
	default:
		fwrite( STDERR, "unknown scenario\n" );
		exit( 2 );
}
$out['calls'] = vafa_e2e_calls();
echo json_encode( $out, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES ), "\n";
