"""Display in the customer's language: Persian digits, Jalali dates, rials and Toman."""
