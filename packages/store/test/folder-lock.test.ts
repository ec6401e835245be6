import { type ChildProcess, spawn } from "node:child_process"
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises"
import { hostname, tmpdir } from "node:os"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { DataFolderInUse, migrateToLatest, openStore } from "../src/index.ts"

const holdFolder = join(import.meta.dirname, "hold-folder.ts")

interface Holder {
  readonly child: ChildProcess
  /** The first line it printed: `{opened}` or `{refused}`. */
  readonly first: Promise<{ opened?: number; refused?: { pid: number; zh: string; en: string } }>
  readonly exited: Promise<number | null>
  readonly send: (line: "close" | "exit") => void
}

const children: Array<ChildProcess> = []

/** `hold-folder.ts` in a process of its own. */
const inChild = (folder: string, rowKey?: string): Holder => {
  const child = spawn(process.execPath, [holdFolder, folder, ...(rowKey === undefined ? [] : [rowKey])], {
    stdio: ["pipe", "pipe", "inherit"],
  })
  children.push(child)
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  const first = new Promise<any>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", (line) => resolve(JSON.parse(line)))
    void exited.then((code) => reject(new Error(`hold-folder exited with ${code} before saying anything`)))
  })
  return { child, first, exited, send: (line) => child.stdin!.write(`${line}\n`) }
}

/** A pid no process has now: one that has just ended. */
const deadPid = async (): Promise<number> => {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" })
  await new Promise((resolve) => child.once("exit", resolve))
  return child.pid as number
}

/** Every file under `dir` with its size and modification time. */
const snapshot = async (dir: string): Promise<Record<string, string>> => {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  const files: Record<string, string> = {}
  for (const entry of entries.filter((e) => e.isFile())) {
    const path = join(entry.parentPath, entry.name)
    const info = await stat(path)
    files[path] = `${info.size}:${info.mtimeMs}`
  }
  return files
}

const unitKeys = async (folder: string) => {
  const store = await openStore({ dataDir: folder })
  try {
    await migrateToLatest(store.db)
    return (await store.db.selectFrom("units").select("key").orderBy("key").execute()).map((row) => row.key)
  } finally {
    await store.close()
  }
}

const refusal = async (opening: Promise<unknown>): Promise<DataFolderInUse> => {
  const error = await opening.then(
    () => undefined,
    (error: unknown) => error,
  )
  expect(error).toBeInstanceOf(DataFolderInUse)
  return error as DataFolderInUse
}

const lockFile = (folder: string) => join(folder, "liandong.lock")
const lockPid = async (folder: string) => (JSON.parse(await readFile(lockFile(folder), "utf8")) as { pid: number }).pid
const lockExists = (folder: string) =>
  stat(lockFile(folder)).then(
    () => true,
    () => false,
  )

