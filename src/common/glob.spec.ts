import { escapeLike, globToLike, literalPrefix } from './glob';

describe('globToLike', () => {
  it.each([
    ['ali*', 'ali%'],
    ['a?c', 'a_c'],
    ['alice', '%alice%'],
    ['50%_off*', '50!%!_off%'],
    ['wow!*', 'wow!!%'],
    ['*@example.com', '%@example.com'],
  ])('%s -> %s', (glob, like) => {
    expect(globToLike(glob)).toBe(like);
  });

  it('gives the literal prefix of a wildcard glob only', () => {
    expect(literalPrefix('ali*')).toBe('ali');
    expect(literalPrefix('*ali')).toBe('');
    expect(literalPrefix('alice')).toBe('');
    expect(escapeLike('a_b%c!')).toBe('a!_b!%c!!');
  });
});
