/**
 * A unit list kept in Excel (名称, 类别, 层级, 上级…) read into a definition's `units`, so a
 * coordinator with fifty units types none of them again. Every row is checked; problems name
 * the row and the column in Chinese and English, and nothing is written while any remain.
 */
import { type Problem, type UnitLevel, type UnitRole, unitRoleLabels } from "@liandong/workflow"
import { readSheet } from "read-excel-file/node"

/** A unit as the definition writes it. */
export interface ListedUnit {
  readonly key: string
  readonly name: string
  readonly nameEn?: string
  readonly role: UnitRole
  readonly kind?: string
  readonly level?: UnitLevel
  readonly parent?: string
}

type Column = "key" | "name" | "nameEn" | "role" | "kind" | "level" | "parent"

/** Header words each column is known by (Chinese and English, as offices write them). */
const headers: Record<Column, ReadonlyArray<string>> = {
  key: ["标识", "单位标识", "key"],
  name: ["名称", "单位名称", "单位", "name"],
  nameEn: ["英文名称", "name (english)", "nameen", "english name"],
  role: ["类别", "角色", "参与方式", "role"],
  kind: ["类型", "单位类型", "kind"],
  level: ["层级", "级别", "level"],
  parent: ["上级", "上级单位", "parent"],
}

const columnWords: Record<Column, { zh: string; en: string }> = {
  key: { zh: "标识", en: "key" },
  name: { zh: "名称", en: "name" },
  nameEn: { zh: "英文名称", en: "English name" },
  role: { zh: "类别", en: "role" },
  kind: { zh: "类型", en: "kind" },
  level: { zh: "层级", en: "level" },
  parent: { zh: "上级", en: "parent" },
}

const roles = new Map<string, UnitRole>(
  (Object.entries(unitRoleLabels) as Array<[UnitRole, { zh: string; en: string }]>).flatMap(([role, label]) => [
    [role, role],
    [label.zh, role],
    [label.en, role],
  ]),
)

const levels = new Map<string, UnitLevel>([
  ["national", "national"],
  ["国家级", "national"],
  ["国家", "national"],
  ["province", "province"],
  ["省级", "province"],
  ["省", "province"],
  ["city", "city"],
  ["市级", "city"],
  ["市", "city"],
  ["county", "county"],
  ["县级", "county"],
  ["区县", "county"],
  ["县", "county"],
])

const keyPattern = /^[a-z0-9][a-z0-9-]{0,62}$/

const cellText = (value: unknown): string =>
  value === null || value === undefined ? "" : String(value).normalize("NFKC").trim()

/** Reads the first sheet of an .xlsx unit list: the units, or every problem found. */
export const readUnitList = async (
  file: Uint8Array,
): Promise<{ readonly units: ReadonlyArray<ListedUnit> } | { readonly problems: ReadonlyArray<Problem> }> => {
  let rows: unknown[][]
  try {
    rows = (await readSheet(Buffer.from(file))) as unknown[][]
  } catch {
    return { problems: [{ path: "", zh: "不是可读取的 Excel(.xlsx)文件", en: "not a readable Excel (.xlsx) file" }] }
  }
  const [head = [], ...body] = rows
  const at = new Map<Column, number>()
  head.forEach((cell, i) => {
    const word = cellText(cell).toLowerCase()
    for (const [column, words] of Object.entries(headers) as Array<[Column, ReadonlyArray<string>]>)
      if (words.includes(word) && !at.has(column)) at.set(column, i)
  })
  const problems: Problem[] = []
  for (const column of ["name", "role"] as const)
    if (!at.has(column))
      problems.push({
        path: "header",
        zh: `第1行缺少“${columnWords[column].zh}”列`,
        en: `row 1 has no "${columnWords[column].en}" column`,
      })
  if (problems.length > 0) return { problems }

  const problem = (row: number, column: Column, zh: string, en: string) =>
    problems.push({
      path: `rows[${row}].${column}`,
      zh: `第${row}行“${columnWords[column].zh}”：${zh}`,
      en: `row ${row}, ${columnWords[column].en}: ${en}`,
    })
  const read = (row: unknown[], column: Column) => {
    const i = at.get(column)
    return i === undefined ? "" : cellText(row[i])
  }
  const listed: Array<{ row: number; unit: ListedUnit; parent: string }> = []
  const byKey = new Map<string, number>()
  const byName = new Map<string, number>()
  body.forEach((cells, index) => {
    const row = index + 2
    if (cells.every((cell) => cellText(cell) === "")) return
    const name = read(cells, "name")
    const key = read(cells, "key") || `unit-${String(row - 1).padStart(3, "0")}`
    const roleText = read(cells, "role")
    const levelText = read(cells, "level")
    const role = roles.get(roleText) ?? roles.get(roleText.toLowerCase())
    const level = levelText === "" ? undefined : (levels.get(levelText) ?? levels.get(levelText.toLowerCase()))
    if (name === "") problem(row, "name", "不能为空", "is empty")
    if (!keyPattern.test(key))
      problem(row, "key", "须为小写字母、数字和连字符", "must be lower-case letters, digits and dashes")
    if (role === undefined)
      problem(
        row,
        "role",
        `“${roleText}”不是单位类别，应为主办、承办、协办、成员单位或下级单位`,
        `"${roleText}" is not a role: host, implementer, co-organiser, member or subordinate`,
      )
    if (levelText !== "" && level === undefined)
      problem(
        row,
        "level",
        `“${levelText}”不是层级，应为国家级、省级、市级或县级`,
        `"${levelText}" is not a level: national, province, city or county`,
      )
    // Repeats are found among every row, a row with other problems included.
    const firstKey = byKey.get(key)
    if (firstKey !== undefined) problem(row, "key", `与第${firstKey}行重复`, `repeats row ${firstKey}`)
    else byKey.set(key, row)
    const firstName = name === "" ? undefined : byName.get(name)
    if (firstName !== undefined) problem(row, "name", `与第${firstName}行重复`, `repeats row ${firstName}`)
    else if (name !== "") byName.set(name, row)
    if (role === undefined || name === "") return
    const nameEn = read(cells, "nameEn")
    const kind = read(cells, "kind")
    listed.push({
      row,
      parent: read(cells, "parent"),
      unit: {
        key,
        name,
        role,
        ...(nameEn === "" ? {} : { nameEn }),
        ...(kind === "" ? {} : { kind }),
        ...(level === undefined ? {} : { level }),
      },
    })
  })
  // The parent may be written by its name or its key.
  const keyOf = new Map<string, string>([
    ...listed.map(({ unit }) => [unit.key, unit.key] as [string, string]),
    ...listed.map(({ unit }) => [unit.name, unit.key] as [string, string]),
  ])
  const units = listed.map(({ row, unit, parent }) => {
    if (parent === "") return unit
    const parentKey = keyOf.get(parent)
    if (parentKey === undefined) {
      problem(row, "parent", `“${parent}”不在名单中`, `"${parent}" is not in the list`)
      return unit
    }
    if (parentKey === unit.key) problem(row, "parent", "不能是本单位", "cannot be the unit itself")
    return { ...unit, parent: parentKey }
  })
  if (units.length === 0 && problems.length === 0)
    problems.push({ path: "rows", zh: "名单中没有单位", en: "the list names no unit" })
  return problems.length > 0 ? { problems } : { units }
}
