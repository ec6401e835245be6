/**
 * LISTEN on a PostgreSQL server through a dedicated connection (a pooled one
 * would be handed to other queries). A lost connection is reopened with
 * backoff; notifications sent while it was down are lost, so listeners must
 * also poll.
 */
import pg from "pg"

const firstRetryMs = 500
const maxRetryMs = 30_000

/** Calls `onNotify` with each payload on `channel` until the returned function is called. */
export const listenPostgres = async (
  config: pg.ClientConfig,
  channel: string,
  onNotify: (payload: string) => void,
  log: (message: string) => void,
): Promise<() => Promise<void>> => {
  let stopped = false
  let current: pg.Client | undefined
  let retry: NodeJS.Timeout | undefined

  const connect = async (): Promise<void> => {
    // The pool's own settings (a URL or separate ones), so LISTEN reaches the same server as the same role.
    const client = new pg.Client(config)
    let lost = false
    const onLost = (error?: Error) => {
      if (lost) return
      lost = true
      if (current === client) current = undefined
      client.end().catch(() => undefined)
      if (stopped) return
      log(`listen ${channel}: connection lost (${error?.message ?? "closed"}); reconnecting`)
      reconnect(firstRetryMs)
    }
    client.on("notification", (message) => {
      if (message.channel === channel) onNotify(message.payload ?? "")
    })
    try {
      await client.connect()
      await client.query(`listen ${pg.escapeIdentifier(channel)}`)
    } catch (error) {
      lost = true
      client.end().catch(() => undefined)
      throw error
    }
    client.on("error", onLost)
    client.on("end", () => onLost())
    if (stopped) {
      lost = true
      await client.end().catch(() => undefined)
      return
    }
    current = client
  }

  const reconnect = (delayMs: number) => {
    retry = setTimeout(() => {
      retry = undefined
      if (stopped) return
      connect().then(
        () => log(`listen ${channel}: reconnected`),
        (error: unknown) => {
          const next = Math.min(delayMs * 2, maxRetryMs)
          log(
            `listen ${channel}: reconnect failed (${error instanceof Error ? error.message : String(error)}); next try in ${next} ms`,
          )
          reconnect(next)
        },
      )
    }, delayMs)
    // A listener alone does not keep the process alive.
    retry.unref()
  }

  await connect()
  return async () => {
    stopped = true
    if (retry !== undefined) clearTimeout(retry)
    const client = current
    current = undefined
    await client?.end().catch(() => undefined)
  }
}
