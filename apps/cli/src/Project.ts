/**
 * `liandong init [dir]`: a campaign project of its own, outside this repository — package.json,
 * tsconfig.json, an example campaign.ts, README.md, .gitignore — with the SDK (dist/sdk, made by
 * build.ts) in vendor/liandong-workflow and node_modules/@liandong/workflow, so that imports
 * resolve and the editor explains every field with no download. `--sdk-only` replaces just the
 * SDK: how a project takes a newer one.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { basename, join, relative, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { json } from "./Output.ts"
import { run } from "./Run.ts"

/** Where the SDK is, built with the CLI: apps/cli/dist/sdk, from the bundle (dist/) and from src/ alike. */
const sdkDir = resolve(import.meta.dirname, "..", "dist", "sdk")

/** Where a project keeps its copy of the SDK (committed with it), and where Node and TypeScript find it. */
export const vendoredSdk = join("vendor", "liandong-workflow")
const installedSdk = join("node_modules", "@liandong", "workflow")

/** The SDK's folder, built first when it is missing (a checkout whose bundle predates it). */
const sdkSource = async (): Promise<string> => {
  if (existsSync(join(sdkDir, "index.js"))) return sdkDir
  try {
    // Not a literal, so that the bundler leaves build.ts (and rolldown) out of the bundle.
    const builder = pathToFileURL(resolve(import.meta.dirname, "..", "build.ts")).href
    const { buildSdk } = (await import(builder)) as { buildSdk: (out?: string) => Promise<unknown> }
    await buildSdk()
  } catch (error) {
    throw {
      zh: `找不到 SDK(${sdkDir}),也无法构建:${String(error).split("\n")[0]}`,
      en: `the SDK is not built (${sdkDir}) and cannot be built: ${String(error).split("\n")[0]}`,
    }
  }
  return sdkDir
}

/** Copies the SDK into a project: its vendored copy and node_modules. Answers the SDK's version. */
export const placeSdk = async (dir: string): Promise<string> => {
  const source = await sdkSource()
  for (const target of [vendoredSdk, installedSdk]) {
    rmSync(join(dir, target), { recursive: true, force: true })
    mkdirSync(join(dir, target), { recursive: true })
    cpSync(source, join(dir, target), { recursive: true })
  }
  return (JSON.parse(readFileSync(join(source, "package.json"), "utf8")) as { version: string }).version
}

/** A package name from a folder's name: lower-case, dashes, never empty. */
const packageName = (dir: string) =>
  basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/gu, "-")
    .replace(/^-+|-+$/gu, "") || "liandong-campaign"

/** The files of a new project, by path. */
export const projectFiles = (dir: string): Record<string, string> => ({
  "package.json": `${JSON.stringify(
    {
      name: packageName(dir),
      private: true,
      type: "module",
      description: "联动 Liandong 活动定义 / a Liandong campaign definition",
      scripts: { check: "liandong check campaign.ts", deploy: "liandong deploy campaign.ts" },
      dependencies: { "@liandong/workflow": `file:${vendoredSdk.replaceAll("\\", "/")}` },
      engines: { node: ">=24" },
    },
    null,
    2,
  )}\n`,
  "tsconfig.json": `${JSON.stringify(
    {
      compilerOptions: {
        target: "es2024",
        lib: ["es2024"],
        module: "nodenext",
        moduleResolution: "nodenext",
        types: [],
        strict: true,
        noUncheckedIndexedAccess: true,
        noEmit: true,
        verbatimModuleSyntax: true,
        erasableSyntaxOnly: true,
        allowImportingTsExtensions: true,
        skipLibCheck: false,
      },
      include: ["**/*.ts"],
      exclude: ["node_modules", "vendor"],
    },
    null,
    2,
  )}\n`,
  ".gitignore": "node_modules/\n.liandong/\n*.log\n",
  "campaign.ts": exampleCampaign,
  "README.md": readme(packageName(dir)),
})

