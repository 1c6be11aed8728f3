"""What every request passes through before and after its route: metrics and the access
log, security headers, CORS, compression, the body size limit, per-principal rate limits."""
