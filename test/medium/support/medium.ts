import type { InjectionToken, ModuleMetadata } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { Test, TestingModule } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { parseDatabaseUrl } from '../../../src/database/dialects';
import { DatabaseModule } from '../../../src/database/database.module';
import { databaseTargets, DatabaseKind, describeSkippedTargets, TestDatabase } from '../../support/databases';

/** The pool bound the medium modules use on MySQL (the dialect's pool stats report it). */
export const MEDIUM_POOL_SIZE = 5;

export interface MediumContext {
  kind: DatabaseKind;
  db: TestDatabase;
  module: TestingModule;
  dataSource: DataSource;
  get<T>(token: InjectionToken): T;
}

/**
 * Runs `body` once per database: a fresh database (test/support/databases.ts), the real
 * DatabaseModule on it (migrations run, the dialect and Transactor provided) plus
 * `metadata` (forFeature imports, the services under test), no HTTP. The MariaDB run
 * needs TEST_DATABASE_URL; without it the suite says so in a skipped test, and with
 * REQUIRE_MYSQL=1 it fails.
 */
export function onEveryDatabase(title: string, metadata: ModuleMetadata, body: (ctx: () => MediumContext) => void): void {
  for (const target of databaseTargets()) {
    describe(`${title} [${target.kind}]`, () => {
      let ctx: MediumContext | undefined;
      beforeAll(async () => {
        const db = await target.create();
        const module = await Test.createTestingModule({
          imports: [
            ConfigModule.forRoot({
              isGlobal: true,
              ignoreEnvFile: true,
              load: [
                () => ({
                  database: parseDatabaseUrl(db.url, MEDIUM_POOL_SIZE, true),
                  app: { passwordLength: 16, numbersMaxRange: 200_000 },
                }),
              ],
            }),
            DatabaseModule,
            ...(metadata.imports ?? []),
          ],
          providers: metadata.providers ?? [],
        }).compile();
        await module.init();
        ctx = {
          kind: target.kind,
          db,
          module,
          dataSource: module.get<DataSource>(getDataSourceToken()),
          get: <T>(token: InjectionToken) => module.get<T>(token),
        };
      });
      afterAll(async () => {
        await ctx?.module.close();
        await ctx?.db.drop();
      });
      body(() => {
        if (!ctx) throw new Error('medium context is not ready');
        return ctx;
      });
    });
  }
  describeSkippedTargets(title);
}

/** A short unique tag, so that each test's rows are its own. */
let counter = 0;
export const tag = (): string => `t${process.pid.toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/**
 * Pearson's chi-square statistic of observed counts against a uniform expectation.
 * With k cells, df = k - 1; the bounds used in the specs are far above the 99.9 %
 * quantile (so a fair sampler fails about once in many thousand runs) and far below
 * what a biased one gives.
 */
export function chiSquare(counts: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const expected = total / counts.length;
  return counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
}
