// infra/deploy-console.sh against a stand-in `aws` (no account needed): what
// it uploads, and that the page's Content-Security-Policy names the stack's
// origins exactly.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const API = 'https://a1b2c3d4e5.execute-api.ap-southeast-3.amazonaws.com';
const LOGIN = 'https://bukittinggi.auth.ap-southeast-3.amazoncognito.com';
const MEDIA = 'https://bukittinggi-mediabucket-1x2y3z.s3.ap-southeast-3.amazonaws.com';

/** Runs the script with an `aws` that answers like a stack and keeps what was uploaded. */
function deploy(env = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aduan-deploy-'));
  const uploads = path.join(dir, 'uploads');
  fs.mkdirSync(uploads);
  const outputs = {
    OfficialsApiUrl: API, ConsoleBucketName: 'console-bucket', ConsoleDistributionId: 'E123',
    MediaOrigin: MEDIA, OfficialsLoginUrl: LOGIN, OfficialsUserPoolClientId: 'client-1',
  };
  const answers = Object.entries(outputs).map(([key, value]) => `*"OutputKey=='${key}'"*) echo '${value}' ;;`).join('\n    ');
  fs.writeFileSync(path.join(dir, 'aws'), `#!/usr/bin/env bash
case "$*" in
  "cloudformation describe-stacks"*)
    case "$*" in
    ${answers}
    *"ParameterKey=='OfficialsSignInOrigin'"*) echo 'https://login.example.go.id' ;;
    *) echo None ;;
    esac ;;
  "s3 cp "*) cp "$3" "${uploads}/$(basename "$4")" ;;
  "s3 sync "*|"cloudfront create-invalidation"*) ;;
  *) echo "unexpected: aws $*" >&2; exit 1 ;;
esac
`, { mode: 0o755 });
  const run = spawnSync('bash', [path.join(root, 'infra/deploy-console.sh'), 'bukittinggi'], {
    env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, ...env }, encoding: 'utf8',
  });
  const read = (name) => (fs.existsSync(path.join(uploads, name)) ? fs.readFileSync(path.join(uploads, name), 'utf8') : null);
  const result = { status: run.status, stderr: run.stderr, index: read('index.html'), config: read('config.js') };
  fs.rmSync(dir, { recursive: true, force: true });
  return result;
}

const policyOf = (page) => page.match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)"/)[1];

test('the uploaded page\'s policy names the stack\'s API, hosted UI and media bucket', () => {
  const { status, stderr, index, config } = deploy();
  assert.equal(status, 0, stderr);
  const template = policyOf(fs.readFileSync(path.join(root, 'console/index.html'), 'utf8'));
  const expected = template.replaceAll('${Api}', API).replaceAll('${Login}', LOGIN).replaceAll('${Media}', MEDIA);
  assert.equal(policyOf(index), expected);
  assert.ok(!index.includes('${'), index);
  assert.match(policyOf(index), new RegExp(`connect-src ${API} ${LOGIN};`));
  assert.match(config, new RegExp(`"authUrl":"${LOGIN}"`));
});

test('an existing issuer\'s sign-in pages must be on the stack\'s OfficialsSignInOrigin', () => {
  const elsewhere = deploy({ ADUAN_AUTH_URL: 'https://other.example.go.id/auth', ADUAN_CLIENT_ID: 'c' });
  assert.equal(elsewhere.status, 1);
  assert.match(elsewhere.stderr, /OfficialsSignInOrigin/);
  assert.equal(elsewhere.index, null, 'nothing uploaded');

  const allowed = deploy({ ADUAN_AUTH_URL: 'https://login.example.go.id/auth', ADUAN_CLIENT_ID: 'c' });
  assert.equal(allowed.status, 0, allowed.stderr);
  assert.match(policyOf(allowed.index), /connect-src \S+ https:\/\/login\.example\.go\.id;/);
});
