#!/bin/sh
# One-shot setup of an OpenBao for Keel, run by docker-compose.yml after the server starts
# (customer-openbao-init in `hybrid`, openbao-init in `onprem`). Safe to run again: it
# initialises on first run, unseals after a restart, and (re)applies the policy and role.
#
#   KEEL_ROLE         AppRole and policy name: keel-relay or keel-secrets
#   KEEL_POLICY_FILE  the policy (infra/openbao/relay-policy.hcl or secrets-policy.hcl)
#   KEEL_PATH_PREFIX  narrow the policy from keel/* to <prefix>/* (e.g. keel/ml-prod, the
#                     relay's KEEL_RELAY_VAULT_PATH_PREFIX); unset: as written
#
# Demo-grade on purpose: one unseal key and the root token stay in the /openbao/init volume,
# which only this job mounts. In production an operator initialises and unseals the server
# and runs the last block with their own token (infra/openbao/README.md).
set -eu
: "${BAO_ADDR:?}" "${KEEL_ROLE:?}" "${KEEL_POLICY_FILE:?}"
init=/openbao/init/init.txt
out=/openbao/approle

# `bao status` exits 0 when unsealed, 2 when sealed or not initialised, 1 when unreachable.
for _ in $(seq 60); do
  rc=0; bao status >/dev/null 2>&1 || rc=$?
  [ "$rc" -ne 1 ] && break
  sleep 1
done
if [ "$rc" -eq 2 ]; then
  if [ ! -s "$init" ]; then
    if bao status 2>/dev/null | grep -Eq '^Initialized +true'; then
      echo "OpenBao was initialised elsewhere: unseal it and apply the policy yourself" >&2
      exit 1
    fi
    (umask 077 && bao operator init -key-shares=1 -key-threshold=1 > "$init")
  fi
  bao operator unseal "$(sed -n 's/^Unseal Key 1: //p' "$init")" >/dev/null
fi
BAO_TOKEN=$(sed -n 's/^Initial Root Token: //p' "$init")
export BAO_TOKEN

bao secrets list | grep -q '^secret/' || bao secrets enable -path=secret kv-v2
bao auth list | grep -q '^approle/' || bao auth enable approle
policy=/tmp/policy.hcl
if [ -n "${KEEL_PATH_PREFIX:-}" ]; then
  sed "s#/keel/\*\"#/${KEEL_PATH_PREFIX}/*\"#" "$KEEL_POLICY_FILE" > "$policy"
else
  cp "$KEEL_POLICY_FILE" "$policy"
fi
bao policy write "$KEEL_ROLE" "$policy"
bao write "auth/approle/role/$KEEL_ROLE" token_policies="$KEEL_ROLE" \
  token_ttl=1h token_max_ttl=24h secret_id_num_uses=0
bao read -field=role_id "auth/approle/role/$KEEL_ROLE/role-id" > "$out/role-id"
# A new secret id only when there is none (rotation: delete the file and run again).
if [ ! -s "$out/secret-id" ]; then
  bao write -f -field=secret_id "auth/approle/role/$KEEL_ROLE/secret-id" > "$out/secret-id"
fi
# Read by the Keel container (another uid) from a volume only it and this job mount.
chmod 0444 "$out/role-id" "$out/secret-id"
echo "AppRole $KEEL_ROLE ready"
