import { Injectable } from '@nestjs/common';
import type { GetQueueStatsResponse } from '@labelloop/contracts';
import type { StageAnswer } from '../stages/stage-answer';
import { num, refusal, when } from '../views/format';
import { html, SafeHtml } from '../views/html';
import { table } from '../views/table';
import { SectionedPage } from './page';

/**
 * Annotation: per project, the queue (annotation-dispatch's GetQueueStats), the annotators with QA's figures (Dawid–Skene estimated accuracy),
 * and the paused ones with a Resume form. The forms sit outside the live region, so a refresh
 * never clears a reason being typed.
 */
@Injectable()
export class AnnotationPage extends SectionedPage {
  readonly path = '/annotation';
  readonly title = 'Annotation';

  protected readonly of = 'CONSOLE_PROJECTS';

  async static(token: string): Promise<SafeHtml> {
    const sections = await Promise.all(this.config.CONSOLE_PROJECTS.map((p) => this.paused(p, token)));
    return html`<h2>Paused annotators</h2>${sections}`;
  }

  /** Resumes an annotator as the signed-in user; the message says what annotation-dispatch answered. */
  async resume(token: string, projectId: string, annotatorId: string, reason: string): Promise<StageAnswer<unknown>> {
    return this.stages.call('dispatch', token, (c, o) => c.resumeAnnotator({ projectId, annotatorId, reason }, o));
  }

  protected async section(projectId: string, token: string): Promise<SafeHtml> {
    const [q, a] = await Promise.all([
      this.stages.call('dispatch', token, (c, o) => c.getQueueStats({ projectId }, o)),
      this.stages.call('qa', token, (c, o) => c.listAnnotatorScorecards({ projectId }, o)),
    ]);
    const queue = q.ok ? queueTable(projectId, q.value) : refusal(q);
    if (!a.ok) return html`<section data-project="${projectId}"><h2>${projectId}</h2>${queue}${refusal(a)}</section>`;
    return html`<section data-project="${projectId}"><h2>${projectId}</h2>
${queue}
${table(
  `Annotators in ${projectId} (from QA)`,
  ['Annotator', 'Answers', 'Estimated accuracy (Dawid–Skene)', 'Gold accuracy', 'Agreement', 'Rework', 'Seconds per task', 'State'],
  a.value.scorecards.map((s) => [
    html`<span data-annotator="${s.annotatorId}">${s.annotatorId}</span>`,
    { num: num(s.answers) },
    { num: num(s.estimatedAccuracy, 3), field: `estimated_accuracy:${s.annotatorId}` },
    { num: s.goldAnswers > 0 ? num(s.goldAccuracy, 3) : '—' },
    { num: num(s.agreement, 3) },
    { num: num(s.rework) },
    { num: num(s.meanSecondsPerTask, 1) },
    s.paused ? html`<strong data-field="paused:${s.annotatorId}">paused</strong>` : html`<span data-field="paused:${s.annotatorId}">active</span>`,
  ]),
)}</section>`;
  }

  private async paused(projectId: string, token: string): Promise<SafeHtml> {
    // QA says who is paused (readable by reviewers); dispatch says why (admins only).
    const [cards, why] = await Promise.all([
      this.stages.call('qa', token, (c, o) => c.listAnnotatorScorecards({ projectId }, o)),
      this.stages.call('dispatch', token, (c, o) => c.listPausedAnnotators({ projectId }, o)),
    ]);
    const reasons = new Map(why.ok ? why.value.annotators.map((p) => [p.annotatorId, p]) : []);
    const ids = new Set([...(cards.ok ? cards.value.scorecards.filter((s) => s.paused).map((s) => s.annotatorId) : []), ...reasons.keys()]);
    const rows = [...ids].sort().map((id) => {
      const r = reasons.get(id);
      return [id, r ? r.reason : '—', r ? when(r.pausedAt) : '—', resumeForm(projectId, id)];
    });
    return html`<section data-paused-project="${projectId}"><h3>${projectId}</h3>
${why.ok ? '' : refusal({ ...why, message: `Why paused: ${why.message}` })}
${cards.ok ? '' : refusal(cards)}
${table(`Annotators paused in ${projectId}`, ['Annotator', 'Why paused', 'Paused at', 'Action'], rows, 'nobody is paused.')}</section>`;
  }
}

/** The project's queue as annotation-dispatch reads it: one row, every figure with its data-field. */
function queueTable(projectId: string, s: GetQueueStatsResponse): SafeHtml {
  const at = (field: string, t: Parameters<typeof when>[0]) => html`<span data-field="${field}">${when(t)}</span>`;
  return table(
    `Queue of ${projectId} (from annotation-dispatch, as of ${when(s.asOf)})`,
    ['Waiting tasks', 'Oldest waiting since', 'Open leases', 'Next lease expiry', 'Answers needed', 'Answers in the last hour', 'Answers per minute'],
    [
      [
        { num: num(s.waitingTasks), field: 'waiting_tasks' },
        at('oldest_waiting_since', s.oldestWaitingSince),
        { num: num(s.leasedTasks), field: 'leased_tasks' },
        at('next_lease_expiry', s.nextLeaseExpiry),
        { num: num(s.answersNeeded), field: 'answers_needed' },
        { num: num(s.submittedLastHour), field: 'submitted_last_hour' },
        { num: num(s.submissionsPerMinute, 2), field: 'submissions_per_minute' },
      ],
    ],
  );
}

function resumeForm(projectId: string, annotatorId: string): SafeHtml {
  const id = `reason-${projectId}-${annotatorId}`.replace(/[^A-Za-z0-9_-]/g, '_');
  return html`<form method="post" action="/annotation/resume" class="resume">
<input type="hidden" name="projectId" value="${projectId}">
<input type="hidden" name="annotatorId" value="${annotatorId}">
<label for="${id}">Reason</label>
<input id="${id}" name="reason" required value="">
<button type="submit" data-resume="${annotatorId}">Resume ${annotatorId}</button>
</form>`;
}
