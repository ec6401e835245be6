/**
 * NOTIFY channel names. PGlite's `listen()` sends `LISTEN <name>` unquoted (so
 * `Work` would become `work`) while `pg_notify('Work', …)` keeps the case: only
 * lowercase identifiers behave the same on both databases.
 */

const channelName = /^[a-z_][a-z0-9_]{0,62}$/

/** Throws unless `channel` is a lowercase SQL identifier (letters, digits, `_`; at most 63 characters). */
export const assertChannel = (channel: string): void => {
  if (!channelName.test(channel))
    throw new Error(
      `NOTIFY channel ${JSON.stringify(channel)} is not a lowercase identifier: use letters a-z, digits and "_" (at most 63)`,
    )
}
