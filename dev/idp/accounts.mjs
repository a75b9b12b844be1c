// The local provider's accounts: one JSON file (mode 0600), or memory only when no file is given.
//
// An account is { sub, email, given_name, family_name, password_hash }. `sub` is opaque and never
// changes; the email is unique regardless of case and kept as typed (the API matches invitations against
// the address exactly as issued).
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

import { UNKNOWN_ACCOUNT_HASH, hashPassword, verifyPassword } from './password.mjs';

export const MAX_EMAIL_LENGTH = 254;
export const MAX_NAME_LENGTH = 100;

const key = (email) => email.toLowerCase();

/** What is wrong with an email address, in words; `undefined` when it is plausible. */
export function emailProblem(email) {
  if (!email) return 'Enter your email address.';
  const [local, domain, ...rest] = email.split('@');
  const plausible = rest.length === 0 && local && domain && domain.includes('.') && !/\s/.test(email)
    && !domain.startsWith('.') && !domain.endsWith('.');
  if (!plausible) return 'Enter an email address like name@example.com.';
  if (email.length > MAX_EMAIL_LENGTH) return `Use an email address of at most ${MAX_EMAIL_LENGTH} characters.`;
  return undefined;
}

/** What is wrong with a given or family name, in words; `undefined` when it is acceptable. */
export function nameProblem(value, label) {
  if (!value) return `Enter your ${label}.`;
  if (value.length > MAX_NAME_LENGTH) return `Use at most ${MAX_NAME_LENGTH} characters for your ${label}.`;
  if (/\p{Cc}/u.test(value)) return `Your ${label} contains characters that cannot be shown.`;
  return undefined;
}

export class DuplicateEmailError extends Error {}

export class AccountStore {
  #path;
  #byEmail = new Map();
  #bySubject = new Map();

  /** The accounts in `path` (read if it exists), or in memory only when `path` is undefined. */
  constructor(path) {
    this.#path = path;
    if (path && existsSync(path)) {
      for (const account of JSON.parse(readFileSync(path, 'utf8')).accounts) this.#index(account);
    }
  }

  #index(account) {
    this.#byEmail.set(key(account.email), account);
    this.#bySubject.set(account.sub, account);
  }

  #save() {
    if (!this.#path) return;
    mkdirSync(dirname(this.#path), { recursive: true });
    const next = `${this.#path}.next`;
    writeFileSync(next, JSON.stringify({ accounts: [...this.#bySubject.values()] }, null, 2), { mode: 0o600 });
    renameSync(next, this.#path);
  }

  findBySubject(sub) {
    return this.#bySubject.get(sub);
  }

  /** A new account; throws `DuplicateEmailError` when the email (in any case) has one already. */
  async create({ email, givenName, familyName, password, sub = randomUUID() }) {
    if (this.#byEmail.has(key(email))) throw new DuplicateEmailError(email);
    const account = {
      sub, email, given_name: givenName, family_name: familyName, password_hash: await hashPassword(password),
    };
    // Re-checked after the (asynchronous) hash: two sign-ups of one email race here.
    if (this.#byEmail.has(key(email))) throw new DuplicateEmailError(email);
    this.#index(account);
    this.#save();
    return account;
  }

  /** The account whose email and password these are, else `undefined` (same work either way). */
  async authenticate(email, password) {
    const account = this.#byEmail.get(key(email));
    const matches = await verifyPassword(password, account?.password_hash ?? UNKNOWN_ACCOUNT_HASH);
    return matches && account ? account : undefined;
  }

  /** Make each seeded account exist exactly as given (subject, names, password), replacing any account
   * that holds its email: the demo members' documented password always works after a restart. */
  async seed(seeded) {
    for (const { sub, email, given_name: givenName, family_name: familyName, password } of seeded) {
      const existing = this.#byEmail.get(key(email));
      if (existing?.sub === sub && existing.given_name === givenName && existing.family_name === familyName
        && await verifyPassword(password, existing.password_hash)) continue;
      if (existing) {
        this.#byEmail.delete(key(email));
        this.#bySubject.delete(existing.sub);
      }
      await this.create({ email, givenName, familyName, password, sub });
    }
  }
}
