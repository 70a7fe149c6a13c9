/**
 * Replays dead letters to their original topic after a fix (see docs/runbook.md).
 *
 *   npm run dlq:replay -- --topic labelloop.annotation.submitted.v1.dlq [--dry-run] [--reason <regex>] [--group <id>]
 *
 * Kafka connection from the usual variables (KAFKA_BROKERS, KAFKA_SSL, KAFKA_SASL_*).
 */
import { baseConfigSchema, loadConfig } from '@labelloop/config';
import { createKafka, replayDlq } from '@labelloop/messaging';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const topic = arg('topic');
  if (!topic) throw new Error('--topic <topic>.dlq is required');
  const config = loadConfig(baseConfigSchema.pick({ KAFKA_BROKERS: true, KAFKA_SSL: true, KAFKA_SASL_MECHANISM: true, KAFKA_SASL_USERNAME: true }));
  const reason = arg('reason');
  const report = await replayDlq(createKafka('labelloop-dlq-replay', config), {
    dlqTopic: topic,
    groupId: arg('group'),
    dryRun: process.argv.includes('--dry-run'),
    reasonFilter: reason ? new RegExp(reason) : undefined,
    log: (l) => process.stdout.write(`${l}\n`),
  });
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

main().catch((e: Error) => {
  process.stderr.write(`dlq-replay: ${e.message}\n`);
  process.exit(1);
});
