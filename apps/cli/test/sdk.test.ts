/**
 * A campaign written outside the repository, as an office would: `liandong init` in a folder
 * of the temp directory, TypeScript's compiler API on the project it made (the SDK's types
 * resolve with nothing downloaded), `liandong check` on the example and on a copy with a type
 * error, then `liandong deploy --server` to a real Liandong (`liandong serve` on an embedded
 * database) with a coordinator's token: deployed, listed over the API; a bad token and an
 * invalid definition refused, in Chinese and English, naming the field.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { API } from "typescript/unstable/sync"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { launcher, liandong, testKeyFile } from "./cli.ts"

const root = mkdtempSync(join(tmpdir(), "liandong-sdk-"))
const project = join(root, "my-campaign")
const data = join(root, "data")
// The server's database is embedded; the project's commands open none (a folder that must stay empty).
const env = { LIANDONG_DATA: data, LIANDONG_KEY: testKeyFile() }
const projectEnv = { LIANDONG_DATA: join(root, "unused"), LIANDONG_SERVER: "", LIANDONG_TOKEN: "" }

let server: ChildProcess | undefined
let serverOutput = ""
let url = ""
let token = ""

afterAll(async () => {
  if (server !== undefined && server.exitCode === null) {
    const exited = new Promise((resolve) => server?.once("exit", resolve))
    server.kill("SIGTERM")
    await exited
  }
  rmSync(root, { recursive: true, force: true })
})

describe("a campaign project of its own", () => {
  it("is scaffolded by liandong init, with the SDK in place", async () => {
    const made = await liandong(["init", "my-campaign"], projectEnv, { cwd: root })
    expect(made.code, made.stderr).toBe(0)
    expect(made.stdout).toContain("已创建活动项目 my-campaign / campaign project created")
    for (const file of ["package.json", "tsconfig.json", "campaign.ts", "README.md", ".gitignore"]) {
      expect(existsSync(join(project, file)), file).toBe(true)
    }
    const pkg = JSON.parse(readFileSync(join(project, "package.json"), "utf8"))
    expect(pkg.type).toBe("module")
    expect(Object.keys(pkg.scripts)).toEqual(["check", "deploy"])
    expect(pkg.dependencies["@liandong/workflow"]).toBe("file:vendor/liandong-workflow")
    const tsconfig = JSON.parse(readFileSync(join(project, "tsconfig.json"), "utf8"))
    expect(tsconfig.compilerOptions).toMatchObject({ strict: true, module: "nodenext", moduleResolution: "nodenext" })
    for (const sdk of ["node_modules/@liandong/workflow", "vendor/liandong-workflow"]) {
      for (const file of ["package.json", "index.js", "index.d.ts"]) {
        expect(existsSync(join(project, sdk, file)), `${sdk}/${file}`).toBe(true)
      }
    }
    // One module, no import but Node's own: it runs with nothing installed.
    const bundled = readFileSync(join(project, "node_modules/@liandong/workflow/index.js"), "utf8")
    expect(bundled.match(/^import .*$/gmu)).toEqual(['import { createHash } from "node:crypto";'])
    expect(readFileSync(join(project, "campaign.ts"), "utf8")).toContain("defineCampaign")
    expect(existsSync(join(root, "unused"))).toBe(false)
  }, 180_000)

  it("refuses a folder that is not empty, unless --force", async () => {
    writeFileSync(
      join(project, "campaign.ts"),
      `${readFileSync(join(project, "campaign.ts"), "utf8")}// 本单位的改动\n`,
    )
    const refused = await liandong(["init", "my-campaign"], projectEnv, { cwd: root })
    expect(refused.code).toBe(1)
    expect(refused.stderr.trim()).toMatch(
      /^错误:目录 my-campaign 不是空的.*未写入任何文件.*--force.* \| error: the folder my-campaign is not empty .*nothing was written/u,
    )
    expect(readFileSync(join(project, "campaign.ts"), "utf8")).toContain("// 本单位的改动")
    // --sdk-only replaces the SDK and nothing else.
    rmSync(join(project, "node_modules"), { recursive: true })
    const upgraded = await liandong(["init", "--sdk-only"], projectEnv, { cwd: project })
    expect(upgraded.code, upgraded.stderr).toBe(0)
    expect(existsSync(join(project, "node_modules/@liandong/workflow/index.d.ts"))).toBe(true)
    expect(readFileSync(join(project, "campaign.ts"), "utf8")).toContain("// 本单位的改动")
    const forced = await liandong(["init", join(root, "my-campaign"), "--force"], projectEnv)
    expect(forced.code, forced.stderr).toBe(0)
    expect(readFileSync(join(project, "campaign.ts"), "utf8")).not.toContain("// 本单位的改动")
  }, 180_000)

  it("type-checks under TypeScript's compiler API with no error: the SDK's types resolve", () => {
    const api = new API({ cwd: project })
    try {
      const config = join(project, "tsconfig.json")
      const program = api.updateSnapshot({ openProjects: [config] }).getProject(config)?.program
      expect(program).toBeDefined()
      const errors = [
        ...(program?.getConfigFileParsingDiagnostics() ?? []),
        ...(program?.getProgramDiagnostics() ?? []),
        ...(program?.getGlobalDiagnostics() ?? []),
        ...(program?.getSyntacticDiagnostics() ?? []),
        ...(program?.getSemanticDiagnostics() ?? []),
      ].map((each) => `${each.fileName}: ${each.text}`)
      expect(errors).toEqual([])
      // Checked against the declarations placed in the project (skipLibCheck is off).
      expect(program?.getSourceFileNames()).toContain(join(project, "node_modules/@liandong/workflow/index.d.ts"))
    } finally {
      api.close()
    }
  })

  it("passes liandong check", async () => {
    const checked = await liandong(["check"], projectEnv, { cwd: project })
    expect(checked.code, checked.stderr).toBe(0)
    expect(checked.stdout).toContain("检查通过 / check passed: campaign.ts")
    expect(checked.stdout).toContain("ip-week-2027 2027年知识产权宣传周:4 个单位、2 个阶段、3 项任务")
    expect(checked.stderr).toBe("")
    expect(existsSync(join(root, "unused"))).toBe(false)
  }, 120_000)

  it("reports a type error and the field it breaks, non-zero, deploying nothing", async () => {
    const broken = readFileSync(join(project, "campaign.ts"), "utf8").replace(
      'role: "member", kind',
      'role: "chief", kind',
    )
    writeFileSync(join(project, "broken.ts"), broken)
    try {
      const line = broken.split("\n").findIndex((text) => text.includes('"chief"')) + 1
      const checked = await liandong(["check", "broken.ts"], projectEnv, { cwd: project })
      expect(checked.code).toBe(1)
      const lines = checked.stderr.trim().split("\n")
      expect(lines[0]).toMatch(new RegExp(`^类型错误 / type error: broken\\.ts:${line}:\\d+ TS2322 .*"chief"`, "u"))
      expect(lines[1]).toMatch(/^错误:units\[1\]\.role: 取值不正确.* \/ error: units\[1\]\.role: Expected "host"/u)
      expect(lines.at(-1)).toMatch(/^错误:检查未通过:1 个类型错误,1 个定义问题.* \| error: check failed/u)
    } finally {
      rmSync(join(project, "broken.ts"))
    }
  }, 120_000)

  describe("deployed to a running Liandong", () => {
    beforeAll(async () => {
      // The operator registers the coordinating office's coordinator and gives it a token.
      const office = join(root, "office.json")
      writeFileSync(
        office,
        JSON.stringify({
          key: "office",
          title: "遂州市知识产权局",
          coordinator: "city-ipo",
          units: [{ key: "city-ipo", name: "遂州市知识产权局", role: "host" }],
          phases: [{ key: "summary", opensAt: "2027-01-01", closesAt: "2027-01-02", gate: "date", tasks: [] }],
        }),
      )
      for (const args of [
        ["deploy", office],
        ["principal", "add", "lead", "--name", "王局长", "--role", "coordinator", "--unit", "city-ipo"],
      ]) {
        const done = await liandong(args, env)
        expect(done.code, done.stderr).toBe(0)
      }
      const created = await liandong(["token", "create", "lead"], env)
      expect(created.code, created.stderr).toBe(0)
      token = created.stdout.split("\n")[0] ?? ""
      server = spawn(process.execPath, [launcher, "serve"], {
        env: { ...process.env, ...env, PORT: "0", HOST: "127.0.0.1", LIANDONG_WORKER: "off", LOG_LEVEL: "warn" },
        stdio: ["ignore", "pipe", "pipe"],
      })
      server.stdout?.on("data", (chunk) => {
        serverOutput += String(chunk)
      })
      server.stderr?.on("data", (chunk) => {
        serverOutput += String(chunk)
      })
      for (let i = 0; i < 1200 && url === ""; i++) {
        if (server.exitCode !== null) throw new Error(`serve exited: ${serverOutput}`)
        const found = /http:\/\/127\.0\.0\.1:\d+/u.exec(serverOutput)?.[0]
        if (
          found !== undefined &&
          (await fetch(`${found}/readyz`).then(
            (r) => r.ok,
            () => false,
          ))
        )
          url = found
        else await new Promise((resolve) => setTimeout(resolve, 100))
      }
      expect(url).not.toBe("")
    }, 240_000)

    const listed = async () => {
      const response = await fetch(`${url}/api/v1/campaigns`, { headers: { authorization: `Bearer ${token}` } })
      expect(response.status).toBe(200)
      return ((await response.json()) as { items: { id: string }[] }).items.map((item) => item.id)
    }

    it("deploys the campaign with --server and --token, and the API lists it", async () => {
      const deployed = await liandong(["deploy", "campaign.ts", "--server", url, "--token", token], projectEnv, {
        cwd: project,
      })
      expect(deployed.code, deployed.stderr).toBe(0)
      expect(deployed.stdout.trim().split("\n")).toEqual([
        "ip-week-2027",
        "已部署版本 1,3 个参与单位 / deployed version 1, 3 participating units",
      ])
      expect(await listed()).toContain("ip-week-2027")
      // The same from the environment, as a CI job sets it: unchanged.
      const again = await liandong(
        ["deploy", "campaign.ts"],
        { ...projectEnv, LIANDONG_SERVER: `${url}/api/v1/`, LIANDONG_TOKEN: token },
        { cwd: project },
      )
      expect(again.code, again.stderr).toBe(0)
      expect(again.stdout).toContain("(定义未变化,版本 1 / definition unchanged, version 1)")
      expect(existsSync(join(root, "unused"))).toBe(false)
    }, 120_000)

    it("says a bad token is refused, in Chinese and English", async () => {
      const refused = await liandong(
        ["deploy", "campaign.ts", "--server", url, "--token", `${token.slice(0, -4)}xxxx`],
        projectEnv,
        { cwd: project },
      )
      expect(refused.code).toBe(1)
      expect(refused.stderr.trim()).toMatch(
        /^错误:服务器拒绝部署\(HTTP 401\) 未认证: .+ \| error: the server refused the deploy \(HTTP 401\) Not authenticated: .+$/u,
      )
    }, 120_000)

    it("says which field of an invalid definition the server refused, deploying nothing", async () => {
      const bad = join(project, "bad.json")
      writeFileSync(
        bad,
        JSON.stringify({
          key: "bad-campaign",
          title: "有误的活动",
          coordinator: "city-ipo",
          units: [{ key: "city-ipo", name: "遂州市知识产权局", role: "chief" }],
          phases: [{ key: "summary", opensAt: "2027-01-01", closesAt: "2027-01-02", gate: "date", tasks: [] }],
        }),
      )
      const refused = await liandong(["deploy", "bad.json", "--server", url, "--token", token], projectEnv, {
        cwd: project,
      })
      expect(refused.code).toBe(1)
      expect(refused.stderr.trim()).toMatch(
        /^错误:服务器拒绝部署\(HTTP 400\) 输入有误: units\[0\]\.role: 取值不正确.* \| error: the server refused the deploy \(HTTP 400\) Invalid input: units\[0\]\.role: Expected "host"/u,
      )
      expect(await listed()).not.toContain("bad-campaign")
    }, 120_000)
  })
})
