<?php
/**
 * Stand-ins for the few WordPress and WooCommerce functions and classes the plugin calls, so its
 * logic runs under plain php-cli. They keep state in $GLOBALS['wp'] and mimic the documented
 * behaviour the plugin relies on, nothing more. vafa_test_reset() starts a fresh "site".
 *
 * HTTP: wp_remote_request() hands each call to $GLOBALS['wp']['http'] (a callable taking the URL
 * and args and returning a WordPress-shaped response or WP_Error) and records it in
 * $GLOBALS['wp']['requests'].
 *
 * @package VafaClub
 */

define( 'ABSPATH', __DIR__ . '/' );

// --- WordPress core -------------------------------------------------------------------------------

class WP_Error {
	private $code;
	private $message;
	public function __construct( $code = '', $message = '' ) {
		$this->code    = $code;
		$this->message = $message;
	}
	public function get_error_code() {
		return $this->code;
	}
	public function get_error_message() {
		return $this->message;
	}
}

function load_plugin_textdomain( $domain, $deprecated = false, $path = false ) {
	return true;
}
function plugin_basename( $file ) {
	return basename( dirname( $file ) ) . '/' . basename( $file );
}
function is_wp_error( $thing ) {
	return $thing instanceof WP_Error;
}
function add_action( $hook, $callback, $priority = 10, $accepted_args = 1 ) {
	$GLOBALS['wp']['actions'][ $hook ][] = array( $callback, $accepted_args );
	return true;
}
function do_action( $hook, ...$args ) {
	foreach ( $GLOBALS['wp']['actions'][ $hook ] ?? array() as $registered ) {
		call_user_func_array( $registered[0], array_slice( $args, 0, $registered[1] ) );
	}
}
function __( $text, $domain = 'default' ) {
	$GLOBALS['wp']['domains'][ $domain ] = true;
	return $text;
}
function esc_html__( $text, $domain = 'default' ) {
	return esc_html( __( $text, $domain ) );
}
function esc_html( $text ) {
	return htmlspecialchars( (string) $text, ENT_QUOTES, 'UTF-8' );
}
function esc_attr( $text ) {
	return htmlspecialchars( (string) $text, ENT_QUOTES, 'UTF-8' );
}
function esc_url_raw( $url, $protocols = null ) {
	$url    = trim( (string) $url );
	$scheme = strtolower( (string) parse_url( $url, PHP_URL_SCHEME ) );
	if ( '' === $url || ! in_array( $scheme, $protocols ?? array( 'http', 'https' ), true ) ) {
		return '';
	}
	return preg_replace( '/[^a-zA-Z0-9\-._~:\/?#\[\]@!$&\'()*+,;=%]/', '', $url );
}
function esc_url( $url ) {
	return esc_attr( esc_url_raw( $url ) );
}
function wp_kses_post( $html ) {
	return $html;
}
function sanitize_text_field( $text ) {
	return trim( preg_replace( '/[\r\n\t ]+/', ' ', strip_tags( (string) $text ) ) );
}
function wp_unslash( $value ) {
	return $value;
}
function wp_json_encode( $data, $flags = 0 ) {
	return json_encode( $data, $flags | JSON_UNESCAPED_SLASHES );
}
function wp_parse_url( $url, $component = -1 ) {
	return parse_url( $url, $component );
}
function checked( $a, $b = true, $echo = true ) {
	return (string) $a === (string) $b ? ' checked=\'checked\'' : '';
}
function get_option( $name, $default = false ) {
	return $GLOBALS['wp']['options'][ $name ] ?? $default;
}
function update_option( $name, $value, $autoload = null ) {
	$GLOBALS['wp']['options'][ $name ] = $value;
	return true;
}
function get_transient( $name ) {
	return $GLOBALS['wp']['transients'][ $name ] ?? false;
}
function set_transient( $name, $value, $ttl = 0 ) {
	$GLOBALS['wp']['transients'][ $name ] = $value;
	return true;
}
function delete_transient( $name ) {
	unset( $GLOBALS['wp']['transients'][ $name ] );
	return true;
}
function get_user_meta( $user, $key, $single = false ) {
	return $GLOBALS['wp']['user_meta'][ $user ][ $key ] ?? '';
}
function update_user_meta( $user, $key, $value ) {
	$GLOBALS['wp']['user_meta'][ $user ][ $key ] = $value;
	return true;
}
function get_userdata( $user ) {
	return $GLOBALS['wp']['users'][ $user ] ?? false;
}
function get_current_user_id() {
	return $GLOBALS['wp']['user'];
}
function is_user_logged_in() {
	return $GLOBALS['wp']['user'] > 0;
}
function current_user_can( $capability ) {
	return in_array( $capability, $GLOBALS['wp']['caps'], true );
}
function get_locale() {
	return $GLOBALS['wp']['locale'];
}
function wp_remote_request( $url, $args = array() ) {
	$GLOBALS['wp']['requests'][] = array(
		'url'  => $url,
		'args' => $args,
	);
	return call_user_func( $GLOBALS['wp']['http'], $url, $args );
}
function wp_remote_retrieve_body( $response ) {
	return is_wp_error( $response ) ? '' : ( $response['body'] ?? '' );
}
function wp_remote_retrieve_response_code( $response ) {
	return is_wp_error( $response ) ? '' : ( $response['response']['code'] ?? '' );
}

