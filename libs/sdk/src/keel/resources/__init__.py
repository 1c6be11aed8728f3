"""One class per group of gateway routes; `keel.client` puts them together."""
