import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { renderSchemaSdl } from '../graphql/schema.js';

/** Writes schema/schema.graphql from the resolvers, without a server or a database. */
const target = new URL('../../../schema/schema.graphql', import.meta.url);
writeFileSync(target, await renderSchemaSdl());
process.stdout.write(`wrote ${target.pathname}\n`);
