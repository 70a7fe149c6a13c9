/**
 * Adaptive overlap in QA on the real PostgreSQL server: the submission consumer's effects (its
 * tables and the events it writes to the outbox, which the relay publishes) for items answered
 * one at a time, as annotators finish their tasks. A confident first answer is accepted alone; a
 * doubtful one asks for exactly one more answer per extra answer, up to max_answers, then is
 * accepted or sent back; a redelivered submission asks for nothing twice. The project's answer
 * cost is read back through GetAnswerCost and the Prometheus counters.
 */
import { randomUUID } from 'node:crypto';
import { create, fromBinary } from '@bufbuild/protobuf';
import { AnswersRequested, AnswersRequestedSchema, LabelAccepted, QaPolicySchema, Topic, TOPIC_SCHEMAS, Topics } from '@labelloop/contracts';
import { asReviewer, QaRig, qaRig, submission as answer } from '../../test/qa-rig';

describe('adaptive overlap in QA (real PostgreSQL)', () => {
  const run = randomUUID().slice(0, 8);
  const weighed = `ds-${run}`; // Dawid–Skene, gate 0.9, first round k = 1, at most 3 answers
  const counted = `mv-${run}`; // majority, gate 0.8, k = 2, at most 3 answers
  let qa: QaRig;
  const deliver: QaRig['deliver'] = (...events) => qa.deliver(...events);

  beforeAll(async () => {
    qa = await qaRig('qatest_adaptive');
    await qa.ds.transaction(async (em) => {
      await qa.policies.put(em, create(QaPolicySchema, { projectId: weighed, method: 'dawid_skene', minConfidence: 0.9, maxAnswers: 3 }));
      await qa.policies.put(em, create(QaPolicySchema, { projectId: counted, method: 'majority', minConfidence: 0.8, maxAnswers: 3 }));
    });
  });
  afterAll(() => qa?.drop());

  /** What QA emitted about the item, in order: `more:<answers>-><target>`, `accept:<label>` or `rework`. */
  const emittedFor = async (item: string): Promise<string[]> => {
    const rows: { topic: Topic; payload: Buffer }[] = await qa.ds.query(`SELECT topic, payload FROM outbox ORDER BY id`);
    return rows.flatMap(({ topic, payload }) => {
      const m = fromBinary(TOPIC_SCHEMAS[topic], payload) as unknown as { itemId?: string };
      if (m.itemId !== item) return [];
      if (topic === Topics.answersRequested) return [`more:${(m as AnswersRequested).answers}->${(m as AnswersRequested).targetAnswers}`];
      const label = (m as LabelAccepted).label?.value;
      if (topic === Topics.labelAccepted) return [`accept:${label?.case === 'classification' ? label.value.classes.join('|') : '?'}`];
      return topic === Topics.reworkRequested ? ['rework'] : [];
    });
  };
  const lastRequest = async (item: string) => {
    const rows: { payload: Buffer }[] = await qa.ds.query(`SELECT payload FROM outbox WHERE topic = $1 ORDER BY id`, [Topics.answersRequested]);
    return rows
      .map((r) => fromBinary(AnswersRequestedSchema, r.payload))
      .filter((m) => m.itemId === item)
      .pop();
  };

  describe('Dawid–Skene project, one answer first', () => {
    beforeAll(async () => {
      // History the estimates learn from: ada and grace always right, coin wrong on every other
      // item. Three answers each (at the maximum already), so all are decided as without adaptive overlap.
      for (let i = 0; i < 30; i++) {
        const truth = i % 3 === 0 ? 'spam' : 'ham';
        const coin = i % 2 === 0 ? truth : truth === 'spam' ? 'ham' : 'spam';
        const h = `${weighed}-h${i}`;
        await deliver(answer(weighed, h, 'ada', truth, 3), answer(weighed, h, 'grace', truth, 3), answer(weighed, h, 'coin', coin, 3));
      }
    });

    it('accepts an item on the single answer of an annotator it trusts, asking for nothing more', async () => {
      const item = `${weighed}-sure`;
      await deliver(answer(weighed, item, 'ada', 'spam', 1));
      expect(await emittedFor(item)).toEqual(['accept:spam']);
    });

    it("asks for one more answer after a careless annotator's answer, once however often it is delivered, then accepts", async () => {
      const item = `${weighed}-doubt`;
      const first = answer(weighed, item, 'coin', 'spam', 1);
      await deliver(first);
      await deliver(first); // redelivered (a rebalance): no second request
      expect(await emittedFor(item)).toEqual(['more:1->2']);
      const req = await lastRequest(item);
      expect(req).toMatchObject({ projectId: weighed, round: 0, answers: 1, targetAnswers: 2, maxAnswers: 3, excludeAnnotatorIds: ['coin'] });
      // coin is right half the time, so her answer says nothing: the posterior is the class prior,
      // ham (2 items in 3), which no answer gave.
      expect(req?.reason).toBe('Dawid–Skene favours ham, which no answer of this round gave');

      // The extra task's answer carries required 2 (dispatch's target): grace agrees, and the
      // item is accepted on two answers.
      const second = answer(weighed, item, 'grace', 'spam', 2);
      await deliver(second);
      await deliver(first, second);
      expect(await emittedFor(item)).toEqual(['more:1->2', 'accept:spam']);
    });

    it("reports the project's cost in answers: per accepted label, by people and machines, and the extra answers asked", async () => {
      await deliver(answer(weighed, `${weighed}-machine`, 'machine:lf-keywords@1', 'ham', 1));
      const cost = await qa.api.getAnswerCost({ projectId: weighed } as never, asReviewer([weighed]));
      // 30 history items, sure and doubt accepted; 90 history answers + 1 (sure) + 2 (doubt) by
      // people. The machine's lone answer (an annotator with no record yet) asked for a person's.
      expect(cost).toEqual(
        expect.objectContaining({ acceptedLabels: 32, humanAnswers: 93, machineAnswers: 1, humanAnswersPerAcceptedLabel: 93 / 32, answersRequested: 2 }),
      );
      expect(await emittedFor(`${weighed}-machine`)).toEqual(['more:1->2']);
      // The same figures on /metrics (counted once each, though submissions were redelivered).
      const counter = async (name: string) =>
        (await qa.metrics.registry.getSingleMetric(name)!.get()).values.filter((v) => v.labels.project === weighed).map((v) => [v.labels.annotator, v.value]);
      expect(await counter('labelloop_qa_answers_total')).toEqual([
        ['human', 93],
        ['machine', 1],
      ]);
      expect(await counter('labelloop_qa_labels_accepted_total')).toEqual([[undefined, 32]]);
      expect(await counter('labelloop_qa_answers_requested_total')).toEqual([[undefined, 2]]);
    });
  });

  describe('majority project, two answers first', () => {
    it('asks for a third answer on a tie, then sends the item back at max_answers still below the gate', async () => {
      const item = `${counted}-split`;
      const [a, b] = [answer(counted, item, 'ada', 'spam', 2), answer(counted, item, 'ben', 'ham', 2)];
      await deliver(a, b);
      await deliver(b, a);
      expect(await emittedFor(item)).toEqual(['more:2->3']);
      expect((await lastRequest(item))?.reason).toBe('tie between ham, spam');

      const c = answer(counted, item, 'cara', 'spam', 3);
      await deliver(c);
      await deliver(a, b, c);
      // 2 of 3 (0.67) is below 0.8 and 3 is the maximum: a reviewer decides, as without adaptive overlap.
      expect(await emittedFor(item)).toEqual(['more:2->3', 'rework']);
      const [state] = await qa.ds.query(`SELECT state, round, reason, answers_requested FROM qa_item WHERE item_id = $1`, [item]);
      expect(state).toEqual({ state: 'pending', round: 1, reason: 'agreement 0.67 below 0.8', answers_requested: 1 });
    });

    it('accepts at two answers when they agree, asking for nothing', async () => {
      const item = `${counted}-agree`;
      await deliver(answer(counted, item, 'ada', 'ham', 2), answer(counted, item, 'ben', 'ham', 2));
      expect(await emittedFor(item)).toEqual(['accept:ham']);
    });
  });
});
