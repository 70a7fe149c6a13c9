import { ensureLocalInfra, ensureTopics } from './infra';

/** Jest globalSetup for integration and e2e tiers: real Kafka + real PostgreSQL, once. */
export default async function globalSetup(): Promise<void> {
  const { brokers } = ensureLocalInfra();
  await ensureTopics(brokers.split(','));
}
