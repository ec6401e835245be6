/**
 * Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP) as authenticator apps make
 * them: HMAC-SHA1, 30-second steps, 6 digits, the secret in base32. Small enough to keep
 * here on Node's crypto rather than take a dependency for.
 */
import { createHmac, timingSafeEqual } from "node:crypto"

/** Seconds per time step. */
export const stepSeconds = 30
/** Digits of a code. */
export const digits = 6
/** Steps either side of now a code is accepted from (clock drift of the phone). */
export const driftSteps = 1

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

/** Base32 (RFC 4648, no padding): how authenticator apps take a secret. */
export const base32 = (bytes: Uint8Array): string => {
  let bits = 0
  let value = 0
  let out = ""
  for (const byte of bytes) {
    value = (value << 8) | byte
    bits += 8
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31]
  return out
}

/** The bytes of a base32 secret. */
export const fromBase32 = (text: string): Buffer => {
  let bits = 0
  let value = 0
  const out: number[] = []
  for (const char of text.replace(/=+$/u, "").toUpperCase()) {
    const index = alphabet.indexOf(char)
    if (index < 0) throw new Error("not base32")
    value = (value << 5) | index
    bits += 5
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255)
      bits -= 8
    }
  }
  return Buffer.from(out)
}

/** The time step of a moment. */
export const stepAt = (at: Date): number => Math.floor(at.getTime() / 1000 / stepSeconds)

/** The code of one time step (RFC 4226's dynamic truncation). */
export const codeAt = (secret: Buffer, step: number): string => {
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(step))
  const mac = createHmac("sha1", secret).update(counter).digest()
  const offset = (mac[mac.length - 1] as number) & 0x0f
  const number = mac.readUInt32BE(offset) & 0x7fffffff
  return String(number % 10 ** digits).padStart(digits, "0")
}

/** The time step a code belongs to, within the drift allowed around `at`; undefined when none. */
export const matchingStep = (secret: Buffer, code: string, at: Date): number | undefined => {
  if (!/^\d{6}$/u.test(code)) return undefined
  const now = stepAt(at)
  let found: number | undefined
  // Every candidate is compared, so the time taken does not say which step matched.
  for (let step = now - driftSteps; step <= now + driftSteps; step++) {
    if (timingSafeEqual(Buffer.from(codeAt(secret, step)), Buffer.from(code)) && found === undefined) found = step
  }
  return found
}

/** The otpauth:// URI an authenticator app scans. */
export const otpauthUri = (issuer: string, account: string, secret: string): string => {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`
  const query = new URLSearchParams({
    secret,
    issuer,
    algorithm: "SHA1",
    digits: String(digits),
    period: String(stepSeconds),
  })
  return `otpauth://totp/${label}?${query}`
}
