import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { WindowStatisticsSchema } from '@labelloop/contracts';
import { windowCharts } from './window-charts';

const win = (ms: number, stats: Record<string, number>, share: number) =>
  create(WindowStatisticsSchema, {
    testedAt: timestampFromMs(ms),
    driftedShare: share,
    features: Object.entries(stats).map(([feature, statistic]) => ({ feature, method: 'ks', statistic })),
  });

describe('windowCharts', () => {
  it('puts windows oldest first on a strictly increasing time axis, one series per feature', () => {
    // Newest first, as ListWindowStatistics returns them; two windows tested in the same ms.
    const c = windowCharts('m', [win(5000, { a: 0.9 }, 1), win(2000, { a: 0.2, b: 0.1 }, 0), win(2000, { b: 0.3 }, 0.5)]);
    expect(c.statistics.x).toEqual([2, 2.001, 5]);
    expect(c.statistics.series).toEqual([
      { label: 'a (ks)', values: [null, 0.2, 0.9] },
      { label: 'b (ks)', values: [0.3, 0.1, null] },
    ]);
    expect(c.share.series[0].values).toEqual([0.5, 0, 1]);
    expect(c.accuracy).toBeUndefined();
  });

  it('draws estimated and measured accuracy as two series, gaps where a window had none', () => {
    const a = win(1000, { a: 0.1 }, 0);
    a.estimatedAccuracy = 0.91;
    const b = win(2000, { a: 0.1 }, 0);
    b.estimatedAccuracy = 0.83;
    b.measuredAccuracy = 0.8;
    const c = windowCharts('m', [b, a]);
    expect(c.accuracy?.series).toEqual([
      { label: 'estimated (CBPE)', values: [0.91, 0.83] },
      { label: 'measured', values: [null, 0.8] },
    ]);
  });
});
