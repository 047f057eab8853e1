<?php
/**
 * Customer tokens: minted with the secret key, kept until shortly before expiry, printed escaped.
 *
 * @package VafaClub
 */

function vafa_test_settings(): void {
	Vafa_Club_Settings::put(
		array_merge(
			Vafa_Club_Settings::get(),
			array(
				'api_url'          => 'https://vafa.example',
				'api_key'          => 'vafa_sk_secret',
				'site_key'         => 'vafa_pk_"site"',
				'program_currency' => 'IRR',
			)
		)
	);
}

function vafa_test_token_answer( string $token, int $minutes ): array {
	return vafa_test_response( 201, array( 'token' => $token, 'expires_at' => gmdate( 'Y-m-d\TH:i:s\Z', time() + $minutes * 60 ) ) );
}

vafa_test(
	'a signed-in customer gets the widget tag with the site key and a minted token, all escaped',
	function () {
		vafa_test_settings();
		$GLOBALS['wp']['script']['POST /v1/customers/41/token'] = array( vafa_test_token_answer( 'tok<1>&"', 60 ) );
		$tag = Vafa_Club_Tokens::widget_tag( 41 );
		same( array( array( 'ttl_minutes' => 60 ) ), sent( 'POST /v1/customers/41/token' ) );
		ok( str_contains( $tag, 'src="https://vafa.example/widget.js"' ), $tag );
		ok( str_contains( $tag, 'data-site-key="vafa_pk_&quot;site&quot;"' ), $tag );
		ok( str_contains( $tag, 'data-customer-token="tok&lt;1&gt;&amp;&quot;"' ), $tag );
		ok( str_contains( $tag, 'data-locale="fa"' ), $tag );
		same( '', Vafa_Club_Tokens::widget_tag( 0 ), 'visitors get no token' );
	}
);

vafa_test(
	'the token is kept in user meta and reused until ten minutes before it expires',
	function () {
		vafa_test_settings();
		$GLOBALS['wp']['script']['POST /v1/customers/41/token'] = array( vafa_test_token_answer( 'first', 60 ), vafa_test_token_answer( 'second', 60 ) );
		same( 'first', Vafa_Club_Tokens::token( 41 ) );
		same( 'first', Vafa_Club_Tokens::token( 41 ) );
		same( 1, count( sent( 'POST /v1/customers/41/token' ) ) );
		$GLOBALS['wp']['user_meta'][41]['_vafa_club_token']['expires'] = time() + 300;
		same( 'second', Vafa_Club_Tokens::token( 41 ) );
		same( 2, count( sent( 'POST /v1/customers/41/token' ) ) );
	}
);

vafa_test(
	'a customer Vafa does not know yet is created (name, email, phone) and then gets a token',
	function () {
		vafa_test_settings();
		$GLOBALS['wp']['user_meta'][41]['billing_phone'] = '۰۹۱۲۱۲۳۴۵۶۷';
		$GLOBALS['wp']['script']['POST /v1/customers/41/token'] = array(
			vafa_test_response( 404, array( 'error' => array( 'code' => 'not_found' ) ) ),
			vafa_test_token_answer( 'fresh', 60 ),
		);
		$GLOBALS['wp']['script']['PUT /v1/customers/41'] = array(
			vafa_test_response( 422, array( 'error' => array( 'code' => 'validation_error', 'field' => 'phone' ) ) ),
			vafa_test_response( 201, array( 'customer_id' => '41' ) ),
		);
		same( 'fresh', Vafa_Club_Tokens::token( 41 ) );
		$bodies = sent( 'PUT /v1/customers/41' );
		same( array( 'name' => 'سارا', 'email' => 'sara@example.com', 'phone' => '۰۹۱۲۱۲۳۴۵۶۷', 'locale' => 'fa' ), $bodies[0] );
		same( array( 'name' => 'سارا', 'locale' => 'fa' ), $bodies[1], 'retried without what Vafa refused' );
	}
);

vafa_test(
	'Vafa unreachable: no tag, nothing kept, the page still renders',
	function () {
		vafa_test_settings();
		$GLOBALS['wp']['script']['POST /v1/customers/41/token'] = array( new WP_Error( 'http_request_failed', 'timeout' ) );
		same( '', Vafa_Club_Tokens::widget_tag( 41 ) );
		same( '', get_user_meta( 41, '_vafa_club_token', true ) );
	}
);
