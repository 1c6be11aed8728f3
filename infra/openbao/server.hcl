# OpenBao server for docker-compose.yml (the customer's in `hybrid`, the deployment's own in
# `onprem`): file storage in a volume, on a network only Keel's own containers join.
# Production: TLS on the listener (and KEEL_*_VAULT_CA_BUNDLE on Keel's side), and
# auto-unseal or Shamir keys held by several people instead of init.sh's single key.
storage "file" {
  path = "/openbao/file"
}

listener "tcp" {
  address     = "0.0.0.0:8200"
  tls_disable = true
}

# The container runs as the image's unprivileged user, which may not lock memory.
disable_mlock = true
ui            = false
