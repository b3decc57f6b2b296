import fs from 'node:fs';

/**
 * What the in-process app logs while `during` runs: pino writes its lines to fd 1 with
 * fs.writeSync (sonic-boom, sync), caught here instead of printed. Start the app with
 * LOG_FORMAT=json and a LOG_LEVEL that lets the lines through.
 */
export async function captureLog(during: () => Promise<void>): Promise<string> {
  let out = '';
  const spy = jest.spyOn(fs, 'writeSync').mockImplementation((fd: number, data: string | NodeJS.ArrayBufferView) => {
    const text = typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString();
    if (fd === 1 || fd === 2) out += text;
    return Buffer.byteLength(text);
  });
  try {
    await during();
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    spy.mockRestore();
  }
  return out;
}
