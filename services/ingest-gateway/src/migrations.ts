import { CreateModelOwner1733300000000 } from '@labelloop/persistence';
import { CreateGatewayTables1764806400000 } from './gateway.migration';
import { CreateKserveTables1764810000000 } from './kserve/kserve.migration';

/** The ingest-gateway schema's migrations, oldest first: run by main.ts and by the specs that need its tables. */
export const migrations = [CreateModelOwner1733300000000, CreateGatewayTables1764806400000, CreateKserveTables1764810000000];
