import { Controller, Get, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { ApiNode, NODE_METADATA } from '../common/api-node.decorator';
import { EmptyOkDto } from '../users/dto/user.dto';
import { NodeRolesCheck, UndeclaredRoleError } from './node-roles.check';
import { Public } from './public.decorator';

@Controller('thing')
class DeclaredController {
  @ApiNode({ path: 'get', operationId: 'thingGet', summary: 'a read node', ok: EmptyOkDto, role: 'read' })
  get() {
    return {};
  }

  @ApiNode({ path: 'add', operationId: 'thingAdd', summary: 'a write node', ok: EmptyOkDto, role: 'admin', audit: (q) => q.name ?? '' })
  add() {
    return {};
  }

  @Get('probe')
  @Public()
  probe() {
    return {};
  }

  /** Not a route: no check. */
  helper() {
    return 1;
  }
}

@Public()
@Controller('open')
class PublicController {
  @Get('live')
  live() {
    return {};
  }
}

@Controller('other')
class UndeclaredController {
  @ApiNode({ path: 'get', operationId: 'otherGet', summary: 'declared', ok: EmptyOkDto, role: 'read' })
  get() {
    return {};
  }

  // A route with neither a role nor @Public(): the guard must not guess one.
  @Get('remove')
  remove() {
    return {};
  }
}

async function start(...controllers: (new () => object)[]) {
  @Module({ imports: [DiscoveryModule], controllers, providers: [NodeRolesCheck] })
  class TestModule {}
  const moduleRef = await Test.createTestingModule({ imports: [TestModule] }).compile();
  const app = moduleRef.createNestApplication(new FastifyAdapter(), { logger: false });
  try {
    await app.init();
  } finally {
    await app.close();
  }
}

describe('NodeRolesCheck', () => {
  it('starts when every route declares a role or is public', async () => {
    await expect(start(DeclaredController, PublicController)).resolves.toBeUndefined();
  });

  it('refuses to start, naming the route, when a route declares no role', async () => {
    const started = start(DeclaredController, UndeclaredController);
    await expect(started).rejects.toBeInstanceOf(UndeclaredRoleError);
    await expect(start(UndeclaredController)).rejects.toThrow(/GET \/other\/remove \(UndeclaredController\.remove\)/);
  });

  it('names the node by its controller and path', () => {
    const node = Reflect.getMetadata(
      NODE_METADATA,
      Object.getOwnPropertyDescriptor(DeclaredController.prototype, 'add')?.value as object,
    ) as { name: string; role: string };
    expect(node).toMatchObject({ name: 'thing/add', role: 'admin' });
  });
});
