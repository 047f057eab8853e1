<?php
/**
 * The order webhooks that tell Vafa about purchases and refunds, made through WooCommerce's own WC_Webhook.
 *
 * @package VafaClub
 */

defined( 'ABSPATH' ) || exit;

/**
 * Registers, idempotently, one webhook per order topic Vafa reads.
 */
final class Vafa_Club_Webhooks {

	/**
	 * The topics of the contract's "Integrations: WooCommerce".
	 */
	const TOPICS = array( 'order.created', 'order.updated', 'order.deleted', 'order.restored' );

	/**
	 * Name prefix: how the plugin recognises its own webhooks when it lost their ids.
	 */
	const NAME = 'Vafa Club';

	/**
	 * Creates or updates the webhooks; re-running with the same values changes nothing and adds none.
	 *
	 * @param string $delivery_url Vafa's delivery URL.
	 * @param string $secret       Signing secret from Vafa.
	 * @param array  $known_ids    topic => webhook id saved from an earlier run.
	 * @return array{ids: array<string,int>, errors: string[]}
	 */
	public static function register( string $delivery_url, string $secret, array $known_ids ): array {
		$ids    = array();
		$errors = array();
		$ours   = null;
		foreach ( self::TOPICS as $topic ) {
			$webhook = null;
			if ( ! empty( $known_ids[ $topic ] ) ) {
				$found = wc_get_webhook( (int) $known_ids[ $topic ] );
				if ( $found && $found->get_topic() === $topic ) {
					$webhook = $found;
				}
			}
			if ( null === $webhook ) {
				// The saved ids can be gone (settings reset, plugin reinstalled): look for ours by name first.
				$ours    = null === $ours ? self::ours() : $ours;
				$webhook = isset( $ours[ $topic ] ) ? $ours[ $topic ] : null;
			}
			$created = null === $webhook;
			if ( $created ) {
				$webhook = new WC_Webhook();
				$webhook->set_topic( $topic );
				$webhook->set_user_id( get_current_user_id() );
				$webhook->set_api_version( 3 );
			}
			$unchanged = ! $created
				&& $webhook->get_delivery_url() === $delivery_url
				&& $webhook->get_secret() === $secret
				&& 'active' === $webhook->get_status();
			if ( ! $unchanged ) {
				$webhook->set_name( self::name( $topic ) );
				$webhook->set_delivery_url( $delivery_url );
				$webhook->set_secret( $secret );
				// A webhook WooCommerce disabled after failed deliveries comes back on with the new settings.
				$webhook->set_status( 'active' );
				$webhook->save();
			}
			$ids[ $topic ] = (int) $webhook->get_id();
			if ( $created ) {
				// WooCommerce pings a webhook made in its own screen or REST API; Vafa answers the ping with 200.
				$ping = $webhook->deliver_ping();
				if ( is_wp_error( $ping ) ) {
					/* translators: 1: topic, 2: error message */
					$errors[] = sprintf( __( 'The %1$s webhook was saved, but its test delivery failed: %2$s', 'vafa-club' ), $topic, $ping->get_error_message() );
				}
			}
		}
		return array(
			'ids'    => $ids,
			'errors' => $errors,
		);
	}

	/**
	 * The plugin's webhooks already in WooCommerce, by topic.
	 *
	 * @return array<string, WC_Webhook>
	 */
	private static function ours(): array {
		$found = array();
		$store = WC_Data_Store::load( 'webhook' );
		foreach ( $store->search_webhooks( array( 'limit' => -1 ) ) as $id ) {
			$webhook = wc_get_webhook( (int) $id );
			if ( ! $webhook ) {
				continue;
			}
			$topic = $webhook->get_topic();
			if ( in_array( $topic, self::TOPICS, true ) && self::name( $topic ) === $webhook->get_name() && ! isset( $found[ $topic ] ) ) {
				$found[ $topic ] = $webhook;
			}
		}
		return $found;
	}

	/**
	 * The name shown in WooCommerce → Settings → Advanced → Webhooks.
	 *
	 * @param string $topic Topic.
	 */
	private static function name( string $topic ): string {
		return self::NAME . ' (' . $topic . ')';
	}
}
