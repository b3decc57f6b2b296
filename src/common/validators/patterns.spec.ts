import { isE164, isHost, isMac, isPlainText, isSipUser, normalizeMac, splitAddress } from './patterns';

describe('validators', () => {
  it('SIP user parts: RFC 3261 characters, escapes, at most 64', () => {
    for (const ok of ['alice', 'a.b-c_d', "o'neil", '+4761000009', 'a%20b', 'x!~*()&=+$,;?/', 'a'.repeat(64)]) {
      expect(isSipUser(ok)).toBe(true);
    }
    for (const bad of ['', 'a b', 'a@b', 'a%2', 'a%zz', 'æøå', 'a:b', 'a'.repeat(65), 'a\u0000b']) {
      expect(isSipUser(bad)).toBe(false);
    }
  });

  it('domains: host names, IPv4 and bracketed IPv6, at most 64', () => {
    for (const ok of ['example.com', 'sip.example.com', 'localhost', '192.0.2.1', '[2001:db8::1]', 'a-b.c']) {
      expect(isHost(ok)).toBe(true);
    }
    for (const bad of ['', '-a.com', 'a-.com', 'a..b', 'a_b.com', '[::zz]', '[1.2.3]', 'a b', `${'a'.repeat(60)}.com.x`]) {
      expect(isHost(bad)).toBe(false);
    }
  });

  it('addresses split at @ and lower-case the domain', () => {
    expect(splitAddress('Alice@SIP.Example.com')).toEqual({ username: 'Alice', domain: 'sip.example.com' });
    expect(splitAddress('alice')).toBeUndefined();
    expect(splitAddress('@example.com')).toBeUndefined();
    expect(splitAddress('a@b@c')).toBeUndefined();
  });

  it('MACs: plain, colon or dash separated, any case; normalized to 12 lower-case digits', () => {
    for (const ok of ['f00ba2ba5c00', 'F0:0B:A2:BA:5C:00', 'f0-0b-a2-ba-5c-00']) {
      expect(isMac(ok)).toBe(true);
      expect(normalizeMac(ok)).toBe('f00ba2ba5c00');
    }
    for (const bad of ['f00ba2ba5c0', 'f00ba2ba5c000', 'g00ba2ba5c00', 'f0:0b-a2:ba:5c:00', 'f0:0b:a2:ba:5c00']) {
      expect(isMac(bad)).toBe(false);
    }
  });

  it('E.164: plus, 1 to 15 digits, first 1-9', () => {
    for (const ok of ['+1', '+4761123456', '+123456789012345']) expect(isE164(ok)).toBe(true);
    for (const bad of ['4761123456', '+0123', '+', '+1234567890123456', '+47 61', ' 4761']) expect(isE164(bad)).toBe(false);
  });

  it('plain text: no control characters, bounded', () => {
    expect(isPlainText('Alice Liddell (Sales)', 64)).toBe(true);
    expect(isPlainText('a\nb', 64)).toBe(false);
    expect(isPlainText('a\u007fb', 64)).toBe(false);
    expect(isPlainText('x'.repeat(65), 64)).toBe(false);
  });
});
