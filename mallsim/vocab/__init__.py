"""Word lists the generators draw from (data only; composition lives in mallsim.phrasing)."""
