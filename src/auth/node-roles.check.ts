import { Injectable, OnModuleInit, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { NODE_METADATA } from '../common/api-node.decorator';
import { IS_PUBLIC } from './public.decorator';

/** Thrown at start-up when a route declares neither the role it needs nor @Public(). */
export class UndeclaredRoleError extends Error {
  constructor(readonly routes: string[]) {
    super(`every route must declare the role it needs (@ApiNode({ role })) or be @Public(); ` + `without one: ${routes.join(', ')}`);
    this.name = 'UndeclaredRoleError';
  }
}

/**
 * Start-up check: every controller route declares its role (@ApiNode) or is @Public().
 * A route without either would otherwise be reachable by a guess of the guard's; instead the
 * application refuses to start and names the route.
 */
@Injectable()
export class NodeRolesCheck implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    const undeclared: string[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!controller) continue;
      const prototype = controller.prototype as Record<string, unknown>;
      const controllerPath = this.pathOf(controller);
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name];
        if (typeof handler !== 'function') continue;
        const method = this.reflector.get<RequestMethod | undefined>(METHOD_METADATA, handler);
        if (method === undefined) continue; // not a route
        const declared =
          this.reflector.get(NODE_METADATA, handler) !== undefined ||
          this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [handler, controller]) === true;
        if (!declared) {
          const path = [controllerPath, this.pathOf(handler)].filter(Boolean).join('/');
          undeclared.push(`${RequestMethod[method]} /${path} (${controller.name}.${name})`);
        }
      }
    }
    if (undeclared.length > 0) throw new UndeclaredRoleError(undeclared);
  }

  private pathOf(target: object): string {
    const path = Reflect.getMetadata(PATH_METADATA, target) as string | string[] | undefined;
    return (Array.isArray(path) ? path.join('|') : (path ?? '')).replace(/^\/+|\/+$/g, '');
  }
}