// --- WooCommerce ------------------------------------------------------------------------------------

function get_woocommerce_currency() {
	return $GLOBALS['wp']['currency'];
}
function wc_get_price_decimals() {
	return $GLOBALS['wp']['decimals'];
}
function wc_price( $amount ) {
	return '<span class="amount">' . number_format( (float) $amount, $GLOBALS['wp']['decimals'] ) . '</span>';
}

/** The session: a key-value store per visitor. */
class Stand_In_Session {
	public $data = array();
	public function get( $key, $default = null ) {
		return $this->data[ $key ] ?? $default;
	}
	public function set( $key, $value ) {
		$this->data[ $key ] = $value;
	}
}

/** WC_Cart_Fees::add_fee( $args ) keeps fees by id. */
class Stand_In_Fees {
	public $fees = array();
	public function add_fee( $args ) {
		$this->fees[ $args['id'] ] = (object) $args;
		return $this->fees[ $args['id'] ];
	}
}

/** The cart totals a fee callback can read (items and shipping are totalled before fees). */
class Stand_In_Cart {
	public $contents = 0;
	public $contents_tax = 0;
	public $shipping = 0;
	public $shipping_tax = 0;
	public $fees;
	public function __construct() {
		$this->fees = new Stand_In_Fees();
	}
	public function get_cart_contents_total() {
		return $this->contents;
	}
	public function get_cart_contents_tax() {
		return $this->contents_tax;
	}
	public function get_shipping_total() {
		return $this->shipping;
	}
	public function get_shipping_tax() {
		return $this->shipping_tax;
	}
	public function fees_api() {
		return $this->fees;
	}
	public function calculate_totals() {
		$this->fees = new Stand_In_Fees();
		do_action( 'woocommerce_cart_calculate_fees', $this );
	}
	/** Cart total the way WooCommerce sums it: items, shipping, fees. */
	public function total() {
		$total = $this->contents + $this->contents_tax + $this->shipping + $this->shipping_tax;
		foreach ( $this->fees->fees as $fee ) {
			$total += $fee->amount;
		}
		return $total;
	}
}

function WC() {
	return $GLOBALS['wp']['wc'];
}

/** Order items and orders with meta, as the HPOS-safe CRUD methods expose them. */
class WC_Order_Item_Fee {
	public $meta = array();
	public $total;
	public function add_meta_data( $key, $value, $unique = false ) {
		$this->meta[ $key ] = $value;
	}
	public function get_meta( $key, $single = true ) {
		return $this->meta[ $key ] ?? '';
	}
}

