// The oidc-provider configuration of the local identity provider: one public client (the SPA), the
// authorization-code flow with PKCE (S256) only, and RS256 JWT access tokens for the API as a resource
// server, shaped as the API accepts them (issuer, audience, `scp`, verified email and names).
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Provider, { errors } from 'oidc-provider';

import { messagePage, signOutPage } from './pages.mjs';

export const CLIENT_ID = 'insight365-spa';

const MINUTE = 60;
const HOUR = 60 * MINUTE;

/** The RS256 signing key as a private JWK with its RFC 7638 thumbprint as `kid` (the Python issuer's
 * rule, so one key file gives one `kid` whichever issuer signs with it). */
export function signingJwk(keyFile) {
  const privateKey = keyFile
    ? createPrivateKey(readFileSync(keyFile))
    : generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const jwk = privateKey.export({ format: 'jwk' });
  const thumbprint = createHash('sha256').update(JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n })).digest('base64url');
  return { ...jwk, kid: thumbprint, alg: 'RS256', use: 'sig' };
}

function originOf(uri) {
  return new URL(uri).origin;
}

function profileClaims(account) {
  return {
    email: account.email,
    // Local sign-up sends no mail, so every address here counts as verified (development only).
    email_verified: true,
    given_name: account.given_name,
    family_name: account.family_name,
    name: `${account.given_name} ${account.family_name}`,
  };
}

/**
 * A configured provider.
 * @param {object} options
 * @param {string} options.issuer             e.g. http://127.0.0.1:8090
 * @param {import('./accounts.mjs').AccountStore} options.accounts
 * @param {string[]} options.redirectUris     exact redirect URIs of the SPA
 * @param {string[]} options.postLogoutRedirectUris
 * @param {string} options.audience           the API's `aud`
 * @param {string} options.scope              the API's delegated scope
 * @param {object} options.jwk                the private signing JWK
 */
export function createProvider({ issuer, accounts, redirectUris, postLogoutRedirectUris, audience, scope, jwk }) {
  const allowedOrigins = new Set([...redirectUris, ...postLogoutRedirectUris].map(originOf));
  const render = (ctx, status, html) => {
    ctx.status = status;
    ctx.type = 'html';
    ctx.body = html;
  };

  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID,
      client_name: 'Insight365',
      application_type: 'web',
      token_endpoint_auth_method: 'none', // a public client: PKCE is required for it (pkce.required)
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: redirectUris,
      post_logout_redirect_uris: postLogoutRedirectUris,
    }],
    // No implicit or hybrid flow: `response_type` must be `code`.
    responseTypes: ['code'],
    pkce: { methods: ['S256'], required: () => true }, // `plain` is refused
    allowOmittingSingleRegisteredRedirectUri: false, // the redirect URI is always sent and matched exactly
    scopes: ['openid', 'profile', 'email'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['given_name', 'family_name', 'name'],
    },
    async findAccount(_ctx, sub) {
      const account = accounts.findBySubject(sub);
      if (!account) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...profileClaims(account) }) };
    },
    // The SPA is this provider's only client and first-party: consent to what it asks is implied.
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid profile email');
      grant.addResourceScope(audience, scope);
      await grant.save();
      return grant;
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => render(ctx, 200, signOutPage(form)),
        postLogoutSuccessSource: async (ctx) => render(ctx, 200, messagePage('Signed out', 'You are signed out.')),
      },
      resourceIndicators: {
        enabled: true,
        // Tokens are for the API unless the client names another resource (and there is no other).
        defaultResource: async () => audience,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resource) => {
          if (resource !== audience) throw new errors.InvalidTarget();
          return { scope, audience, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
        },
      },
    },
    // What the API reads from an access token beyond the standard claims (`scp` as Entra names it).
    async extraTokenClaims(_ctx, token) {
      const account = token.accountId && accounts.findBySubject(token.accountId);
      if (!account) return undefined;
      return { scp: token.scope, ...profileClaims(account) };
    },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    clientBasedCORS: (_ctx, origin) => allowedOrigins.has(origin),
    interactions: { url: async (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    jwks: { keys: [jwk] },
    enabledJWA: { idTokenSigningAlgValues: ['RS256'] },
    ttl: {
      AccessToken: HOUR,
      AuthorizationCode: MINUTE,
      IdToken: HOUR,
      Interaction: 15 * MINUTE,
      Grant: 12 * HOUR,
      Session: 12 * HOUR,
      RefreshToken: 12 * HOUR, // the API's longest session
    },
    renderError: async (ctx, out) => render(
      ctx, ctx.status, messagePage('Sign-in problem', out.error_description || out.error),
    ),
  });
  return provider;
}
