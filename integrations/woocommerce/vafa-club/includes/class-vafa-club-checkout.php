<?php
/**
 * Club credit at checkout: the balance, the customer's choice, a hold on Vafa, then capture or void.
 *
 * The cart shows the credit as a negative fee. When the order is placed the amount is held on Vafa
 * (`POST /v1/redemptions` with `"hold": true`, `redemption_id` `wc-<order id>`); paying captures it,
 * a failed or cancelled order voids it. A hold nobody captures lapses on Vafa's side by itself after
 * the program's `hold_minutes`, so an abandoned order never keeps the customer's credit.
 *
 * @package VafaClub
 */

defined( 'ABSPATH' ) || exit;

/**
 * Checkout hooks.
 */
final class Vafa_Club_Checkout {

	const FEE_ID   = 'vafa-club-credit';
	const SESSION  = 'vafa_club_use_credit';
	const FIELD    = 'vafa_club_use_credit';
	const ITEM     = '_vafa_club_credit';
	const HOLD     = '_vafa_club_hold';
	const BALANCE  = 'vafa_club_balance_';

	/**
	 * Balances read in this request, by customer.
	 *
	 * @var array<int,int>
	 */
	private static $balances = array();

	/**
	 * Hooks, with the argument counts WooCommerce passes.
	 */
	public static function register(): void {
		add_action( 'wp_enqueue_scripts', array( __CLASS__, 'enqueue' ) );
		add_action( 'woocommerce_review_order_before_order_total', array( __CLASS__, 'render_choice' ) );
		add_action( 'woocommerce_checkout_update_order_review', array( __CLASS__, 'remember_choice_from_review' ) );
		add_action( 'woocommerce_checkout_process', array( __CLASS__, 'remember_choice_from_checkout' ) );
		add_action( 'woocommerce_cart_calculate_fees', array( __CLASS__, 'add_credit_fee' ) );
		add_action( 'woocommerce_checkout_create_order_fee_item', array( __CLASS__, 'tag_fee_item' ), 10, 4 );
		add_action( 'woocommerce_checkout_order_processed', array( __CLASS__, 'hold_for_order_id' ), 10, 1 );
		add_action( 'woocommerce_store_api_checkout_order_processed', array( __CLASS__, 'hold_for_order' ), 10, 1 );
		add_action( 'woocommerce_payment_complete', array( __CLASS__, 'capture' ), 10, 1 );
		add_action( 'woocommerce_order_status_processing', array( __CLASS__, 'capture' ), 10, 1 );
		add_action( 'woocommerce_order_status_completed', array( __CLASS__, 'capture' ), 10, 1 );
		add_action( 'woocommerce_order_status_failed', array( __CLASS__, 'void' ), 10, 1 );
		add_action( 'woocommerce_order_status_cancelled', array( __CLASS__, 'void' ), 10, 1 );
	}

	/**
	 * The small script that recalculates the order when the box is ticked.
	 */
	public static function enqueue(): void {
		if ( ! is_checkout() || ! is_user_logged_in() ) {
			return;
		}
		wp_enqueue_script( 'vafa-club-checkout', plugins_url( 'assets/checkout.js', VAFA_CLUB_FILE ), array( 'jquery' ), VAFA_CLUB_VERSION, true );
		wp_add_inline_script( 'vafa-club-checkout', 'window.vafaClubCheckout = ' . wp_json_encode( array( 'field' => self::FIELD ) ) . ';', 'before' );
		wp_enqueue_style( 'vafa-club-checkout', plugins_url( 'assets/checkout.css', VAFA_CLUB_FILE ), array(), VAFA_CLUB_VERSION );
	}

	/**
	 * A row in the order review: the balance and the box to use it. Re-rendered on every review update.
	 */
	public static function render_choice(): void {
		$offer = self::offer( WC()->cart );
		if ( null === $offer || $offer['units'] <= 0 ) {
			return;
		}
		$decimals = wc_get_price_decimals();
		$use      = Vafa_Club_Money::minor_to_amount( $offer['minor'], $decimals );
		$balance  = Vafa_Club_Money::minor_to_amount( Vafa_Club_Money::program_to_minor( $offer['balance'], $offer['store'], $offer['program'], $decimals ), $decimals );
		echo '<tr class="vafa-club-credit"><th>' . esc_html__( 'Club credit', 'vafa-club' ) . '</th><td>';
		echo '<label><input type="checkbox" name="' . esc_attr( self::FIELD ) . '" value="1"' . checked( self::chosen(), true, false ) . '> ';
		/* translators: 1: amount used on this order, 2: the customer's balance (both formatted prices) */
		echo wp_kses_post( sprintf( __( 'Use %1$s of my %2$s club credit', 'vafa-club' ), '<bdi>' . wc_price( $use ) . '</bdi>', '<bdi>' . wc_price( $balance ) . '</bdi>' ) );
		echo '</label></td></tr>';
	}

