/**
 * The campaign of seed document 000: 遂州市知识产权局's 知识产权宣传周, theme
 * “设计未来”, run by the city bureau with the 14 member units of the city's
 * joint IP office and its 3 county and 2 district bureaus (三县二区). The seed
 * writes the city as "xx"; the demo names it after the seed's 遂州大地, so the
 * summary reads as one an office would send.
 */
import { defineCampaign } from "@liandong/workflow"

/** The 14 member units of the city's joint IP office (联席办公会成员单位). */
export const memberUnits = [
  ["market-regulation", "市工商局"],
  ["drug-administration", "市药监局"],
  ["quality-supervision", "市质监局"],
  ["culture-inspection", "市文化稽查大队"],
  ["public-security", "市公安局"],
  ["economy-it", "市经信委"],
  ["science-technology", "市科技局"],
  ["education", "市教育局"],
  ["justice", "市司法局"],
  ["commerce", "市商务局"],
  ["press-publication", "市新闻出版局"],
  ["copyright", "市版权局"],
  ["customs", "海关驻遂州办事处"],
  ["agriculture", "市农业局"],
] as const

/** The three county and two district bureaus (三县二区). */
export const countyBureaus = [
  ["county-a", "甲县知识产权局"],
  ["county-b", "乙县知识产权局"],
  ["county-c", "丙县知识产权局"],
  ["district-east", "东区知识产权局"],
  ["district-west", "西区知识产权局"],
] as const

const counties = countyBureaus.map(([key]) => key)

