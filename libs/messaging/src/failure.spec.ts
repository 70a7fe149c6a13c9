import { classifyFailure, failureReason, sqlState } from './failure';

/** An error shaped as pg's DatabaseError (a SQLSTATE in `code`). */
const pgError = (code: string, message = 'refused') => Object.assign(new Error(message), { code });

describe('classifyFailure', () => {
  it.each([
    ['22021 (NUL / invalid byte sequence)', '22021'],
    ['22P05 (jsonb \\u0000)', '22P05'],
    ['22008 (datetime field overflow)', '22008'],
    ['22003 (numeric value out of range)', '22003'],
    ['23502 (not null)', '23502'],
    ['23514 (check)', '23514'],
  ])("takes %s as the event's fault: permanent", (_, code) => {
    expect(classifyFailure(pgError(code))).toBe('permanent');
  });

  it.each([
    ['40001 (serialization failure)', '40001'],
    ['40P01 (deadlock)', '40P01'],
    ['55P03 (lock not available)', '55P03'],
    ['57014 (statement timeout)', '57014'],
    ['57P01 (admin shutdown)', '57P01'],
    ['08006 (connection failure)', '08006'],
    ['53300 (too many connections)', '53300'],
    ['42P01 (table missing during a deployment)', '42P01'],
  ])('retries %s: transient', (_, code) => {
    expect(classifyFailure(pgError(code))).toBe('transient');
  });

  it("reads the SQLSTATE through TypeORM's QueryFailedError (driverError)", () => {
    const wrapped = Object.assign(new Error('query failed'), { driverError: { code: '22P02' } });
    expect(sqlState(wrapped)).toBe('22P02');
    expect(classifyFailure(wrapped)).toBe('permanent');
  });

  it('takes connection loss and broker errors without a SQLSTATE as transient', () => {
    expect(classifyFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe('transient');
    expect(classifyFailure(new Error('Connection terminated unexpectedly'))).toBe('transient');
    expect(classifyFailure(Object.assign(new Error('broker gone'), { name: 'KafkaJSConnectionError' }))).toBe('transient');
  });

  it("suspects a unique violation or a handler's own error: retried before the batch is split", () => {
    expect(classifyFailure(pgError('23505'))).toBe('suspect');
    expect(classifyFailure(new RangeError('Invalid time value'))).toBe('suspect');
  });

  it("names the SQLSTATE in the dead letter's reason", () => {
    expect(failureReason(pgError('22003', 'value out of range for type real'))).toBe(
      'PostgreSQL refused the event (SQLSTATE 22003): value out of range for type real',
    );
  });
});
