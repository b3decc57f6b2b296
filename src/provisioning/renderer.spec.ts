import { existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { UserView } from '../users/user-view';
import type { PhoneLine } from './devices.service';
import { ProvisioningConfig } from './provisioning.config';
import { TemplateError, TemplateRenderer } from './renderer';
import { parseFileName, ProvFile, resolveFile, Vendor, VENDORS } from './vendors';

// Golden files: src/provisioning/golden/<vendor>/<file>. UPDATE_GOLDEN=1 rewrites them
// (then read the diff: it is what phones will get).
const GOLDEN = join(__dirname, 'golden');
const MAC = '805ec0a1b2c3';

const user = (u: Partial<UserView> & Pick<UserView, 'username' | 'domain' | 'type'>): UserView => ({
  user: `${u.username}@${u.domain}`,
  displayname: null,
  email: null,
  password: null,
  registrar: null,
  r_port: null,
  proxy: null,
  p_port: null,
  authid: null,
  dialplan: null,
  linetext: null,
  ...u,
});

const local = user({
  username: 'alice',
  domain: 'sip.example.com',
  type: 'local',
  displayname: 'Alice Liddell',
  linetext: 'Alice',
  password: 'alicepw1',
  dialplan: '(*xx|[2-9]xxxxxx|00x.)',
});
const remote = user({
  username: 'rem',
  domain: 'remote.example.net',
  type: 'remote',
  password: 'rempw2',
  registrar: 'reg.remote.example.net',
  r_port: 5070,
  proxy: 'proxy.remote.example.net',
  p_port: 5071,
  authid: 'remauth',
});
const LINES: PhoneLine[] = [
  { line: 1, user: local },
  { line: 2, user: remote },
];

const config = (over: Partial<ProvisioningConfig> = {}): ProvisioningConfig => ({
  sipServer: { host: '192.0.2.10', port: 5080 },
  templatesDir: undefined,
  rateLimitMax: 0,
  nonceTtlS: 300,
  ...over,
});

/** The files each vendor's phone asks for, by name. */
const FILES: Record<Vendor, string[]> = {
  yealink: [`${MAC}.cfg`],
  snom: [`${MAC.toUpperCase()}.xml`, `snomD785-${MAC.toUpperCase()}.htm`],
  grandstream: [`cfg${MAC}.xml`],
  polycom: [`${MAC}.cfg`, `${MAC}-lines.cfg`],
  fanvil: [`${MAC}.cfg`],
  cisco: [`${MAC}.xml`],
  baresip: [`${MAC}/accounts`],
  linphone: [`${MAC}/linphone.xml`],
};

/** Keys each vendor documents for a line (line 1 and 2), that the files must set. */
const KEYS: Record<Vendor, string[]> = {
  yealink: [
    'account.1.enable = 1',
    'account.1.user_name = alice',
    'account.1.auth_name = alice',
    'account.1.password = alicepw1',
    'account.1.display_name = Alice Liddell',
    'account.1.label = Alice',
    'account.1.sip_server.1.address = 192.0.2.10',
    'account.1.sip_server.1.port = 5080',
    'account.1.outbound_proxy_enable = 1',
    'account.1.outbound_proxy.1.address = 192.0.2.10',
    'account.2.user_name = rem',
    'account.2.auth_name = remauth',
    'account.2.display_name = rem',
    'account.2.label = rem',
    'account.2.sip_server.1.address = reg.remote.example.net',
    'account.2.sip_server.1.port = 5070',
    'account.2.outbound_proxy.1.address = proxy.remote.example.net',
    'account.2.outbound_proxy.1.port = 5071',
  ],
  snom: [
    '<user_active idx="1" perm="">on</user_active>',
    '<user_name idx="1" perm="">alice</user_name>',
    '<user_host idx="1" perm="">sip.example.com</user_host>',
    '<user_pass idx="1" perm="">alicepw1</user_pass>',
    '<user_realname idx="1" perm="">Alice Liddell</user_realname>',
    '<user_outbound idx="1" perm="">192.0.2.10:5080</user_outbound>',
    '<user_pname idx="2" perm="">remauth</user_pname>',
    '<user_outbound idx="2" perm="">proxy.remote.example.net:5071</user_outbound>',
    '<user_idle_text idx="1" perm="">Alice</user_idle_text>',
  ],
  grandstream: [
    '<P271>1</P271>',
    '<P47>192.0.2.10:5080</P47>',
    '<P35>alice</P35>',
    '<P36>alice</P36>',
    '<P34>alicepw1</P34>',
    '<P3>Alice Liddell</P3>',
    '<P270>Alice</P270>',
    '<P401>1</P401>',
    '<P402>reg.remote.example.net:5070</P402>',
    '<P403>proxy.remote.example.net:5071</P403>',
    '<P404>rem</P404>',
    '<P405>remauth</P405>',
    '<P406>rempw2</P406>',
    '<P407>rem</P407>',
    '<P417>rem</P417>',
  ],
  polycom: [
    'CONFIG_FILES="805ec0a1b2c3-lines.cfg"',
    'reg.1.address="alice@sip.example.com"',
    'reg.1.auth.userId="alice"',
    'reg.1.auth.password="alicepw1"',
    'reg.1.displayName="Alice Liddell"',
    'reg.1.label="Alice"',
    'reg.1.server.1.address="192.0.2.10"',
    'reg.1.server.1.port="5080"',
    'reg.1.outboundProxy.address="192.0.2.10"',
    'dialplan.1.digitmap="(*xx|[2-9]xxxxxx|00x.)"',
    'reg.2.auth.userId="remauth"',
    'reg.2.server.1.address="reg.remote.example.net"',
    'reg.2.server.1.port="5070"',
    'reg.2.outboundProxy.address="proxy.remote.example.net"',
  ],
  fanvil: [
    'SIP1 Phone Number       :alice',
    'SIP1 Register Addr      :192.0.2.10',
    'SIP1 Register Port      :5080',
    'SIP1 Register User      :alice',
    'SIP1 Register Pswd      :alicepw1',
    'SIP1 Display Name       :Alice Liddell',
    'SIP1 Enable Reg         :1',
    'SIP2 Register User      :remauth',
    'SIP2 Register Addr      :reg.remote.example.net',
    'SIP2 Proxy Addr         :proxy.remote.example.net',
    'SIP2 Proxy Port         :5071',
  ],
  cisco: [
    '<Line_Enable_1_>Yes</Line_Enable_1_>',
    '<User_ID_1_>alice</User_ID_1_>',
    '<Password_1_>alicepw1</Password_1_>',
    '<Auth_ID_1_>alice</Auth_ID_1_>',
    '<Display_Name_1_>Alice Liddell</Display_Name_1_>',
    '<Proxy_1_>sip.example.com</Proxy_1_>',
    '<Outbound_Proxy_1_>192.0.2.10:5080</Outbound_Proxy_1_>',
    '<Dial_Plan_1_>(*xx|[2-9]xxxxxx|00x.)</Dial_Plan_1_>',
    '<Auth_ID_2_>remauth</Auth_ID_2_>',
    '<Outbound_Proxy_2_>proxy.remote.example.net:5071</Outbound_Proxy_2_>',
  ],
  baresip: [
    '"Alice Liddell" <sip:alice@sip.example.com;transport=udp>;auth_user=alice;auth_pass=alicepw1;outbound="sip:192.0.2.10:5080;transport=udp"',
    '"rem" <sip:rem@remote.example.net;transport=udp>;auth_user=remauth;auth_pass=rempw2;outbound="sip:proxy.remote.example.net:5071;transport=udp"',
  ],
  linphone: [
    '<section name="proxy_0">',
    '<entry name="reg_identity" overwrite="true">"Alice Liddell" &lt;sip:alice@sip.example.com&gt;</entry>',
    '<entry name="reg_proxy" overwrite="true">&lt;sip:192.0.2.10:5080;transport=udp&gt;</entry>',
    '<section name="auth_info_1">',
    '<entry name="userid" overwrite="true">remauth</entry>',
    '<entry name="passwd" overwrite="true">rempw2</entry>',
  ],
};

function target(name: string, vendor: Vendor): ProvFile {
  const parsed = parseFileName(name);
  if (!parsed) throw new Error(`${name}: no vendor uses it`);
  if ('common' in parsed) return parsed.common;
  const file = resolveFile(parsed.candidates, vendor);
  if (!file) throw new Error(`${name}: not a ${vendor} file`);
  return file;
}

async function render(r: TemplateRenderer, vendor: Vendor, name: string, lines = LINES): Promise<{ file: ProvFile; text: string }> {
  const file = target(name, vendor);
  const text = await r.render(file, r.context({ mac: MAC, vendor, model: 'X1' }, lines, 'http://prov.example.com/prov'));
  return { file, text };
}

const isXml = (f: ProvFile) => f.contentType.startsWith('application/xml');

describe('provisioning templates', () => {
  const renderer = new TemplateRenderer(config());

  describe.each(VENDORS)('%s', (vendor) => {
    it.each(FILES[vendor])('%s matches its golden file, sets the documented keys, and is well-formed', async (name) => {
      const { file, text } = await render(renderer, vendor, name);
      const golden = join(GOLDEN, vendor, name.replace('/', '_'));
      if (process.env.UPDATE_GOLDEN === '1' || !existsSync(golden)) {
        mkdirSync(join(GOLDEN, vendor), { recursive: true });
        writeFileSync(golden, text);
      }
      expect(text).toBe(readFileSync(golden, 'utf8'));
      if (isXml(file)) expect(XMLValidator.validate(text)).toBe(true);
    });

    it('sets the documented keys of both lines', async () => {
      const all = (await Promise.all(FILES[vendor].map((n) => render(renderer, vendor, n)))).map((r) => r.text).join('\n');
      for (const key of KEYS[vendor]) expect([vendor, all.includes(key)]).toEqual([vendor, true]);
      expect(all).not.toContain('alicepw1alicepw1');
    });

    it('a hostile display name neither breaks the file nor injects a key', async () => {
      const hostile = 'Eve"\'<x>&amp;\r\naccount.9.password = pwned</user_realname><user_pass idx="1">x\n]]><!--';
      const evil = [{ line: 1, user: { ...local, displayname: hostile, linetext: hostile } }, LINES[1]];
      for (const name of FILES[vendor]) {
        const { file, text } = await render(renderer, vendor, name, evil);
        const clean = (await render(renderer, vendor, name)).text;
        expect(text.split('\n')).toHaveLength(clean.split('\n').length); // no line added
        expect(text).not.toMatch(/^\s*account\.9\.password/m);
        if (isXml(file)) {
          expect(XMLValidator.validate(text)).toBe(true);
          // The name is one text value, whole: parsing gives back what was given (minus what the format cannot hold).
          const parsed = JSON.stringify(new XMLParser({ ignoreAttributes: false, processEntities: true }).parse(text));
          expect(parsed).not.toContain('"user_pass":["x"');
        }
      }
    });
  });

  it('the dial plan goes to Cisco and Polycom only (the others take no digit map)', async () => {
    for (const vendor of VENDORS) {
      const all = (await Promise.all(FILES[vendor].map((n) => render(renderer, vendor, n)))).map((r) => r.text).join('\n');
      expect([vendor, all.includes('[2-9]xxxxxx')]).toEqual([vendor, vendor === 'cisco' || vendor === 'polycom']);
    }
  });

  it('without PROVISIONING_SIP_SERVER a local user registers at its domain on 5060', async () => {
    const { text } = await render(new TemplateRenderer(config({ sipServer: undefined })), 'yealink', `${MAC}.cfg`);
    expect(text).toContain('account.1.sip_server.1.address = sip.example.com');
    expect(text).toContain('account.1.sip_server.1.port = 5060');
    expect(text).toContain('account.1.outbound_proxy.1.address = sip.example.com');
  });

  it('a remote user without a proxy gets no outbound proxy; authid defaults to the username', async () => {
    const bare = { ...remote, proxy: null, p_port: null, authid: null, r_port: null };
    const { text } = await render(renderer, 'yealink', `${MAC}.cfg`, [{ line: 1, user: bare }]);
    expect(text).toContain('account.1.outbound_proxy_enable = 0');
    expect(text).toContain('account.1.auth_name = rem');
    expect(text).toContain('account.1.sip_server.1.port = 5060');
  });

  it('the Yealink common file carries no secret', async () => {
    const file = target('y000000000000.cfg', 'yealink');
    const text = await renderer.render(file, { prov_url: 'x' } as never);
    expect(text).toMatch(/^#!version:1\.0\.0\.1\n/);
    expect(text).not.toMatch(/password/);
  });

  describe('operator overrides (PROVISIONING_TEMPLATES_DIR)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kamprov-templates-'));
    mkdirSync(join(dir, 'yealink'));
    mkdirSync(join(dir, 'cisco'));
    writeFileSync(
      join(dir, 'yealink', 'phone.cfg'),
      '#!version:1.0.0.1\n{% for l in lines %}account.{{ l.index }}.user_name = {{ l.username }}\n{% endfor %}',
    );
    writeFileSync(join(dir, 'cisco', 'phone.xml'), '<flat-profile>{% if %}</flat-profile>');
    const overridden = new TemplateRenderer(config({ templatesDir: dir }));

    it('an operator template replaces the built-in one; the others stay', async () => {
      expect((await render(overridden, 'yealink', `${MAC}.cfg`)).text).toBe(
        '#!version:1.0.0.1\naccount.1.user_name = alice\naccount.2.user_name = rem\n',
      );
      expect((await render(overridden, 'snom', `${MAC}.xml`)).text).toBe((await render(renderer, 'snom', `${MAC}.xml`)).text);
    });

    it('a broken template is a TemplateError that says where', async () => {
      await expect(render(overridden, 'cisco', `${MAC}.xml`)).rejects.toThrow(TemplateError);
      await expect(render(overridden, 'cisco', `${MAC}.xml`)).rejects.toThrow(/cisco\/phone\.xml.*line:1/);
    });

    it('templates cannot read files outside the template directories, nor prototypes', async () => {
      writeFileSync(join(dir, 'yealink', 'phone.cfg'), "{% include '../../../../etc/passwd' %}");
      await expect(render(overridden, 'yealink', `${MAC}.cfg`)).rejects.toThrow(TemplateError);
      writeFileSync(join(dir, 'yealink', 'phone.cfg'), '{{ lines.constructor }}|{{ phone.__proto__ }}|{{ phone.mac.constructor.name }}|');
      expect((await render(overridden, 'yealink', `${MAC}.cfg`)).text).toBe('|||');
    });

    it('a runaway template is stopped by the render limit', async () => {
      writeFileSync(join(dir, 'yealink', 'phone.cfg'), '{% for a in (1..100000) %}{% for b in (1..100000) %}x{% endfor %}{% endfor %}');
      await expect(render(overridden, 'yealink', `${MAC}.cfg`)).rejects.toThrow(TemplateError);
    }, 20_000);
  });
});

describe('file names', () => {
  it('decides an ambiguous name by the vendor; a name of another vendor does not fit', () => {
    expect(target(`${MAC.toUpperCase()}.cfg`, 'yealink').template).toBe('yealink/phone.cfg');
    expect(target(`${MAC}.cfg`, 'polycom').template).toBe('polycom/master.cfg');
    expect(target(`${MAC}.xml`, 'cisco').template).toBe('cisco/phone.xml');
    expect(() => target(`${MAC}.xml`, 'yealink')).toThrow(/not a yealink file/);
    expect(() => target(`cfg${MAC}.xml`, 'snom')).toThrow(/not a snom file/);
    expect(parseFileName('../etc/passwd')).toBeUndefined();
    expect(parseFileName(`${MAC}.cfg.bak`)).toBeUndefined();
  });
});
