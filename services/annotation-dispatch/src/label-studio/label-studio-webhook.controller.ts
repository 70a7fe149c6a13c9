import { Body, Controller, Headers, HttpCode, Inject, NotFoundException, Post, UnauthorizedException } from '@nestjs/common';
import { sameSecret } from '@labelloop/rpc';
import { CONFIG } from '@labelloop/runtime';
import type { DispatchConfig } from '../dispatch.config';
import type { LsAnnotation, LsTask } from './label-studio.client';
import { IngestOutcome, LabelStudioConnector, shownText } from './label-studio.connector';

/** The body Label Studio posts for ANNOTATION_CREATED / ANNOTATIONS_CREATED. */
interface LsWebhookPayload {
  action?: string;
  project?: { id: number };
  task?: LsTask;
  annotation?: LsAnnotation;
  annotations?: LsAnnotation[];
  tasks?: LsTask[];
}

/**
 * Receives Label Studio's annotation webhooks. The shared secret (X-LabelLoop-Secret) is
 * checked in constant time on digests (any length or alphabet is a 401, not a 500); a delivery that repeats one already pulled answers `duplicate`
 * and changes nothing.
 */
@Controller('label-studio')
export class LabelStudioWebhookController {
  constructor(
    private readonly connector: LabelStudioConnector,
    @Inject(CONFIG) private readonly config: DispatchConfig,
  ) {}

  @Post('webhook')
  @HttpCode(200)
  async receive(@Headers('x-labelloop-secret') secret: string | undefined, @Body() body: LsWebhookPayload): Promise<{ outcomes: IngestOutcome[] }> {
    const expected = this.config.LABEL_STUDIO_WEBHOOK_SECRET;
    if (!expected || !this.connector.enabled) throw new NotFoundException('the Label Studio webhook is not configured');
    if (!secret || !sameSecret(secret, expected)) throw new UnauthorizedException('bad or missing X-LabelLoop-Secret');
    const projectId = body.project ? await this.connector.projectOf(body.project.id) : undefined;
    if (!projectId) return { outcomes: [] }; // not a project this service created
    const tasks = new Map<number, LsTask>([...(body.tasks ?? []), ...(body.task ? [body.task] : [])].map((t) => [t.id, t]));
    const annotations = [...(body.annotations ?? []), ...(body.annotation ? [body.annotation] : [])] as (LsAnnotation & { task?: number })[];
    const outcomes: IngestOutcome[] = [];
    for (const a of annotations) {
      const task = a.task !== undefined ? tasks.get(a.task) : body.task;
      const itemId = task?.data.item_id;
      if (task && typeof itemId === 'string') outcomes.push(await this.connector.ingest(projectId, itemId, a, 'webhook', shownText(task)));
    }
    return { outcomes };
  }
}
