import { createHash } from 'node:crypto';
import { fromBinary } from '@bufbuild/protobuf';
import { Inject, Injectable } from '@nestjs/common';
import type { LoggerService } from '@nestjs/common';
import { AnnotationRequestedSchema } from '@labelloop/contracts';
import { appendAudit, DataSource, EntityManager } from '@labelloop/persistence';
import { RpcError } from '@labelloop/rpc';
import { CONFIG, DATA_SOURCE, LOGGER } from '@labelloop/runtime';
import { annotatorView, displayText } from '../content/annotator-view';
import { ContentResolver } from '../content/content.resolver';
import { mapLimit } from '../content/map-limit';
import type { DispatchConfig } from '../dispatch.config';
import { checkLabel, isTextTask, ProjectLabelSchema } from '../labels/label-schema';
import { annotationTasks } from '../repositories/annotation-task.repository';
import { lsAnnotations, LsAnnotationOutcome } from '../repositories/ls-annotation.repository';
import { lsItems } from '../repositories/ls-item.repository';
import { lsProjects } from '../repositories/ls-project.repository';
import { taskTransitions } from '../repositories/task-transition.repository';
import { annotatorText } from '../tasks/redaction';
import { TaskService } from '../tasks/task.service';
import { LabelStudioClient, LabelStudioError, LsAnnotation, LsImportTask, LsTask } from './label-studio.client';
import { labelingConfig, LsContentMode, LsResult, predictionResult, resultToLabel } from './labeling-config';
import { itemsToImport, lsAnnotatorId } from './sync-plan';

/**
 * What became of one Label Studio annotation: a recorded outcome, `superseded` (an edit of a
 * submitted annotation, stored as a superseding submission), or `duplicate` (nothing new).
 */
export type IngestOutcome = LsAnnotationOutcome | 'superseded' | 'duplicate';

/** Items whose content is resolved at once during an import (custom-scheme fetches run in parallel). */
const CONTENT_CONCURRENCY = 8;

/** Text in a task's data: `text` for text projects, a `data:` URL in `url` for URL projects. */
const lsContent = (mode: LsContentMode, text: string) => (mode === 'url' ? { url: `data:text/plain;charset=utf-8,${encodeURIComponent(text)}` } : { text });

/** A digest of an annotation's result: tells an edit that changed the answer from one that did not. */
export const resultHash = (result: LsResult[] | undefined): string =>
  createHash('sha256')
    .update(JSON.stringify((result ?? []).map((r) => [r.from_name, r.to_name, r.type, r.value])))
    .digest('hex');

/**
 * A preference item's content, JSON {"prompt", "a", "b"}, as the task data Pairwise shows; content
 * that is not such JSON is shown as the prompt, with both sides empty.
 */
export function pairOf(text: string): { prompt: string; a: string; b: string } {
  try {
    const p = JSON.parse(text) as Record<string, unknown>;
    if (typeof p.a === 'string' && typeof p.b === 'string') return { prompt: typeof p.prompt === 'string' ? p.prompt : '', a: p.a, b: p.b };
  } catch {
    // not JSON: shown as it is
  }
  return { prompt: text, a: '', b: '' };
}

/** The text a Label Studio task showed its annotator: `text`, or a pair's JSON {"prompt", "a", "b"}; undefined for images and URL projects. */
export function shownText(t: Pick<LsTask, 'data'>): string | undefined {
  const { text, prompt, a, b } = t.data;
  if (typeof text === 'string') return text;
  if (typeof a === 'string' && typeof b === 'string') return JSON.stringify({ prompt, a, b });
  return undefined;
}

/** Title of the Label Studio project that mirrors a LabelLoop project (also how one is adopted after a crash). */
export const lsProjectTitle = (projectId: string) => `labelloop:${projectId}`;

/**
 * The Label Studio backend of the dispatch service. Items of the configured projects are
 * imported into a Label Studio project generated from the label schema, with the model's
 * pre-label as a prediction; annotations people make there come back (webhook, and polling as
 * the fallback) and are submitted as answers to the item's open tasks, exactly like an
 * in-house annotator's, under the annotator id `label-studio:<user id>`.
 *
 * Exactly once: each Label Studio annotation id is recorded in the same transaction as its
 * submission, so a re-pulled or re-posted annotation changes nothing. An item is imported once:
 * before importing, the project's current tasks are read and items already there are only
 * recorded (an import whose bookkeeping was lost in a crash is not repeated).
 */
