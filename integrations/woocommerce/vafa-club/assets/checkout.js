/* Vafa Club: ticking "use my club credit" recalculates the order review, which adds or drops the credit line. */
(function ($) {
	"use strict";
	var field = (window.vafaClubCheckout && window.vafaClubCheckout.field) || "vafa_club_use_credit";
	// Delegated: WooCommerce re-renders the review table (and this box) on every update.
	$(document.body).on("change", "input[name='" + field + "']", function () {
		$(document.body).trigger("update_checkout");
	});
})(jQuery);
