import type { LsResult } from './labeling-config';

/** A Label Studio annotation as its API returns it (export, task list and webhooks). */
export interface LsAnnotation {
  id: number;
  /** User id, or the user object in some exports. */
  completed_by: number | { id: number; email?: string } | null;
  result: LsResult[];
  was_cancelled?: boolean;
  /** Seconds the annotator spent. */
  lead_time?: number | null;
  /** When the annotation was last changed (ISO 8601); later than what was applied = an edit. */
  updated_at?: string | null;
}

/** A Label Studio task with its data and annotations. */
export interface LsTask {
  id: number;
  data: { text?: string; item_id?: string; [k: string]: unknown };
  annotations?: LsAnnotation[];
}

/** A task to import, with the model's prediction as the pre-annotation. */
export interface LsImportTask {
  data: Record<string, unknown>;
  predictions?: { model_version: string; score?: number; result: LsResult[] }[];
}

/** An HTTP error answer from Label Studio, with its status. */
export class LabelStudioError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'LabelStudioError';
  }
}

/** Minimal REST client for the Label Studio API (token auth). */
export class LabelStudioClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl.replace(/\/$/, '')}${path}`, {
      method,
      headers: { Authorization: `Token ${this.token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    if (!res.ok) throw new LabelStudioError(`Label Studio ${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`, res.status);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Creates a project; returns its id. */
  async createProject(title: string, labelConfig: string, description: string): Promise<number> {
    const p = await this.call<{ id: number }>('POST', '/api/projects', { title, label_config: labelConfig, description });
    return p.id;
  }

  /** Projects whose title matches exactly (used to adopt a project created before a crash). */
  async findProjects(title: string): Promise<number[]> {
    const r = await this.call<{ results: { id: number; title: string }[] }>('GET', `/api/projects?title=${encodeURIComponent(title)}&page_size=100`);
    return r.results.filter((p) => p.title === title).map((p) => p.id);
  }

  /** Imports tasks (with predictions) into a project. */
  async importTasks(projectId: number, tasks: LsImportTask[]): Promise<void> {
    await this.call('POST', `/api/projects/${projectId}/import`, tasks);
  }

  /** Every task of a project with its annotations (the export API, JSON). */
  async exportTasks(projectId: number): Promise<LsTask[]> {
    return this.call<LsTask[]>('GET', `/api/projects/${projectId}/export?exportType=JSON&download_all_tasks=true`);
  }

  /** The webhooks registered for a project. */
  async listWebhooks(projectId: number): Promise<{ id: number; url: string }[]> {
    return this.call<{ id: number; url: string }[]>('GET', `/api/webhooks?project=${projectId}`);
  }

  /** Registers a webhook that posts created/updated annotations with a shared-secret header. */
  async addWebhook(projectId: number, url: string, headers: Record<string, string>): Promise<void> {
    await this.call('POST', '/api/webhooks', {
      project: projectId,
      url,
      headers,
      send_payload: true,
      send_for_all_actions: false,
      actions: ['ANNOTATION_CREATED', 'ANNOTATIONS_CREATED', 'ANNOTATION_UPDATED'],
      is_active: true,
    });
  }
}
