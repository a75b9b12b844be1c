// The sign-up password policy and the password hash (scrypt, Node's own implementation).
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt);

export const MIN_LENGTH = 8;
export const MAX_LENGTH = 128;
export const REQUIRED_CLASSES = 3;

// The four character classes, in the order the policy names them. A symbol is anything that is not a
// letter or a digit (spaces included), so every typed character counts towards exactly one class.
const CLASSES = [
  { name: 'lower-case letters', test: /\p{Ll}/u },
  { name: 'upper-case letters', test: /\p{Lu}/u },
  { name: 'digits', test: /\p{Nd}/u },
  { name: 'symbols', test: /[^\p{L}\p{Nd}]/u },
];

function wordList(names) {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** What is wrong with `password` under the policy, in words; `undefined` when it is acceptable. */
export function passwordProblem(password) {
  const length = [...password].length;
  if (length < MIN_LENGTH) return `Use at least ${MIN_LENGTH} characters (this one has ${length}).`;
  if (length > MAX_LENGTH) return `Use at most ${MAX_LENGTH} characters.`;
  const present = CLASSES.filter(({ test }) => test.test(password)).map(({ name }) => name);
  if (present.length >= REQUIRED_CLASSES) return undefined;
  return (
    `Use at least ${REQUIRED_CLASSES} of these 4: lower-case letters, upper-case letters, digits and `
    + `symbols. This password has only ${wordList(present)}.`
  );
}

// OWASP's scrypt minimum is N=2^17, r=8, p=1; this local provider uses N=2^15 so that sign-ins in tests
// stay quick (about 0.1 s each). The parameters are stored with each hash, so they can be raised later.
const PARAMS = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_BYTES = 32;

/** `scrypt$N$r$p$<salt>$<key>` (base64url), for the accounts file. */
export async function hashPassword(password) {
  const salt = randomBytes(16);
  const key = await scryptAsync(password.normalize('NFC'), salt, KEY_BYTES, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Whether `password` matches `encoded` (constant time in the key comparison). */
export async function verifyPassword(password, encoded) {
  const [scheme, N, r, p, salt, key] = encoded.split('$');
  if (scheme !== 'scrypt') return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await scryptAsync(password.normalize('NFC'), Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(N), r: Number(r), p: Number(p), maxmem: PARAMS.maxmem,
  });
  return timingSafeEqual(actual, expected);
}

// Verified when an email is unknown, so a wrong email costs as long as a wrong password.
export const UNKNOWN_ACCOUNT_HASH = await hashPassword(randomBytes(16).toString('base64url'));
