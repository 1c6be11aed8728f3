"""Principal and token verification helpers shared by the gateway and the services."""
