/**
 * One process at a time in an embedded data folder. PGlite itself does not
 * refuse a second process, and two PGlite instances on one folder lose each
 * other's writes; so opening a folder first takes `liandong.lock` inside it,
 * a small JSON file naming the holder (pid, host, command line, since when).
 *
 * The file appears atomically and complete: it is written under a private
 * name and hard-linked to `liandong.lock`, which fails if the name exists.
 * A lock whose process is gone (same host, pid not alive) is stale and taken
 * over; two processes finding the same stale lock first race for a guard
 * file created the same way, and only the winner replaces the lock, after
 * checking it is still the stale one. The lock is released on close and,
 * failing that, when the process exits; a crash leaves a stale lock behind,
 * never a folder no one may open.
 */
import { randomUUID } from "node:crypto"
import { linkSync, mkdirSync, readFileSync, realpathSync, unlinkSync, writeFileSync } from "node:fs"
import { hostname } from "node:os"
import { basename, join } from "node:path"

const lockName = "liandong.lock"
const guardName = "liandong.lock.takeover"

/**
 * Whether a file at the top of a data folder is the lock's: the lock, its guard or their
 * temporary names. A copy of a folder (a backup, the copy of a fresh one) must never carry them.
 */
export const isLockFile = (name: string): boolean => name.startsWith(lockName)

/** Who holds a data folder, as its lock file says. */
export interface FolderHolder {
  readonly pid: number
  readonly host: string
  /** The holder's command line, e.g. `node /srv/liandong/apps/server/src/main.ts`. */
  readonly command: string
  /** When it took the folder (ISO 8601). */
  readonly since: string
  /** Tells this holding from another by the same pid. */
  readonly token: string
}

/** The folder is held by another process (or by an open store of this one). */
export class DataFolderInUse extends Error {
  readonly _tag = "DataFolderInUse" as const
  readonly folder: string
  readonly holder: FolderHolder
  constructor(folder: string, holder: FolderHolder) {
    super()
    this.name = "DataFolderInUse"
    this.folder = folder
    this.holder = holder
    this.message = `${this.zh} / ${this.en}`
  }
  get zh(): string {
    const { pid, host, command, since } = this.holder
    const elsewhere = this.elsewhere ? `;若该主机上已无此进程,删除 ${this.lockFile} 后重试` : ""
    return `数据目录 ${this.folder} 正由进程 ${pid}(主机 ${host},${command},自 ${localTime(since)} 起)使用;请先停止它,或通过其接口操作${elsewhere}`
  }
  get en(): string {
    const { pid, host, command, since } = this.holder
    const elsewhere = this.elsewhere ? `; if it no longer runs there, delete ${this.lockFile} and retry` : ""
    return `the data folder ${this.folder} is held by process ${pid} on ${host} (${command}, since ${localTime(since)}); stop it first or use its API${elsewhere}`
  }
  /** Held from another host, whose processes this one cannot see: only a person can tell the lock is stale. */
  private get elsewhere(): boolean {
    return this.holder.host !== hostname()
  }
  private get lockFile(): string {
    return join(this.folder, lockName)
  }
}

/** A held folder: `release` gives it up (once; later calls do nothing). */
export interface FolderLock {
  readonly release: () => void
  /** Whether the lock file still names this holder (nothing has put another in its place). */
  readonly intact: () => boolean
}

interface Held {
  readonly holder: FolderHolder
  readonly release: () => void
}

/** This process's held folders (by real path), shared by every copy of this module. */
const registry = globalThis as { [key: symbol]: Map<string, Held> | undefined }
const heldKey = Symbol.for("@liandong/store/held-folders")
const held: Map<string, Held> = registry[heldKey] ?? new Map<string, Held>()
registry[heldKey] = held

let exitHookInstalled = false
const releaseAllOnExit = () => {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once("exit", () => {
    for (const { release } of [...held.values()]) release()
  })
}