const exampleCampaign = `/**
 * 活动定义 / the campaign definition.
 * 字段说明见 docs/definition-language.md;在编辑器中把光标停在字段上也可看到说明。
 * Every field is explained in docs/definition-language.md, and by the editor on hover.
 */
import { defineCampaign } from "@liandong/workflow"

export default defineCampaign({
  key: "ip-week-2027", // 活动标识:小写字母、数字和连字符 / the campaign id
  title: "2027年知识产权宣传周",
  titleEn: "IP Publicity Week 2027",
  theme: "知识产权 创新未来",
  authority: "省知识产权局",
  timeZone: "Asia/Shanghai",
  coordinator: "city-ipo", // 牵头单位 / the coordinating unit
  units: [
    { key: "city-ipo", name: "遂州市知识产权局", role: "host", level: "city" },
    { key: "market", name: "遂州市市场监督管理局", role: "member", kind: "成员单位", parent: "city-ipo" },
    { key: "east-district", name: "东区知识产权局", role: "subordinate", parent: "city-ipo", level: "county" },
    { key: "west-district", name: "西区知识产权局", role: "subordinate", parent: "city-ipo", level: "county" },
  ],
  phases: [
    {
      key: "publicity", // 宣传阶段 / publicity
      heading: "广泛宣传、营造氛围",
      opensAt: "2027-04-12",
      closesAt: "2027-04-26",
      gate: "date", // 到期即结束 / closes on its date
      tasks: [
        {
          key: "brochures",
          title: { zh: "发放知识产权宣传资料", en: "Hand out IP brochures" },
          description: "在政务服务中心、商圈和社区设点发放宣传资料",
          assign: { roles: ["member", "subordinate"] },
          deadline: "2027-04-24T18:00", // 活动时区的当地时间 / local time
          reminders: ["P1D"], // 截止前一天提醒 / a day before
          figures: [
            { key: "brochures", label: { zh: "发放宣传资料", en: "brochures handed out" }, measure: "份", phrasing: "approximate" },
            { key: "stands", label: { zh: "设立咨询台", en: "information stands" }, measure: "个" },
          ],
        },
        {
          key: "lectures",
          title: { zh: "举办企业知识产权讲座", en: "Hold IP lectures for enterprises" },
          assign: { roles: ["subordinate"] },
          deadline: "2027-04-25",
          figures: [
            { key: "lectures", label: { zh: "举办讲座", en: "lectures" }, measure: "场" },
            { key: "invited", label: { zh: "邀请企业", en: "enterprises invited" }, measure: "家" },
            { key: "attended", label: { zh: "参加企业", en: "enterprises attending" }, measure: "家" },
          ],
          rules: [
            {
              check: "attended <= invited",
              message: { zh: "参加企业不能多于邀请企业", en: "more enterprises attended than were invited" },
            },
          ],
        },
      ],
    },
    {
      key: "summary", // 总结阶段 / summary
      heading: "认真总结、巩固成效",
      opensAt: "2027-04-27",
      closesAt: "2027-05-10",
      tasks: [
        {
          key: "wrap-up",
          title: { zh: "报送活动总结", en: "Report on the week" },
          assign: { roles: ["member", "subordinate"] },
          deadline: "2027-05-08",
        },
      ],
    },
  ],
})
`

const readme = (name: string) => `# ${name}

联动 Liandong 活动定义项目 / a Liandong campaign project.

## 中文

- \`campaign.ts\`:活动定义,用 \`defineCampaign\` 编写;编辑器会提示每个字段。
- \`liandong check\`:类型检查并按部署时的规则校验定义,不部署任何内容。
- \`liandong deploy campaign.ts --server <服务器地址> --token <访问令牌>\`:部署到运行中的联动服务
  (也可用环境变量 \`LIANDONG_SERVER\`、\`LIANDONG_TOKEN\`)。令牌由管理员用 \`liandong token create <用户>\` 创建,
  须属于牵头单位的协调人员;请保存在 CI 的机密变量中,不要提交到仓库。
- \`vendor/liandong-workflow\` 是 SDK(随项目提交);升级:用新版本的 \`liandong\` 运行 \`liandong init --sdk-only\`。

## English

- \`campaign.ts\`: the campaign definition, written with \`defineCampaign\`; the editor explains every field.
- \`liandong check\`: type-checks the project and validates the definition as a deploy would; deploys nothing.
- \`liandong deploy campaign.ts --server https://your-liandong --token <token>\`: deploys it to a running
  Liandong (or set \`LIANDONG_SERVER\`, \`LIANDONG_TOKEN\`). The operator makes the token with
  \`liandong token create <principal>\` for a coordinator of the coordinating unit; keep it in your CI's
  secrets, never in the repository.
- \`vendor/liandong-workflow\` is the SDK (committed with the project); to upgrade it, run
  \`liandong init --sdk-only\` with the newer \`liandong\`.

The definition language: docs/definition-language.md in the Liandong repository.
`

