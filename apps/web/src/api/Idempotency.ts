/** Idempotency keys for POSTs: one per user action, so a repeated click or a retry changes nothing twice. */

/** A fresh random key (getRandomValues works on plain http too, unlike randomUUID). */
export const newKey = (): string => {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return `web-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`
}
