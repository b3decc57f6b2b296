import { execFileSync } from 'node:child_process';
import { computeHa1, computeHa1b } from './ha1';

// Computed independently: by coreutils' md5sum, not by node:crypto.
const md5sum = (s: string): string => execFileSync('md5sum', { input: s }).toString().split(' ')[0];

describe('ha1 / ha1b', () => {
  it('match RFC 2617 HA1 for realm = domain', () => {
    expect(computeHa1('alice', 'sip.example.com', 'S3cr3t')).toBe(md5sum('alice:sip.example.com:S3cr3t'));
    // A fixed vector, so the test fails even if md5sum were wrong in the same way.
    expect(computeHa1('alice', 'sip.example.com', 'S3cr3t')).toBe('c6445efe7464683f542c6c85f2c9228e');
  });

  it('ha1b uses user@domain as the username', () => {
    expect(computeHa1b('bob', 'example.org', 'pw')).toBe(md5sum('bob@example.org:example.org:pw'));
    expect(computeHa1b('bob', 'example.org', 'pw')).not.toBe(computeHa1('bob', 'example.org', 'pw'));
  });
});
