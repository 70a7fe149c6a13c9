import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { AgreementBucketSchema, BatchGateResultSchema } from '@labelloop/contracts';
import { agreementChart, batchTable } from './quality-charts';

const bucket = (bucketNo: number, ms: number, agreement: number) => create(AgreementBucketSchema, { bucketNo, lastAt: timestampFromMs(ms), agreement });

describe('agreementChart', () => {
  it('puts buckets oldest first on a strictly increasing time axis', () => {
    // Newest first, as GetQualityHistory returns them; two buckets closing in the same ms.
    const c = agreementChart('p', [bucket(3, 9000, 0.9), bucket(2, 4000, 0.5), bucket(1, 4000, 0.75)]);
    expect(c.x).toEqual([4, 4.001, 9]);
    expect(c.series).toEqual([{ label: 'agreement', values: [0.75, 0.5, 0.9] }]);
  });
});

describe('batchTable', () => {
  it('shows an unset kappa or threshold as a dash, and the verdict in words', () => {
    const out = batchTable('p', [
      create(BatchGateResultSchema, { batchNo: 4, passed: false, items: 3, goldAnswers: 0, reason: 'kappa not checked' }),
    ]).toString();
    expect(out).toContain('<span data-field="batch_result:4">failed</span>');
    expect(out).toContain('<td class="num" data-field="batch_kappa:4">—</td>');
    expect(out).toContain('<td class="num" data-field="batch_min_kappa:4">—</td>');
  });
});
