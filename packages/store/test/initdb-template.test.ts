import { chmodSync, existsSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { hostname, tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { DataFolderInUse, migrateToLatest, openStore } from "../src/index.ts"
import {
  cacheFolder,
  isDataFolderTar,
  readTemplate,
  templateFile,
  withoutLockFiles,
} from "../src/internal/InitdbTemplate.ts"

// Each test keeps its copies in a folder of its own (this file's process only).
let dir: string
let cache: string
const saved = process.env.LIANDONG_CACHE_DIR
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "liandong-template-"))
  cache = join(dir, "cache")
  process.env.LIANDONG_CACHE_DIR = cache
})
afterEach(async () => {
  if (saved === undefined) delete process.env.LIANDONG_CACHE_DIR
  else process.env.LIANDONG_CACHE_DIR = saved
  await rm(dir, { recursive: true, force: true })
})

const copies = () => (existsSync(cache) ? readdirSync(cache) : [])

/** A tar header of a regular file. */
const block = (name: string, size: number) => {
  const header = new Uint8Array(512)
  header.set(new TextEncoder().encode(name), 0)
  header.set(new TextEncoder().encode(`${size.toString(8).padStart(11, "0")}\0`), 124)
  header.set(new TextEncoder().encode("0"), 156)
  header.fill(32, 148, 156)
  const sum = header.reduce((a, b) => a + b, 0)
  header.set(new TextEncoder().encode(`${sum.toString(8).padStart(6, "0")}\0 `), 148)
  return header
}

/** Parts joined, then the end of the archive. */
const tar = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0) + 1024)
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

/** A regular file's header and content, padded to whole blocks. */
const file = (name: string, text: string) => {
  const content = new TextEncoder().encode(text)
  const padded = new Uint8Array(Math.ceil(content.length / 512) * 512)
  padded.set(content)
  return tar(block(name, content.length), padded).subarray(0, 512 + padded.length)
}

/** The names of a tar's entries. */
const entries = (bytes: Uint8Array) => {
  const names: string[] = []
  let offset = 0
  while (offset + 512 <= bytes.length && !bytes.subarray(offset, offset + 512).every((b) => b === 0)) {
    const header = bytes.subarray(offset, offset + 512)
    names.push(new TextDecoder().decode(header.subarray(0, 100)).replace(/\0.*$/s, ""))
    offset += 512 + Math.ceil(Number.parseInt(new TextDecoder().decode(header.subarray(124, 136)), 8) / 512) * 512
  }
  return names
}

const lockPid = (folder: string) =>
  (JSON.parse(readFileSync(join(folder, "liandong.lock"), "utf8")) as { pid: number }).pid

/** Opens, migrates, writes a unit, reads it back and closes; returns what the store logged. */
const use = async (dataDir: string) => {
  const lines: string[] = []
  const store = await openStore({ dataDir, log: (line) => lines.push(line) })
  try {
    await migrateToLatest(store.db)
    await store.db
      .insertInto("units")
      .values({ campaign_id: "c", key: "u", name: "单位", name_en: null, parent_key: null, level: null })
      .execute()
    expect(await store.db.selectFrom("units").select("name").execute()).toEqual([{ name: "单位" }])
  } finally {
    await store.close()
  }
  return lines
}

