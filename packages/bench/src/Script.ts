/**
 * What every unit and the coordinator do in one phase, and when, on the
 * campaign's calendar: most units acknowledge within a day; most report in
 * the last hours before the deadline (the deadline burst), some early, some
 * late, a few never; the coordinator reviews after the deadline and returns
 * some reports, which are corrected and resubmitted. Seeded: the same seed
 * gives the same script.
 */
import type { Campaign, Phase } from "@liandong/workflow"
import { derive, type Random, random } from "./Random.ts"

/** One command of the script. */
export type Action =
  | { readonly kind: "ack"; readonly at: number; readonly unit: string; readonly task: string }
  | {
      readonly kind: "report"
      readonly at: number
      readonly unit: string
      readonly task: string
      readonly figures: Readonly<Record<string, string>>
      readonly narrative: Readonly<Record<string, string>>
    }
  | { readonly kind: "approve"; readonly at: number; readonly unit: string; readonly task: string }
  | {
      readonly kind: "return"
      readonly at: number
      readonly unit: string
      readonly task: string
      readonly reason: string
    }

/** The shares of behaviour the script draws from. */
export const mix = {
  /** report in the last 8 hours before the deadline */
  burst: 0.7,
  /** report after the deadline, before the phase closes */
  late: 0.07,
  /** never report */
  silent: 0.02,
  /** returned by the coordinator, then resubmitted */
  returned: 0.08,
} as const

const hour = 3_600_000

const narratives = [
  "按照统一部署,成立工作专班,制定实施方案,组织辖区内相关单位集中开展宣传活动。",
  "在政务服务中心、商业街区设立咨询点,发放宣传资料,解答群众咨询,营造尊重知识产权的氛围。",
  "联合市场监管、公安、文化执法等部门开展专项检查,重点检查商场、书店和音像制品经营场所。",
  "组织企业座谈和专题讲座,围绕专利申请、商标保护和维权援助开展培训。",
]
const difficulties = ["宣传经费不足", "基层人手紧张", "企业参与积极性有待提高", ""]

const reportBody = (rng: Random, task: { figures: Phase["tasks"][number]["figures"] }) => ({
  figures: Object.fromEntries(
    task.figures.map((f) => [
      f.key,
      String(f.measure === "场" || f.measure === "次" ? rng.int(1, 6) : rng.int(20, 900)),
    ]),
  ),
  narrative: {
    narrative: narratives[rng.int(0, narratives.length - 1)] as string,
    ...(rng.chance(0.5) ? { difficulties: difficulties[rng.int(0, difficulties.length - 1)] as string } : {}),
  },
})

/** Every action of one phase, earliest first; each unit's actions at least an hour apart. */
export const phaseScript = (campaign: Campaign, phaseKey: string, seed: number): Action[] => {
  const phase = campaign.phases.find((p) => p.key === phaseKey)
  if (phase === undefined) throw new Error(`no phase ${phaseKey}`)
  const opens = Date.parse(phase.opensAt)
  const closes = Date.parse(phase.closesAt)
  const actions: Action[] = []
  for (const task of phase.tasks) {
    const deadline = Date.parse(task.deadline)
    for (const unit of task.units) {
      const rng = random(derive(seed, `${phaseKey}/${unit}`))
      const push = (action: Action) => {
        if (action.at < closes - hour) actions.push(action)
      }
      const ack = opens + rng.int(1, 30) * hour
      push({ kind: "ack", at: ack, unit, task: task.key })
      const draw = rng.next()
      if (draw < mix.silent) continue
      const submit =
        draw < mix.silent + mix.late
          ? deadline + rng.int(1, 30) * hour
          : draw < mix.silent + mix.late + mix.burst
            ? Math.max(ack + hour, deadline - rng.int(1, 8) * hour + rng.int(0, 59) * 60_000)
            : ack + rng.int(1, Math.max(1, Math.floor((deadline - ack) / hour) - 9)) * hour
      push({ kind: "report", at: submit, unit, task: task.key, ...reportBody(rng, task) })
      // The coordinator reviews after the deadline, the day's work spread over office hours.
      const review = Math.max(deadline, submit) + rng.int(1, 20) * hour
      if (rng.chance(mix.returned)) {
        push({ kind: "return", at: review, unit, task: task.key, reason: "数据口径与通知要求不一致,请核实后重新报送" })
        const again = review + rng.int(2, 12) * hour
        push({ kind: "report", at: again, unit, task: task.key, ...reportBody(rng, task) })
        push({ kind: "approve", at: again + rng.int(1, 6) * hour, unit, task: task.key })
      } else {
        push({ kind: "approve", at: review, unit, task: task.key })
      }
    }
  }
  return actions.sort((a, b) => a.at - b.at)
}