/** The campaign definition. */
export const ipWeek = defineCampaign({
  key: "ip-week-2026",
  title: "遂州市2026年知识产权宣传周",
  titleEn: "Suizhou City IP Publicity Week 2026",
  theme: "设计未来",
  authority: "国、省知识产权局",
  timeZone: "Asia/Shanghai",
  coordinator: "city-ipo",
  units: [
    { key: "city-ipo", name: "遂州市知识产权局", nameEn: "Suizhou City IP Office", role: "host", level: "city" },
    ...memberUnits.map(([key, name]) => ({
      key,
      name,
      role: "member" as const,
      parent: "city-ipo",
      level: "city" as const,
    })),
    ...countyBureaus.map(([key, name]) => ({
      key,
      name,
      role: "subordinate" as const,
      parent: "city-ipo",
      level: "county" as const,
    })),
  ],
  // The office's own words; a campaign without this block gets neutral text.
  summary: {
    self: "我局",
    opening:
      "活动中，各单位精心制定宣传方案，认真落实活动内容，采取有力措施，开展了内容丰富、形式多样的宣传活动，营造了良好的知识产权氛围，取得了较好的宣传效果。现将活动情况总结如下：",
    leads: {
      publicity:
        "本届宣传周加强了部门协调联动，按照筹备会议的总体部署，各部门及县（区）局责任明确、分工合作、相互配合、形成合力，多渠道多形式开展知识产权宣传工作，使活动开展得丰富多彩、有声有色。",
      enforcement:
        "宣传周期间，我局把执法行动与宣传培训结合起来，集中开展专项执法检查，向全社会展示政府保护知识产权的决心，进一步净化了全市的知识产权市场。",
    },
    nextSteps:
      "下一步，我局将认真总结本次宣传周活动的经验和不足，针对各单位反映的宣传资料不足、经费紧缺等问题，加强部门协调联动，丰富宣传资料和形式，争取更多经费支持，推动知识产权宣传进企业、进社区、进学校，进一步扩大覆盖面和影响力。",
    closing:
      "知识产权工作不是一朝一夕、一蹴而就的工作。今后我们要动员全社会的力量，将知识产权融入到人民群众生活中去、融入到企业生产经营中去，坚持知识产权知识普及、知识产权人才培养、知识产权保护三位一体，常抓不懈、持之以恒。",
  },
  phases: [
    {
      key: "preparation",
      heading: "高度重视、精心组织,抓好活动准备工作",
      opensAt: "2026-04-13",
      closesAt: "2026-04-19",
      tasks: [
        {
          key: "preparatory-meeting",
          title: { zh: "召开宣传周活动筹备会议,成立活动领导小组", en: "Hold the preparatory meeting" },
          assign: { units: ["city-ipo"] },
          deadline: "2026-04-14T18:00",
          figures: [{ key: "units-attending", label: { zh: "召集参会单位", en: "units convened" }, measure: "家" }],
        },
        {
          key: "work-plan",
          title: { zh: "按照通知要求制定本单位宣传周工作安排", en: "Plan the unit's part of the week" },
          assign: { roles: ["member", "subordinate"] },
          deadline: "2026-04-17T18:00",
          reminders: ["P1D"],
        },
      ],
    },
    {
      key: "publicity",
      heading: "措施得力、重点突出,创知识产权宣传工作新局面",
      opensAt: "2026-04-20",
      closesAt: "2026-04-29",
      tasks: [
        {
          key: "banners-brochures",
          title: { zh: "悬挂宣传横幅、派发知识产权宣传册", en: "Banners and brochures" },
          assign: { units: ["city-ipo", ...counties] },
          deadline: "2026-04-27T18:00",
          reminders: ["P1D", "PT4H"],
          figures: [
            { key: "banners", label: { zh: "悬挂宣传横幅", en: "banners hung" }, measure: "条" },
            {
              key: "brochures",
              label: { zh: "发放知识产权宣传资料", en: "brochures handed out" },
              measure: "份",
              phrasing: "approximate",
            },
            {
              key: "consultations",
              label: { zh: "接受群众咨询", en: "people advised" },
              measure: "人次",
              phrasing: "approximate",
            },
          ],
        },
        {
          key: "lectures",
          title: { zh: "4月25日至29日邀请专利事务所深入三县二区开展知识产权专题讲座", en: "Lectures in the counties" },
          assign: { roles: ["subordinate"] },
          deadline: "2026-04-29T18:00",
          reminders: ["P1D"],
          figures: [
            { key: "lectures", label: { zh: "开展知识产权专题讲座", en: "lectures held" }, measure: "场" },
            {
              key: "trainees",
              label: { zh: "培训企业及县区知识产权管理人员", en: "people trained" },
              measure: "人次",
              phrasing: "approximate",
            },
          ],
        },
        {
          key: "media",
          title: { zh: "联合遂州日报开展宣传报道", en: "Press coverage" },
          assign: { units: ["city-ipo"] },
          deadline: "2026-04-28T18:00",
          figures: [{ key: "press-articles", label: { zh: "刊发宣传报道", en: "press articles" }, measure: "篇" }],
        },
        {
          key: "seminar",
          title: { zh: "4月26日联合举办企业自主创新研讨会", en: "Innovation seminar on 26 April" },
          assign: { units: ["city-ipo", "economy-it"] },
          deadline: "2026-04-27T18:00",
          figures: [
            {
              key: "enterprises",
              label: { zh: "组织企业参加研讨会", en: "enterprises attending" },
              measure: "家",
              phrasing: "approximate",
              aggregate: "max",
            },
          ],
        },
        {
          key: "web-column",
          title: { zh: "通过科技信息网平台设立宣传专栏", en: "Web column" },
          assign: { units: ["city-ipo"] },
          deadline: "2026-04-27T18:00",
          figures: [{ key: "articles", label: { zh: "发布宣传信息", en: "articles published" }, measure: "条" }],
        },
      ],
    },
    {
      key: "enforcement",
      heading: "开展专项执法行动,维护市场公平竞争秩序",
      opensAt: "2026-04-29",
      closesAt: "2026-05-03",
      tasks: [
        {
          key: "joint-inspection",
          title: { zh: "联合开展“雷雨”“天网”执法专项行动现场检查", en: "Joint inspections" },
          assign: { roles: ["member"] },
          deadline: "2026-05-02T18:00",
          figures: [
            {
              key: "key-enterprises",
              label: { zh: "检查重点商贸企业", en: "key enterprises inspected" },
              measure: "家",
              aggregate: "max",
            },
          ],
        },
        {
          key: "county-actions",
          title: { zh: "县(区)联合执法小组开展知识产权市场大检查", en: "County special actions" },
          assign: { units: counties },
          deadline: "2026-05-02T18:00",
          figures: [
            { key: "special-actions", label: { zh: "开展执法专项行动", en: "special actions" }, measure: "次" },
            {
              key: "shops-inspected",
              label: { zh: "检查图书、音像制品经营户", en: "book and AV shops inspected" },
              measure: "家",
              phrasing: "approximate",
            },
          ],
        },
      ],
    },
    {
      key: "summary",
      opensAt: "2026-05-04",
      closesAt: "2026-05-10",
      tasks: [
        {
          key: "unit-summary",
          title: { zh: "报送本单位活动总结", en: "Report the unit's summary" },
          assign: { roles: ["member", "subordinate"] },
          deadline: "2026-05-08T18:00",
          reminders: ["P1D"],
        },
      ],
    },
  ],
})
