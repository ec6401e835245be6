/**
 * A new embedded database starts from a copy of a freshly initialised one
 * instead of running initdb again. initdb is most of PGlite's start-up: 3 s and
 * 6 s of CPU here, and a second WebAssembly instance at the peak of memory;
 * loading the copy takes 0.8 s and 1.3 s of CPU. The copy is PGlite's own dump
 * of a data folder just after initdb (`dumpDataDir`), made the first time a
 * new database is created on this machine and kept in the user's cache folder
 * under a name that says which PGlite and which initdb settings made it.
 *
 * The copy holds no data of anyone's: it is what initdb writes. It is read only
 * when it is a regular file of this user that no one else may write, like a
 * key, since a planted copy would become every new database; anything wrong
 * with it and the database is made by initdb as before.
 */
import { createHash, randomUUID } from "node:crypto"
import { lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { homedir } from "node:os"
import { join } from "node:path"
import type { PGlite } from "@electric-sql/pglite"
import { isLockFile } from "./FolderLock.ts"

/**
 * Where copies are kept: LIANDONG_CACHE_DIR, else XDG_CACHE_HOME/liandong, else ~/.cache/liandong;
 * `off` keeps none (every new database runs initdb).
 */
export const cacheFolder = (env: NodeJS.ProcessEnv = process.env): string | undefined => {
  const given = env.LIANDONG_CACHE_DIR
  if (given === "off") return undefined
  if (given !== undefined && given !== "") return given
  const xdg = env.XDG_CACHE_HOME
  if (xdg !== undefined && xdg !== "") return join(xdg, "liandong")
  try {
    return join(homedir(), ".cache", "liandong")
  } catch {
    return undefined
  }
}

/** PGlite's version, read from its package (the copy is only good for the PGlite that made it). */
const pgliteVersion = (): string | undefined => {
  try {
    const entry = import.meta.resolve("@electric-sql/pglite")
    const manifest = JSON.parse(readFileSync(new URL("../package.json", entry), "utf8")) as { version?: unknown }
    return typeof manifest.version === "string" ? manifest.version : undefined
  } catch {
    return undefined
  }
}

/**
 * The copy's file for these initdb settings; undefined when no cache folder is kept, or when
 * PGlite's version cannot be told (a copy made by another version must never be loaded).
 */
export const templateFile = (initdbParams: ReadonlyArray<string>, folder: string | undefined): string | undefined => {
  const version = pgliteVersion()
  if (folder === undefined || version === undefined) return undefined
  const settings = createHash("sha256").update(JSON.stringify(initdbParams)).digest("hex").slice(0, 12)
  return join(folder, `pglite-${version}-initdb-${settings}.tar`)
}

/** Only this user may have written it: a file itself (no link), owned by this user, not writable by group or others. */
const trusted = (file: string): boolean => {
  const stat = lstatSync(file)
  if (!stat.isFile() || stat.size === 0) return false
  if ((stat.mode & 0o022) !== 0) return false
  const uid = process.getuid?.()
  return uid === undefined || stat.uid === uid
}

/**
 * A whole tar of a data folder: every header's checksum holds, every entry lies inside the file, it
 * ends with the zero block, and PG_VERSION is there. A truncated or damaged copy is never loaded,
 * since a half-loaded folder could not be made again by initdb.
 */
export const isDataFolderTar = (bytes: Uint8Array): boolean => {
  const decoder = new TextDecoder()
  const field = (at: number, length: number) => decoder.decode(bytes.subarray(at, at + length))
  let offset = 0
  let version = false
  while (offset + 512 <= bytes.length) {
    const header = bytes.subarray(offset, offset + 512)
    if (header.every((byte) => byte === 0)) return version
    let sum = 0
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (header[i] as number)
    if (Number.parseInt(field(offset + 148, 8), 8) !== sum) return false
    const size = Number.parseInt(field(offset + 124, 12), 8)
    if (!Number.isSafeInteger(size) || size < 0) return false
    const name = field(offset, 100).replace(/\0.*$/s, "")
    if (name === "/PG_VERSION" || name === "PG_VERSION") version = true
    offset += 512 + Math.ceil(size / 512) * 512
  }
  return false
}

/**
 * The tar without the folder lock's files. PGlite dumps the whole folder, lock included, and
 * loading a copy writes every file it holds into the new folder: a copy made of a held folder
 * would put its maker's lock over the new holder's, and a second process would then take over
 * a lock naming a process that is gone, while the first still writes.
 */
export const withoutLockFiles = (bytes: Uint8Array): Uint8Array => {
  const decoder = new TextDecoder()
  const kept: Uint8Array[] = []
  let offset = 0
  while (offset + 512 <= bytes.length) {
    const header = bytes.subarray(offset, offset + 512)
    const size = Number.parseInt(decoder.decode(header.subarray(124, 136)), 8)
    const end = header.every((byte) => byte === 0) ? bytes.length : offset + 512 + Math.ceil((size || 0) / 512) * 512
    const name = decoder.decode(header.subarray(0, 100)).replace(/\0.*$/s, "")
    const prefix = decoder.decode(header.subarray(345, 500)).replace(/\0.*$/s, "")
    const path = (prefix === "" ? name : `${prefix}/${name}`).replace(/^(\.?\/)+/, "")
    if (path.includes("/") || !isLockFile(path)) kept.push(bytes.subarray(offset, end))
    offset = end
  }
  if (offset < bytes.length) kept.push(bytes.subarray(offset))
  if (kept.length === 1) return kept[0] as Uint8Array
  const out = new Uint8Array(kept.reduce((n, part) => n + part.length, 0))
  let at = 0
  for (const part of kept) {
    out.set(part, at)
    at += part.length
  }
  return out
}

/** The copy, when there is a trusted one; undefined otherwise (never throws). */
export const readTemplate = (file: string | undefined, log: (message: string) => void): Blob | undefined => {
  if (file === undefined) return undefined
  try {
    if (!trusted(file)) {
      log(`pglite: ignoring ${file}: not a file of this user that only this user may write`)
      return undefined
    }
    const bytes = readFileSync(file)
    if (!isDataFolderTar(bytes)) {
      log(`pglite: ignoring ${file}: not a whole copy of a data folder`)
      return undefined
    }
    // A copy kept before the lock's files were left out has them: never loaded with them.
    return new Blob([withoutLockFiles(bytes)])
  } catch {
    return undefined
  }
}

/**
 * Keeps a copy of `pglite`, which initdb has just made and nothing has written to yet. Written under
 * a private name and renamed into place, so a reader never sees half a file; failures only cost the
 * next database an initdb.
 */
export const saveTemplate = async (file: string | undefined, pglite: PGlite, log: (message: string) => void) => {
  if (file === undefined) return
  const folder = join(file, "..")
  const partial = join(folder, `.${randomUUID()}.partial`)
  try {
    const dump = await pglite.dumpDataDir("none")
    mkdirSync(folder, { recursive: true, mode: 0o700 })
    writeFileSync(partial, withoutLockFiles(new Uint8Array(await dump.arrayBuffer())), { mode: 0o600, flag: "wx" })
    renameSync(partial, file)
    log(`pglite: kept a copy of a new database in ${file}`)
  } catch (error) {
    rmSync(partial, { force: true })
    log(`pglite: could not keep a copy of a new database in ${file}: ${String(error)}`)
  }
}
