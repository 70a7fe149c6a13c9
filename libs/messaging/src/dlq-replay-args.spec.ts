import { parseReplayArgs } from './dlq-replay-args';

describe('parseReplayArgs (dlq-replay flags)', () => {
  const topic = 'labelloop.annotation.submitted.v1.dlq';

  it('refuses a misspelt flag instead of running a real replay', () => {
    expect(() => parseReplayArgs(['--topic', topic, '--dryrun'])).toThrow(/Unknown option '--dryrun'/);
  });

  it('refuses a stray argument and a flag without its value', () => {
    expect(() => parseReplayArgs(['--topic', topic, 'dry-run'])).toThrow(/Unexpected argument 'dry-run'/);
    expect(() => parseReplayArgs(['--topic', topic, '--reason'])).toThrow(/--reason/);
  });

  it('names the flag whose value is wrong', () => {
    expect(() => parseReplayArgs([])).toThrow(/--topic <topic>\.dlq is required/);
    expect(() => parseReplayArgs(['--topic', 'labelloop.annotation.submitted.v1'])).toThrow(/--topic: .* is not a dead-letter topic/);
    expect(() => parseReplayArgs(['--topic', topic, '--reason', '(unclosed'])).toThrow(/--reason: not a regular expression/);
    expect(() => parseReplayArgs(['--topic', topic, '--group='])).toThrow(/--group: must not be empty/);
  });

  it('reads every flag', () => {
    expect(parseReplayArgs(['--topic', topic])).toEqual({ dlqTopic: topic, groupId: undefined, dryRun: false, reasonFilter: undefined });
    const args = parseReplayArgs(['--topic', topic, '--dry-run', '--reason', '^bug #\\d+', '--group=ops']);
    expect(args).toMatchObject({ dlqTopic: topic, groupId: 'ops', dryRun: true });
    expect(args.reasonFilter?.test('bug #42')).toBe(true);
    expect(args.reasonFilter?.test('database unavailable')).toBe(false);
  });
});
