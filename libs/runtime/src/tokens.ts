/** DI tokens the runtime provides to every service module. */
export const CONFIG = Symbol('labelloop.config');
export const DATA_SOURCE = Symbol('labelloop.dataSource');
export const OUTBOX = Symbol('labelloop.outbox');
export const METRICS = Symbol('labelloop.metrics');
export const KAFKA = Symbol('labelloop.kafka');
export const LOGGER = Symbol('labelloop.logger');
