<?php
/**
 * Amounts between the store's currency and the Vafa program's currency.
 *
 * Vafa counts money as integers in its program's currency (rials by default); WooCommerce stores
 * prices with `wc_get_price_decimals()` decimals in its own code, and Iranian shops use four codes
 * for the same money. Everything here is integer arithmetic so no rial is lost or invented.
 *
 * @package VafaClub
 */

defined( 'ABSPATH' ) || exit;

/**
 * Pure conversions; no WordPress calls.
 */
final class Vafa_Club_Money {

	/**
	 * How many rials one unit of each code is (iran.md: IRT Toman, IRHR thousand rials, IRHT thousand Toman).
	 */
	const RIALS = array(
		'IRR'  => 1,
		'IRT'  => 10,
		'IRHR' => 1000,
		'IRHT' => 10000,
	);

	/**
	 * Whether credit can be converted exactly between the two codes.
	 *
	 * Only the Iranian codes are convertible (fixed ratios); any other pair would need an exchange
	 * rate, so credit at checkout stays off for it.
	 *
	 * @param string $store   WooCommerce currency code.
	 * @param string $program Vafa program currency code.
	 */
	public static function convertible( string $store, string $program ): bool {
		return isset( self::RIALS[ $store ], self::RIALS[ $program ] );
	}

	/**
	 * A store amount (as WooCommerce gives it) in the store's smallest unit, e.g. "125000.00" → 125000 at 0 decimals.
	 *
	 * @param float|int|string $amount   Store amount.
	 * @param int              $decimals wc_get_price_decimals().
	 */
	public static function to_minor( $amount, int $decimals ): int {
		// Totals are floats inside WooCommerce; rounding to the shop's own precision is what it displays.
		return (int) round( ( (float) $amount ) * ( 10 ** $decimals ) );
	}

	/**
	 * Store minor units → program units, floored (never claims more than the shop charged).
	 *
	 * @param int    $minor    Amount in the store's smallest unit.
	 * @param string $store    Store code.
	 * @param string $program  Program code.
	 * @param int    $decimals Store decimals.
	 */
	public static function minor_to_program( int $minor, string $store, string $program, int $decimals ): int {
		if ( $minor <= 0 ) {
			return 0;
		}
		return intdiv( $minor * self::RIALS[ $store ], ( 10 ** $decimals ) * self::RIALS[ $program ] );
	}

	/**
	 * The smallest program amount that is a whole number of store minor units.
	 *
	 * A held amount must be exactly representable as the cart's fee, e.g. a rial program and a Toman
	 * store at 0 decimals: only multiples of 10 rials.
	 *
	 * @param string $store    Store code.
	 * @param string $program  Program code.
	 * @param int    $decimals Store decimals.
	 */
	public static function program_step( string $store, string $program, int $decimals ): int {
		$store_rials = self::RIALS[ $store ];
		$scale       = self::RIALS[ $program ] * ( 10 ** $decimals );
		return intdiv( $store_rials, self::gcd( $store_rials, $scale ) );
	}

	/**
	 * Program units → store minor units; exact when $units is a multiple of program_step().
	 *
	 * @param int    $units    Program amount.
	 * @param string $store    Store code.
	 * @param string $program  Program code.
	 * @param int    $decimals Store decimals.
	 */
	public static function program_to_minor( int $units, string $store, string $program, int $decimals ): int {
		return intdiv( $units * self::RIALS[ $program ] * ( 10 ** $decimals ), self::RIALS[ $store ] );
	}

	/**
	 * Store minor units as the decimal amount WooCommerce takes.
	 *
	 * @param int $minor    Amount in the store's smallest unit.
	 * @param int $decimals Store decimals.
	 * @return float|int
	 */
	public static function minor_to_amount( int $minor, int $decimals ) {
		return 0 === $decimals ? $minor : $minor / ( 10 ** $decimals );
	}

	/**
	 * How much credit one order may use, in program units: the balance, under the program's
	 * max_redeem_percent of the order total, rounded down to what the store can show exactly.
	 *
	 * @param int    $balance      Spendable balance (program units).
	 * @param int    $total_minor  Order total before credit (store minor units).
	 * @param int    $max_percent  Program max_redeem_percent (1–100).
	 * @param string $store        Store code.
	 * @param string $program      Program code.
	 * @param int    $decimals     Store decimals.
	 */
	public static function usable_credit( int $balance, int $total_minor, int $max_percent, string $store, string $program, int $decimals ): int {
		$total   = self::minor_to_program( $total_minor, $store, $program, $decimals );
		$percent = max( 0, min( 100, $max_percent ) );
		// Vafa floors the cap the same way, so an amount at the cap is accepted.
		$cap    = intdiv( $total * $percent, 100 );
		$amount = max( 0, min( $balance, $cap ) );
		$step   = self::program_step( $store, $program, $decimals );
		return $amount - ( $amount % $step );
	}

	/**
	 * Greatest common divisor of two positive integers.
	 *
	 * @param int $a First.
	 * @param int $b Second.
	 */
	private static function gcd( int $a, int $b ): int {
		while ( 0 !== $b ) {
			$t = $a % $b;
			$a = $b;
			$b = $t;
		}
		return $a;
	}
}
