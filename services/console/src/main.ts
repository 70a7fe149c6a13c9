import 'reflect-metadata';
import { main } from '@labelloop/runtime';
import { consoleConfigSchema } from './console.config';
import { ConsoleModule } from './console.module';

main({ name: 'console', web: true, configSchema: consoleConfigSchema, module: ConsoleModule });
