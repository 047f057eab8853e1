<?php
/**
 * Settings: saving connects, registers four webhooks through WC_Webhook, and re-saving adds none.
 *
 * @package VafaClub
 */

/** Vafa's answers to a connect. */
function vafa_test_script_connect( string $secret = 'whsec-1' ): void {
	$GLOBALS['wp']['script']['GET /v1/program']                  = array( vafa_test_response( 200, array( 'currency' => 'IRR' ) ) );
	$GLOBALS['wp']['script']['PUT /v1/integrations/woocommerce'] = array(
		vafa_test_response(
			200,
			array(
				'delivery_url' => 'https://vafa.example/wc/m1/deliveries',
				'secret'       => $secret,
				'currency'     => 'IRT',
			)
		),
	);
	$GLOBALS['wp']['script']['POST /wc/m1/deliveries']          = array( vafa_test_response( 200, '' ) );
}

function vafa_test_posted(): array {
	return array(
		'vafa_club_api_url'  => ' https://vafa.example/ ',
		'vafa_club_api_key'  => 'vafa_sk_secret',
		'vafa_club_site_key' => 'vafa_pk_site',
	);
}

vafa_test(
	'save: the owner pastes URL and keys, the plugin asks Vafa for the delivery URL with the store currency and makes four active webhooks',
	function () {
		vafa_test_script_connect();
		$lines = Vafa_Club_Settings::save_and_connect( vafa_test_posted() );
		same( 'ok', end( $lines )['level'], 'last notice' );
		same( array( array( 'currency' => 'IRT' ) ), sent( 'PUT /v1/integrations/woocommerce' ) );
		$auth = $GLOBALS['wp']['requests'][0]['args']['headers']['Authorization'];
		same( 'Bearer vafa_sk_secret', $auth );
		same( 'https://vafa.example/v1/program', $GLOBALS['wp']['requests'][0]['url'], 'trailing slash dropped' );
		$topics = array();
		foreach ( $GLOBALS['wp']['webhooks'] as $webhook ) {
			$topics[] = $webhook['topic'];
			same( 'https://vafa.example/wc/m1/deliveries', $webhook['delivery_url'] );
			same( 'whsec-1', $webhook['secret'] );
			same( 'active', $webhook['status'] );
			same( 3, $webhook['api_version'] );
			same( 41, $webhook['user_id'] );
		}
		same( array( 'order.created', 'order.updated', 'order.deleted', 'order.restored' ), $topics );
		same( 4, count( sent( 'POST /wc/m1/deliveries' ) ), 'one ping per new webhook' );
		same( 'IRR', Vafa_Club_Settings::get()['program_currency'] );
	}
);

vafa_test(
	're-saving updates the same webhooks (a rotated secret too) and never duplicates them',
	function () {
		vafa_test_script_connect();
		Vafa_Club_Settings::save_and_connect( vafa_test_posted() );
		$ids   = Vafa_Club_Settings::get()['webhook_ids'];
		$saves = $GLOBALS['wp']['webhook_saves'];
		Vafa_Club_Settings::save_and_connect( array( 'vafa_club_api_url' => 'https://vafa.example' ) );
		same( 4, count( $GLOBALS['wp']['webhooks'] ) );
		same( $saves, $GLOBALS['wp']['webhook_saves'], 'nothing changed, nothing saved' );
		same( 'vafa_sk_secret', Vafa_Club_Settings::get()['api_key'], 'an empty key field keeps the key' );
		vafa_test_script_connect( 'whsec-2' );
		Vafa_Club_Settings::save_and_connect( array( 'vafa_club_api_url' => 'https://vafa.example' ) );
		same( 4, count( $GLOBALS['wp']['webhooks'] ) );
		same( $ids, Vafa_Club_Settings::get()['webhook_ids'] );
		foreach ( $GLOBALS['wp']['webhooks'] as $webhook ) {
			same( 'whsec-2', $webhook['secret'] );
		}
		same( 4, count( sent( 'POST /wc/m1/deliveries' ) ), 'no new pings for updated webhooks' );
	}
);

vafa_test(
	'settings lost: the plugin finds its webhooks by name instead of making four more',
	function () {
		vafa_test_script_connect();
		Vafa_Club_Settings::save_and_connect( vafa_test_posted() );
		$GLOBALS['wp']['options'] = array();
		Vafa_Club_Settings::save_and_connect( vafa_test_posted() );
		same( 4, count( $GLOBALS['wp']['webhooks'] ) );
		same( 4, count( Vafa_Club_Settings::get()['webhook_ids'] ) );
	}
);

vafa_test(
	'a wrong key or URL is said plainly and registers nothing',
	function () {
		$GLOBALS['wp']['script']['GET /v1/program'] = array( vafa_test_response( 401, array( 'error' => array( 'code' => 'unauthorized' ) ) ) );
		$lines                                      = Vafa_Club_Settings::save_and_connect( vafa_test_posted() );
		same( 'error', $lines[0]['level'] );
		same( array(), $GLOBALS['wp']['webhooks'] );
		same( null, Vafa_Club_Settings::clean_url( 'http://vafa.example' ), 'plain http refused' );
		same( 'http://127.0.0.1:3000', Vafa_Club_Settings::clean_url( 'http://127.0.0.1:3000/' ), 'loopback for development' );
		same( null, Vafa_Club_Settings::clean_url( 'javascript:alert(1)' ) );
		$lines = Vafa_Club_Settings::save_and_connect( array( 'vafa_club_api_url' => 'ftp://x' ) );
		same( 'error', $lines[0]['level'] );
	}
);
