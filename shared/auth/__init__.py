"""Authentication and authorisation of API calls: bearer tokens, sessions, roles."""
