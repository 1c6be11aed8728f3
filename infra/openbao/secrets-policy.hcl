# Least privilege for the control plane's `vault` secrets backend (Scenario 3, or any
# deployment whose workspaces choose `vault`): the secrets service keeps a workspace's
# values at `keel/<workspace id>/<name>` in the KV v2 mount `secret` (the defaults of
# PUT /api/v1/workspaces/{id}/secrets-backend). A workspace given another mount or path
# prefix there needs those paths added here; until then Vault refuses it (a 503 naming
# the cause, nothing written).
#
#   bao policy write keel-secrets infra/openbao/secrets-policy.hcl
#   bao write auth/approle/role/keel-secrets token_policies=keel-secrets token_ttl=1h token_max_ttl=24h
#
# Token lookup and renewal (auth/token/lookup-self, renew-self) come with Vault's
# `default` policy, and the seal status the health check reads needs no token.

# Versions of a secret: read one, write a new one (check-and-set).
path "secret/data/keel/*" {
  capabilities = ["create", "read", "update"]
}

# Deleting a secret removes all its versions and its metadata.
path "secret/metadata/keel/*" {
  capabilities = ["read", "delete"]
}

# Only with KEEL_SECRETS_TRANSIT_KEY=transit/keel-kek (the key-encryption key kept in
# Transit): uncomment, and create the key with `bao write -f transit/keys/keel-kek`.
# path "transit/encrypt/keel-kek" { capabilities = ["update"] }
# path "transit/decrypt/keel-kek" { capabilities = ["update"] }
