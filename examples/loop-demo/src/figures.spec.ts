import { quantiles } from './figures';
import { parseArgs, defaultOptions } from './options';
import { hBarChart, lineChart, ticks } from './report/svg';

describe('main job helpers', () => {
  it('takes nearest-rank quantiles and ignores missing values', () => {
    expect(quantiles([])).toEqual({ n: 0, p50: null, p99: null });
    expect(quantiles([3, NaN, 1, 2])).toEqual({ n: 3, p50: 2, p99: 3 });
    expect(quantiles(Array.from({ length: 100 }, (_, i) => i + 1))).toEqual({ n: 100, p50: 50, p99: 99 });
  });

  it('parses the command line over the defaults', () => {
    const { options, compareRandom } = parseArgs(['--events', '1800', '--strategy', 'hybrid', '--seed', '7', '--compare-random', '--keep-topics'], {
      ...defaultOptions(),
      resetTopics: true,
    });
    expect(options).toMatchObject({ events: 1800, strategy: 'hybrid', seed: 7, resetTopics: false });
    expect(compareRandom).toBe(true);
    expect(() => parseArgs(['--strategy', 'best'])).toThrow(/--strategy must be one of/);
    expect(() => parseArgs(['--nope'])).toThrow("Unknown option '--nope'");
    expect(() => parseArgs(['--seed', 'x'])).toThrow('--seed needs a number');
  });

  it('draws well-formed SVG', () => {
    expect(ticks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    const svg = lineChart({
      title: 'a < b',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        {
          name: 's',
          color: '#000',
          points: [
            [0, 1],
            [1, NaN],
            [2, 3],
          ],
        },
      ],
      vRules: [{ at: 1, label: 'v', color: '#f00' }],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('a &lt; b');
    expect(svg.match(/<polyline/g)).toHaveLength(2); // the NaN point breaks the line
    expect(hBarChart({ title: 't', xLabel: 's', rows: [{ label: 'r', values: [{ name: 'p50', value: null, color: '#000' }] }] })).toContain('n/a');
  });
});
