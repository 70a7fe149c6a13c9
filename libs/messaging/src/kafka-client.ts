import { Kafka, KafkaConfig, logLevel, SASLOptions } from 'kafkajs';
import { secretFromEnv } from '@labelloop/config';

/** Kafka connection settings (from the validated base config). */
export interface KafkaConnection {
  KAFKA_BROKERS: string[];
  KAFKA_SSL: boolean;
  KAFKA_SASL_MECHANISM?: 'scram-sha-256' | 'scram-sha-512' | 'plain';
  KAFKA_SASL_USERNAME?: string;
}

/**
 * A kafkajs client. TLS and SASL (SCRAM) are set by configuration; the SASL password is
 * read from `KAFKA_SASL_PASSWORD` or the file named by `KAFKA_SASL_PASSWORD_FILE`.
 */
export function createKafka(clientId: string, conn: KafkaConnection): Kafka {
  const cfg: KafkaConfig = {
    clientId,
    brokers: conn.KAFKA_BROKERS,
    ssl: conn.KAFKA_SSL,
    logLevel: logLevel.WARN,
    connectionTimeout: 5000,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5000 },
  };
  if (conn.KAFKA_SASL_MECHANISM) {
    const password = secretFromEnv('KAFKA_SASL_PASSWORD');
    if (!conn.KAFKA_SASL_USERNAME || !password) {
      throw new Error('KAFKA_SASL_MECHANISM is set but KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD(_FILE) is missing');
    }
    cfg.sasl = { mechanism: conn.KAFKA_SASL_MECHANISM, username: conn.KAFKA_SASL_USERNAME, password } as SASLOptions;
  }
  return new Kafka(cfg);
}
