<?php
/**
 * Checkout: the credit line, the hold when the order is placed, capture on payment, void on failure.
 * The store sells in Toman (IRT, 0 decimals); the program counts rials (IRR).
 *
 * @package VafaClub
 */

/** A connected shop, customer 41 with $balance rials, a cart of $toman Toman, the box ticked. */
function vafa_test_checkout( int $balance, int $toman, int $max_percent = 100 ): void {
	vafa_test_settings();
	set_transient( Vafa_Club_Settings::PROGRAM, array( 'currency' => 'IRR', 'max_redeem_percent' => $max_percent ) );
	Vafa_Club_Checkout::register();
	$GLOBALS['wp']['script']['GET /v1/customers/41'] = array( vafa_test_response( 200, array( 'customer_id' => '41', 'balance' => $balance ) ) );
	WC()->cart->contents = $toman;
	do_action( 'woocommerce_checkout_update_order_review', 'billing_first_name=x&vafa_club_use_credit=1' );
}

function vafa_test_held( string $id, int $amount ): array {
	return vafa_test_response( 201, array( 'redemption_id' => $id, 'amount' => $amount, 'status' => 'held', 'expires_at' => gmdate( 'c', time() + 1800 ) ) );
}

vafa_test(
	'ticking the box adds a negative, untaxed fee of the usable credit in Toman',
	function () {
		vafa_test_checkout( 12345, 100000 );
		WC()->cart->calculate_totals();
		$fee = WC()->cart->fees_api()->fees['vafa-club-credit'];
		same( -1234, $fee->amount );
		same( false, $fee->taxable );
		same( 98766, WC()->cart->total() );
		ob_start();
		do_action( 'woocommerce_review_order_before_order_total' );
		$row = ob_get_clean();
		ok( str_contains( $row, 'name="vafa_club_use_credit"' ) && str_contains( $row, "checked='checked'" ), $row );
		ok( str_contains( $row, '1,234' ) && str_contains( $row, '<bdi>' ), $row );
		do_action( 'woocommerce_checkout_update_order_review', 'billing_first_name=x' );
		WC()->cart->calculate_totals();
		same( array(), WC()->cart->fees_api()->fees, 'unticked: no fee' );
		same( 1, count( sent( 'GET /v1/customers/41' ) ), 'balance read once per request' );
	}
);

vafa_test(
	'the program cap limits the fee; a guest or a foreign currency gets no credit',
	function () {
		vafa_test_checkout( 1000000, 10000, 30 );
		WC()->cart->calculate_totals();
		same( -3000, WC()->cart->fees_api()->fees['vafa-club-credit']->amount );
		$GLOBALS['wp']['currency'] = 'USD';
		WC()->cart->calculate_totals();
		same( array(), WC()->cart->fees_api()->fees );
		$GLOBALS['wp']['currency'] = 'IRT';
		$GLOBALS['wp']['user']     = 0;
		WC()->cart->calculate_totals();
		same( array(), WC()->cart->fees_api()->fees );
	}
);

vafa_test(
	'placing the order holds the credit on Vafa under wc-<order id>, with the order total before credit',
	function () {
		vafa_test_checkout( 50000, 100000 );
		$GLOBALS['wp']['script']['POST /v1/redemptions'] = array( vafa_test_held( 'wc-901', 50000 ) );
		$order = vafa_test_place_order( 901 );
		same( 95000, $order->total, 'order total after credit (Toman)' );
		same(
			array(
				array(
					'redemption_id' => 'wc-901',
					'customer_id'   => '41',
					'amount'        => 50000,
					'order_id'      => '901',
					'order_total'   => 1000000,
					'hold'          => true,
				),
			),
			sent( 'POST /v1/redemptions' )
		);
		same( 'held', Vafa_Club_Checkout::hold_of( $order )['status'] );
		// The same order submitted again with the same credit: the hold stands, nothing sent.
		do_action( 'woocommerce_checkout_order_processed', 901, array(), $order );
		same( 1, count( sent( 'POST /v1/redemptions' ) ) );
	}
);

vafa_test(
	'paid: captured once, whichever of payment_complete / processing / completed comes first',
	function () {
		vafa_test_checkout( 50000, 100000 );
		$GLOBALS['wp']['script']['POST /v1/redemptions']             = array( vafa_test_held( 'wc-902', 50000 ) );
		$GLOBALS['wp']['script']['POST /v1/redemptions/wc-902/capture'] = array( vafa_test_response( 200, array( 'status' => 'captured' ) ) );
		$order = vafa_test_place_order( 902 );
		do_action( 'woocommerce_payment_complete', 902, 'txn-1' );
		do_action( 'woocommerce_order_status_processing', 902, $order );
		do_action( 'woocommerce_order_status_completed', 902, $order );
		same( 1, count( sent( 'POST /v1/redemptions/wc-902/capture' ) ) );
		same( 'captured', Vafa_Club_Checkout::hold_of( $order )['status'] );
		do_action( 'woocommerce_order_status_cancelled', 902, $order );
		same( array(), sent( 'POST /v1/redemptions/wc-902/void' ), 'captured credit comes back through the refund, not a void' );
	}
);

