<?php
/**
 * Runs every tests/test-*.php: php integrations/woocommerce/vafa-club/tests/run.php
 * Exit code 1 when any test fails.
 *
 * @package VafaClub
 */

require __DIR__ . '/bootstrap.php';

$GLOBALS['vafa_tests'] = array();

/** Declares a test. */
function vafa_test( string $name, callable $body ): void {
	$GLOBALS['vafa_tests'][ $name ] = $body;
}

/** Fails the running test unless $expected === $actual. */
function same( $expected, $actual, string $what = '' ): void {
	if ( $expected !== $actual ) {
		throw new RuntimeException( ( $what ? $what . ': ' : '' ) . 'expected ' . var_export( $expected, true ) . ', got ' . var_export( $actual, true ) );
	}
}

/** Fails the running test unless $condition holds. */
function ok( bool $condition, string $what ): void {
	if ( ! $condition ) {
		throw new RuntimeException( $what );
	}
}

/** The JSON bodies sent to one METHOD /path, in order. */
function sent( string $key ): array {
	$bodies = array();
	foreach ( $GLOBALS['wp']['requests'] as $request ) {
		if ( ( $request['args']['method'] ?? 'GET' ) . ' ' . parse_url( $request['url'], PHP_URL_PATH ) === $key ) {
			$bodies[] = isset( $request['args']['body'] ) ? json_decode( $request['args']['body'], true ) : null;
		}
	}
	return $bodies;
}

foreach ( glob( __DIR__ . '/test-*.php' ) as $file ) {
	require $file;
}

$failed = 0;
foreach ( $GLOBALS['vafa_tests'] as $name => $body ) {
	vafa_test_reset();
	try {
		$body();
		echo "ok    {$name}\n";
	} catch ( Throwable $e ) {
		++$failed;
		echo "FAIL  {$name}\n      " . get_class( $e ) . ': ' . $e->getMessage() . ' (' . basename( $e->getFile() ) . ':' . $e->getLine() . ")\n";
	}
}
$count = count( $GLOBALS['vafa_tests'] );
echo $failed ? "{$failed} of {$count} failed\n" : "{$count} passed\n";
exit( $failed ? 1 : 0 );
