/**
 * The real EC2 and SSM clients, bundled like a Lambda with the deployment's plugins file, talk to a local
 * HTTP server in a plain `node` process: the trimmed schemas still serialize the request (EC2 query names),
 * parse the response (XML names), and name the errors Cordon tells apart (`InvalidInstanceID.NotFound`, and
 * `ParameterNotFound`, which SSM's schema module registers as a side effect).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugins from '../../bundling/plugins.mjs';

const FUNCTIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);

const ENTRY = `
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';

const config = (endpoint) => ({
  region: 'us-east-1',
  endpoint,
  maxAttempts: 1,
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
});
const { $metadata: _m, ...described } = await new EC2Client(config(process.env.ENDPOINT)).send(
  new DescribeInstancesCommand({ InstanceIds: ['i-0abc'] }),
);
const failure = (error) => ({ name: error.name, status: error.$metadata?.httpStatusCode });
const missingInstance = await new EC2Client(config(process.env.ENDPOINT))
  .send(new DescribeInstancesCommand({ InstanceIds: ['i-missing'] }))
  .then(() => 'no error', failure);
const missingParameter = await new SSMClient(config(process.env.ENDPOINT))
  .send(new GetParameterCommand({ Name: '/cordon/test/missing' }))
  .then(() => 'no error', (error) => ({ ...failure(error), registered: error instanceof ParameterNotFound }));
process.stdout.write(JSON.stringify({ described, missingInstance, missingParameter }));
`;

const DESCRIBE_INSTANCES = `<?xml version="1.0" encoding="UTF-8"?>
<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>8f7724cf-496f-496e-8fe3-000000000000</requestId>
  <reservationSet>
    <item>
      <reservationId>r-1234567890abcdef0</reservationId>
      <ownerId>123456789012</ownerId>
      <instancesSet>
        <item>
          <instanceId>i-0abc</instanceId>
          <instanceState><code>16</code><name>running</name></instanceState>
          <instanceType>t3.micro</instanceType>
          <launchTime>2024-01-02T03:04:05.000Z</launchTime>
          <vpcId>vpc-1</vpcId>
          <iamInstanceProfile><arn>arn:aws:iam::123456789012:instance-profile/web</arn><id>AIPAEXAMPLE</id></iamInstanceProfile>
          <groupSet><item><groupId>sg-1</groupId><groupName>web</groupName></item></groupSet>
          <networkInterfaceSet>
            <item>
              <networkInterfaceId>eni-1</networkInterfaceId>
              <groupSet><item><groupId>sg-1</groupId><groupName>web</groupName></item></groupSet>
            </item>
          </networkInterfaceSet>
          <blockDeviceMapping>
            <item><deviceName>/dev/xvda</deviceName><ebs><volumeId>vol-1</volumeId><status>attached</status><deleteOnTermination>true</deleteOnTermination></ebs></item>
          </blockDeviceMapping>
          <tagSet><item><key>Name</key><value>web-1</value></item></tagSet>
        </item>
      </instancesSet>
    </item>
  </reservationSet>
</DescribeInstancesResponse>`;

const INSTANCE_NOT_FOUND = `<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>InvalidInstanceID.NotFound</Code><Message>The instance ID 'i-missing' does not exist</Message></Error></Errors><RequestID>ea966190-f9aa-478e-9ede-000000000000</RequestID></Response>`;

interface Received {
  readonly target: string | undefined;
  readonly body: string;
}

let server: Server;
let endpoint: string;
let outdir: string;
const received: Received[] = [];

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  outdir = mkdtempSync(join(tmpdir(), 'cordon-sdk-e2e-'));
  server = createServer(async (request, response) => {
    const body = await bodyOf(request);
    const target = request.headers['x-amz-target'] as string | undefined;
    received.push({ target, body });
    if (target === 'AmazonSSM.GetParameter') {
      response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify({ __type: 'ParameterNotFound', message: 'Parameter not found.' }));
    } else if (body.includes('i-missing')) {
      response.writeHead(400, { 'content-type': 'text/xml' });
      response.end(INSTANCE_NOT_FOUND);
    } else {
      response.writeHead(200, { 'content-type': 'text/xml' });
      response.end(DESCRIBE_INSTANCES);
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((done) => server.close(done));
  rmSync(outdir, { recursive: true, force: true });
});

describe('the EC2 and SSM clients bundled with the deployment plugins', () => {
  let metafile: Metafile;
  let outfile: string;

  beforeAll(async () => {
    outfile = join(outdir, 'entry.mjs');
    const result = await build({
      stdin: { contents: ENTRY, resolveDir: FUNCTIONS_DIR, loader: 'js' },
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node24',
      mainFields: ['module', 'main'],
      minify: true,
      banner: {
        js: "import { createRequire as __cordonCreateRequire } from 'node:module'; const require = __cordonCreateRequire(import.meta.url);",
      },
      outfile,
      metafile: true,
      logLevel: 'silent',
      plugins,
    });
    metafile = result.metafile;
  });

  it('send, parse and name errors as the full schemas would', async () => {
    const child = await run(
      process.execPath,
      ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(outfile).href)});`],
      { env: { PATH: process.env.PATH ?? '', ENDPOINT: endpoint }, timeout: 15_000 },
    );
    const result = JSON.parse(child.stdout);

    expect(received[0]?.body).toContain('Action=DescribeInstances');
    expect(received[0]?.body).toContain('InstanceId.1=i-0abc');
    expect(received.at(-1)).toEqual({
      target: 'AmazonSSM.GetParameter',
      body: JSON.stringify({ Name: '/cordon/test/missing' }),
    });
    expect(result.described).toEqual({
      Reservations: [
        {
          ReservationId: 'r-1234567890abcdef0',
          OwnerId: '123456789012',
          Instances: [
            {
              InstanceId: 'i-0abc',
              State: { Code: 16, Name: 'running' },
              InstanceType: 't3.micro',
              LaunchTime: '2024-01-02T03:04:05.000Z',
              VpcId: 'vpc-1',
              IamInstanceProfile: {
                Arn: 'arn:aws:iam::123456789012:instance-profile/web',
                Id: 'AIPAEXAMPLE',
              },
              SecurityGroups: [{ GroupId: 'sg-1', GroupName: 'web' }],
              NetworkInterfaces: [
                { NetworkInterfaceId: 'eni-1', Groups: [{ GroupId: 'sg-1', GroupName: 'web' }] },
              ],
              BlockDeviceMappings: [
                {
                  DeviceName: '/dev/xvda',
                  Ebs: { VolumeId: 'vol-1', Status: 'attached', DeleteOnTermination: true },
                },
              ],
              Tags: [{ Key: 'Name', Value: 'web-1' }],
            },
          ],
        },
      ],
    });
    expect(result.missingInstance).toEqual({ name: 'InvalidInstanceID.NotFound', status: 400 });
    expect(result.missingParameter).toEqual({ name: 'ParameterNotFound', status: 400, registered: true });
  });

  it('carry less than 100 KiB of the EC2 schema module', () => {
    const inputs = Object.values(metafile.outputs).flatMap((output) => Object.entries(output.inputs));
    const ec2Schemas = inputs.filter(([path]) => /client-ec2\/dist-es\/schemas\/schemas_0\.js$/.test(path));

    expect(ec2Schemas).toHaveLength(1);
    expect(ec2Schemas[0]?.[1].bytesInOutput).toBeLessThan(100 * 1024);
  });
});
