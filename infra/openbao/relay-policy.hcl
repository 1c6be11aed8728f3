# Least privilege for a Keel relay agent in the customer's Vault/OpenBao (Scenario 2).
#
# The relay reads and writes only under its own path prefix in the KV v2 mount `secret`
# (KEEL_RELAY_VAULT_MOUNT / KEEL_RELAY_VAULT_PATH_PREFIX; here `keel/`). Narrow the prefix
# to one workspace (e.g. `keel/ml-prod/*`) when a Vault serves several relays.
#
#   bao policy write keel-relay infra/openbao/relay-policy.hcl
#   bao write auth/approle/role/keel-relay token_policies=keel-relay token_ttl=1h token_max_ttl=24h
#
# The e2e tests load this very file into the customer OpenBao and give the relay a token
# bound to it, so a relay needing more than this fails the tests.

# Versions of a secret: read one, write a new one (check-and-set).
path "secret/data/keel/*" {
  capabilities = ["create", "read", "update"]
}

# Deleting a secret removes all its versions and its metadata.
path "secret/metadata/keel/*" {
  capabilities = ["read", "delete"]
}