	/**
	 * Classic checkout posts the form as one string when it refreshes the review.
	 *
	 * @param string $post_data URL-encoded checkout form.
	 */
	public static function remember_choice_from_review( $post_data ): void {
		$fields = array();
		parse_str( (string) $post_data, $fields );
		self::set_chosen( ! empty( $fields[ self::FIELD ] ) );
	}

	/**
	 * The final submit: WooCommerce has checked its nonce before this action runs.
	 */
	public static function remember_choice_from_checkout(): void {
		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- verified by WC_Checkout::process_checkout().
		self::set_chosen( ! empty( $_POST[ self::FIELD ] ) );
		WC()->cart->calculate_totals();
	}

	/**
	 * The negative fee for the chosen credit.
	 *
	 * @param WC_Cart $cart Cart being totalled.
	 */
	public static function add_credit_fee( $cart ): void {
		if ( ! self::chosen() ) {
			return;
		}
		$offer = self::offer( $cart );
		if ( null === $offer || $offer['units'] <= 0 ) {
			return;
		}
		$cart->fees_api()->add_fee(
			array(
				'id'      => self::FEE_ID,
				'name'    => __( 'Club credit', 'vafa-club' ),
				'amount'  => -1 * Vafa_Club_Money::minor_to_amount( $offer['minor'], wc_get_price_decimals() ),
				// Credit is money the customer already has, not a taxable charge.
				'taxable' => false,
			)
		);
		WC()->session->set( self::SESSION . '_units', $offer['units'] );
	}

	/**
	 * Marks the order's fee line with the credit in program units, for the hold.
	 *
	 * @param WC_Order_Item_Fee $item    New order line.
	 * @param string            $fee_key Fee key.
	 * @param object            $fee     Cart fee.
	 * @param WC_Order          $order   Order.
	 */
	public static function tag_fee_item( $item, $fee_key, $fee, $order ): void {
		if ( isset( $fee->id ) && self::FEE_ID === $fee->id ) {
			$item->add_meta_data( self::ITEM, (int) WC()->session->get( self::SESSION . '_units' ), true );
		}
	}

	/**
	 * Classic checkout hands the order id.
	 *
	 * @param int $order_id Order id.
	 * @throws Exception When the credit cannot be held; WooCommerce shows the message and stops before payment.
	 */
	public static function hold_for_order_id( $order_id ): void {
		$order = wc_get_order( $order_id );
		if ( $order ) {
			self::hold_for_order( $order );
		}
	}

	/**
	 * Holds the order's credit on Vafa before the customer pays.
	 *
	 * @param WC_Order $order Order just placed.
	 * @throws Exception When the credit cannot be held.
	 */
	public static function hold_for_order( $order ): void {
		$units = self::credit_on( $order );
		$hold  = self::hold_of( $order );
		if ( null !== $hold && 'held' === $hold['status'] && $hold['amount'] === $units ) {
			return; // The same order submitted again: its hold stands.
		}
		$api = Vafa_Club_Api::from_settings();
		if ( null !== $hold && 'held' === $hold['status'] && $api ) {
			// The customer changed the cart or the choice on a retried order: let the old amount go first.
			self::void_hold( $api, $order, $hold );
			$hold = self::hold_of( $order );
		}
		if ( $units <= 0 ) {
			return;
		}
		$program  = Vafa_Club_Settings::program();
		$customer = (int) $order->get_customer_id();
		if ( null === $api || null === $program || $customer <= 0 ) {
			self::refuse( $order );
		}
		$attempt  = null === $hold ? 1 : $hold['attempt'] + 1;
		$id       = 'wc-' . $order->get_id() . ( 1 === $attempt ? '' : '-' . $attempt );
		$decimals = wc_get_price_decimals();
		$store    = $order->get_currency();
		// What the order cost before the credit: its total plus the credit's store amount.
		$before = Vafa_Club_Money::to_minor( $order->get_total(), $decimals ) + Vafa_Club_Money::program_to_minor( $units, $store, $program['currency'], $decimals );
		$answer = $api->request(
			'POST',
			'/v1/redemptions',
			array(
				'redemption_id' => $id,
				'customer_id'   => (string) $customer,
				'amount'        => $units,
				// The same order id the webhooks use, so a refund of this order gives the credit back.
				'order_id'      => (string) $order->get_id(),
				'order_total'   => Vafa_Club_Money::minor_to_program( $before, $store, $program['currency'], $decimals ),
				'hold'          => true,
			)
		);
		if ( 201 !== $answer['status'] ) {
			self::save_hold( $order, $id, $units, 'refused', $attempt );
			self::refuse( $order );
		}
		self::save_hold( $order, $id, $units, 'held', $attempt );
		delete_transient( self::BALANCE . $customer );
		/* translators: %s: redemption id */
		$order->add_order_note( sprintf( __( 'Vafa club credit held (%s).', 'vafa-club' ), $id ) );
	}

