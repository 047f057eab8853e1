<?php
/**
 * The settings page (WooCommerce → Vafa Club): what the shop owner pastes, and connecting on save.
 *
 * @package VafaClub
 */

defined( 'ABSPATH' ) || exit;

/**
 * Settings storage, the admin page and the connect step.
 */
final class Vafa_Club_Settings {

	const OPTION     = 'vafa_club_settings';
	const PAGE       = 'vafa-club';
	const ACTION     = 'vafa_club_save_settings';
	const PROGRAM    = 'vafa_club_program';
	const CAPABILITY = 'manage_woocommerce';

	/**
	 * Saved settings with every key present.
	 *
	 * @return array{api_url:string, api_key:string, site_key:string, program_currency:string, max_redeem_percent:int, delivery_url:string, webhook_ids:array}
	 */
	public static function get(): array {
		$saved = get_option( self::OPTION, array() );
		return array_merge(
			array(
				'api_url'            => '',
				'api_key'            => '',
				'site_key'           => '',
				'program_currency'   => '',
				'max_redeem_percent' => 100,
				'delivery_url'       => '',
				'webhook_ids'        => array(),
			),
			is_array( $saved ) ? $saved : array()
		);
	}

	/**
	 * Stores settings; not autoloaded, since most page views never need the secret key.
	 *
	 * @param array $settings Full settings.
	 */
	public static function put( array $settings ): void {
		update_option( self::OPTION, $settings, false );
	}

	/**
	 * Admin hooks.
	 */
	public static function register(): void {
		add_action( 'admin_menu', array( __CLASS__, 'add_page' ) );
		add_action( 'admin_post_' . self::ACTION, array( __CLASS__, 'handle_save' ) );
	}

	/**
	 * WooCommerce → Vafa Club.
	 */
	public static function add_page(): void {
		add_submenu_page(
			'woocommerce',
			__( 'Vafa Club', 'vafa-club' ),
			__( 'Vafa Club', 'vafa-club' ),
			self::CAPABILITY,
			self::PAGE,
			array( __CLASS__, 'render_page' )
		);
	}

