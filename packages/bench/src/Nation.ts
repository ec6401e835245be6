/**
 * A national hierarchy of the size asked for: the national office, 31
 * provinces, their cities and counties, each bureau with member units of its
 * joint office (市场监管、公安、文化执法…). The shape follows the real ratio
 * (about 11 cities a province, 8–9 counties a city) scaled to the size; the
 * seed varies how many cities and counties each has.
 */
import { derive, random } from "./Random.ts"

/** One generated unit, in the definition language's terms. */
export interface NationUnit {
  readonly key: string
  readonly name: string
  readonly role: "host" | "subordinate" | "member"
  readonly parent?: string
  readonly level: "national" | "province" | "city" | "county"
}

/** The 31 provincial-level divisions of the mainland. */
export const provinces = [
  "北京市",
  "天津市",
  "河北省",
  "山西省",
  "内蒙古自治区",
  "辽宁省",
  "吉林省",
  "黑龙江省",
  "上海市",
  "江苏省",
  "浙江省",
  "安徽省",
  "福建省",
  "江西省",
  "山东省",
  "河南省",
  "湖北省",
  "湖南省",
  "广东省",
  "广西壮族自治区",
  "海南省",
  "重庆市",
  "四川省",
  "贵州省",
  "云南省",
  "西藏自治区",
  "陕西省",
  "甘肃省",
  "青海省",
  "宁夏回族自治区",
  "新疆维吾尔自治区",
] as const

const memberNames = [
  "市场监督管理局",
  "公安局",
  "文化市场综合执法队",
  "新闻出版局",
  "海关",
  "商务局",
  "科技局",
  "教育局",
  "农业农村局",
  "卫生健康委",
  "司法局",
  "工业和信息化局",
  "网信办",
  "广播电视局",
] as const

/** The joint office of the seed campaign has 14 member units; past that, names repeat with a number. */
const memberName = (round: number) =>
  `${memberNames[round % memberNames.length]}${round < memberNames.length ? "" : `第${Math.floor(round / memberNames.length) + 1}分支`}`

/** The national office's key: it coordinates the campaign. */
export const nationalKey = "cnipa"

/** The shape chosen for a size: cities per province and counties per city on average. */
export const shapeFor = (units: number): { cities: number; counties: number } => {
  // Bureaus take a share of the units; the rest are member units (14 a bureau at national size, as in the seed's joint office).
  const bureaus = Math.max(32, Math.min(Math.round(units * 0.5), Math.max(3300, Math.ceil((units / 15) * 1.1))))
  for (let scale = 1; scale > 0; scale -= 0.01) {
    const cities = Math.max(1, Math.round(11 * scale))
    const counties = Math.max(0, Math.round(8.5 * scale))
    if (1 + 31 * (1 + cities * (1 + counties)) <= bureaus) return { cities, counties }
  }
  return { cities: 0, counties: 0 }
}

/** Generates a hierarchy of exactly `units` units (at least 32: the nation and its provinces). */
export const generateNation = (units: number, seed: number): NationUnit[] => {
  if (!Number.isInteger(units) || units < 32) throw new RangeError("a nation needs at least 32 units")
  const rng = random(derive(seed, "nation"))
  const shape = shapeFor(units)
  const bureaus: NationUnit[] = [{ key: nationalKey, name: "国家知识产权局", role: "host", level: "national" }]
  provinces.forEach((province, p) => {
    const pKey = `p${String(p + 1).padStart(2, "0")}`
    bureaus.push({
      key: pKey,
      name: `${province}知识产权局`,
      role: "subordinate",
      parent: nationalKey,
      level: "province",
    })
    const cities = shape.cities === 0 ? 0 : rng.int(Math.ceil(shape.cities / 2), Math.floor(shape.cities * 1.5))
    for (let c = 1; c <= cities; c++) {
      const cKey = `${pKey}-c${c}`
      const city = `${province}第${c}市`
      bureaus.push({ key: cKey, name: `${city}知识产权局`, role: "subordinate", parent: pKey, level: "city" })
      const counties =
        shape.counties === 0 ? 0 : rng.int(Math.ceil(shape.counties / 2), Math.floor(shape.counties * 1.5))
      for (let x = 1; x <= counties; x++) {
        bureaus.push({
          key: `${cKey}-x${x}`,
          name: `${city}第${x}县知识产权局`,
          role: "subordinate",
          parent: cKey,
          level: "county",
        })
      }
    }
  })
  // The random counts may overshoot a small size: drop counties from the end, then cities.
  while (bureaus.length > units) {
    const last = bureaus.findLastIndex((b) => b.level === "county")
    bureaus.splice(last >= 0 ? last : bureaus.findLastIndex((b) => b.level === "city"), 1)
  }
  // Member units fill the rest, one round over the bureaus at a time, the national office first.
  const members: NationUnit[][] = bureaus.map(() => [])
  let left = units - bureaus.length
  for (let round = 0; left > 0; round++) {
    for (let b = 0; b < bureaus.length && left > 0; b++, left--) {
      const bureau = bureaus[b] as NationUnit
      const base = bureau.level === "national" ? "国家" : bureau.name.replace(/知识产权局$/, "")
      members[b]?.push({
        key: `${bureau.key}-m${round + 1}`,
        name: `${base}${memberName(round)}`,
        role: "member",
        parent: bureau.key,
        level: bureau.level,
      })
    }
  }
  return bureaus.flatMap((bureau, b) => [bureau, ...(members[b] ?? [])])
}
