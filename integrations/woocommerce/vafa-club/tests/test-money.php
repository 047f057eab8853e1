<?php
/**
 * Amounts: exact integers between the store's code and the program's.
 *
 * @package VafaClub
 */

vafa_test(
	'toman store, rial program: credit in whole Toman, order total ×10',
	function () {
		same( 1250000, Vafa_Club_Money::minor_to_program( 125000, 'IRT', 'IRR', 0 ) );
		same( 10, Vafa_Club_Money::program_step( 'IRT', 'IRR', 0 ) );
		// 12,345 rials of balance: 12,340 usable (1,234 Toman); the odd 5 rials stay in the wallet.
		same( 12340, Vafa_Club_Money::usable_credit( 12345, 125000, 100, 'IRT', 'IRR', 0 ) );
		same( 1234, Vafa_Club_Money::program_to_minor( 12340, 'IRT', 'IRR', 0 ) );
	}
);

vafa_test(
	'rial store, toman program: order totals floor to whole Toman, credit is ×10 rials',
	function () {
		same( 1234, Vafa_Club_Money::minor_to_program( 12345, 'IRR', 'IRT', 0 ) );
		same( 1, Vafa_Club_Money::program_step( 'IRR', 'IRT', 0 ) );
		same( 5000, Vafa_Club_Money::program_to_minor( 500, 'IRR', 'IRT', 0 ) );
	}
);

vafa_test(
	'thousand-Toman store with decimals: only amounts the store can show',
	function () {
		same( 100, Vafa_Club_Money::program_step( 'IRHT', 'IRR', 2 ) );
		same( 12300, Vafa_Club_Money::usable_credit( 12345, 1000, 100, 'IRHT', 'IRR', 2 ) );
		same( 123, Vafa_Club_Money::program_to_minor( 12300, 'IRHT', 'IRR', 2 ) );
		same( 1.23, Vafa_Club_Money::minor_to_amount( 123, 2 ) );
		same( 12500, Vafa_Club_Money::to_minor( '125.00', 2 ) );
	}
);

vafa_test(
	'the program cap: max_redeem_percent of the order, floored like Vafa',
	function () {
		// 99,999 Toman order = 999,990 rials; 30% = 299,997 → 299,990 (whole Toman).
		same( 299990, Vafa_Club_Money::usable_credit( 1000000, 99999, 30, 'IRT', 'IRR', 0 ) );
		same( 0, Vafa_Club_Money::usable_credit( 0, 99999, 100, 'IRT', 'IRR', 0 ) );
		same( 0, Vafa_Club_Money::usable_credit( 9, 99999, 100, 'IRT', 'IRR', 0 ), 'under one Toman' );
	}
);

vafa_test(
	'only the Iranian codes convert; anything else would need an exchange rate',
	function () {
		ok( Vafa_Club_Money::convertible( 'IRT', 'IRR' ), 'IRT→IRR' );
		ok( Vafa_Club_Money::convertible( 'IRHR', 'IRT' ), 'IRHR→IRT' );
		ok( ! Vafa_Club_Money::convertible( 'USD', 'IRR' ), 'USD' );
		ok( ! Vafa_Club_Money::convertible( 'IRT', '' ), 'unknown program' );
	}
);
