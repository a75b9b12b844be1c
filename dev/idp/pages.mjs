// The provider's pages: plain HTML forms, no script, styles from /idp/style.css only (the pages' CSP is
// `default-src 'self'`). Every input has a label; an error sits right after its field, is announced
// through `aria-describedby` and marks the field `aria-invalid`.
import { MAX_LENGTH, MIN_LENGTH } from './password.mjs';

export const STYLESHEET_PATH = '/idp/style.css';

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escape(value) {
  return String(value ?? '').replace(/[&<>"']/g, (char) => ESCAPES[char]);
}

export function layout(title, body) {
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} – Insight365 (local sign-in)</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<main>
<p class="brand">Insight365 <span>local sign-in for development, never used in production</span></p>
<h1>${escape(title)}</h1>
${body}
</main>
</body>
</html>
`;
}

function field({ name, label, type = 'text', autocomplete, value = '', error, hint }) {
  const described = [hint && `${name}-hint`, error && `${name}-error`].filter(Boolean).join(' ');
  return `<div class="field">
<label for="${name}">${escape(label)}</label>
${hint ? `<p class="hint" id="${name}-hint">${escape(hint)}</p>\n` : ''}<input id="${name}" name="${name}" type="${type}" autocomplete="${autocomplete}" required${
  type === 'password' ? '' : ` value="${escape(value)}"`}${described ? ` aria-describedby="${described}"` : ''}${
  error ? ' aria-invalid="true"' : ''}>
${error ? `<p class="error" id="${name}-error">${escape(error)}</p>\n` : ''}</div>`;
}

function errorSummary(errors) {
  const messages = Object.values(errors).filter(Boolean);
  if (!messages.length) return '';
  return `<div class="summary" role="alert"><p>${messages.length === 1 ? 'There is a problem' : 'There are problems'}:</p>
<ul>${messages.map((message) => `<li>${escape(message)}</li>`).join('')}</ul></div>\n`;
}

export function signInPage({ uid, email = '', errors = {} }) {
  return layout('Sign in', `${errorSummary(errors)}<form method="post" action="/interaction/${escape(uid)}/login" novalidate>
${field({ name: 'email', label: 'Email', type: 'email', autocomplete: 'username', value: email, error: errors.email })}
${field({ name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', error: errors.password })}
<button type="submit">Sign in</button>
</form>
<p>New to Insight365? <a href="/interaction/${escape(uid)}/signup">Create an account</a></p>`);
}

export const PASSWORD_HINT = `At least ${MIN_LENGTH} characters (at most ${MAX_LENGTH}) with at least 3 of: `
  + 'lower-case letters, upper-case letters, digits, symbols.';

export function signUpPage({ uid, values = {}, errors = {} }) {
  return layout('Create an account', `${errorSummary(errors)}<form method="post" action="/interaction/${escape(uid)}/signup" novalidate>
${field({ name: 'given_name', label: 'Given name', autocomplete: 'given-name', value: values.given_name, error: errors.given_name })}
${field({ name: 'family_name', label: 'Family name', autocomplete: 'family-name', value: values.family_name, error: errors.family_name })}
${field({ name: 'email', label: 'Email', type: 'email', autocomplete: 'email', value: values.email, error: errors.email })}
${field({ name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', error: errors.password, hint: PASSWORD_HINT })}
<button type="submit">Create account</button>
</form>
<p>Already have an account? <a href="/interaction/${escape(uid)}">Sign in</a></p>`);
}

export function messagePage(title, message) {
  return layout(title, `<p>${escape(message)}</p>`);
}

/** The sign-out confirmation; `form` is the provider's own form (its CSRF token), submitted by the
 * button through the `form` attribute. */
export function signOutPage(form) {
  return layout('Sign out', `<p>Sign out of Insight365 on this device?</p>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>`);
}

export const STYLESHEET = `
:root { color-scheme: light; font-family: "Segoe UI", system-ui, sans-serif; color: #242424; background: #f5f5f5; }
main { max-width: 26rem; margin: 3rem auto; padding: 2rem; background: #fff; border-radius: 8px;
  box-shadow: 0 2px 8px rgb(0 0 0 / 12%); }
.brand { font-weight: 600; color: #0f6cbd; margin: 0 0 1rem; }
.brand span { display: block; font-weight: 400; font-size: 0.85rem; color: #616161; }
h1 { font-size: 1.5rem; margin: 0 0 1.25rem; }
.field { margin-bottom: 1rem; }
label { display: block; font-weight: 600; margin-bottom: 0.25rem; }
input { box-sizing: border-box; width: 100%; padding: 0.5rem; font: inherit; border: 1px solid #8a8a8a; border-radius: 4px; }
input[aria-invalid="true"] { border: 2px solid #b10e1c; }
input:focus-visible, button:focus-visible, a:focus-visible { outline: 3px solid #0f6cbd; outline-offset: 2px; }
.hint { margin: 0 0 0.25rem; font-size: 0.875rem; color: #424242; }
.error { margin: 0.25rem 0 0; color: #b10e1c; font-weight: 600; }
.summary { border: 2px solid #b10e1c; padding: 0.5rem 1rem; margin-bottom: 1rem; }
.summary p { margin: 0; font-weight: 600; }
button { font: inherit; font-weight: 600; padding: 0.5rem 1.25rem; color: #fff; background: #0f6cbd; border: 0; border-radius: 4px; cursor: pointer; }
a { color: #0f548c; }
`;
