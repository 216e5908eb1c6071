import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config';

describe('configuration', () => {
  test('defaults serve on port 8080 with PGlite under ./data', () => {
    const c = loadConfig({});
    assert.equal(c.port, 8080);
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.dataDir, resolve('data'));
    assert.equal(c.databaseUrl, null);
    assert.equal(c.redisUrl, null);
    assert.equal(c.publicUrl, 'http://localhost:8080');
    assert.equal(c.workerId, 0);
  });

  test('values are parsed and the public URL follows the port', () => {
    const c = loadConfig({
      PORT: '9000',
      WORKER_ID: '33',
      TRUST_PROXY: 'yes',
      DATABASE_URL: 'postgres://u@h/db',
    });
    assert.equal(c.port, 9000);
    assert.equal(c.publicUrl, 'http://localhost:9000');
    assert.equal(c.workerId, 33);
    assert.equal(c.trustProxy, true);
    assert.equal(c.databaseUrl, 'postgres://u@h/db');
    assert.equal(
      loadConfig({ PUBLIC_URL: 'https://chat.example.org/' }).publicUrl,
      'https://chat.example.org',
    );
    const gateway = loadConfig({ PUBLIC_URL: 'https://chat.example.org', GATEWAY_SESSION_TTL: '30' });
    assert.equal(gateway.gatewayResumeUrl, 'wss://chat.example.org/gateway');
    assert.equal(gateway.gatewaySessionTtlSeconds, 30);
    assert.equal(
      loadConfig({ GATEWAY_RESUME_URL: 'ws://node-1.internal:8081' }).gatewayResumeUrl,
      'ws://node-1.internal:8081',
    );
  });

  test('a wrong value is one clear line naming the variable and what is allowed', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ PORT: 'eighty' }, /^PORT must be an integer from 0 to 65535 \(got "eighty"\)$/],
      [{ PORT: '70000' }, /^PORT must be/],
      [{ WORKER_ID: '1024' }, /^WORKER_ID must be an integer from 0 to 1023/],
      [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL must be a postgres:\/\/ URL/],
      [{ REDIS_URL: 'not a url' }, /^REDIS_URL must be a redis:\/\/ URL/],
      [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be fatal, error, warn, info, debug, trace, silent/],
      [{ SECRET_KEY: 'short' }, /^SECRET_KEY must be at least 32 characters/],
      [{ TRUST_PROXY: 'maybe' }, /^TRUST_PROXY must be true or false/],
      [{ GATEWAY_RESUME_URL: 'http://x' }, /^GATEWAY_RESUME_URL must be a ws:\/\/ or wss:\/\/ URL/],
      [{ GATEWAY_HEARTBEAT_INTERVAL: '5' }, /^GATEWAY_HEARTBEAT_INTERVAL must be milliseconds from 100/],
      [{ S3_BUCKET: 'Media_Files' }, /^S3_BUCKET must be a bucket name/],
      [{ S3_BUCKET: 'media', S3_ENDPOINT: 'ftp://x' }, /^S3_ENDPOINT must be an http:\/\/ or https:\/\/ URL/],
      [{ S3_BUCKET: 'media', S3_FORCE_PATH_STYLE: 'perhaps' }, /^S3_FORCE_PATH_STYLE must be true or false/],
      [{ S3_BUCKET: 'media', S3_REGION: 'Mars Base' }, /^S3_REGION must be a region name/],
      [{ S3_ENDPOINT: 'http://127.0.0.1:9000' }, /^S3_BUCKET must be set when S3_ENDPOINT/],
      [
        { S3_BUCKET: 'media', S3_ACCESS_KEY_ID: 'id' },
        /^S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together/,
      ],
    ];
    for (const [env, message] of cases) {
      assert.throws(
        () => loadConfig(env),
        (err: Error) =>
          err instanceof ConfigError && message.test(err.message) && !err.message.includes('\n'),
      );
    }
  });

  test('S3 media storage: off by default; path-style by default with an endpoint of its own', () => {
    assert.equal(loadConfig({}).s3Bucket, null);
    const minio = loadConfig({ S3_BUCKET: 'media', S3_ENDPOINT: 'http://127.0.0.1:9000/' });
    assert.equal(minio.s3Endpoint, 'http://127.0.0.1:9000');
    assert.equal(minio.s3ForcePathStyle, true);
    assert.equal(minio.s3Region, 'us-east-1');
    const aws = loadConfig({ S3_BUCKET: 'media', S3_REGION: 'eu-west-1' });
    assert.equal(aws.s3ForcePathStyle, false);
    assert.equal(aws.s3Region, 'eu-west-1');
  });

  test('CONFIG_FILE supplies values the environment does not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-config-'));
    try {
      const file = join(dir, 'hearth.json');
      writeFileSync(file, JSON.stringify({ PORT: 7000, LOG_LEVEL: 'debug' }));
      const c = loadConfig({ CONFIG_FILE: file, LOG_LEVEL: 'warn' });
      assert.equal(c.port, 7000);
      assert.equal(c.logLevel, 'warn');
      writeFileSync(file, '{ nope');
      assert.throws(() => loadConfig({ CONFIG_FILE: file }), /CONFIG_FILE .* cannot be read as JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