describe("[pglite] one process owns a data folder", () => {
  let dir: string
  let folder: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "liandong-lock-"))
    folder = join(dir, "data")
  })
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL")
    await rm(dir, { recursive: true, force: true })
  })

  it("refuses a second process while one holds the folder, naming the holder, and writes nothing", async () => {
    const holder = inChild(folder, "by-holder")
    const { opened } = await holder.first
    expect(opened).toBe(holder.child.pid)
    const before = await snapshot(folder)

    const error = await refusal(openStore({ dataDir: folder }))
    expect(error._tag).toBe("DataFolderInUse")
    expect(error.folder).toBe(folder)
    expect(error.holder).toMatchObject({ pid: holder.child.pid, host: hostname() })
    expect(error.holder.command).toContain("hold-folder.ts")
    expect(error.zh).toContain(`数据目录 ${folder} 正由进程 ${holder.child.pid}`)
    expect(error.en).toContain(`the data folder ${folder} is held by process ${holder.child.pid} on ${hostname()}`)
    expect(error.en).toContain("hold-folder.ts")
    expect(error.en).not.toContain("delete")

    const second = inChild(folder, "by-second")
    expect((await second.first).refused).toMatchObject({ pid: holder.child.pid })
    expect(await second.exited).toBe(3)
    expect(await snapshot(folder)).toEqual(before)

    holder.send("close")
    expect(await holder.exited).toBe(0)
    expect(await lockExists(folder)).toBe(false)
    expect(await unitKeys(folder)).toEqual(["by-holder"])
  })

  it("refuses a process while this one holds the folder", async () => {
    const store = await openStore({ dataDir: folder })
    try {
      await migrateToLatest(store.db)
      await store.db
        .insertInto("units")
        .values({ campaign_id: "c", key: "mine", name: "mine", name_en: null, parent_key: null, level: null })
        .execute()
      const other = inChild(folder, "theirs")
      expect((await other.first).refused).toMatchObject({ pid: process.pid })
      expect(await other.exited).toBe(3)
    } finally {
      await store.close()
    }
    expect(await unitKeys(folder)).toEqual(["mine"])
  })

  it("refuses a second open in the same process until the first is closed", async () => {
    const first = await openStore({ dataDir: folder })
    const error = await refusal(openStore({ dataDir: join(dir, ".", "data") }))
    expect(error.holder.pid).toBe(process.pid)
    expect(await lockPid(folder)).toBe(process.pid)
    // The first store is untouched by the refusal.
    await migrateToLatest(first.db)
    await first.close()
    expect(await lockExists(folder)).toBe(false)
    const again = await openStore({ dataDir: folder })
    await again.close()
  })

  it("takes over the lock of a holder killed outright, its data intact", async () => {
    const holder = inChild(folder, "before-the-crash")
    await holder.first
    holder.child.kill("SIGKILL")
    await holder.exited
    expect(await lockPid(folder)).toBe(holder.child.pid)

    const store = await openStore({ dataDir: folder })
    try {
      expect(await lockPid(folder)).toBe(process.pid)
      expect((await store.db.selectFrom("units").select("key").execute()).map((r) => r.key)).toEqual([
        "before-the-crash",
      ])
    } finally {
      await store.close()
    }
  })

  it("releases the folder when the holder exits without closing it", async () => {
    const holder = inChild(folder)
    await holder.first
    expect(await lockPid(folder)).toBe(holder.child.pid)
    holder.send("exit")
    expect(await holder.exited).toBe(0)
    expect(await lockExists(folder)).toBe(false)
  })

  it("lets exactly one of several processes take over the same stale lock", async () => {
    const stale = { pid: await deadPid(), host: hostname(), command: "node gone.ts", since: new Date().toISOString() }
    await mkdir(folder, { recursive: true })
    await writeFile(lockFile(folder), JSON.stringify({ ...stale, token: "stale" }))
    const racers = [inChild(folder), inChild(folder), inChild(folder)]
    const said = await Promise.all(racers.map((racer) => racer.first))
    const winners = said.flatMap((s) => (s.opened === undefined ? [] : [s.opened]))
    expect(winners).toHaveLength(1)
    for (const s of said.filter((s) => s.refused !== undefined)) expect(s.refused?.pid).toBe(winners[0])
    expect(await lockPid(folder)).toBe(winners[0])
    const winner = racers.find((racer) => racer.child.pid === winners[0])
    winner?.send("close")
    expect(await winner?.exited).toBe(0)
  })

  it("never takes over the lock of a process on another host", async () => {
    await mkdir(folder, { recursive: true })
    const foreign = {
      pid: await deadPid(),
      host: `not-${hostname()}`,
      command: "node apps/server/src/main.ts",
      since: "2026-04-12T01:00:00.000Z",
      token: "foreign",
    }
    await writeFile(lockFile(folder), JSON.stringify(foreign))
    const error = await refusal(openStore({ dataDir: folder }))
    expect(error.holder).toEqual(foreign)
    expect(error.en).toContain(`on not-${hostname()} (node apps/server/src/main.ts, since `)
    // Only a person can tell that host's process is gone.
    expect(error.en).toContain(`if it no longer runs there, delete ${lockFile(folder)} and retry`)
    expect(error.zh).toContain(`删除 ${lockFile(folder)} 后重试`)
    expect(await readdir(folder)).toEqual(["liandong.lock"])
  })
})