/** What may already be in a folder that `init` still calls empty. */
const harmless = new Set([".git", ".DS_Store"])

/** The init command. */
export const initCommand = Command.make(
  "init",
  {
    dir: Argument.String("dir").pipe(
      Argument.withDescription("项目目录,默认当前目录 / the project folder"),
      Argument.optional,
    ),
    force: Flag.Boolean("force").pipe(
      Flag.withDescription(
        "目录非空也写入(覆盖同名文件)/ write into a folder that is not empty, replacing files of the same names",
      ),
      Flag.withDefault(false),
    ),
    sdkOnly: Flag.Boolean("sdk-only").pipe(
      Flag.withDescription("只放入或升级 SDK / place or upgrade only the SDK"),
      Flag.withDefault(false),
    ),
  },
  ({ dir, force, sdkOnly }) =>
    run(
      function* (ctx) {
        const target = resolve(Option.getOrElse(dir, () => "."))
        const shown = relative(process.cwd(), target) || "."
        const unwritable = (error: unknown) =>
          typeof error === "object" && error !== null && "zh" in error
            ? error
            : { zh: `无法写入 ${shown}:${String(error)}`, en: `cannot write ${shown}: ${String(error)}` }
        if (sdkOnly) {
          const version = yield* Effect.tryPromise({ try: () => placeSdk(target), catch: unwritable })
          return ctx.json
            ? json({ dir: target, sdk: version })
            : `已放入 SDK @liandong/workflow ${version}:${shown}/${vendoredSdk} / SDK ${version} placed in ${shown}`
        }
        const present = existsSync(target) ? readdirSync(target).filter((name) => !harmless.has(name)) : []
        if (present.length > 0 && !force) {
          return yield* Effect.fail({
            zh: `目录 ${shown} 不是空的(${present.slice(0, 3).join("、")}${present.length > 3 ? "…" : ""}),未写入任何文件;请换一个空目录,或加 --force 覆盖`,
            en: `the folder ${shown} is not empty (${present.slice(0, 3).join(", ")}${present.length > 3 ? ", …" : ""}); nothing was written. Use an empty folder, or --force to write over it`,
          })
        }
        const files = projectFiles(target)
        const version = yield* Effect.tryPromise({
          try: async () => {
            mkdirSync(target, { recursive: true })
            for (const [name, text] of Object.entries(files)) writeFileSync(join(target, name), text)
            return placeSdk(target)
          },
          catch: unwritable,
        })
        if (ctx.json) return json({ dir: target, files: Object.keys(files), sdk: version })
        return [
          `已创建活动项目 ${shown} / campaign project created: ${shown}`,
          ...Object.keys(files).map((name) => `  ${name}`),
          `  ${vendoredSdk}/ (SDK @liandong/workflow ${version})`,
          "",
          "下一步 / next:",
          `  cd ${shown}`,
          "  liandong check                  # 类型检查并校验 / type-check and validate",
          "  liandong deploy campaign.ts --server <url> --token <token>",
        ].join("\n")
      },
      { database: false },
    ),
).pipe(
  Command.withDescription(
    "在空目录中创建活动项目(含 SDK,无需联网)/ scaffold a campaign project in an empty folder, SDK included, offline",
  ),
)
