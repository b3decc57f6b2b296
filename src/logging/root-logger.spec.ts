import pino from 'pino';
import { isoTime } from './root-logger';

describe('isoTime', () => {
  it("writes what pino's isoTime writes, for the same and for another millisecond", () => {
    const now = jest.spyOn(Date, 'now');
    try {
      for (const t of [0, 1_800_000_000_000, 1_800_000_000_000, 1_800_000_000_001, 1_799_999_999_999]) {
        now.mockReturnValue(t);
        expect(isoTime()).toBe(pino.stdTimeFunctions.isoTime());
      }
    } finally {
      now.mockRestore();
    }
  });
});
