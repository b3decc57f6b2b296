import fs from 'node:fs';

type WriteCallback = (err: NodeJS.ErrnoException | null, written: number) => void;

const textOf = (data: string | NodeJS.ArrayBufferView): string =>
  typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString();

/**
 * What the in-process app logs while `during` runs: pino writes its lines to fd 1 with
 * fs.write (sonic-boom, asynchronous: root-logger.ts's logDestination) and fs.writeSync
 * (what is left at exit, and synchronous destinations), caught here instead of printed. Start
 * the app with LOG_FORMAT=json and a LOG_LEVEL that lets the lines through.
 */
export async function captureLog(during: () => Promise<void>): Promise<string> {
  let out = '';
  const caught = (fd: number) => fd === 1 || fd === 2;
  const writeSync = fs.writeSync;
  const write = fs.write;
  const syncSpy = jest
    .spyOn(fs, 'writeSync')
    .mockImplementation((fd: number, data: string | NodeJS.ArrayBufferView, ...rest: unknown[]) => {
      if (!caught(fd)) return (writeSync as (...a: unknown[]) => number)(fd, data, ...rest);
      const text = textOf(data);
      out += text;
      return Buffer.byteLength(text);
    });
  const asyncSpy = jest.spyOn(fs, 'write').mockImplementation((fd: number, data: string | NodeJS.ArrayBufferView, ...rest: unknown[]) => {
    if (!caught(fd)) return (write as (...a: unknown[]) => void)(fd, data, ...rest);
    const text = textOf(data);
    out += text;
    const callback = rest[rest.length - 1] as WriteCallback;
    // As fs.write answers: later, with the bytes written (all of them).
    process.nextTick(callback, null, typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength);
  });
  try {
    await during();
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    syncSpy.mockRestore();
    asyncSpy.mockRestore();
  }
  return out;
}
