// `node dev/idp/server.mjs [options]`: the local OpenID Connect provider (development and tests only).
//
//   --host 127.0.0.1            loopback address to bind
//   --port 8090                 0: any free port
//   --accounts FILE             accounts file (created on the first sign-up); memory only when omitted
//   --seed FILE                 JSON list of accounts to (re)create on start:
//                               [{"sub", "email", "given_name", "family_name", "password"}]
//   --key-file FILE             PEM RSA signing key; a fresh key when omitted
//   --redirect-uri URI          an exact redirect URI of the SPA (repeat for more)
//   --post-logout-redirect-uri URI   (repeatable)
//   --audience AUD --scope SCOPE     the API's audience and delegated scope
//   --exit-with-stdin           exit when standard input closes (the process that started it ended)
//
// When it listens it prints one JSON line on stdout, {"issuer": "http://127.0.0.1:<port>"}; SIGTERM or
// SIGINT stops it.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';

import { AccountStore } from './accounts.mjs';
import { interactionHandler } from './interactions.mjs';
import { STYLESHEET, STYLESHEET_PATH } from './pages.mjs';
import { createProvider, signingJwk } from './provider.mjs';

const { values: options } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8090' },
    accounts: { type: 'string' },
    seed: { type: 'string' },
    'key-file': { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true, default: [] },
    'post-logout-redirect-uri': { type: 'string', multiple: true, default: [] },
    audience: { type: 'string', default: 'api://insight365-local' },
    scope: { type: 'string', default: 'access_as_user' },
    'exit-with-stdin': { type: 'boolean', default: false },
  },
});

if (!isIP(options.host) || !['127.', '::1'].some((prefix) => options.host.startsWith(prefix))) {
  throw new Error('the local identity provider binds to loopback addresses only');
}
if (options['redirect-uri'].length === 0) throw new Error('give at least one --redirect-uri');

// Every response: pages may load only this origin's resources and may not be framed.
const SECURITY_HEADERS = {
  // `script-src` is named so that oidc-provider can add the hash of its one inline script (the
  // form_post response mode); the pages themselves have no script.
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

const accounts = new AccountStore(options.accounts);
if (options.seed) await accounts.seed(JSON.parse(readFileSync(options.seed, 'utf8')));

const server = createServer();
server.listen(Number(options.port), options.host, () => {
  const { port } = server.address();
  const authority = options.host.includes(':') ? `[${options.host}]` : options.host;
  const issuer = `http://${authority}:${port}`;
  const provider = createProvider({
    issuer,
    accounts,
    redirectUris: options['redirect-uri'],
    postLogoutRedirectUris: options['post-logout-redirect-uri'],
    audience: options.audience,
    scope: options.scope,
    jwk: signingJwk(options['key-file']),
  });
  const interactions = interactionHandler(provider, accounts);
  const oidc = provider.callback();
  server.on('request', async (req, res) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    try {
      if (req.method === 'GET' && req.url === STYLESHEET_PATH) {
        res.setHeader('Cache-Control', 'max-age=3600');
        res.writeHead(200, { 'Content-Type': 'text/css; charset=utf-8' });
        res.end(STYLESHEET);
      } else if (!(await interactions(req, res))) {
        oidc(req, res);
      }
    } catch (error) {
      console.error(error);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('The local identity provider failed; see its log.');
    }
  });
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, stop);
if (options['exit-with-stdin']) {
  process.stdin.on('end', stop);
  process.stdin.resume();
}
