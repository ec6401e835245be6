/**
 * Passwords: argon2id from Node's own crypto (OpenSSL), stored as a PHC string
 * (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`) so the parameters can be raised later:
 * a sign-in that finds older parameters rehashes. Parameters are at least OWASP's
 * (m = 19 MiB, t = 2, p = 1). The policy names the rule a password breaks, in
 * both languages.
 */
import { argon2, randomBytes, timingSafeEqual } from "node:crypto"
import { Effect } from "effect"

/** The parameters new hashes use. */
export const argon2Parameters = { memory: 19_456, passes: 2, parallelism: 1, tagLength: 32, saltLength: 16 } as const

const b64 = (bytes: Buffer) => bytes.toString("base64").replace(/=+$/u, "")

const derive = (password: string, salt: Buffer, memory: number, passes: number, parallelism: number, length: number) =>
  Effect.callback<Buffer>((resume) => {
    argon2(
      "argon2id",
      {
        message: Buffer.from(password.normalize("NFC"), "utf8"),
        nonce: salt,
        memory,
        passes,
        parallelism,
        tagLength: length,
      },
      (error, hash) => resume(error ? Effect.die(error) : Effect.succeed(hash)),
    )
  })

/** Hashes a password with the current parameters, as a PHC string. */
export const hashPassword = (password: string) =>
  Effect.gen(function* () {
    const { memory, passes, parallelism, tagLength, saltLength } = argon2Parameters
    const salt = randomBytes(saltLength)
    const hash = yield* derive(password, salt, memory, passes, parallelism, tagLength)
    return `$argon2id$v=19$m=${memory},t=${passes},p=${parallelism}$${b64(salt)}$${b64(hash)}`
  })

const phc = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/u

/**
 * Checks a password against a PHC string in constant time; `rehash` is true when the
 * string's parameters are not the current ones. A malformed string never matches.
 */
export const verifyPassword = (password: string, stored: string) =>
  Effect.gen(function* () {
    const match = phc.exec(stored)
    if (match === null) return { ok: false, rehash: false }
    const [, m, t, p, salt, hash] = match as unknown as [string, string, string, string, string, string]
    const expected = Buffer.from(hash, "base64")
    const given = yield* derive(password, Buffer.from(salt, "base64"), Number(m), Number(t), Number(p), expected.length)
    const ok = given.length === expected.length && timingSafeEqual(given, expected)
    const { memory, passes, parallelism } = argon2Parameters
    return { ok, rehash: ok && (Number(m) !== memory || Number(t) !== passes || Number(p) !== parallelism) }
  })

let dummy: string | undefined
/** A hash to check against when there is no person, so an unknown name costs the same work. */
export const dummyHash = Effect.suspend(() =>
  dummy === undefined
    ? Effect.tap(hashPassword(randomBytes(16).toString("hex")), (h) =>
        Effect.sync(() => {
          dummy = h
        }),
      )
    : Effect.succeed(dummy),
)

/** The shortest password accepted, in characters. */
export const minimumLength = 12
/** The longest, bounding the work of hashing. */
export const maximumLength = 256

// The most common passwords of at least twelve characters, and their obvious kin.
const common = new Set([
  "123456789012",
  "1234567890123",
  "qwertyuiop12",
  "qwertyuiopas",
  "qwerty123456",
  "password1234",
  "password12345",
  "passw0rd1234",
  "iloveyou1234",
  "abc123456789",
  "a1234567890b",
  "1qaz2wsx3edc",
  "1q2w3e4r5t6y",
  "qazwsxedcrfv",
  "aa1234567890",
  "woaini1314520",
  "woaini5201314",
  "5201314520131",
  "admin1234567",
  "administrator",
  "welcome12345",
  "letmein12345",
  "zxcvbnm12345",
  "asdfghjkl123",
  "p@ssw0rd1234",
  "changeme1234",
])

/** One broken rule: its name and its words. */
export interface PasswordProblem {
  readonly rule: "length" | "classes" | "personal" | "common"
  readonly zh: string
  readonly en: string
}

const classes = (password: string) =>
  [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{Ll}\p{Lu}\p{Nd}]/u].filter((re) => re.test(password)).length

/**
 * The rules a password breaks, none when it is acceptable: at least twelve characters, not
 * all of one class (lower case, upper case, digits, others), not containing the person's
 * name, id or mobile, not a common password.
 */
export const passwordProblems = (
  password: string,
  person: { readonly id: string; readonly name: string; readonly mobile?: string | null | undefined },
): ReadonlyArray<PasswordProblem> => {
  const problems: PasswordProblem[] = []
  const length = Array.from(password).length
  if (length < minimumLength || length > maximumLength)
    problems.push({
      rule: "length",
      zh: `密码长度须为 ${minimumLength} 至 ${maximumLength} 个字符`,
      en: `a password has ${minimumLength} to ${maximumLength} characters`,
    })
  if (classes(password) < 2)
    problems.push({
      rule: "classes",
      zh: "密码不能只用一类字符(小写、大写、数字、其他),须至少两类",
      en: "a password mixes at least two kinds of characters (lower case, upper case, digits, others)",
    })
  const lower = password.toLowerCase()
  const personal = [person.id, person.name, person.mobile ?? ""].filter((p) => Array.from(p).length >= 3)
  if (personal.some((p) => lower.includes(p.toLowerCase())))
    problems.push({
      rule: "personal",
      zh: "密码不能包含本人的姓名、登录名或手机号",
      en: "a password may not contain the person's name, sign-in name or mobile number",
    })
  if (common.has(lower))
    problems.push({ rule: "common", zh: "该密码过于常见,请另选", en: "this password is too common; choose another" })
  return problems
}
