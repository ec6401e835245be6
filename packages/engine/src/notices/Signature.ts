/**
 * The signature of a webhook, for Liandong and for those who receive its webhooks
 * (`@liandong/engine/webhooks`; nothing here touches a database). Each POST carries
 *
 * - `Liandong-Id`: the delivery's id, the same on every attempt (drop a repeat by it);
 * - `Liandong-Timestamp`: when this attempt was signed, in Unix seconds;
 * - `Liandong-Signature`: `v1=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed by the secret>`.
 *
 * A receiver recomputes the HMAC over the raw body it received (before any JSON parsing),
 * compares in constant time, and refuses a timestamp more than `replayWindowSeconds` (five
 * minutes) from its own clock, so a captured request cannot be replayed later.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto"

/** How far a webhook's timestamp may be from the receiver's clock, either way: five minutes. */
export const replayWindowSeconds = 300

/** A new signing secret: `whsec_` and 32 random bytes, base64url. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString("base64url")}`

/** The hex HMAC-SHA256 of `<timestamp>.<body>` keyed by the secret's UTF-8 bytes. */
export const webhookSignature = (secret: string, timestamp: string | number, body: string | Uint8Array): string =>
  createHmac("sha256", secret)
    .update(`${timestamp}.`)
    .update(typeof body === "string" ? Buffer.from(body, "utf8") : body)
    .digest("hex")

/** The headers of a webhook with `body`, signed at `now`. */
export const signWebhook = (
  secret: string,
  id: string,
  body: string,
  now: Date = new Date(),
): Record<"Liandong-Id" | "Liandong-Timestamp" | "Liandong-Signature", string> => {
  const timestamp = String(Math.floor(now.getTime() / 1000))
  return {
    "Liandong-Id": id,
    "Liandong-Timestamp": timestamp,
    "Liandong-Signature": `v1=${webhookSignature(secret, timestamp, body)}`,
  }
}

/** Headers as a receiver has them: a fetch `Headers`, or Node's lower-cased `req.headers`. */
export type ReceivedHeaders =
  | { readonly get: (name: string) => string | null }
  | Readonly<Record<string, string | ReadonlyArray<string> | undefined>>

const headerOf = (headers: ReceivedHeaders, name: string): string | undefined => {
  if (typeof headers.get === "function")
    return (headers as { get: (n: string) => string | null }).get(name) ?? undefined
  const record = headers as Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  const key = Object.keys(record).find((k) => k.toLowerCase() === name.toLowerCase())
  const value = key === undefined ? undefined : record[key]
  return Array.isArray(value) ? value[0] : (value as string | undefined)
}

/** Why a webhook was refused, or its id when it is genuine. */
export type WebhookVerdict =
  | { readonly ok: true; readonly id: string; readonly timestamp: number }
  | { readonly ok: false; readonly reason: "missing-header" | "stale" | "bad-signature" }

/**
 * Checks a received webhook: its signature over the raw body with the secret, and its
 * timestamp within `toleranceSeconds` (default five minutes) of `now`. Use the verdict's
 * `id` to drop a repeat: a webhook is delivered at least once.
 */
export const verifyWebhook = (
  secret: string,
  headers: ReceivedHeaders,
  body: string | Uint8Array,
  now: Date = new Date(),
  toleranceSeconds: number = replayWindowSeconds,
): WebhookVerdict => {
  const id = headerOf(headers, "liandong-id")
  const timestamp = headerOf(headers, "liandong-timestamp")
  const signature = headerOf(headers, "liandong-signature")
  if (id === undefined || timestamp === undefined || signature === undefined || !/^\d{1,12}$/.test(timestamp))
    return { ok: false, reason: "missing-header" }
  const seconds = Number(timestamp)
  if (Math.abs(now.getTime() / 1000 - seconds) > toleranceSeconds) return { ok: false, reason: "stale" }
  const expected = Buffer.from(webhookSignature(secret, timestamp, body), "hex")
  // One or more `v1=<hex>`, separated by commas or spaces (several while a secret is replaced).
  const matches = signature
    .split(/[\s,]+/)
    .filter((part) => part.startsWith("v1="))
    .some((part) => {
      const given = Buffer.from(part.slice(3), "hex")
      return given.length === expected.length && timingSafeEqual(given, expected)
    })
  return matches ? { ok: true, id, timestamp: seconds } : { ok: false, reason: "bad-signature" }
}

/** 钉钉's robot signature: `timestamp` (ms) and `sign` = base64(HmacSHA256(secret, "<timestamp>\n<secret>")). */
export const dingtalkSign = (secret: string, timestampMs: number): { timestamp: string; sign: string } => {
  const timestamp = String(timestampMs)
  const sign = createHmac("sha256", secret).update(`${timestamp}\n${secret}`, "utf8").digest("base64")
  return { timestamp, sign }
}