	/**
	 * Paid: the hold becomes spent credit. Runs from several hooks; only the first does anything.
	 *
	 * @param int $order_id Order id.
	 */
	public static function capture( $order_id ): void {
		$order = wc_get_order( $order_id );
		$hold  = $order ? self::hold_of( $order ) : null;
		$api   = Vafa_Club_Api::from_settings();
		if ( null === $hold || 'held' !== $hold['status'] || null === $api ) {
			return;
		}
		$answer = $api->request( 'POST', '/v1/redemptions/' . rawurlencode( $hold['id'] ) . '/capture', array() );
		if ( 200 === $answer['status'] ) {
			self::save_hold( $order, $hold['id'], $hold['amount'], 'captured', $hold['attempt'] );
			return;
		}
		if ( 'hold_expired' === $answer['code'] ) {
			// Paid after the hold lapsed (a slow gateway, an on-hold bank transfer): spend it now if it is still there.
			self::spend_late( $api, $order, $hold );
			return;
		}
		// Left held: the next paid-status hook tries again; Vafa's lapse is the backstop.
		/* translators: %s: error code or HTTP status */
		$order->add_order_note( sprintf( __( 'Vafa club credit could not be captured yet (%s).', 'vafa-club' ), $answer['code'] ? $answer['code'] : $answer['status'] ) );
	}

	/**
	 * Failed or cancelled (WooCommerce cancels unpaid orders after its hold-stock time): the credit goes back.
	 *
	 * @param int $order_id Order id.
	 */
	public static function void( $order_id ): void {
		$order = wc_get_order( $order_id );
		$hold  = $order ? self::hold_of( $order ) : null;
		$api   = Vafa_Club_Api::from_settings();
		if ( null === $hold || 'held' !== $hold['status'] || null === $api ) {
			return;
		}
		self::void_hold( $api, $order, $hold );
	}

	/**
	 * POST …/void; a hold Vafa already let lapse is as good as voided.
	 *
	 * @param Vafa_Club_Api $api   Client.
	 * @param WC_Order      $order Order.
	 * @param array         $hold  Saved hold.
	 */
	private static function void_hold( Vafa_Club_Api $api, $order, array $hold ): void {
		$answer = $api->request( 'POST', '/v1/redemptions/' . rawurlencode( $hold['id'] ) . '/void', array() );
		if ( 200 === $answer['status'] || 'hold_expired' === $answer['code'] ) {
			self::save_hold( $order, $hold['id'], $hold['amount'], 'voided', $hold['attempt'] );
			/* translators: %s: redemption id */
			$order->add_order_note( sprintf( __( 'Vafa club credit released (%s).', 'vafa-club' ), $hold['id'] ) );
			return;
		}
		/* translators: %s: error code or HTTP status */
		$order->add_order_note( sprintf( __( 'Vafa club credit could not be released (%s); Vafa releases it by itself when the hold lapses.', 'vafa-club' ), $answer['code'] ? $answer['code'] : $answer['status'] ) );
	}

	/**
	 * After a lapse: a plain redemption (captured at once) for the same amount and order.
	 *
	 * @param Vafa_Club_Api $api   Client.
	 * @param WC_Order      $order Order.
	 * @param array         $hold  Saved hold.
	 */
	private static function spend_late( Vafa_Club_Api $api, $order, array $hold ): void {
		$answer = $api->request(
			'POST',
			'/v1/redemptions',
			array(
				'redemption_id' => $hold['id'] . '-paid',
				'customer_id'   => (string) $order->get_customer_id(),
				'amount'        => $hold['amount'],
				'order_id'      => (string) $order->get_id(),
			)
		);
		if ( 201 === $answer['status'] ) {
			self::save_hold( $order, $hold['id'], $hold['amount'], 'captured', $hold['attempt'] );
			return;
		}
		self::save_hold( $order, $hold['id'], $hold['amount'], 'lost', $hold['attempt'] );
		/* translators: %s: error code or HTTP status */
		$order->add_order_note( sprintf( __( 'The club credit on this order lapsed before payment and is no longer in the customer\'s wallet (%s): the customer paid less than the order total.', 'vafa-club' ), $answer['code'] ? $answer['code'] : $answer['status'] ) );
	}

