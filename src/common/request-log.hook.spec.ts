import { envelopeKindOf, LOGGED_PARAMS, nodeLabel, redactEveryParam, redactUrl } from './request-log.hook';

describe('redactUrl', () => {
  it('hides password and api_key values, however they are spelled', () => {
    expect(redactUrl('/user/change_pw?user=a@b.c&password=S3cr3t')).toBe('/user/change_pw?user=a@b.c&password=***');
    expect(redactUrl('/user/list?api_key=kp_x&search=a')).toBe('/user/list?api_key=***&search=a');
    expect(redactUrl('/x?pass%77ord=S3cr3t&PASSWORD=x')).toBe('/x?pass%77ord=***&PASSWORD=***');
    expect(redactUrl('/x?password%00=S&pa55word=S&%zz=S&user%00=S&pass+word=S')).toBe(
      '/x?password%00=***&pa55word=***&%zz=***&user%00=***&pass+word=***',
    );
    expect(redactUrl('/user/list')).toBe('/user/list');
  });

  it('shows the values of known, non-secret parameters only', () => {
    expect(redactUrl('/user/get?user=alice@b.c&limit=5&e164=true')).toBe('/user/get?user=alice@b.c&limit=5&e164=true');
    expect(redactUrl('/user/get?usr=alice&x=1')).toBe('/user/get?usr=***&x=***');
    expect(redactUrl(`/x?${'n'.repeat(100)}=1`)).toBe(`/x?${'n'.repeat(64)}...=***`);
  });

  it('gives what it gave before its shortcut, on curated and generated URLs', () => {
    const curated = [
      '/user/get',
      '/user/get?',
      '/user/get?user=a@b.c',
      '/user/get?user=a@b.c&',
      '/user/get?&user=a@b.c',
      '/user/get?user',
      '/user/get?user=a=b&domain==x',
      '/user/get?us%65r=a',
      '/user/get?user+=a',
      '/prov/t/secret-token/cfg.xml',
      '/prov/t/secret-token/cfg.xml?mac=x',
      '/user/get?user=/prov/t/x',
      '/numbers/inpool?number=%2B4720000001',
      '/phone/get?mac=000000000001&password=x',
    ];
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
    const names = [...LOGGED_PARAMS, 'password', 'api_key', 'PASSWORD', 'us%65r', 'user+', '', 'x'.repeat(70), '%zz', 'user%00'];
    const values = ['', 'a', 'a=b', '%2B1', 'x+y', '/prov/t/abc', '%'];
    const generated = Array.from({ length: 3000 }, () => {
      const path = rnd() < 0.1 ? '/prov/t/tok/x' : '/user/get';
      const n = Math.floor(rnd() * 4);
      if (n === 0) return rnd() < 0.5 ? path : `${path}?`;
      const pairs = Array.from({ length: n }, () => {
        const name = names[Math.floor(rnd() * names.length)];
        return rnd() < 0.1 ? name : `${name}=${values[Math.floor(rnd() * values.length)]}`;
      });
      return `${path}?${pairs.join('&')}`;
    });
    for (const url of [...curated, ...generated])
      expect({ url, redacted: redactUrl(url) }).toEqual({ url, redacted: redactEveryParam(url) });
  });
});

describe('envelopeKindOf', () => {
  it('reads the response kind and the cause from a serialized envelope', () => {
    expect(envelopeKindOf('{"response":"ok","users":[]}')).toEqual({ response: 'ok', cause: undefined });
    expect(envelopeKindOf('{"response":"failed","cause":"nonexistant","detail":"no user"}')).toEqual({
      response: 'failed',
      cause: 'nonexistant',
    });
    expect(envelopeKindOf('{"response":"invalid","cause":"username","detail":"x"}').cause).toBe('username');
    expect(envelopeKindOf('<html>')).toEqual({ response: 'none', cause: undefined });
    expect(envelopeKindOf(undefined).response).toBe('none');
    expect(envelopeKindOf('{"response":"okay"}')).toEqual({ response: 'none', cause: undefined });
    expect(envelopeKindOf('{"response":"ok"}')).toEqual({ response: 'ok', cause: undefined });
  });
});

describe('nodeLabel', () => {
  it('names nodes by group/node, whatever the prefix, and bounds the rest', () => {
    expect(nodeLabel('/user/get')).toBe('user/get');
    expect(nodeLabel('/api/v1/numbers/add_range')).toBe('numbers/add_range');
    expect(nodeLabel('/metrics')).toBe('metrics');
    expect(nodeLabel('/openapi.json')).toBe('openapi.json');
    expect(nodeLabel(undefined)).toBe('unmatched');
    // Asked again (labelled once, then remembered): the same labels.
    expect(nodeLabel('/api/v1/numbers/add_range')).toBe('numbers/add_range');
    expect(nodeLabel('/metrics')).toBe('metrics');
  });
});
