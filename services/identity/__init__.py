"""The development OpenID Connect issuer: sign-in for demo users, tokens for the gateway and service accounts."""
