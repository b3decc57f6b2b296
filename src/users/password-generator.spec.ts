import { generatePassword, PASSWORD_ALPHABET } from './password-generator';

describe('generatePassword', () => {
  it('has the asked length and no look-alikes', () => {
    for (let i = 0; i < 200; i++) {
      const pw = generatePassword(16);
      expect(pw).toHaveLength(16);
      expect(pw).toMatch(/^[A-Za-z2-9]+$/);
      expect(pw).not.toMatch(/[0O1lI]/);
    }
  });

  it('uses the whole alphabet and rarely repeats', () => {
    const seen = new Set<string>();
    const chars = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const pw = generatePassword(16);
      seen.add(pw);
      for (const c of pw) chars.add(c);
    }
    expect(seen.size).toBe(500);
    expect(chars.size).toBe(PASSWORD_ALPHABET.length);
  });
});
