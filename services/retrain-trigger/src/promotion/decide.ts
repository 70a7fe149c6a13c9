/** Metrics of one model on one evaluation split: overall and per slice (class). */
export interface Evaluation {
  metrics: Record<string, number>;
  slices: Record<string, Record<string, number>>;
}

/** The promotion rules of a model. */
export interface PromotionRules {
  primaryMetric: string;
  /** The primary metric must improve by at least this much (absolute). */
  minImprovement: number;
  /** Guard metrics may not drop by more than their margin. */
  guards: { metric: string; maxRegression: number }[];
  /** Per-class floors on the primary metric (slice name → minimum). */
  classFloors: Record<string, number>;
}

/** A decision and every rule that spoke. */
export interface PromotionDecision {
  promote: boolean;
  /** One line per rule checked; failed rules first. */
  reasons: string[];
}

const f = (x: number) => x.toFixed(4);

/**
 * x ≥ y, forgiving the rounding a difference of two metrics carries: 0.565 − 0.56 is
 * 0.004999999999999893 and 0.9 − 0.89 is 0.010000000000000009, so a gain or a drop of exactly
 * the margin would otherwise fall on the wrong side of it ("drop 0.0100, allowed 0.0100").
 */
const atLeast = (x: number, y: number, ...scale: number[]) => x >= y - 1e-9 * Math.max(1, ...scale.map(Math.abs));

/**
 * Promote only a candidate that is actually better than the champion on the same split: the
 * primary metric improves by the margin, no guard regresses beyond its margin, every class
 * floor holds. With no champion yet, the floors alone decide.
 */
export function decidePromotion(candidate: Evaluation, champion: Evaluation | undefined, rules: PromotionRules): PromotionDecision {
  const failed: string[] = [];
  const passed: string[] = [];
  const primary = candidate.metrics[rules.primaryMetric];
  if (primary === undefined || !Number.isFinite(primary)) {
    return { promote: false, reasons: [`primary metric ${rules.primaryMetric} missing from the candidate's evaluation`] };
  }
  if (!champion) passed.push('no champion yet: the first candidate that meets the floors is promoted');
  else {
    const base = champion.metrics[rules.primaryMetric];
    const gain = primary - (base ?? Number.NEGATIVE_INFINITY);
    (atLeast(gain, rules.minImprovement, primary, base ?? 0) ? passed : failed).push(
      `${rules.primaryMetric}: ${f(primary)} vs champion ${base === undefined ? 'n/a' : f(base)} (gain ${base === undefined ? 'n/a' : f(gain)}, required ${f(rules.minImprovement)})`,
    );
    for (const g of rules.guards) {
      const c = candidate.metrics[g.metric];
      const b = champion.metrics[g.metric];
      if (b === undefined) continue;
      if (c === undefined) {
        failed.push(`guard ${g.metric}: missing from the candidate's evaluation`);
        continue;
      }
      (atLeast(g.maxRegression, b - c, b, c) ? passed : failed).push(
        `guard ${g.metric}: ${f(c)} vs champion ${f(b)} (drop ${f(b - c)}, allowed ${f(g.maxRegression)})`,
      );
    }
  }
  for (const [cls, floor] of Object.entries(rules.classFloors)) {
    const v = candidate.slices[cls]?.[rules.primaryMetric];
    if (v === undefined) failed.push(`class ${cls}: no ${rules.primaryMetric} reported (floor ${f(floor)})`);
    else (v >= floor ? passed : failed).push(`class ${cls}: ${rules.primaryMetric} ${f(v)} (floor ${f(floor)})`);
  }
  return { promote: failed.length === 0, reasons: [...failed, ...passed] };
}

/** A decision, and the champion evaluation it compared against (undefined: no champion yet). */
export interface ChampionComparison extends PromotionDecision {
  champion: Evaluation | undefined;
}

/** Reason added when the comparison had to use the champion's stored metrics. */
export const STORED_CHAMPION_REASON = 'champion metrics are the stored ones (the job did not evaluate the champion on this split)';

/**
 * Decides against the champion as the job measured it on the candidate's split, when it did
 * (`measured` has metrics); otherwise against the champion's stored metrics, and the reasons
 * say so, since those come from another split.
 */
export function decideAgainstChampion(candidate: Evaluation, measured: Evaluation, stored: Evaluation | undefined, rules: PromotionRules): ChampionComparison {
  const sameSplit = Object.keys(measured.metrics).length > 0;
  const champion = sameSplit ? measured : stored;
  const decision = decidePromotion(candidate, champion, rules);
  const reasons = champion && !sameSplit ? [...decision.reasons, STORED_CHAMPION_REASON] : decision.reasons;
  return { promote: decision.promote, reasons, champion };
}
