import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { randomInt } from 'node:crypto';
import type { AllConfig } from '../config/config.types';

/** Letters and digits without look-alikes (0/O, 1/l/I). */
export const PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

export function generatePassword(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
  return out;
}

/** Passwords for new local users and user/genpw: CSPRNG, PASSWORD_LENGTH characters. */
@Injectable()
export class PasswordGenerator {
  private readonly length: number;

  constructor(config: ConfigService<AllConfig, true>) {
    this.length = config.get('app', { infer: true }).passwordLength;
  }

  generate(): string {
    return generatePassword(this.length);
  }
}