class WC_Order {
	public $id;
	public $customer_id;
	public $total;
	public $currency;
	public $items = array();
	public $meta = array();
	public $notes = array();
	public $saves = 0;
	public function get_id() {
		return $this->id;
	}
	public function get_customer_id() {
		return $this->customer_id;
	}
	public function get_total() {
		return $this->total;
	}
	public function get_currency() {
		return $this->currency;
	}
	public function get_items( $type = 'line_item' ) {
		return 'fee' === $type ? $this->items : array();
	}
	public function get_meta( $key, $single = true ) {
		return $this->meta[ $key ] ?? '';
	}
	public function update_meta_data( $key, $value ) {
		$this->meta[ $key ] = $value;
	}
	public function add_order_note( $note ) {
		$this->notes[] = $note;
	}
	public function save() {
		++$this->saves;
		return $this->id;
	}
}

function wc_get_order( $id ) {
	return $GLOBALS['wp']['orders'][ $id ] ?? false;
}

/**
 * Creates an order from the cart the way WC_Checkout does: one fee line per cart fee (firing
 * woocommerce_checkout_create_order_fee_item), then woocommerce_checkout_order_processed.
 */
function vafa_test_place_order( int $id ) {
	$cart               = WC()->cart;
	$order              = $GLOBALS['wp']['orders'][ $id ] ?? new WC_Order();
	$order->id          = $id;
	$order->customer_id = get_current_user_id();
	$order->currency    = get_woocommerce_currency();
	$order->items       = array();
	$cart->calculate_totals();
	$order->total = $cart->total();
	foreach ( $cart->fees_api()->fees as $key => $fee ) {
		$item        = new WC_Order_Item_Fee();
		$item->total = $fee->amount;
		do_action( 'woocommerce_checkout_create_order_fee_item', $item, $key, $fee, $order );
		$order->items[] = $item;
	}
	$GLOBALS['wp']['orders'][ $id ] = $order;
	do_action( 'woocommerce_checkout_order_processed', $id, array(), $order );
	return $order;
}

/** WC_Webhook over an in-memory table; the setters and getters the plugin uses. */
class WC_Webhook {
	public $data = array(
		'id'           => 0,
		'name'         => '',
		'topic'        => '',
		'delivery_url' => '',
		'secret'       => '',
		'status'       => 'disabled',
		'user_id'      => 0,
		'api_version'  => 3,
	);
	public function __construct( $id = 0 ) {
		if ( $id && isset( $GLOBALS['wp']['webhooks'][ $id ] ) ) {
			$this->data = $GLOBALS['wp']['webhooks'][ $id ];
		}
	}
	public function get_id() {
		return $this->data['id'];
	}
	public function get_name() {
		return $this->data['name'];
	}
	public function get_topic() {
		return $this->data['topic'];
	}
	public function get_delivery_url() {
		return $this->data['delivery_url'];
	}
	public function get_secret() {
		return $this->data['secret'];
	}
	public function get_status() {
		return $this->data['status'];
	}
	public function set_name( $v ) {
		$this->data['name'] = $v;
	}
	public function set_topic( $v ) {
		$this->data['topic'] = $v;
	}
	public function set_delivery_url( $v ) {
		$this->data['delivery_url'] = esc_url_raw( $v, array( 'http', 'https' ) );
	}
	public function set_secret( $v ) {
		$this->data['secret'] = $v;
	}
	public function set_status( $v ) {
		$this->data['status'] = in_array( $v, array( 'active', 'paused', 'disabled' ), true ) ? $v : 'disabled';
	}
	public function set_user_id( $v ) {
		$this->data['user_id'] = (int) $v;
	}
	public function set_api_version( $v ) {
		$this->data['api_version'] = (int) $v;
	}
	public function save() {
		if ( ! $this->data['id'] ) {
			$this->data['id'] = ++$GLOBALS['wp']['webhook_seq'];
		}
		$GLOBALS['wp']['webhooks'][ $this->data['id'] ] = $this->data;
		++$GLOBALS['wp']['webhook_saves'];
		return $this->data['id'];
	}
	/** WooCommerce posts `webhook_id=N` (form-encoded) to the delivery URL and wants a 200. */
	public function deliver_ping() {
		$response = wp_remote_request(
			$this->data['delivery_url'],
			array(
				'method' => 'POST',
				'body'   => 'webhook_id=' . $this->data['id'],
			)
		);
		if ( is_wp_error( $response ) ) {
			return new WP_Error( 'error', $response->get_error_message() );
		}
		$code = wp_remote_retrieve_response_code( $response );
		return 200 === $code ? true : new WP_Error( 'error', 'Delivery URL returned response code: ' . $code );
	}
}

