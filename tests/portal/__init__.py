"""The customer portal: request form, confirmation, tracking, lost links."""
