import { parseArgs } from 'node:util';
import type { ReplayOptions } from './dlq-replay';

/** What `npm run dlq:replay -- ...` asks for. */
export type ReplayArgs = Pick<ReplayOptions, 'dlqTopic' | 'groupId' | 'dryRun' | 'reasonFilter'>;

/** Usage line of the dlq-replay tool. */
export const REPLAY_USAGE = 'dlq-replay --topic <topic>.dlq [--dry-run] [--reason <regex>] [--group <id>]';

/**
 * Parses the dlq-replay tool's flags (`process.argv.slice(2)`). Strict: an unknown or misspelt
 * flag (`--dryrun`), a stray argument or a flag without its value is an error, never a real
 * replay with the flag ignored. Errors name the flag.
 */
export function parseReplayArgs(argv: string[]): ReplayArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        topic: { type: 'string' },
        'dry-run': { type: 'boolean' },
        reason: { type: 'string' },
        group: { type: 'string' },
      },
    }));
  } catch (err) {
    throw new Error(`${(err as Error).message}; usage: ${REPLAY_USAGE}`);
  }
  if (!values.topic) throw new Error(`--topic <topic>.dlq is required; usage: ${REPLAY_USAGE}`);
  if (!values.topic.endsWith('.dlq')) throw new Error(`--topic: ${values.topic} is not a dead-letter topic (<topic>.dlq)`);
  if (values.group === '') throw new Error('--group: must not be empty');
  let reasonFilter: RegExp | undefined;
  if (values.reason !== undefined) {
    try {
      reasonFilter = new RegExp(values.reason);
    } catch (err) {
      throw new Error(`--reason: not a regular expression (${(err as Error).message})`);
    }
  }
  return { dlqTopic: values.topic, groupId: values.group, dryRun: values['dry-run'] ?? false, reasonFilter };
}