function wc_get_webhook( $id ) {
	return isset( $GLOBALS['wp']['webhooks'][ $id ] ) ? new WC_Webhook( $id ) : null;
}

class WC_Data_Store {
	public static function load( $name ) {
		return new self();
	}
	public function search_webhooks( $args ) {
		return array_keys( $GLOBALS['wp']['webhooks'] );
	}
}

// --- test state and HTTP -----------------------------------------------------------------------------

/** A fresh site: WooCommerce in Toman at 0 decimals, a signed-in customer 41, no settings. */
function vafa_test_reset(): void {
	$GLOBALS['wp'] = array(
		'actions'       => array(),
		'domains'       => array(),
		'options'       => array(),
		'transients'    => array(),
		'user_meta'     => array(),
		'users'         => array(
			41 => (object) array(
				'ID'           => 41,
				'display_name' => 'سارا',
				'user_email'   => 'sara@example.com',
			),
		),
		'user'          => 41,
		'caps'          => array( 'manage_woocommerce' ),
		'locale'        => 'fa_IR',
		'currency'      => 'IRT',
		'decimals'      => 0,
		'requests'      => array(),
		'http'          => 'vafa_test_scripted_http',
		'script'        => array(),
		'orders'        => array(),
		'webhooks'      => array(),
		'webhook_seq'   => 0,
		'webhook_saves' => 0,
		'wc'            => (object) array(
			'session' => new Stand_In_Session(),
			'cart'    => new Stand_In_Cart(),
		),
	);
	Vafa_Club_Checkout::forget_balances();
}

/** A WordPress-shaped HTTP response. */
function vafa_test_response( int $status, $body ): array {
	return array(
		'response' => array( 'code' => $status ),
		'body'     => is_string( $body ) ? $body : json_encode( $body ),
	);
}

/**
 * Scripted answers: $GLOBALS['wp']['script']["METHOD /path"] is a list consumed in order (the last
 * one repeats); an unscripted call fails the test.
 */
function vafa_test_scripted_http( $url, $args ) {
	$path = (string) parse_url( $url, PHP_URL_PATH );
	$key  = ( $args['method'] ?? 'GET' ) . ' ' . $path;
	if ( empty( $GLOBALS['wp']['script'][ $key ] ) ) {
		throw new RuntimeException( 'unscripted HTTP call: ' . $key );
	}
	$answers = &$GLOBALS['wp']['script'][ $key ];
	$answer  = count( $answers ) > 1 ? array_shift( $answers ) : $answers[0];
	return is_callable( $answer ) ? $answer( $url, $args ) : $answer;
}

/** Real HTTP over PHP's stream functions (no curl here), for the end-to-end driver. */
function vafa_test_stream_http( $url, $args ) {
	$headers = array();
	foreach ( $args['headers'] ?? array() as $name => $value ) {
		$headers[] = $name . ': ' . $value;
	}
	$context = stream_context_create(
		array(
			'http' => array(
				'method'          => $args['method'] ?? 'GET',
				'header'          => implode( "\r\n", $headers ),
				'content'         => $args['body'] ?? '',
				'timeout'         => $args['timeout'] ?? 10,
				'ignore_errors'   => true,
				'follow_location' => 0,
			),
		)
	);
	$body = @file_get_contents( $url, false, $context );
	if ( false === $body || empty( $http_response_header ) ) {
		return new WP_Error( 'http_request_failed', 'could not reach ' . $url );
	}
	preg_match( '#^HTTP/\S+\s+(\d{3})#', $http_response_header[0], $match );
	return vafa_test_response( (int) $match[1], $body );
}

require_once dirname( __DIR__ ) . '/vafa-club.php';
