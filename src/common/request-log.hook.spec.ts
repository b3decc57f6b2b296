import { envelopeKindOf, nodeLabel, redactUrl } from './request-log.hook';

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
  });
});

describe('nodeLabel', () => {
  it('names nodes by group/node, whatever the prefix, and bounds the rest', () => {
    expect(nodeLabel('/user/get')).toBe('user/get');
    expect(nodeLabel('/api/v1/numbers/add_range')).toBe('numbers/add_range');
    expect(nodeLabel('/metrics')).toBe('metrics');
    expect(nodeLabel('/openapi.json')).toBe('openapi.json');
    expect(nodeLabel(undefined)).toBe('unmatched');
  });
});
