import { DigestVerifier, digestAuthorization, parseDigest } from './digest';
import { ha1 } from './secrets';
import { macInUserAgent } from './vendors';

const MAC = '805ec0a1b2c3';
const creds = { username: MAC, password: 'pw' };
const secrets = { ha1Md5: ha1('MD5', MAC, 'pw'), ha1Sha256: ha1('SHA-256', MAC, 'pw') };

describe('Digest', () => {
  let now = 1_800_000_000_000;
  const verifier = new DigestVerifier('key', 300_000, () => now);
  const answer = (which: 0 | 1, uri = `/prov/${MAC}.cfg`) =>
    parseDigest(digestAuthorization(verifier.challenges()[which], creds, 'GET', uri))!;

  it('accepts SHA-256 and MD5 answers for the right user, method and uri', () => {
    expect(verifier.verify(answer(0), 'GET', `/prov/${MAC}.cfg`, MAC, secrets)).toMatchObject({ ok: true });
    expect(verifier.verify(answer(1), 'GET', `/prov/${MAC}.cfg`, MAC, secrets)).toMatchObject({ ok: true });
  });

  it('refuses an expired nonce as stale, a forged one, a wrong password, another user, and no secret', () => {
    const old = answer(0);
    now += 301_000;
    expect(verifier.verify(old, 'GET', `/prov/${MAC}.cfg`, MAC, secrets)).toMatchObject({ ok: false, stale: true });
    const forged = { ...answer(0), nonce: `${now.toString(36)}.abc.def` };
    expect(verifier.verify(forged, 'GET', `/prov/${MAC}.cfg`, MAC, secrets)).toMatchObject({ ok: false, stale: false });
    const wrong = parseDigest(digestAuthorization(verifier.challenges()[0], { username: MAC, password: 'x' }, 'GET', `/prov/${MAC}.cfg`))!;
    expect(verifier.verify(wrong, 'GET', `/prov/${MAC}.cfg`, MAC, secrets)).toMatchObject({ ok: false });
    expect(verifier.verify(answer(0), 'GET', `/prov/${MAC}.cfg`, 'aaaaaaaaaaaa', secrets)).toMatchObject({ ok: false });
    expect(verifier.verify(answer(0), 'GET', `/prov/${MAC}.cfg`, MAC, undefined)).toMatchObject({ ok: false });
    expect(verifier.verify(answer(0), 'GET', `/prov/${MAC}.cfg`, MAC, { ha1Md5: null, ha1Sha256: null })).toMatchObject({ ok: false });
    expect(verifier.verify({ ...answer(0), qop: 'auth-int' }, 'GET', `/prov/${MAC}.cfg`, MAC, secrets)).toMatchObject({ ok: false });
    expect(verifier.verify({ ...answer(0), algorithm: 'SHA-512-256' }, 'GET', `/prov/${MAC}.cfg`, MAC, secrets)).toMatchObject({
      ok: false,
    });
    expect(verifier.verify(answer(0, '/prov/other.cfg'), 'GET', `/prov/${MAC}.cfg`, MAC, secrets)).toMatchObject({ ok: false });
  });

  it('parses quoted and token values, and refuses repeated or broken parameters', () => {
    expect(parseDigest('Digest username="a\\"b", qop=auth, nc=00000001')).toEqual({ username: 'a"b', qop: 'auth', nc: '00000001' });
    expect(parseDigest('Basic YWxhZGRpbjpvcGVuc2VzYW1l')).toBeUndefined();
    expect(parseDigest('Digest username="a", username="b"')).toBeUndefined();
    expect(parseDigest('Digest username="a')).toBeUndefined();
  });
});

describe('the MAC in a User-Agent', () => {
  it.each([
    ['Yealink SIP-T46S 66.86.0.15 80:5e:c0:a1:b2:c3', MAC],
    ['snomD785/10.1.33.33 80-5E-C0-A1-B2-C3', MAC],
    ['Grandstream Model HW GXP2170 SW 1.0.11.3 DevId 805ec0a1b2c3', MAC],
    ['Cisco-CP-8841-3PCC/11.3 (805EC0A1B2C3)', MAC],
    ['Fanvil X4 2.4.1 805ec0a1b2c3', MAC],
    ['baresip v1.0.0 (x86_64/linux)', undefined],
    ['Mozilla/5.0 (X11; Linux x86_64)', undefined],
  ])('%s -> %s', (ua, mac) => {
    expect(macInUserAgent(ua)).toBe(mac);
  });
});
