import { aliasTarget, domainTarget, numberTarget, phoneUserTarget, rangeTarget, userTarget } from './targets';

// Issue 14 items 2 and 9: what reaches the audit trail is normalised, whatever was sent.
describe('audit targets', () => {
  it('strip control and invisible characters and trim', () => {
    expect(userTarget({ user: '\u001b]0;pwned\u0007\u001b[2Jalice@sip.example.com\r\n' })).toBe(']0;pwned[2Jalice@sip.example.com');
    expect(domainTarget({ domain: '  sip.example.com\u202e\u0000 ' })).toBe('sip.example.com');
    expect(numberTarget({ number: '+4761\u009b000000' })).toBe('+4761000000');
  });

  it('read a leading space before a digit as the + it was sent as', () => {
    expect(numberTarget({ number: ' 4761000000' })).toBe('+4761000000');
    expect(rangeTarget({ start: ' 4761000000', end: ' 4761000009' })).toBe('+4761000000..+4761000009');
    expect(aliasTarget({ alias_username: ' 4761000000', alias_domain: 'sip.example.com' })).toBe('+4761000000@sip.example.com');
    expect(userTarget({ user: ' 4761000000@sip.example.com' })).toBe('+4761000000@sip.example.com');
    expect(numberTarget({ number: ' abc ' })).toBe('abc');
  });

  it('lower-case domains', () => {
    expect(userTarget({ user: 'Alice@SIP.Example.COM' })).toBe('Alice@sip.example.com');
    expect(userTarget({ username: 'bob', domain: 'SIP.example.com' })).toBe('bob@sip.example.com');
    expect(aliasTarget({ alias_username: 'sales', alias_domain: 'SIP.example.com' })).toBe('sales@sip.example.com');
    expect(domainTarget({ domain: 'SIP.Example.com' })).toBe('sip.example.com');
  });

  it('record the MAC of phone operations, as 12 lower-case hex digits', () => {
    expect(phoneUserTarget({ mac: 'F0:0B:A2:BA:5C:00', user: 'alice@sip.example.com' })).toBe('f00ba2ba5c00 alice@sip.example.com');
    expect(phoneUserTarget({ mac: 'f0-0b-a2-ba-5c-00', username: 'alice', domain: 'sip.example.com' })).toBe(
      'f00ba2ba5c00 alice@sip.example.com',
    );
    expect(phoneUserTarget({ mac: 'not-a-mac\u001b' })).toBe('not-a-mac');
    expect(phoneUserTarget({})).toBe('');
  });
});
