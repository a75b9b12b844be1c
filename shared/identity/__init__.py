"""Identity: bearer-token validation against the OpenID Connect provider, TOTP MFA, recovery codes,
and encryption of MFA secrets at rest.

Plain Python with injected clocks and HTTP fetchers, so every rule here is testable without a host.
"""
