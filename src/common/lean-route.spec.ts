import { Controller, Header, Query, UseGuards } from '@nestjs/common';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';
import fastify from 'fastify';
import { ListNumbersQueryDto, NumberQueryDto } from '../numbers/dto/number-queries.dto';
import { ApiNode } from './api-node.decorator';
import { InvalidRequestError } from './envelope';
import { assertLeanGlobals, installLeanRoutes, leanQueryPipe, LeanRouteDeps } from './lean-route';

// NumberQueryDto has a fast path (numbers/inpool's DTO); ListNumbersQueryDto has none.

class OkDto {}

@Controller('t')
class TestController {
  calls: object[] = [];

  @ApiNode({ path: 'lean', operationId: 'tLean', summary: 's', ok: OkDto, role: 'read', lean: true })
  lean(@Query() q: NumberQueryDto) {
    this.calls.push(q);
    return Promise.resolve({ response: 'ok', number: q.number });
  }

  @ApiNode({ path: 'slow', operationId: 'tSlow', summary: 's', ok: OkDto, role: 'read' })
  slow(@Query() q: ListNumbersQueryDto) {
    return { response: 'ok', q };
  }

  @ApiNode({ path: 'two', operationId: 'tTwo', summary: 's', ok: OkDto, role: 'read' })
  two(@Query() q: NumberQueryDto, @Query('number') _number: string) {
    return q;
  }

  @ApiNode({ path: 'header', operationId: 'tHeader', summary: 's', ok: OkDto, role: 'read' })
  @Header('x-extra', '1')
  header(@Query() q: NumberQueryDto) {
    return q;
  }

  @ApiNode({ path: 'guarded', operationId: 'tGuarded', summary: 's', ok: OkDto, role: 'read' })
  @UseGuards(class {})
  guarded(@Query() q: NumberQueryDto) {
    return q;
  }
}

const target = (method: string) => ({ controller: TestController, method });

describe('lean routes', () => {
  it('accept a handler whose one parameter is the whole query with a fast path, and validate as the pipe does', () => {
    const pipe = leanQueryPipe(target('lean'));
    expect(pipe({ number: '+4721000001' })).toEqual(Object.assign(new NumberQueryDto(), { number: '+4721000001' }));
    expect(() => pipe({})).toThrow('number is required');
    expect(() => pipe({ number: '+4721000001', more: '1' })).toThrow('unknown parameter more');
    // Named like an Object.prototype member: unknown, as the global pipe says.
    expect(() => pipe(Object.assign(Object.create(null) as object, { hasOwnProperty: '1' }))).toThrow('unknown parameter hasOwnProperty');
  });

  it.each([
    ['slow', /no fast path/],
    ['two', /one parameter must be the whole query/],
    ['header', /__headers__/],
    ['guarded', /__guards__/],
    ['missing', /no such handler/],
  ])('refuse %s at start-up', (method, reason) => {
    expect(() => leanQueryPipe(target(method))).toThrow(reason);
  });

  describe("the application's globals", () => {
    const guard = {};
    const pipe = {};
    const isPipe = (p: unknown) => p === pipe;
    it('accept the API key guard and the query pipe alone', () => {
      expect(() => assertLeanGlobals({ guards: [guard], interceptors: [], pipes: [pipe] }, guard, isPipe)).not.toThrow();
    });
    it.each([
      ['a second guard', { guards: [guard, {}], interceptors: [], pipes: [pipe] }, /2 global guards/],
      ['another guard', { guards: [{}], interceptors: [], pipes: [pipe] }, /1 global guards, not the API key guard alone/],
      ['no guard', { guards: [], interceptors: [], pipes: [pipe] }, /0 global guards/],
      ['an interceptor', { guards: [guard], interceptors: [{}], pipes: [pipe] }, /1 global interceptors/],
      ['another pipe', { guards: [guard], interceptors: [], pipes: [pipe, {}] }, /2 global pipes/],
    ])('refuse %s', (_name, globals, reason) => {
      expect(() => assertLeanGlobals(globals, guard, isPipe)).toThrow(reason);
    });
  });

  describe('on Fastify', () => {
    const controller = new TestController();
    const admitted: string[] = [];
    let verdict: 'sync' | 'async' | 'refuse' | 'reject' = 'sync';
    const deps: LeanRouteDeps = {
      instanceOf: <T>() => controller as T,
      authorize: (request, node) => {
        admitted.push(`${node.name} ${request.url}`);
        if (verdict === 'refuse') throw new Error('refused');
        if (verdict === 'reject') return Promise.reject(new Error('rejected'));
        if (verdict === 'async') return Promise.resolve();
      },
    };
    const app = fastify();
    installLeanRoutes(app, () => deps);
    app.setErrorHandler((err: Error, _request, reply) => {
      void reply.status(err instanceof InvalidRequestError ? 400 : 401).send({ error: err.message });
    });
    const config = Reflect.getMetadata(
      FASTIFY_ROUTE_CONFIG_METADATA,
      Object.getOwnPropertyDescriptor(TestController.prototype, 'lean')!.value as object,
    ) as object;
    // Registered as Nest registers it (FastifyAdapter.injectRouteOptions): the route's config from @RouteConfig.
    app.route({ method: 'GET', url: '/t/lean', config, handler: () => ({ response: 'nest' }) });
    app.route({ method: 'GET', url: '/t/slow', handler: () => ({ response: 'nest' }) });
    afterAll(() => app.close());

    it.each(['sync', 'async'] as const)('answer from the controller once the guard admits (%s)', async (how) => {
      verdict = how;
      const res = await app.inject({ url: '/t/lean?number=%2B4721000001' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ response: 'ok', number: '+4721000001' });
      expect(admitted.at(-1)).toBe('t/lean /t/lean?number=%2B4721000001');
      expect(controller.calls.at(-1)).toBeInstanceOf(NumberQueryDto);
    });

    it.each(['refuse', 'reject'] as const)(
      "send the guard's refusal to the error handler, without calling the controller (%s)",
      async (how) => {
        verdict = how;
        const before = controller.calls.length;
        const res = await app.inject({ url: '/t/lean?number=%2B4721000001' });
        expect(res.statusCode).toBe(401);
        expect(res.json()).toEqual({ error: how === 'refuse' ? 'refused' : 'rejected' });
        expect(controller.calls.length).toBe(before);
      },
    );

    it('send an invalid query to the error handler', async () => {
      verdict = 'sync';
      const before = controller.calls.length;
      const res = await app.inject({ url: '/t/lean?number=abc' });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: expect.stringMatching(/E\.164/) as string });
      expect(controller.calls.length).toBe(before);
    });

    it('leave other routes to their own handler', async () => {
      expect((await app.inject({ url: '/t/slow' })).json()).toEqual({ response: 'nest' });
    });
  });
});
