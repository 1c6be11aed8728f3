"""Single sign-on: OpenID Connect federation to the organization's identity provider."""
