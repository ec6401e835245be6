/**
 * The campaign of seed document 000: xx市知识产权局's 知识产权宣传周, theme
 * “设计未来”, run by the city bureau with the 14 member units of the city's
 * joint IP office and its 3 county and 2 district bureaus (三县二区).
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
  ["customs", "海关驻xx办事处"],
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
  title: "xx市2026年知识产权宣传周",
  titleEn: "xx City IP Publicity Week 2026",
  theme: "设计未来",
  authority: "国、省知识产权局",
  timeZone: "Asia/Shanghai",
  coordinator: "city-ipo",
  units: [
    { key: "city-ipo", name: "xx市知识产权局", nameEn: "xx City IP Office", role: "host", level: "city" },
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
          title: { zh: "邀请专利事务所深入三县二区开展知识产权专题讲座", en: "Lectures in the counties" },
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
