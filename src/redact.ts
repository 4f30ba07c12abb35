/**
 * What counts as a secret, for the logger and the audit log alike: pure functions, no I/O.
 * A key is secret when it names a secret (password, token, hash…), not when it merely looks
 * like one (`code` is an error code or an imported record's code). A string is secret-shaped
 * when it looks like a PHC hash, a temporary password or a link code.
 */

export const REDACTED = "[redacted]";
/** What stands in for SQL parameters: never logged, whatever they hold. */
export const PARAMS_NOT_LOGGED = "[not logged]";

/** Words that make a key secret when they appear in it (camelCase, snake_case, kebab-case). */
const SECRET_WORDS = new Set([
  "password",
  "passwd",
  "pwd",
  "passphrase",
  "secret",
  "token",
  "hash",
  "authorization",
  "cookie",
  "apikey",
]);
/** Whole keys that are secret: message content and the link code itself. */
const SECRET_KEYS = /^(text|caption|link_?code|new_?password|temporary_?password)$/i;

function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[\s_.-]+/)
    .map((w) => w.toLowerCase())
    .filter(Boolean);
}

/** True when a field of this name holds a secret (`password`, `codeHash`, `x-api-token`…). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.test(key) || keyWords(key).some((w) => SECRET_WORDS.has(w));
}

/** $argon2id$v=19$m=…$salt$hash, $scrypt$…, $pbkdf2-sha256$…, $2b$… (bcrypt). */
export const PHC_PATTERN = /\$(?:argon2(?:id|i|d)|scrypt|pbkdf2(?:-sha\d+)?|2[abxy]?)\$[^\s"'`)\]}]*/g;
/** A link code: 12 characters of the link-code alphabet (no 0/O/1/I/L), maybe in dashed groups of 4. */
const LINK_CODE =
  /(?<![A-Za-z0-9])[A-HJKMNP-Z2-9]{4}-?[A-HJKMNP-Z2-9]{4}-?[A-HJKMNP-Z2-9]{4}(?![A-Za-z0-9])/g;
/**
 * A run of the characters a temporary password is drawn from (no look-alikes 0/O/1/I/l/o) plus
 * the specials a profile may allow; delimiters of JSON, SQL and stacks ( " ' , : ; / ( ) [ ] )
 * end a run. A run of 8+ with upper case, lower case and a digit is treated as a password.
 */
const PASSWORD_RUN = /[A-HJ-NP-Za-km-np-z2-9!#$%&*+=?@^_|~.-]{8,}/g;
/** Drizzle's "Failed query: …\nparams: …" tail, up to the first stack frame. */
const PARAMS_TAIL = /(^|\n)params: [\s\S]*?(?=\n\s+at\s|$)/g;

function looksLikePassword(run: string): boolean {
  return /[A-Z]/.test(run) && /[a-z]/.test(run) && /[2-9]/.test(run);
}

/** `text` with SQL parameters cut and every secret-shaped substring replaced; pure. */
export function scrubText(text: string): string {
  return text
    .replace(PARAMS_TAIL, `$1params: ${PARAMS_NOT_LOGGED}`)
    .replace(PHC_PATTERN, REDACTED)
    .replace(LINK_CODE, REDACTED)
    .replace(PASSWORD_RUN, (run) => (looksLikePassword(run) ? REDACTED : run));
}