const localTime = (iso: string): string => {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  const two = (n: number) => String(n).padStart(2, "0")
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}`
}

const commandLine = (): string => {
  const text = [basename(process.argv0 || process.execPath), ...process.argv.slice(1)].join(" ")
  return text.length > 300 ? `${text.slice(0, 299)}…` : text
}

const errnoOf = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined

/** The file's text, or undefined when there is none. */
const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, "utf8")
  } catch (error) {
    if (errnoOf(error) === "ENOENT") return undefined
    throw error
  }
}

/** The holder a lock text names, or undefined when it names none (an unreadable file is no one's). */
const parseHolder = (text: string): FolderHolder | undefined => {
  try {
    const value = JSON.parse(text) as Partial<FolderHolder>
    return typeof value.pid === "number" &&
      typeof value.host === "string" &&
      typeof value.command === "string" &&
      typeof value.since === "string" &&
      typeof value.token === "string"
      ? (value as FolderHolder)
      : undefined
  } catch {
    return undefined
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
  } catch (error) {
    // EPERM: it exists, under another user.
    return errnoOf(error) !== "ESRCH"
  }
  // A zombie (ended, not yet reaped by its parent) still answers signals; Linux tells it apart.
  let stat: string | undefined
  try {
    stat = readText(`/proc/${pid}/stat`)
  } catch {
    return true
  }
  const state = stat?.charAt(stat.lastIndexOf(")") + 2)
  return state !== "Z" && state !== "X"
}

/**
 * Whether a lock (or guard) file names no living holder. Another host's processes cannot be
 * seen from here, so their locks are never stale. A lock naming this very pid but not held by
 * this process was left by an earlier process that had the same pid (a restarted container).
 */
const isStale = (holder: FolderHolder | undefined, folderKey: string, guard: boolean): boolean => {
  if (holder === undefined) return true
  if (holder.host !== hostname()) return false
  if (holder.pid === process.pid) return guard || !held.has(folderKey)
  return !alive(holder.pid)
}

const unlinkIfPresent = (path: string) => {
  try {
    unlinkSync(path)
  } catch (error) {
    if (errnoOf(error) !== "ENOENT") throw error
  }
}

/** Creates `path` with `text` atomically, only if it does not exist: false when it does. */
const createExclusive = (path: string, text: string): boolean => {
  const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`
  writeFileSync(temporary, text, { flag: "wx", mode: 0o644 })
  try {
    linkSync(temporary, path)
    return true
  } catch (error) {
    if (errnoOf(error) === "EEXIST") return false
    throw error
  } finally {
    unlinkIfPresent(temporary)
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Takes the lock of `folder` (created if missing) for this process, or fails with
 * `DataFolderInUse` naming the holder, having written nothing.
 */
export const lockFolder = async (folder: string): Promise<FolderLock> => {
  mkdirSync(folder, { recursive: true })
  const key = realpathSync(folder)
  const lockFile = join(folder, lockName)
  const guardFile = join(folder, guardName)
  const me: FolderHolder = {
    pid: process.pid,
    host: hostname(),
    command: commandLine(),
    since: new Date().toISOString(),
    token: randomUUID(),
  }
  const mine = `${JSON.stringify(me)}\n`
  const ours = held.get(key)
  if (ours !== undefined) throw new DataFolderInUse(folder, ours.holder)

  const take = (): FolderLock => {
    let released = false
    const release = () => {
      if (released) return
      released = true
      held.delete(key)
      // Only our own lock: never one a later holder put there.
      if (readText(lockFile) === mine) unlinkIfPresent(lockFile)
    }
    held.set(key, { holder: me, release })
    releaseAllOnExit()
    return { release, intact: () => readText(lockFile) === mine }
  }

  // Each step is synchronous, so two opens in this process cannot interleave between a look and a create.
  for (let attempt = 0; ; attempt++) {
    const text = readText(lockFile)
    if (text === undefined) {
      if (createExclusive(lockFile, mine)) return take()
      continue
    }
    const holder = parseHolder(text)
    if (!isStale(holder, key, false)) throw new DataFolderInUse(folder, holder as FolderHolder)
    if (createExclusive(guardFile, mine)) {
      try {
        // Still the stale lock we saw, not one a faster process just put in its place.
        if (readText(lockFile) === text) {
          unlinkIfPresent(lockFile)
          if (createExclusive(lockFile, mine)) return take()
        }
      } finally {
        unlinkIfPresent(guardFile)
      }
      continue
    }
    // Another process is taking the stale lock over; a guard whose process is gone is cleared.
    const guardText = readText(guardFile)
    const guardHolder = guardText === undefined ? undefined : parseHolder(guardText)
    if (guardText !== undefined && isStale(guardHolder, key, true)) {
      if (readText(guardFile) === guardText) unlinkIfPresent(guardFile)
    } else if (attempt > 400 && guardHolder !== undefined) {
      throw new DataFolderInUse(folder, guardHolder)
    }
    await pause(10)
  }
}
