import { timestampMs } from '@bufbuild/protobuf/wkt';
import type { AgreementBucket, BatchGateResult } from '@labelloop/contracts';
import { html, SafeHtml } from '../views/html';
import { num, when } from '../views/format';
import { table } from '../views/table';
import type { ChartSpec } from './window-charts';

/**
 * Chart data from a project's agreement buckets (newest first, as GetQualityHistory returns
 * them): x is the time each bucket's last round completed, in seconds, made strictly increasing
 * (uPlot needs it); one series of the bucket's agreement.
 */
export function agreementChart(projectId: string, buckets: AgreementBucket[]): ChartSpec {
  const oldestFirst = [...buckets].reverse();
  const x: number[] = [];
  for (const b of oldestFirst) {
    const t = (b.lastAt ? timestampMs(b.lastAt) : 0) / 1000;
    x.push(x.length > 0 ? Math.max(t, x[x.length - 1] + 0.001) : t);
  }
  return {
    title: `Agreement with each round's majority over time, ${projectId}`,
    x,
    series: [{ label: 'agreement', values: oldestFirst.map((b) => b.agreement) }],
  };
}

/** The newest agreement buckets as a table (what the chart draws, readable without it). */
export function agreementTable(projectId: string, buckets: AgreementBucket[], rows = 10): SafeHtml {
  return table(
    `Newest agreement buckets of ${projectId} (of ${buckets.length} in the chart)`,
    ['Bucket', 'Last round at', 'Rounds', 'Answers', 'Agreeing', 'Agreement', 'Sent back'],
    buckets
      .slice(0, rows)
      .map((b) => [
        { num: num(b.bucketNo), field: `bucket_no:${b.bucketNo}` },
        when(b.lastAt),
        { num: num(b.rounds), field: `rounds:${b.bucketNo}` },
        { num: num(b.answers), field: `answers:${b.bucketNo}` },
        { num: num(b.agreeing), field: `agreeing:${b.bucketNo}` },
        { num: num(b.agreement, 3), field: `agreement:${b.bucketNo}` },
        { num: num(b.sentBack), field: `sent_back:${b.bucketNo}` },
      ]),
    'no overlap round completed yet.',
  );
}

/** The newest judged batches of the batch gate, each figure next to the threshold it was judged against. */
export function batchTable(projectId: string, batches: BatchGateResult[]): SafeHtml {
  return table(
    `Batch-gate results of ${projectId}, newest first`,
    ['Batch', 'Closed at', 'Result', 'Items', "Fleiss' kappa", 'Min kappa', 'Gold answers', 'Gold accuracy', 'Min gold accuracy', 'Policy', 'Reason'],
    batches.map((b) => [
      { num: num(b.batchNo), field: `batch_no:${b.batchNo}` },
      when(b.closedAt),
      html`<span data-field="batch_result:${b.batchNo}">${b.passed ? 'passed' : 'failed'}</span>`,
      { num: num(b.items), field: `batch_items:${b.batchNo}` },
      { num: num(b.kappa, 3), field: `batch_kappa:${b.batchNo}` },
      { num: num(b.minKappa, 2), field: `batch_min_kappa:${b.batchNo}` },
      { num: num(b.goldAnswers), field: `batch_gold_answers:${b.batchNo}` },
      { num: num(b.goldAccuracy, 3), field: `batch_gold_accuracy:${b.batchNo}` },
      { num: num(b.minGoldAccuracy, 2), field: `batch_min_gold_accuracy:${b.batchNo}` },
      b.policyVersion || '—',
      b.reason || '—',
    ]),
    'no batch judged yet (the project has no batch gate, or its first batch is still open).',
  );
}
