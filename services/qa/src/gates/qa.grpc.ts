import { Inject, Injectable } from '@nestjs/common';
import { GetItemDecisionRequest, QaService } from '@labelloop/contracts';
import type { DataSource } from '@labelloop/persistence';
import { authorize, invalidArgument, notFound, RpcContext, ServiceImpl } from '@labelloop/rpc';
import { DATA_SOURCE } from '@labelloop/runtime';

/** QaService: the decision taken on an item. */
@Injectable()
export class QaGrpc implements ServiceImpl<(typeof QaService)['method']> {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  async getItemDecision(req: GetItemDecisionRequest, ctx: RpcContext) {
    if (!req.itemId) throw invalidArgument('item_id', 'is required');
    const [item]: { project_id: string; state: string; final_label: string | null; confidence: number | null; agreement: number | null }[] =
      await this.ds.query('SELECT project_id, state, final_label, confidence, agreement FROM qa_item WHERE item_id = $1', [req.itemId]);
    if (!item) throw notFound(`item ${req.itemId}`);
    authorize(ctx.principal, ['reviewer', 'service'], item.project_id);
    const [{ n }]: { n: number }[] = await this.ds.query('SELECT count(*)::int AS n FROM qa_answer WHERE item_id = $1', [req.itemId]);
    return {
      state: item.state,
      answers: n,
      accepted:
        item.state === 'accepted'
          ? {
              itemId: req.itemId,
              projectId: item.project_id,
              label: { value: { case: 'classification' as const, value: { classes: item.final_label!.split('|') } } },
              confidence: item.confidence ?? 0,
              agreement: item.agreement ?? 0,
            }
          : undefined,
    };
  }
}