vafa_test(
	'failed or cancelled: the hold is voided',
	function () {
		vafa_test_checkout( 50000, 100000 );
		$GLOBALS['wp']['script']['POST /v1/redemptions']             = array( vafa_test_held( 'wc-903', 50000 ) );
		$GLOBALS['wp']['script']['POST /v1/redemptions/wc-903/void'] = array( vafa_test_response( 200, array( 'status' => 'voided', 'balance' => 50000 ) ) );
		$order = vafa_test_place_order( 903 );
		do_action( 'woocommerce_order_status_failed', 903, $order );
		do_action( 'woocommerce_order_status_cancelled', 903, $order );
		same( 1, count( sent( 'POST /v1/redemptions/wc-903/void' ) ) );
		same( 'voided', Vafa_Club_Checkout::hold_of( $order )['status'] );
	}
);

vafa_test(
	'a retried order with less credit: the old hold is voided and a new id is held',
	function () {
		vafa_test_checkout( 50000, 100000 );
		$GLOBALS['wp']['script']['POST /v1/redemptions']             = array( vafa_test_held( 'wc-904', 50000 ), vafa_test_held( 'wc-904-2', 20000 ) );
		$GLOBALS['wp']['script']['POST /v1/redemptions/wc-904/void'] = array( vafa_test_response( 200, array( 'status' => 'voided' ) ) );
		vafa_test_place_order( 904 );
		WC()->cart->contents = 2000;
		$order = vafa_test_place_order( 904 );
		same( array( 'wc-904', 'wc-904-2' ), array_column( sent( 'POST /v1/redemptions' ), 'redemption_id' ) );
		same( 20000, sent( 'POST /v1/redemptions' )[1]['amount'] );
		same( 1, count( sent( 'POST /v1/redemptions/wc-904/void' ) ) );
		same( 'wc-904-2', Vafa_Club_Checkout::hold_of( $order )['id'] );
	}
);

vafa_test(
	'Vafa refuses the hold (spent elsewhere meanwhile): checkout stops before payment, the box is unticked',
	function () {
		vafa_test_checkout( 50000, 100000 );
		$GLOBALS['wp']['script']['POST /v1/redemptions'] = array( vafa_test_response( 409, array( 'error' => array( 'code' => 'insufficient_balance' ) ) ) );
		$thrown = null;
		try {
			vafa_test_place_order( 905 );
		} catch ( Exception $e ) {
			$thrown = $e;
		}
		ok( null !== $thrown, 'checkout stopped' );
		WC()->cart->calculate_totals();
		same( array(), WC()->cart->fees_api()->fees, 'no credit on the next attempt unless ticked again' );
	}
);

vafa_test(
	'paid after the hold lapsed: spent with a plain redemption if the credit is still there, else the owner is told',
	function () {
		vafa_test_checkout( 50000, 100000 );
		$GLOBALS['wp']['script']['POST /v1/redemptions'] = array(
			vafa_test_held( 'wc-906', 50000 ),
			vafa_test_response( 201, array( 'redemption_id' => 'wc-906-paid' ) ),
		);
		$GLOBALS['wp']['script']['POST /v1/redemptions/wc-906/capture'] = array( vafa_test_response( 409, array( 'error' => array( 'code' => 'hold_expired' ) ) ) );
		$order = vafa_test_place_order( 906 );
		do_action( 'woocommerce_payment_complete', 906 );
		$late = sent( 'POST /v1/redemptions' )[1];
		same( array( 'redemption_id' => 'wc-906-paid', 'customer_id' => '41', 'amount' => 50000, 'order_id' => '906' ), $late );
		same( 'captured', Vafa_Club_Checkout::hold_of( $order )['status'] );

		$GLOBALS['wp']['script']['POST /v1/redemptions'] = array(
			vafa_test_held( 'wc-907', 50000 ),
			vafa_test_response( 409, array( 'error' => array( 'code' => 'insufficient_balance' ) ) ),
		);
		$GLOBALS['wp']['script']['POST /v1/redemptions/wc-907/capture'] = array( vafa_test_response( 409, array( 'error' => array( 'code' => 'hold_expired' ) ) ) );
		$order = vafa_test_place_order( 907 );
		do_action( 'woocommerce_order_status_processing', 907, $order );
		same( 'lost', Vafa_Club_Checkout::hold_of( $order )['status'] );
		ok( str_contains( end( $order->notes ), 'paid less' ), end( $order->notes ) );
	}
);

vafa_test(
	'every string is in the vafa-club text domain',
	function () {
		vafa_test_checkout( 50000, 100000 );
		ob_start();
		do_action( 'woocommerce_review_order_before_order_total' );
		ob_end_clean();
		Vafa_Club_Settings::save_and_connect( array( 'vafa_club_api_url' => 'ftp://x' ) );
		same( array( 'vafa-club' ), array_keys( $GLOBALS['wp']['domains'] ) );
		$source = '';
		foreach ( glob( dirname( __DIR__ ) . '/includes/*.php' ) as $file ) {
			$source .= file_get_contents( $file );
		}
		preg_match_all( "/(?:__|esc_html__)\(\s*'(?:[^'\\\\]|\\\\.)*',\s*'([^']+)'/", $source, $domains );
		same( array( 'vafa-club' ), array_values( array_unique( $domains[1] ) ) );
	}
);
