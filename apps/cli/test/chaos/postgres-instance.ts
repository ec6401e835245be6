/**
 * A PostgreSQL server of the test's own, so it can be stopped hard and started again: a
 * fresh cluster (initdb) in a temporary folder on a free port, run as the `postgres` system
 * user (the server refuses to run as root), with trust authentication for `root`.
 */
import { execFile } from "node:child_process"
import { chmod, chown, mkdtemp, rm } from "node:fs/promises"
import { createServer } from "node:net"
import { tmpdir, userInfo } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"

const run = promisify(execFile)
const bin = process.env.LIANDONG_PG_BIN ?? "/usr/lib/postgresql/15/bin"

/** A port nobody listens on now. */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })

/** True when this machine can run a server of the test's own (the binaries exist). */
export const ownPostgresPossible = async (): Promise<boolean> => {
  try {
    await run(`${bin}/pg_ctl`, ["--version"])
    return true
  } catch {
    return false
  }
}

/** Initializes and starts a server; `stop("immediate")` is a crash, `start()` brings it back. */
export const startOwnPostgres = async () => {
  const dir = await mkdtemp(join(tmpdir(), "liandong-pg-"))
  const data = join(dir, "data")
  const port = await freePort()
  // As root, the server's files and process belong to the postgres user.
  const asRoot = userInfo().uid === 0
  if (asRoot) {
    const { stdout } = await run("id", ["-u", "postgres"])
    const { stdout: gid } = await run("id", ["-g", "postgres"])
    await chown(dir, Number(stdout.trim()), Number(gid.trim()))
  }
  await chmod(dir, 0o700)
  const pg = (tool: string, args: string[]) =>
    asRoot ? run("runuser", ["-u", "postgres", "--", `${bin}/${tool}`, ...args]) : run(`${bin}/${tool}`, args)
  await pg("initdb", ["-D", data, "-U", "root", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"])
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on`
  const start = () =>
    pg("pg_ctl", ["-D", data, "-o", options, "-l", join(dir, "server.log"), "-w", "-t", "60", "start"])
  const stop = (mode: "fast" | "immediate") => pg("pg_ctl", ["-D", data, "-m", mode, "-w", "-t", "60", "stop"])
  await start()
  return {
    url: `postgres://root@127.0.0.1:${port}/postgres`,
    /** Starts the server again (after a crash it recovers from its write-ahead log first). */
    start: async () => {
      await start()
    },
    /** Stops it: "immediate" kills it as a crash would, without a checkpoint. */
    stop: async (mode: "fast" | "immediate") => {
      await stop(mode)
    },
    /** Stops it (if running) and deletes its files. */
    destroy: async () => {
      await stop("immediate").catch(() => undefined)
      await rm(dir, { recursive: true, force: true })
    },
  }
}
