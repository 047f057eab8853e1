<?php
/**
 * The shop server's calls to the Vafa API (secret key; never from the browser).
 *
 * @package VafaClub
 */

defined( 'ABSPATH' ) || exit;

/**
 * A thin client over wp_remote_request().
 */
final class Vafa_Club_Api {

	/**
	 * Seconds before a call gives up; checkout waits on some of them.
	 */
	const TIMEOUT = 10;

	/**
	 * API base URL without the trailing slash.
	 *
	 * @var string
	 */
	private $base;

	/**
	 * Secret API key.
	 *
	 * @var string
	 */
	private $key;

	/**
	 * Client for the given base URL and secret key.
	 *
	 * @param string $base API base URL.
	 * @param string $key  Secret API key.
	 */
	public function __construct( string $base, string $key ) {
		$this->base = rtrim( $base, '/' );
		$this->key  = $key;
	}

	/**
	 * The client for the saved settings, or null while they are incomplete.
	 */
	public static function from_settings(): ?self {
		$settings = Vafa_Club_Settings::get();
		if ( '' === $settings['api_url'] || '' === $settings['api_key'] ) {
			return null;
		}
		return new self( $settings['api_url'], $settings['api_key'] );
	}

	/**
	 * One call. Answers `status` (0 when the request never got an answer), `body` (the decoded JSON
	 * object or null) and `code` (Vafa's error code, or the transport error's).
	 *
	 * @param string     $method HTTP method.
	 * @param string     $path   Path from the base, starting with `/`.
	 * @param array|null $body   JSON body.
	 * @return array{status:int, body:?array, code:string}
	 */
	public function request( string $method, string $path, ?array $body = null ): array {
		$args = array(
			'method'  => $method,
			'timeout' => self::TIMEOUT,
			// Redirects would carry the secret key to wherever they point.
			'redirection' => 0,
			'headers' => array(
				'Authorization' => 'Bearer ' . $this->key,
				'Accept'        => 'application/json',
			),
		);
		if ( null !== $body ) {
			$args['headers']['Content-Type'] = 'application/json';
			// An empty PHP array would encode as a list; Vafa wants an object.
			$args['body'] = array() === $body ? '{}' : wp_json_encode( $body );
		}
		$response = wp_remote_request( $this->base . $path, $args );
		if ( is_wp_error( $response ) ) {
			return array(
				'status' => 0,
				'body'   => null,
				'code'   => (string) $response->get_error_code(),
			);
		}
		$decoded = json_decode( (string) wp_remote_retrieve_body( $response ), true );
		$decoded = is_array( $decoded ) ? $decoded : null;
		return array(
			'status' => (int) wp_remote_retrieve_response_code( $response ),
			'body'   => $decoded,
			'code'   => isset( $decoded['error']['code'] ) ? (string) $decoded['error']['code'] : '',
		);
	}

	/**
	 * A customer id as a path segment (WooCommerce ids are numbers; guests never get here).
	 *
	 * @param int|string $customer_id Shop's customer id.
	 */
	public static function customer_path( $customer_id ): string {
		return '/v1/customers/' . rawurlencode( (string) $customer_id );
	}
}