describe("[pglite] a new database from the copy of a fresh one", () => {
  it("keeps a copy the first time, private to this user, and starts later databases from it", async () => {
    const first = await use("memory://")
    expect(first.some((line) => line.includes("kept a copy"))).toBe(true)
    const [name] = copies()
    expect(name).toMatch(/^pglite-\d+\.\d+\.\d+-initdb-[0-9a-f]{12}\.tar$/)
    const file = join(cache, name as string)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(statSync(cache).mode & 0o777).toBe(0o700)
    const made = statSync(file).mtimeMs

    // Later databases, in memory and in a folder, load the copy: nothing is written again.
    expect((await use("memory://")).some((line) => line.includes("kept a copy"))).toBe(false)
    const folder = join(dir, "data")
    expect((await use(folder)).some((line) => line.includes("kept a copy"))).toBe(false)
    expect(statSync(file).mtimeMs).toBe(made)
    expect(copies()).toEqual([name])

    // The folder is a database of its own: it reopens with its row.
    const again = await openStore({ dataDir: folder })
    expect(await again.db.selectFrom("units").select("key").execute()).toEqual([{ key: "u" }])
    await again.close()
  })

  it("ignores a copy others may write, and one that is not a whole data folder, and replaces it", async () => {
    await use("memory://")
    const [name] = copies()
    const file = join(cache, name as string)
    const lines: string[] = []
    chmodSync(file, 0o666)
    expect(readTemplate(file, (line) => lines.push(line))).toBeUndefined()
    expect(lines.join("\n")).toContain("only this user may write")
    chmodSync(file, 0o600)
    // A link is not the file itself, even to a good copy.
    const link = join(dir, "link.tar")
    symlinkSync(file, link)
    expect(readTemplate(link, () => undefined)).toBeUndefined()
    expect(readTemplate(file, () => undefined)).toBeInstanceOf(Blob)

    // Cut short: refused before PGlite sees it, so a new folder is made by initdb, is whole, and
    // its copy takes the place of the damaged one.
    const whole = readFileSync(file)
    expect(isDataFolderTar(whole)).toBe(true)
    writeFileSync(file, whole.subarray(0, 1_000_000), { mode: 0o600 })
    const folderLines = await use(join(dir, "data"))
    expect(folderLines.some((line) => line.includes("not a whole copy"))).toBe(true)
    expect(folderLines.some((line) => line.includes("kept a copy"))).toBe(true)
    expect(isDataFolderTar(readFileSync(file))).toBe(true)
    expect(statSync(file).mode & 0o777).toBe(0o600)
  })

  it("never carries a folder's lock into the copy, nor from an old copy into a new folder", async () => {
    // The first new database is a folder, held while PGlite dumps it: its lock stays out of the copy.
    await use(join(dir, "first"))
    const [name] = copies()
    const template = join(cache, name as string)
    const kept = readFileSync(template)
    expect(entries(kept)).toContain("/PG_VERSION")
    expect(entries(kept).filter((entry) => entry.includes("liandong.lock"))).toEqual([])

    // A copy kept before that, with its maker's lock in it (a process that is gone).
    const gone = { pid: 2 ** 22 + 1, host: hostname(), command: "node gone.ts", since: "2026-12-01T00:00:00.000Z" }
    const body = kept.subarray(0, kept.length - 1024)
    const old = tar(body, file("/liandong.lock", `${JSON.stringify({ ...gone, token: "old" })}\n`))
    writeFileSync(template, old, { mode: 0o600 })
    expect(entries(withoutLockFiles(old))).toEqual(entries(kept))

    // A new folder from it: the lock is this process's all the while it is open, and another open is refused.
    const folder = join(dir, "second")
    const store = await openStore({ dataDir: folder })
    try {
      expect(lockPid(folder)).toBe(process.pid)
      await expect(openStore({ dataDir: folder })).rejects.toBeInstanceOf(DataFolderInUse)
      await migrateToLatest(store.db)
      expect(lockPid(folder)).toBe(process.pid)
    } finally {
      await store.close()
    }
    expect(existsSync(join(folder, "liandong.lock"))).toBe(false)
  })

  it("keeps nothing with LIANDONG_CACHE_DIR=off", () => {
    expect(cacheFolder({ LIANDONG_CACHE_DIR: "off" })).toBeUndefined()
    expect(templateFile(["-c", "shared_buffers=16MB"], cacheFolder({ LIANDONG_CACHE_DIR: "off" }))).toBeUndefined()
    expect(cacheFolder({ XDG_CACHE_HOME: "/x" })).toBe("/x/liandong")
    expect(cacheFolder({ LIANDONG_CACHE_DIR: "/y", XDG_CACHE_HOME: "/x" })).toBe("/y")
  })

  it("tells a whole tar of a data folder from a damaged one", () => {
    const content = new Uint8Array(512).fill(49)
    expect(isDataFolderTar(tar(block("/PG_VERSION", 3), content))).toBe(true)
    expect(isDataFolderTar(tar(block("/base/1/PG_VERSION", 3), content))).toBe(false)
    const damaged = tar(block("/PG_VERSION", 3), content)
    damaged[10] = 65
    expect(isDataFolderTar(damaged)).toBe(false)
    expect(isDataFolderTar(tar(block("/PG_VERSION", 3), content).subarray(0, 700))).toBe(false)
    expect(isDataFolderTar(new Uint8Array(0))).toBe(false)
  })
})
