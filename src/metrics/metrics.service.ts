import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RequestOutcome } from '../common/request-log.hook';
import { SqlDialect, type PoolStats } from '../database/sql-dialect';
import { droppedLogLines } from '../logging/root-logger';

export type { PoolStats };

/**
 * kamprov's Prometheus registry, one per application (so several apps in one process, as in
 * the tests, do not collide): requests by node, status and response kind, latency per node,
 * the database pool, and Node's process metrics.
 */
@Injectable()
export class MetricsService implements OnModuleDestroy {
  readonly registry = new Registry();
  private readonly requests: Counter<'node' | 'status' | 'response'>;
  private readonly latency: Histogram<'node'>;

  constructor(private readonly dialect: SqlDialect) {
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'kamprov_http_requests_total',
      help: 'HTTP requests answered, by node, HTTP status and envelope response kind (none: not an envelope)',
      labelNames: ['node', 'status', 'response'],
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: 'kamprov_http_request_duration_seconds',
      help: 'Time from a request arriving to its answer being sent, by node',
      labelNames: ['node'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    const pool = (stat: keyof Omit<PoolStats, 'driver'>) =>
      function (this: Gauge<'driver'>) {
        const s = readPool();
        this.reset();
        this.set({ driver: s.driver }, s[stat]);
      };
    const readPool = () => this.poolStats();
    new Gauge({
      name: 'kamprov_db_pool_connections',
      help: 'Open database connections (SQLite: the one connection kamprov keeps open)',
      labelNames: ['driver'],
      registers: [this.registry],
      collect: pool('total'),
    });
    new Gauge({
      name: 'kamprov_db_pool_idle_connections',
      help: 'Open database connections idle in the pool (SQLite: 0, it has no pool)',
      labelNames: ['driver'],
      registers: [this.registry],
      collect: pool('idle'),
    });
    new Gauge({
      name: 'kamprov_db_pool_queued_requests',
      help: 'Callers waiting for a database connection (SQLite: 0; kamprov queues its transactions itself)',
      labelNames: ['driver'],
      registers: [this.registry],
      collect: pool('queued'),
    });
    new Gauge({
      name: 'kamprov_db_pool_max_connections',
      help: 'The pool bound (DB_POOL_SIZE on MySQL; 1 on SQLite)',
      labelNames: ['driver'],
      registers: [this.registry],
      collect: pool('max'),
    });
    new Counter({
      name: 'kamprov_log_lines_dropped_total',
      help: 'Log lines dropped because standard output did not keep up (more than 16 MiB of lines waiting)',
      registers: [this.registry],
      collect(this: Counter) {
        this.reset();
        this.inc(droppedLogLines());
      },
    });
  }

  observe(o: RequestOutcome): void {
    this.requests.inc({ node: o.node, status: String(o.status), response: o.response });
    this.latency.observe({ node: o.node }, o.ms / 1000);
  }

  poolStats(): PoolStats {
    return this.dialect.poolStats();
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  onModuleDestroy(): void {
    this.registry.clear();
  }
}