	/**
	 * The form. The secret key is never printed back; an empty field keeps the saved one.
	 */
	public static function render_page(): void {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			return;
		}
		$settings = self::get();
		$notice   = get_transient( self::notice_key() );
		delete_transient( self::notice_key() );
		echo '<div class="wrap"><h1>' . esc_html__( 'Vafa Club', 'vafa-club' ) . '</h1>';
		if ( is_array( $notice ) ) {
			foreach ( $notice as $line ) {
				$class = 'ok' === $line['level'] ? 'notice-success' : 'notice-error';
				echo '<div class="notice ' . esc_attr( $class ) . '"><p>' . esc_html( $line['text'] ) . '</p></div>';
			}
		}
		if ( ! function_exists( 'WC' ) ) {
			echo '<div class="notice notice-error"><p>' . esc_html__( 'Vafa Club needs WooCommerce.', 'vafa-club' ) . '</p></div>';
		}
		echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '">';
		echo '<input type="hidden" name="action" value="' . esc_attr( self::ACTION ) . '">';
		wp_nonce_field( self::ACTION );
		echo '<table class="form-table" role="presentation">';
		self::field( 'vafa_club_api_url', __( 'Vafa API address', 'vafa-club' ), 'url', $settings['api_url'], 'https://api.example.com' );
		self::field(
			'vafa_club_api_key',
			__( 'Secret API key', 'vafa-club' ),
			'password',
			'',
			'' === $settings['api_key'] ? '' : __( 'Saved; leave empty to keep it', 'vafa-club' )
		);
		self::field( 'vafa_club_site_key', __( 'Public site key', 'vafa-club' ), 'text', $settings['site_key'], '' );
		echo '</table>';
		if ( '' !== $settings['delivery_url'] ) {
			/* translators: %d: number of webhooks */
			echo '<p>' . esc_html( sprintf( __( 'Connected: %d order webhooks deliver to Vafa.', 'vafa-club' ), count( $settings['webhook_ids'] ) ) ) . '</p>';
		}
		submit_button( __( 'Save and connect', 'vafa-club' ) );
		echo '</form></div>';
	}

	/**
	 * One row of the form. Keys and URLs are left to right even on a Persian admin screen.
	 *
	 * @param string $name        Field name.
	 * @param string $label       Label.
	 * @param string $type        Input type.
	 * @param string $value       Current value.
	 * @param string $placeholder Placeholder.
	 */
	private static function field( string $name, string $label, string $type, string $value, string $placeholder ): void {
		echo '<tr><th scope="row"><label for="' . esc_attr( $name ) . '">' . esc_html( $label ) . '</label></th><td>';
		echo '<input class="regular-text" dir="ltr" autocomplete="off" type="' . esc_attr( $type ) . '" id="' . esc_attr( $name ) . '" name="' . esc_attr( $name ) . '" value="' . esc_attr( $value ) . '" placeholder="' . esc_attr( $placeholder ) . '">';
		echo '</td></tr>';
	}

	/**
	 * admin-post.php handler: capability, nonce, save, connect, back to the page with what happened.
	 */
	public static function handle_save(): void {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			wp_die( esc_html__( 'You are not allowed to change these settings.', 'vafa-club' ), 403 );
		}
		check_admin_referer( self::ACTION );
		$lines = self::save_and_connect( wp_unslash( $_POST ) );
		set_transient( self::notice_key(), $lines, 300 );
		wp_safe_redirect( admin_url( 'admin.php?page=' . self::PAGE ) );
		exit;
	}

	/**
	 * Saves the posted values, then connects. Returns the lines to show the owner.
	 *
	 * @param array $posted Unslashed $_POST.
	 * @return array<int, array{level:string, text:string}>
	 */
	public static function save_and_connect( array $posted ): array {
		$settings = self::get();
		$url      = isset( $posted['vafa_club_api_url'] ) ? self::clean_url( (string) $posted['vafa_club_api_url'] ) : '';
		if ( null === $url ) {
			return array( self::line( 'error', __( 'The Vafa API address must be an https address.', 'vafa-club' ) ) );
		}
		$settings['api_url'] = $url;
		$key                 = isset( $posted['vafa_club_api_key'] ) ? trim( sanitize_text_field( (string) $posted['vafa_club_api_key'] ) ) : '';
		if ( '' !== $key ) {
			$settings['api_key'] = $key;
		}
		if ( isset( $posted['vafa_club_site_key'] ) ) {
			$settings['site_key'] = trim( sanitize_text_field( (string) $posted['vafa_club_site_key'] ) );
		}
		self::put( $settings );
		if ( '' === $settings['api_url'] || '' === $settings['api_key'] ) {
			return array( self::line( 'error', __( 'Paste the Vafa API address and the secret API key.', 'vafa-club' ) ) );
		}
		return self::connect();
	}

	/**
	 * Reads the program, asks Vafa for the WooCommerce delivery URL and secret, and registers the
	 * order webhooks with them. Safe to run again: the same webhooks are updated, never duplicated.
	 *
	 * @return array<int, array{level:string, text:string}>
	 */
	public static function connect(): array {
		$api = Vafa_Club_Api::from_settings();
		if ( null === $api ) {
			return array( self::line( 'error', __( 'Paste the Vafa API address and the secret API key.', 'vafa-club' ) ) );
		}
		$lines   = array();
		$program = self::refresh_program( $api );
		if ( null === $program ) {
			return array( self::line( 'error', __( 'Vafa did not accept the API address or the secret key.', 'vafa-club' ) ) );
		}
		$answer = $api->request( 'PUT', '/v1/integrations/woocommerce', array( 'currency' => get_woocommerce_currency() ) );
		if ( 200 !== $answer['status'] || empty( $answer['body']['delivery_url'] ) || empty( $answer['body']['secret'] ) ) {
			/* translators: %s: HTTP status or error code */
			$lines[] = self::line( 'error', sprintf( __( 'Vafa did not set up the WooCommerce connection (%s).', 'vafa-club' ), $answer['code'] ? $answer['code'] : $answer['status'] ) );
			return $lines;
		}
		$settings = self::get();
		// Should a later Vafa answer carry the public site key, the owner need not paste it.
		if ( '' === $settings['site_key'] && ! empty( $answer['body']['site_key'] ) ) {
			$settings['site_key'] = sanitize_text_field( (string) $answer['body']['site_key'] );
		}
		$registered               = Vafa_Club_Webhooks::register( (string) $answer['body']['delivery_url'], (string) $answer['body']['secret'], $settings['webhook_ids'] );
		$settings['delivery_url'] = (string) $answer['body']['delivery_url'];
		$settings['webhook_ids']  = $registered['ids'];
		self::put( $settings );
		foreach ( $registered['errors'] as $error ) {
			$lines[] = self::line( 'error', $error );
		}
		/* translators: %d: number of webhooks */
		$lines[] = self::line( 'ok', sprintf( __( 'Connected to Vafa: %d order webhooks deliver to it.', 'vafa-club' ), count( $registered['ids'] ) ) );
		if ( ! Vafa_Club_Money::convertible( get_woocommerce_currency(), $settings['program_currency'] ) ) {
			$lines[] = self::line( 'error', __( 'Club credit at checkout is off: the store currency and the club currency cannot be converted exactly.', 'vafa-club' ) );
		}
		if ( '' === $settings['site_key'] ) {
			$lines[] = self::line( 'error', __( 'Paste the public site key to show customers their wallet.', 'vafa-club' ) );
		}
		return $lines;
	}

	/**
	 * The program's currency and credit cap, kept for ten minutes so checkout does not ask on every cart update.
	 *
	 * @param Vafa_Club_Api|null $api Client; from the settings when null.
	 * @return array{currency:string, max_redeem_percent:int}|null
	 */
	public static function program( ?Vafa_Club_Api $api = null ): ?array {
		$kept = get_transient( self::PROGRAM );
		if ( is_array( $kept ) ) {
			return $kept;
		}
		$api = $api ? $api : Vafa_Club_Api::from_settings();
		return $api ? self::refresh_program( $api ) : null;
	}

	/**
	 * GET /v1/program; remembers the currency in the settings too, for when Vafa cannot be reached.
	 *
	 * @param Vafa_Club_Api $api Client.
	 * @return array{currency:string, max_redeem_percent:int}|null
	 */
	private static function refresh_program( Vafa_Club_Api $api ): ?array {
		$answer = $api->request( 'GET', '/v1/program' );
		if ( 200 !== $answer['status'] || empty( $answer['body']['currency'] ) ) {
			return null;
		}
		$program = array(
			'currency'           => (string) $answer['body']['currency'],
			// Programs from before the cap existed answer without it: the contract's default is 100.
			'max_redeem_percent' => isset( $answer['body']['max_redeem_percent'] ) ? (int) $answer['body']['max_redeem_percent'] : 100,
		);
		set_transient( self::PROGRAM, $program, 600 );
		$settings                       = self::get();
		$settings['program_currency']   = $program['currency'];
		$settings['max_redeem_percent'] = $program['max_redeem_percent'];
		self::put( $settings );
		return $program;
	}

	/**
	 * The API address as typed, or null when it is not https (plain http only for this machine, for development).
	 *
	 * @param string $raw Posted value.
	 */
	public static function clean_url( string $raw ): ?string {
		$url = esc_url_raw( trim( $raw ), array( 'http', 'https' ) );
		if ( '' === $url ) {
			return '' === trim( $raw ) ? '' : null;
		}
		$parts = wp_parse_url( $url );
		if ( ! is_array( $parts ) || empty( $parts['host'] ) ) {
			return null;
		}
		$loopback = in_array( $parts['host'], array( '127.0.0.1', 'localhost', '[::1]' ), true );
		if ( 'https' !== $parts['scheme'] && ! $loopback ) {
			return null;
		}
		return rtrim( $url, '/' );
	}

	/**
	 * One notice line.
	 *
	 * @param string $level ok|error.
	 * @param string $text  Text.
	 */
	private static function line( string $level, string $text ): array {
		return array(
			'level' => $level,
			'text'  => $text,
		);
	}

	/**
	 * Notices are per admin user, so two owners saving at once do not see each other's.
	 */
	private static function notice_key(): string {
		return 'vafa_club_notice_' . get_current_user_id();
	}
}