@Injectable()
export class LabelStudioConnector {
  readonly client?: LabelStudioClient;

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(CONFIG) private readonly config: DispatchConfig,
    private readonly tasks: TaskService,
    @Inject(LOGGER) private readonly logger: LoggerService,
    private readonly content: ContentResolver,
  ) {
    if (config.LABEL_STUDIO_URL && config.LABEL_STUDIO_TOKEN) this.client = new LabelStudioClient(config.LABEL_STUDIO_URL, config.LABEL_STUDIO_TOKEN);
  }

  /** True when a Label Studio server is configured. */
  get enabled(): boolean {
    return this.client !== undefined;
  }

  /** One sync round for every routed project: pull annotations, then import new items. */
  async syncAll(): Promise<{ imported: number; outcomes: IngestOutcome[] }> {
    let imported = 0;
    const outcomes: IngestOutcome[] = [];
    for (const projectId of this.config.LABEL_STUDIO_PROJECTS) {
      const r = await this.sync(projectId);
      imported += r.imported;
      outcomes.push(...r.outcomes);
    }
    return { imported, outcomes };
  }

  /**
   * Pulls every annotation of the project's Label Studio tasks, then imports items not there yet.
   * Every replica runs this loop; a transaction-scoped advisory lock per project lets one replica
   * at a time sync a project (the others skip it this round). Two at once would both create
   * the project on first use, and both import the same new items, which annotators would then
   * see twice.
   */
  async sync(projectId: string): Promise<{ imported: number; outcomes: IngestOutcome[] }> {
    return this.ds.transaction(async (em) => {
      const locked = await lsProjects.tryLockSync(em, projectId);
      return locked ? this.syncHeld(projectId) : { imported: 0, outcomes: [] };
    });
  }

  private async syncHeld(projectId: string): Promise<{ imported: number; outcomes: IngestOutcome[] }> {
    const client = this.requireClient();
    const lsProjectId = await this.ensureProject(projectId);
    const lsTasks = await client.exportTasks(lsProjectId);
    const outcomes: IngestOutcome[] = [];
    for (const t of lsTasks) {
      const itemId = t.data.item_id;
      if (typeof itemId !== 'string') continue;
      for (const a of t.annotations ?? []) outcomes.push(await this.ingest(projectId, itemId, a, 'poll', shownText(t)));
    }
    const due = await annotationTasks.notInLabelStudio(this.ds, projectId);
    const fresh = itemsToImport(due, lsTasks);
    if (fresh.length > 0) {
      const { schema } = await this.tasks.schemas.latest(this.ds, projectId);
      await client.importTasks(lsProjectId, await mapLimit(fresh, CONTENT_CONCURRENCY, (d) => this.toImport(projectId, schema, d)));
    }
    if (due.length > 0)
      await lsItems.record(
        this.ds,
        due.map((d) => d.item_id),
        projectId,
        lsProjectId,
      );
    return { imported: fresh.length, outcomes };
  }

  /**
   * The Label Studio project of a LabelLoop project, created (with its webhook) on first use.
   * The ls_project row is written last: a pod that dies after creating the project, or after
   * registering the webhook, leaves no row, and the next try adopts the project by its title and
   * registers the webhook only if it is not there yet.
   */
  async ensureProject(projectId: string): Promise<number> {
    const known = await lsProjects.lsProjectIdOf(this.ds, projectId);
    if (known !== undefined) return known;
    const client = this.requireClient();
    const title = lsProjectTitle(projectId);
    const [existing] = await client.findProjects(title);
    const lsProjectId =
      existing ??
      (await client.createProject(
        title,
        labelingConfig((await this.tasks.schemas.latest(this.ds, projectId)).schema, this.contentMode(projectId)),
        `LabelLoop project ${projectId}: items sampled for annotation, with the model's pre-label.`,
      ));
    const { LABEL_STUDIO_WEBHOOK_URL: url, LABEL_STUDIO_WEBHOOK_SECRET: secret } = this.config;
    if (url && secret) {
      // A refused webhook (e.g. Label Studio's SSRF guard) leaves polling to bring answers back;
      // any other failure throws, and the next try registers it.
      try {
        const hooks = existing === undefined ? [] : await client.listWebhooks(lsProjectId);
        if (!hooks.some((h) => h.url === url)) await client.addWebhook(lsProjectId, url, { 'X-LabelLoop-Secret': secret });
      } catch (e) {
        if (!(e instanceof LabelStudioError && e.status >= 400 && e.status < 500)) throw e;
        this.logger.warn({ msg: 'Label Studio refused the webhook; polling only', project: projectId, error: e.message }, 'LabelStudioConnector');
      }
    }
    await lsProjects.record(this.ds, projectId, lsProjectId);
    return lsProjectId;
  }

  /** The LabelLoop project mirrored by a Label Studio project, if any. */
  async projectOf(lsProjectId: number): Promise<string | undefined> {
    return lsProjects.projectOf(this.ds, lsProjectId);
  }

  /**
   * Brings one Label Studio annotation into the pipeline. The annotation id is claimed first
   * (a second delivery finds it and returns `duplicate`); a label that does not fit the schema
   * is recorded as `refused` with the reason and submits nothing; so is the annotation of an
   * annotator QA paused in the project (also in the audit log, with the classes chosen, a warning
   * and a metric), and the item's task stays open for another annotator. When the item has no
   * open task left (its k answers are in) the annotation is recorded as `surplus`.
   */
  async ingest(projectId: string, itemId: string, a: LsAnnotation, via: 'webhook' | 'poll', shown?: string): Promise<IngestOutcome> {
    const annotatorId = lsAnnotatorId(a);
    return this.ds.transaction(async (em) => {
      const claimed = await lsAnnotations.claim(em, a.id, itemId, annotatorId, via);
      if (!claimed) return this.applyEdit(em, a, shown);
      const record = (outcome: LsAnnotationOutcome, detail?: string, submissionId?: string) =>
        lsAnnotations
          .record(em, a.id, outcome, detail ?? null, submissionId ?? null)
          .then(() => lsAnnotations.markApplied(em, a.id, a.updated_at ?? null, resultHash(a.result)))
          .then(() => outcome);
      if (a.was_cancelled) return record('cancelled', 'skipped in Label Studio');
      // The answer fills the item's oldest open task, and is checked against that task's schema
      // version (the latest one when no task is open: the answer is surplus anyway).
      const open = await annotationTasks.lockOpenOfItem(em, projectId, itemId, annotatorId);
      const version = open ? open.schema_version : (await this.tasks.schemas.latest(em, projectId)).version;
      const schema = await this.tasks.schemas.of(em, projectId, version);
      let label;
      try {
        label = resultToLabel(a.result, schema);
        checkLabel(label, schema, { textLength: schema.kind === 'spans' ? shown?.length : undefined });
      } catch (e) {
        if (e instanceof RpcError) return record('refused', e.message);
        throw e;
      }
      const paused = await this.tasks.pauseRefusal(em, projectId, annotatorId);
      if (paused) {
        const classes = label.value.case === 'classification' ? label.value.value.classes : [];
        await appendAudit(em, {
          actor: annotatorId,
          action: 'label.refused',
          subject: `${projectId}/${itemId}`,
          detail: { lsAnnotationId: a.id, itemId, classes, reason: paused },
        });
        this.tasks.refusals.inc({ reason: 'paused', via: 'label-studio' });
        this.logger.warn(
          { msg: 'Label Studio annotation refused', project: projectId, item: itemId, annotator: annotatorId, lsAnnotation: a.id, reason: paused },
          'LabelStudioConnector',
        );
        return record('refused', paused);
      }
      if (!open) return record('surplus', 'the item has no open task left');
      await annotationTasks.leaseAnswered(em, open.task_id, annotatorId);
      await taskTransitions.logLabelStudioLease(em, open.task_id, open.state, annotatorId);
      const { submissionId } = await this.tasks.submitIn(em, annotatorId, () => undefined, {
        taskId: open.task_id,
        label,
        timeSpentMs: Math.max(0, Math.round((a.lead_time ?? 0) * 1000)),
        idempotencyKey: `label-studio:${a.id}`,
        contentText: shown,
      });
      return record('submitted', undefined, submissionId);
    });
  }

  /**
   * An annotation seen before: when it was submitted and Label Studio now has a later version
   * (updated_at past the one applied) with a different result, that version becomes a new
   * submission superseding the last one applied, with an id derived from the annotation and its
   * version, so the webhook and the poll that both bring it write it once. A version with the same
   * result (say, only the time spent changed) is noted and submits nothing; so is the first look
   * at an annotation stored before versions were kept (it becomes the baseline). Edits of refused,
   * surplus or cancelled annotations are not taken.
   */
  private async applyEdit(em: EntityManager, a: LsAnnotation, shown?: string): Promise<IngestOutcome> {
    const applied = await lsAnnotations.lockApplied(em, a.id);
    if (!applied || applied.outcome !== 'submitted' || !applied.submission_id || !a.updated_at) return 'duplicate';
    const hash = resultHash(a.result);
    if (applied.applied_updated_at && new Date(a.updated_at) <= applied.applied_updated_at) return 'duplicate';
    if (!applied.applied_updated_at || hash === applied.applied_result_hash) {
      await lsAnnotations.markApplied(em, a.id, a.updated_at, hash);
      return 'duplicate';
    }
    const submissionId = `sub-${createHash('sha256')
      .update(`label-studio|${a.id}|${new Date(a.updated_at).toISOString()}|${hash}`)
      .digest('hex')
      .slice(0, 24)}`;
    try {
      const task = await this.tasks.supersedeIn(em, {
        supersedes: applied.submission_id,
        submissionId,
        label: resultToLabel(a.result, await this.schemaOfSubmission(em, applied.submission_id)),
        timeSpentMs: Math.max(0, Math.round((a.lead_time ?? 0) * 1000)),
        contentText: shown,
      });
      await lsAnnotations.markApplied(em, a.id, a.updated_at, hash, task.submissionId);
      return task.duplicate ? 'duplicate' : 'superseded';
    } catch (e) {
      if (!(e instanceof RpcError)) throw e;
      // An off-schema edit keeps the answer as it was; it is noted once, not retried every poll.
      this.logger.warn({ msg: 'Label Studio edit refused', lsAnnotation: a.id, reason: e.message }, 'LabelStudioConnector');
      await lsAnnotations.markApplied(em, a.id, a.updated_at, hash);
      return 'refused';
    }
  }

  /** The schema the task of a stored submission was created under. */
  private async schemaOfSubmission(em: EntityManager, submissionId: string) {
    const version = await annotationTasks.schemaOfSubmission(em, submissionId);
    return this.tasks.schemas.of(em, version.project_id, version.schema_version);
  }

  /** How the project's Label Studio tasks show items: by URL for LABEL_STUDIO_URL_PROJECTS, else as text. */
  private contentMode(projectId: string): LsContentMode {
    return this.config.LABEL_STUDIO_URL_PROJECTS.includes(projectId) ? 'url' : 'text';
  }

  /**
   * What Label Studio gets of an item: its content (see {@link ContentResolver}) redacted as for
   * any annotator, and the pre-label where one is shown. Text projects get `data.text` (content
   * at a URL is fetched by the service, so it is redacted too); URL projects get `data.url`, with
   * text content as a `data:` URL. An unresolved item shows its URI and why.
   */
  private async toImport(projectId: string, schema: ProjectLabelSchema, d: { item_id: string; kind: string; request: Buffer }): Promise<LsImportTask> {
    const r = fromBinary(AnnotationRequestedSchema, d.request);
    // Text task types always get the text itself: span offsets refer to it.
    const mode = isTextTask(schema) ? 'text' : this.contentMode(projectId);
    const unredacted = this.config.DISPATCH_PII_REDACTION_OFF;
    const view = annotatorView(await this.content.resolve(d.item_id, r.inputUri, schema.kind === 'boxes' ? 'url' : mode), projectId, unredacted);
    const text = displayText(view, annotatorText(r.inputUri, projectId, unredacted));
    const shown =
      schema.kind === 'boxes'
        ? { image: view.url || text }
        : schema.kind === 'preference'
          ? pairOf(text)
          : mode === 'url' && view.url
            ? { url: view.url }
            : lsContent(mode, text);
    const predicted = r.preLabel?.predictedLabel;
    // Gold and blind re-label items are shown without the model's suggestion; only a predicted
    // class has a pre-annotation.
    const showPreLabel = schema.kind === 'classification' && (d.kind === 'label' || d.kind === 'rework') && !!predicted;
    return {
      data: { ...shown, item_id: d.item_id, model_id: r.modelId, model_version: r.modelVersion },
      predictions: showPreLabel
        ? [{ model_version: `${r.modelId}@${r.modelVersion}`, score: r.preLabel?.confidence ?? 0, result: predictionResult(predicted) }]
        : [],
    };
  }

  private requireClient(): LabelStudioClient {
    if (!this.client) throw new Error('Label Studio is not configured (LABEL_STUDIO_URL)');
    return this.client;
  }
}
