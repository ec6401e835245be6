/**
 * The demo's script for the seed-000 campaign. The seed gives only totals;
 * how they split among units is invented here (plausibly), and the totals
 * come out as the seed states them: brochures 10000多份, 5 lectures with
 * 260余人次 trained, 90余家 enterprises at the seminar, 14 member units
 * inspecting 5 key enterprises, 5 county special actions.
 *
 * Two incidents: 丙县 reports its banners and brochures late (reminded twice,
 * marked overdue, then reporting), and 东区's lecture report is returned for
 * a head count that does not match its sign-in sheets, then resubmitted.
 */
import { countyBureaus, memberUnits } from "./IpWeek.ts"
import { acks, approvals, type CampaignScript, type ScriptAction } from "./Script.ts"

const members = memberUnits.map(([key]) => key)
const counties = countyBureaus.map(([key]) => key)
const nameOf = new Map<string, string>([...memberUnits, ...countyBureaus])

/** The exact totals the approved reports add up to (figure key → exact value). */
export const ipWeekExpectedTotals = {
  "units-attending": "19",
  banners: "38",
  brochures: "10360",
  consultations: "123",
  lectures: "5",
  trainees: "263",
  enterprises: "92",
  "press-articles": "6",
  articles: "36",
  "key-enterprises": "5",
  "special-actions": "5",
  "shops-inspected": "97",
} as const

const brochures: Record<string, [string, string, string, string]> = {
  // unit: banners, brochures, consultations, where
  "city-ipo": ["12", "4200", "45", "在市中心人民广场、繁华路段设立咨询点,开展知识产权成就图板展示"],
  "county-a": ["6", "1300", "18", "在县城中心广场设点宣传"],
  "county-b": ["5", "1250", "15", "在县政务服务中心门前设点宣传"],
  "county-c": ["4", "1100", "12", "在县城步行街设点宣传"],
  "district-east": ["6", "1280", "14", "在东区商业街设点宣传"],
  "district-west": ["5", "1230", "19", "在西区文化广场设点宣传"],
}

const lectures: Record<string, [string, string]> = {
  "county-a": ["52", "县高新技术企业和知识产权试点企业"],
  "county-b": ["48", "县工业园区企业"],
  "county-c": ["61", "县创新型企业和规模以上企业"],
  "district-east": ["55", "区知识产权示范企业"],
  "district-west": ["47", "区科技型中小企业"],
}

const shops: Record<string, string> = {
  "county-a": "23",
  "county-b": "18",
  "county-c": "21",
  "district-east": "16",
  "district-west": "19",
}

const shortage = "缺乏知识产权宣传方面的资料,宣传资料仅限于法律法规和基本知识"
const funding = "资金紧缺,宣传形式仅限于发放材料和现场讲解"
const awareness = "企业和群众对知识产权的认识还比较肤浅,参与积极性不高"
const difficultiesOf: Record<string, string> = {
  "county-a": `一是${shortage};二是${funding}`,
  "county-b": `一是${shortage};二是${awareness}`,
  "county-c": `${funding}`,
  "district-east": `${shortage}`,
  "district-west": `一是${awareness};二是${funding}`,
  "market-regulation": awareness,
  "drug-administration": shortage,
  "culture-inspection": `${shortage};${funding}`,
  "press-publication": shortage,
  copyright: "资金紧缺",
  education: awareness,
  commerce: shortage,
}

const report = (
  unit: string,
  task: string,
  narrative: Record<string, string>,
  figures?: Record<string, string>,
): ScriptAction =>
  figures === undefined ? { kind: "report", unit, task, narrative } : { kind: "report", unit, task, narrative, figures }

const planners = [...members, ...counties]
const onTimeCounties = counties.filter((c) => c !== "county-c")

