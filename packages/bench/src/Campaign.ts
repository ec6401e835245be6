/**
 * The national campaign the benchmark runs: the standard four phases
 * (筹备 → 宣传 → 执法 → 总结), one task a phase for every bureau and member
 * unit, reminders before the deadlines, and the figures of the seed campaign.
 * Every phase closes on its date, so silent units cannot hold it open.
 */
import { type CampaignInput, normalizeCampaign } from "@liandong/workflow"
import { generateNation, nationalKey } from "./Nation.ts"

/** The key of the benchmark's campaign. */
export const campaignKey = "national-ip-week"

/** The phases' calendar (Asia/Shanghai), with each task's deadline and reminders. */
export const calendar = [
  {
    phase: "preparation",
    task: "plan",
    opens: "2026-04-06T09:00",
    deadline: "2026-04-09T18:00",
    closes: "2026-04-12T18:00",
    reminders: [],
  },
  {
    phase: "publicity",
    task: "publicity",
    opens: "2026-04-13T09:00",
    deadline: "2026-04-24T18:00",
    closes: "2026-04-27T18:00",
    reminders: ["P2D", "P1D"],
  },
  {
    phase: "enforcement",
    task: "inspection",
    opens: "2026-04-28T09:00",
    deadline: "2026-05-06T18:00",
    closes: "2026-05-09T18:00",
    reminders: ["P1D"],
  },
  {
    phase: "summary",
    task: "wrap-up",
    opens: "2026-05-10T09:00",
    deadline: "2026-05-15T18:00",
    closes: "2026-05-18T18:00",
    reminders: [],
  },
] as const

const figures: Record<string, NonNullable<CampaignInput["phases"][number]["tasks"][number]["figures"]>> = {
  publicity: [
    {
      key: "brochures",
      label: { zh: "发放宣传资料", en: "brochures handed out" },
      measure: "份",
      phrasing: "approximate",
    },
    { key: "trainees", label: { zh: "培训人员", en: "people trained" }, measure: "人次", phrasing: "approximate" },
    { key: "lectures", label: { zh: "举办讲座", en: "lectures" }, measure: "场" },
  ],
  inspection: [
    { key: "inspections", label: { zh: "开展执法检查", en: "inspections" }, measure: "次" },
    {
      key: "enterprises",
      label: { zh: "检查企业", en: "enterprises inspected" },
      measure: "家",
      phrasing: "approximate",
    },
  ],
}

/** The campaign definition for a nation of `units` units. */
export const nationalCampaign = (units: number, seed: number) =>
  ({
    key: campaignKey,
    title: "全国知识产权宣传周",
    titleEn: "National IP publicity week",
    theme: "全面加强知识产权保护",
    authority: "国务院知识产权战略实施工作部际联席会议",
    timeZone: "Asia/Shanghai",
    coordinator: nationalKey,
    units: generateNation(units, seed),
    phases: calendar.map((c) => ({
      key: c.phase,
      opensAt: c.opens,
      closesAt: c.closes,
      gate: "date" as const,
      tasks: [
        {
          key: c.task,
          title: { zh: `${c.phase}任务`, en: `${c.phase} task` },
          assign: { roles: ["subordinate", "member"] as const },
          deadline: c.deadline,
          reminders: [...c.reminders],
          ...(figures[c.task] ? { figures: figures[c.task] } : {}),
        },
      ],
    })),
  }) satisfies CampaignInput

/** The normalized form (UTC instants), which the script reads its times from. */
export const normalizedCampaign = (input: CampaignInput) => normalizeCampaign(input)
