"""Device login (RFC 8628): a terminal gets tokens once a signed-in user approves its code."""
