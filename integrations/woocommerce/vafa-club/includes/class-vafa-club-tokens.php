<?php
/**
 * Customer tokens for the signed-in customer, and the widget's script tag.
 *
 * @package VafaClub
 */

defined( 'ABSPATH' ) || exit;

/**
 * Mints a token on the shop's server (secret key) and hands it to Vafa's widget in the page.
 */
final class Vafa_Club_Tokens {

	const META = '_vafa_club_token';

	/**
	 * Minutes a token lives; 60 is the contract's default and the widget only reads the wallet.
	 */
	const TTL_MINUTES = 60;

	/**
	 * A kept token is replaced this many seconds before it expires, so no page gets one that dies while open.
	 */
	const RENEW_BEFORE = 600;

	/**
	 * Front-end hook.
	 */
	public static function register(): void {
		add_action( 'wp_footer', array( __CLASS__, 'print_widget' ) );
	}

	/**
	 * Prints Vafa's widget for a signed-in customer; nothing for visitors or while settings are incomplete.
	 */
	public static function print_widget(): void {
		echo self::widget_tag( get_current_user_id() ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in widget_tag().
	}

	/**
	 * The `<script>` tag, every attribute escaped; empty when there is nothing to show.
	 *
	 * @param int $user_id WordPress user id (0: not signed in).
	 */
	public static function widget_tag( int $user_id ): string {
		$settings = Vafa_Club_Settings::get();
		if ( $user_id <= 0 || '' === $settings['site_key'] || '' === $settings['api_url'] ) {
			return '';
		}
		$token = self::token( $user_id );
		if ( null === $token ) {
			return '';
		}
		// Attributes as Vafa's drop-in files read them (data-api, data-site-key, data-customer-token).
		return '<script src="' . esc_url( $settings['api_url'] . '/widget.js' ) . '" async'
			. ' data-api="' . esc_attr( $settings['api_url'] ) . '"'
			. ' data-site-key="' . esc_attr( $settings['site_key'] ) . '"'
			. ' data-customer-token="' . esc_attr( $token ) . '"'
			. ' data-locale="' . esc_attr( self::locale() ) . '"></script>' . "\n";
	}

	/**
	 * The customer's token: the kept one while it has time left, else a new one from Vafa.
	 *
	 * @param int $user_id WordPress user id = WooCommerce customer id.
	 */
	public static function token( int $user_id ): ?string {
		$kept = get_user_meta( $user_id, self::META, true );
		if ( is_array( $kept ) && isset( $kept['token'], $kept['expires'] ) && (int) $kept['expires'] - time() > self::RENEW_BEFORE ) {
			return (string) $kept['token'];
		}
		$api = Vafa_Club_Api::from_settings();
		if ( null === $api ) {
			return null;
		}
		$path   = Vafa_Club_Api::customer_path( $user_id ) . '/token';
		$body   = array( 'ttl_minutes' => self::TTL_MINUTES );
		$answer = $api->request( 'POST', $path, $body );
		if ( 404 === $answer['status'] && self::create_customer( $api, $user_id ) ) {
			// A customer who has not bought yet is unknown to Vafa; the club is theirs from sign-in.
			$answer = $api->request( 'POST', $path, $body );
		}
		if ( 201 !== $answer['status'] || empty( $answer['body']['token'] ) ) {
			return null;
		}
		$expires = isset( $answer['body']['expires_at'] ) ? strtotime( (string) $answer['body']['expires_at'] ) : false;
		update_user_meta(
			$user_id,
			self::META,
			array(
				'token'   => (string) $answer['body']['token'],
				'expires' => false === $expires ? time() + self::TTL_MINUTES * 60 : $expires,
			)
		);
		return (string) $answer['body']['token'];
	}

	/**
	 * PUT /v1/customers/{id} with what WooCommerce knows of them. The same id (the WooCommerce
	 * customer id as text) is the one the order webhooks use, so their purchases land on this wallet.
	 *
	 * @param Vafa_Club_Api $api     Client.
	 * @param int           $user_id Customer id.
	 */
	private static function create_customer( Vafa_Club_Api $api, int $user_id ): bool {
		$user = get_userdata( $user_id );
		if ( ! $user ) {
			return false;
		}
		$name = trim( (string) get_user_meta( $user_id, 'billing_first_name', true ) . ' ' . (string) get_user_meta( $user_id, 'billing_last_name', true ) );
		$body = array_filter(
			array(
				'name'   => '' !== $name ? $name : (string) $user->display_name,
				'email'  => (string) $user->user_email,
				'phone'  => (string) get_user_meta( $user_id, 'billing_phone', true ),
				'locale' => self::locale(),
			),
			'strlen'
		);
		$path   = Vafa_Club_Api::customer_path( $user_id );
		$answer = $api->request( 'PUT', $path, $body );
		if ( 422 === $answer['status'] ) {
			// A phone or email Vafa refuses should not keep the customer out of their own club.
			unset( $body['phone'], $body['email'] );
			$answer = $api->request( 'PUT', $path, $body );
		}
		return in_array( $answer['status'], array( 200, 201 ), true );
	}

	/**
	 * `fa` on a Persian site, `en` otherwise (the two languages Vafa speaks).
	 */
	private static function locale(): string {
		return 0 === strpos( (string) get_locale(), 'fa' ) ? 'fa' : 'en';
	}
}