	/**
	 * What the customer can use on this cart, or null when credit is off for them.
	 *
	 * @param WC_Cart|null $cart Cart.
	 * @return array{units:int, minor:int, balance:int, store:string, program:string}|null
	 */
	public static function offer( $cart ): ?array {
		$user = get_current_user_id();
		if ( $user <= 0 || ! $cart ) {
			return null;
		}
		$program = Vafa_Club_Settings::program();
		$store   = get_woocommerce_currency();
		if ( null === $program || ! Vafa_Club_Money::convertible( $store, $program['currency'] ) ) {
			return null;
		}
		$balance = self::balance( $user );
		if ( $balance <= 0 ) {
			return null;
		}
		$decimals = wc_get_price_decimals();
		// Fees are totalled after items and shipping, so these are final while fees are added; our own fee is not in them.
		$total = $cart->get_cart_contents_total() + $cart->get_cart_contents_tax() + $cart->get_shipping_total() + $cart->get_shipping_tax();
		$units = Vafa_Club_Money::usable_credit( $balance, Vafa_Club_Money::to_minor( $total, $decimals ), $program['max_redeem_percent'], $store, $program['currency'], $decimals );
		return array(
			'units'   => $units,
			'minor'   => Vafa_Club_Money::program_to_minor( $units, $store, $program['currency'], $decimals ),
			'balance' => $balance,
			'store'   => $store,
			'program' => $program['currency'],
		);
	}

	/**
	 * Spendable balance in program units; kept a minute, since the review refreshes often.
	 *
	 * @param int $user Customer id.
	 */
	public static function balance( int $user ): int {
		if ( isset( self::$balances[ $user ] ) ) {
			return self::$balances[ $user ];
		}
		$kept = get_transient( self::BALANCE . $user );
		if ( false !== $kept ) {
			self::$balances[ $user ] = (int) $kept;
			return (int) $kept;
		}
		$api = Vafa_Club_Api::from_settings();
		if ( null === $api ) {
			return 0;
		}
		$answer  = $api->request( 'GET', Vafa_Club_Api::customer_path( $user ) );
		$balance = 200 === $answer['status'] && isset( $answer['body']['balance'] ) ? (int) $answer['body']['balance'] : 0;
		set_transient( self::BALANCE . $user, $balance, 60 );
		self::$balances[ $user ] = $balance;
		return $balance;
	}

	/**
	 * Forgets the per-request balances (tests run many "requests" in one process).
	 */
	public static function forget_balances(): void {
		self::$balances = array();
	}

	/**
	 * Whether the customer ticked the box in this session.
	 */
	private static function chosen(): bool {
		return WC()->session && (bool) WC()->session->get( self::SESSION );
	}

	/**
	 * Remembers the choice in the WooCommerce session.
	 *
	 * @param bool $use Use credit.
	 */
	private static function set_chosen( bool $use ): void {
		if ( WC()->session ) {
			WC()->session->set( self::SESSION, $use );
		}
	}

	/**
	 * The credit on the order's fee lines, in program units.
	 *
	 * @param WC_Order $order Order.
	 */
	private static function credit_on( $order ): int {
		$units = 0;
		foreach ( $order->get_items( 'fee' ) as $item ) {
			$units += (int) $item->get_meta( self::ITEM, true );
		}
		return $units;
	}

	/**
	 * The saved hold of an order.
	 *
	 * @param WC_Order $order Order.
	 * @return array{id:string, amount:int, status:string, attempt:int}|null
	 */
	public static function hold_of( $order ): ?array {
		$hold = $order->get_meta( self::HOLD, true );
		return is_array( $hold ) && isset( $hold['id'] ) ? $hold : null;
	}

	/**
	 * Saves the hold on the order.
	 *
	 * @param WC_Order $order   Order.
	 * @param string   $id      Redemption id.
	 * @param int      $amount  Program units.
	 * @param string   $status  held|captured|voided|refused|lost.
	 * @param int      $attempt Attempt number.
	 */
	private static function save_hold( $order, string $id, int $amount, string $status, int $attempt ): void {
		$order->update_meta_data(
			self::HOLD,
			array(
				'id'      => $id,
				'amount'  => $amount,
				'status'  => $status,
				'attempt' => $attempt,
			)
		);
		$order->save();
	}

	/**
	 * Stops the checkout before payment: no discount the wallet has not reserved.
	 *
	 * @param WC_Order $order Order.
	 * @throws Exception Always.
	 */
	private static function refuse( $order ): void {
		self::set_chosen( false );
		if ( WC()->session ) {
			delete_transient( self::BALANCE . get_current_user_id() );
		}
		throw new Exception( esc_html__( 'Your club credit could not be reserved. Please review your order and try again; the credit has been taken off.', 'vafa-club' ) );
	}
}
