/**
 * `npm run demo`: the main job from the command line (see main-job.ts for what it runs).
 *
 *   node examples/loop-demo/dist/main.js [--events 2732] [--timeout 600] [--strategy entropy]
 *     [--seed 1] [--compare-random] [--rate 20] [--labels-per-burst 5] [--keep-topics] ...
 *
 * On the local broker the LabelLoop topics are deleted and recreated before each run (unless
 * --keep-topics); with KAFKA_BROKERS set they are left alone and the run uses fresh consumer
 * groups only. Exits 0 when the loop settled and a retrained model was promoted (with
 * --compare-random: both runs settled and the strategy's run recovered), 1 otherwise.
 */
import * as path from 'node:path';
import { ratioText, runComparison } from './compare';
import { runMainJob } from './main-job';
import { defaultOptions, parseArgs } from './options';
import { headline } from './report/run-report';

async function main(): Promise<void> {
  const base = { ...defaultOptions(), resetTopics: !process.env.KAFKA_BROKERS, live: Boolean(process.stdout.isTTY) };
  const { options, compareRandom } = parseArgs(process.argv.slice(2), base);
  const rel = (p: string) => path.relative(process.cwd(), p) || p;
  const print = (lines: string[]) => lines.forEach((l) => process.stdout.write(`  ${l}\n`));
  if (compareRandom) {
    const c = await runComparison(options);
    process.stdout.write(`\n== ${c.strategy.strategy} ==\n`);
    print(headline(c.strategy));
    process.stdout.write('\n== random ==\n');
    print(headline(c.random));
    process.stdout.write(`\nlabels to recover, ${c.strategy.strategy} / random: ${ratioText(c)}\nreport: ${rel(c.reportDir)}/summary.md\n`);
    process.exit(c.strategy.completed && c.random.completed && c.strategy.recovery.recovered ? 0 : 1);
  }
  const f = await runMainJob(options);
  process.stdout.write(`\n== figures (${f.strategy}, seed ${f.seed}, ${f.seconds.toFixed(0)} s) ==\n`);
  print(headline(f));
  process.stdout.write(`report: ${rel(f.reportDir)}/summary.md\n(labels random sampling needs, and the ratio: run again with --compare-random)\n`);
  process.exit(f.completed && f.promotions.length > 0 ? 0 : 1);
}

main().catch((e) => {
  process.stderr.write(`main job failed: ${(e as Error).stack}\n`);
  process.exit(1);
});
