"""The auth service's own keys: JWT signing keys (RS256) and the sealing key (X25519)."""
