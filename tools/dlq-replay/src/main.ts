/**
 * Replays dead letters to their original topic after a fix (see docs/runbook.md).
 *
 *   npm run dlq:replay -- --topic labelloop.annotation.submitted.v1.dlq [--dry-run] [--reason <regex>] [--group <id>]
 *
 * An unknown flag is an error. With --reason the run uses a consumer group of that filter's own,
 * so what it skips stays for a run with another filter. Kafka connection from the usual
 * variables (KAFKA_BROKERS, KAFKA_SSL, KAFKA_SASL_*).
 */
import { baseConfigSchema, loadConfig } from '@labelloop/config';
import { createKafka, parseReplayArgs, replayDlq } from '@labelloop/messaging';

async function main(): Promise<void> {
  const args = parseReplayArgs(process.argv.slice(2));
  const config = loadConfig(baseConfigSchema.pick({ KAFKA_BROKERS: true, KAFKA_SSL: true, KAFKA_SASL_MECHANISM: true, KAFKA_SASL_USERNAME: true }));
  const report = await replayDlq(createKafka('labelloop-dlq-replay', config), { ...args, log: (l) => process.stdout.write(`${l}\n`) });
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

main().catch((e: Error) => {
  process.stderr.write(`dlq-replay: ${e.message}\n`);
  process.exit(1);
});
