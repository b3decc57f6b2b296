import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'kamprov:public';

/** A route that needs no API key (health checks). /docs and /openapi.json are not Nest routes. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
