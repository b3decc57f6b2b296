import { redactUrl } from './request-log.hook';

describe('redactUrl', () => {
  it('hides password and api_key values, however they are spelled', () => {
    expect(redactUrl('/user/change_pw?user=a@b.c&password=S3cr3t')).toBe('/user/change_pw?user=a@b.c&password=***');
    expect(redactUrl('/user/list?api_key=kp_x&search=a')).toBe('/user/list?api_key=***&search=a');
    expect(redactUrl('/x?pass%77ord=S3cr3t&PASSWORD=x')).toBe('/x?pass%77ord=***&PASSWORD=***');
    expect(redactUrl('/user/list')).toBe('/user/list');
  });
});
