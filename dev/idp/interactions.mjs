// The sign-in and sign-up pages oidc-provider sends a browser to when an authorization request needs a
// signed-in account (`/interaction/<uid>`). Both end the same way: the provider is told who signed in
// and redirects back to the authorization request, which answers the client's redirect URI with a code.
import { DuplicateEmailError, emailProblem, nameProblem } from './accounts.mjs';
import { passwordProblem } from './password.mjs';
import { messagePage, signInPage, signUpPage } from './pages.mjs';

const MAX_FORM_BYTES = 16 * 1024;
const ROUTE = /^\/interaction\/([A-Za-z0-9_-]{1,64})(\/login|\/signup)?$/;

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function readForm(req) {
  if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    throw new HttpError(415, 'Send the form as application/x-www-form-urlencoded.');
  }
  let size = 0;
  const chunks = [];
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new HttpError(413, 'The form is too large.');
    chunks.push(chunk);
  }
  const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  return {
    trimmed: (name) => (form.get(name) ?? '').trim(),
    exact: (name) => form.get(name) ?? '', // passwords: every character counts, spaces included
  };
}

function send(res, status, html) {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(html);
}

/**
 * The request handler for `/interaction/...`: `true` once it answered, `false` for any other path.
 * @param {import('oidc-provider').default} provider
 * @param {import('./accounts.mjs').AccountStore} accounts
 */
export function interactionHandler(provider, accounts) {
  const finish = (req, res, account) => provider.interactionFinished(
    req, res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false },
  );

  async function postSignIn(req, res, uid, form) {
    const email = form.trimmed('email');
    const password = form.exact('password');
    const errors = {
      email: emailProblem(email),
      password: password ? undefined : 'Enter your password.',
    };
    if (!errors.email && !errors.password) {
      const account = await accounts.authenticate(email, password);
      if (account) return finish(req, res, account);
      errors.password = 'The email address or password is incorrect.';
    }
    return send(res, 400, signInPage({ uid, email, errors }));
  }

  async function postSignUp(req, res, uid, form) {
    const values = {
      given_name: form.trimmed('given_name'),
      family_name: form.trimmed('family_name'),
      email: form.trimmed('email'),
    };
    const password = form.exact('password');
    const errors = {
      given_name: nameProblem(values.given_name, 'given name'),
      family_name: nameProblem(values.family_name, 'family name'),
      email: emailProblem(values.email),
      password: password ? passwordProblem(password) : 'Enter a password.',
    };
    if (!Object.values(errors).some(Boolean)) {
      try {
        const account = await accounts.create({
          email: values.email, givenName: values.given_name, familyName: values.family_name, password,
        });
        return finish(req, res, account);
      } catch (error) {
        if (!(error instanceof DuplicateEmailError)) throw error;
        errors.email = 'An account with this email address already exists. Sign in instead.';
      }
    }
    return send(res, 400, signUpPage({ uid, values, errors }));
  }

  return async function handle(req, res) {
    const match = ROUTE.exec(new URL(req.url, 'http://provider').pathname);
    if (!match) return false;
    const [, uid, action = ''] = match;
    await respond(req, res, uid, action);
    return true;
  };

  async function respond(req, res, uid, action) {
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.uid !== uid || details.prompt.name !== 'login') {
        throw new HttpError(400, 'This sign-in page does not belong to the sign-in in progress.');
      }
      if (req.method === 'GET' && action === '') return send(res, 200, signInPage({ uid }));
      if (req.method === 'GET' && action === '/signup') return send(res, 200, signUpPage({ uid }));
      if (req.method === 'POST' && action !== '') {
        const form = await readForm(req);
        return action === '/login' ? postSignIn(req, res, uid, form) : postSignUp(req, res, uid, form);
      }
      throw new HttpError(405, 'This page does not accept that request.');
    } catch (error) {
      if (error instanceof HttpError) return send(res, error.status, messagePage('Sign-in problem', error.message));
      if (error.name === 'SessionNotFound') {
        return send(res, 400, messagePage(
          'Sign-in expired', 'This sign-in has expired or was already used. Go back to Insight365 and sign in again.',
        ));
      }
      throw error;
    }
  }
}