/** The calendar of the demo. */
export const ipWeekScript: CampaignScript = {
  startAt: "2026-04-12T09:00+08:00",
  endAt: "2026-05-11T09:00+08:00",
  steps: [
    {
      at: "2026-04-13T08:30+08:00",
      note: "筹备阶段:各单位确认接收任务",
      actions: acks("preparatory-meeting", ["city-ipo"]).concat(acks("work-plan", planners)),
    },
    {
      at: "2026-04-13T17:00+08:00",
      note: "市知识产权局召开筹备会议",
      actions: [
        report(
          "city-ipo",
          "preparatory-meeting",
          {
            narrative:
              "我局于4月13日召开了“知识产权宣传周”活动筹备会议,成立了以副局长范涪为组长的活动领导小组,对“4·26”知识产权宣传周活动作了具体的安排和部署,要求市知识产权联席办公会各成员单位、县(区)局按照《遂州市知识产权局关于在全市开展2026年知识产权宣传周活动的通知》统一配合、统一行动、统一宣传",
          },
          { "units-attending": "19" },
        ),
        { kind: "approve", unit: "city-ipo", task: "preparatory-meeting" },
      ],
    },
    {
      at: "2026-04-16T16:00+08:00",
      note: "成员单位和县(区)局报送工作安排",
      actions: planners.map((unit) =>
        report(unit, "work-plan", {
          narrative: `${nameOf.get(unit)}按照通知要求制定了本单位宣传周工作安排,明确了责任人和时间节点`,
        }),
      ),
    },
    { at: "2026-04-17T10:00+08:00", note: "审核工作安排", actions: approvals("work-plan", planners) },
    {
      at: "2026-04-20T09:00+08:00",
      note: "宣传阶段:各单位确认接收任务",
      actions: [
        ...acks("banners-brochures", ["city-ipo", ...counties]),
        ...acks("lectures", counties),
        ...acks("seminar", ["city-ipo", "economy-it"]),
        ...acks("web-column", ["city-ipo"]),
        ...acks("media", ["city-ipo"]),
      ],
    },
    {
      at: "2026-04-26T10:00+08:00",
      note: "报送横幅和宣传资料发放情况(丙县未报)",
      actions: ["city-ipo", ...onTimeCounties].map((unit) => {
        const [banners, count, consultations, where] = brochures[unit] as [string, string, string, string]
        return report(
          unit,
          "banners-brochures",
          { narrative: `${where},悬挂宣传横幅、发放知识产权宣传资料,接受知识产权保护咨询和投诉` },
          { banners, brochures: count, consultations },
        )
      }),
    },
    {
      at: "2026-04-26T17:00+08:00",
      note: "4月26日企业自主创新研讨会",
      actions: [
        report(
          "city-ipo",
          "seminar",
          {
            narrative:
              "4月26日,我局和市经信委联合举行了企业自主创新研讨会,邀请北京东鹏资产评估公司的评估师介绍企业自主创新成果的保护、战略新兴产业发展状况以及知识产权质押融资等方面的知识",
            highlights: "以联合举办大型培训会的形式隆重庆祝世界知识产权日",
          },
          { enterprises: "92" },
        ),
        report(
          "economy-it",
          "seminar",
          { narrative: "组织全市知识产权试点示范企业、高新技术企业、创新型企业等参加研讨会" },
          { enterprises: "92" },
        ),
        report(
          "city-ipo",
          "web-column",
          {
            narrative:
              "围绕“设计未来”主题,通过遂州科技信息网平台在宣传周期间设立宣传专栏,及时全面地反映知识产权知识和信息",
          },
          { articles: "36" },
        ),
        report(
          "city-ipo",
          "media",
          {
            narrative:
              "我局与遂州日报联合开展“创新促发展·记者走企业”主题活动，采访高金、美宁、柏狮、回春堂等知识产权试点示范企业及农业产业化龙头企业，展现企业依靠科技创新和知识产权保护实现快速发展的鲜活事例；4月25日至27日在遂州日报上连载发表“遂州专利知多少”主题文章，宣传报道“十一五”时期全市知识产权工作成就",
          },
          { "press-articles": "6" },
        ),
      ],
    },
    {
      at: "2026-04-27T17:00+08:00",
      note: "审核研讨会、宣传专栏和宣传资料报送",
      actions: [
        ...approvals("seminar", ["city-ipo", "economy-it"]),
        ...approvals("web-column", ["city-ipo"]),
        ...approvals("media", ["city-ipo"]),
        ...approvals("banners-brochures", ["city-ipo", ...onTimeCounties]),
      ],
    },
    {
      at: "2026-04-28T10:00+08:00",
      note: "丙县逾期后补报;各县(区)报送讲座情况",
      actions: [
        report(
          "county-c",
          "banners-brochures",
          { narrative: `${(brochures["county-c"] as string[])[3]},因人员外出培训,报送有所延迟`, difficulties: funding },
          { banners: "4", brochures: "1100", consultations: "12" },
        ),
        ...counties.map((unit) => {
          const [trainees, who] = lectures[unit] as [string, string]
          return report(
            unit,
            "lectures",
            { narrative: `邀请成都天嘉专利事务所为${who}开展知识产权专题讲座,帮助企业制定知识产权发展规划` },
            { lectures: "1", trainees: unit === "district-east" ? "70" : trainees },
          )
        }),
      ],
    },
    {
      at: "2026-04-28T15:00+08:00",
      note: "东区讲座人次与签到表不符,退回核实",
      actions: [
        { kind: "approve", unit: "county-c", task: "banners-brochures" },
        {
          kind: "return",
          unit: "district-east",
          task: "lectures",
          reason: "讲座培训人次与签到表不符,请核实后重新报送",
        },
        ...approvals(
          "lectures",
          counties.filter((c) => c !== "district-east"),
        ),
      ],
    },
    {
      at: "2026-04-29T10:00+08:00",
      note: "东区核实后重新报送",
      actions: [
        report(
          "district-east",
          "lectures",
          {
            narrative:
              "邀请成都天嘉专利事务所为区知识产权示范企业开展知识产权专题讲座,经核对签到表,培训人次更正为55人次",
          },
          { lectures: "1", trainees: "55" },
        ),
        { kind: "approve", unit: "district-east", task: "lectures" },
      ],
    },
    {
      at: "2026-04-29T11:00+08:00",
      note: "执法阶段:确认接收联合检查任务",
      actions: [...acks("joint-inspection", members), ...acks("county-actions", counties)],
    },
    {
      at: "2026-05-01T17:00+08:00",
      note: "报送执法检查情况",
      actions: [
        ...members.map((unit) =>
          report(
            unit,
            "joint-inspection",
            {
              narrative: `${nameOf.get(unit)}参加“雷雨”“天网”执法专项行动,对摩尔春天百货、家福来电器、回春堂药业连锁等重点商贸企业开展现场检查`,
            },
            { "key-enterprises": "5" },
          ),
        ),
        ...counties.map((unit) =>
          report(
            unit,
            "county-actions",
            {
              narrative:
                "会同工商、药监、质监、文化稽查、公安等部门组成联合执法小组,对辖区图书、音像制品经营户进行检查",
            },
            { "special-actions": "1", "shops-inspected": shops[unit] as string },
          ),
        ),
      ],
    },
    {
      at: "2026-05-02T10:00+08:00",
      note: "审核执法检查报送",
      actions: [...approvals("joint-inspection", members), ...approvals("county-actions", counties)],
    },
    { at: "2026-05-04T09:00+08:00", note: "总结阶段:确认接收", actions: acks("unit-summary", planners) },
    {
      at: "2026-05-07T16:00+08:00",
      note: "各单位报送活动总结",
      actions: planners.map((unit) =>
        report(unit, "unit-summary", {
          narrative: `${nameOf.get(unit)}按照统一部署完成了宣传周各项工作任务`,
          ...(difficultiesOf[unit] === undefined ? {} : { difficulties: difficultiesOf[unit] }),
          ...(unit === "education" ? { highlights: "发动多所学校开展知识产权进校园活动" } : {}),
        }),
      ),
    },
    { at: "2026-05-08T10:00+08:00", note: "审核活动总结", actions: approvals("unit-summary", planners) },
  ],
}
