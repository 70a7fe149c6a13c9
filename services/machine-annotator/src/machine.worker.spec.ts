import { create } from '@bufbuild/protobuf';
import { TaskSchema } from '@labelloop/contracts';
import { labelingFunction } from '@labelloop/machine-annotators';
import { answerFor } from './machine.worker';

describe('answerFor', () => {
  const fn = labelingFunction({ name: 'prize', version: '1', label: 'spam', when: { keyword: { field: 'text', anyOf: ['prize'], wholeWord: true } } }, [
    'ham',
    'spam',
  ]);
  const task = (inputUri: string) => create(TaskSchema, { taskId: 't', itemId: 'i', projectId: 'p', inputUri });

  it("runs a labeling function on the task's input as a person sees it: a label, or an abstention with the reason", async () => {
    expect(await answerFor({ kind: 'lf', fn }, fn.annotator, task('You won a PRIZE'))).toMatchObject({
      annotator: 'machine:lf-prize@1',
      label: 'spam',
      cost: 0,
    });
    const abstained = await answerFor({ kind: 'lf', fn }, fn.annotator, task('prizes are not a word match'));
    expect(abstained.label).toBeUndefined();
    expect(abstained.abstainReason).toBe('rule prize does not hold');
  });

  it("reads the item's resolved text, not its URI, when dispatch resolved the content", async () => {
    const resolved = create(TaskSchema, {
      taskId: 't',
      itemId: 'i',
      projectId: 'p',
      inputUri: 'spamassassin://spam/0001',
      contentText: 'Claim your PRIZE now',
    });
    expect(await answerFor({ kind: 'lf', fn }, fn.annotator, resolved)).toMatchObject({ label: 'spam' });
  });
});
