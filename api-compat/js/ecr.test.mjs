// The AWS SDK for JavaScript v3 (@aws-sdk/client-ecr) against ecsbox: repositories, tags,
// repository and lifecycle policies, the authorization token, the paginators, images pushed
// through the layer upload API, and the modelled error classes with their name and HTTP status.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';

import {
  BatchCheckLayerAvailabilityCommand,
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  DeleteLifecyclePolicyCommand,
  DeleteRepositoryCommand,
  DeleteRepositoryPolicyCommand,
  DescribeImagesCommand,
  DescribeRegistryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  ECRServiceException,
  GetAuthorizationTokenCommand,
  GetDownloadUrlForLayerCommand,
  GetLifecyclePolicyCommand,
  GetRepositoryPolicyCommand,
  ImageAlreadyExistsException,
  ImageNotFoundException,
  ImageTagAlreadyExistsException,
  InitiateLayerUploadCommand,
  InvalidLayerPartException,
  InvalidParameterException,
  InvalidTagParameterException,
  LayersNotFoundException,
  LifecyclePolicyNotFoundException,
  ListImagesCommand,
  ListTagsForResourceCommand,
  PutImageCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  PutLifecyclePolicyCommand,
  RepositoryAlreadyExistsException,
  RepositoryNotEmptyException,
  RepositoryNotFoundException,
  RepositoryPolicyNotFoundException,
  SetRepositoryPolicyCommand,
  TagResourceCommand,
  TooManyTagsException,
  UntagResourceCommand,
  UploadLayerPartCommand,
  UploadNotFoundException,
  paginateDescribeImages,
  paginateDescribeRepositories,
  paginateListImages,
} from '@aws-sdk/client-ecr';

import { ACCOUNT_ID, clientConfig, startEcsbox } from './ecsbox.mjs';

const uid = (prefix) => `${prefix}-${randomUUID().slice(0, 8)}`;
const repositoryArn = (name, region = 'us-east-1') =>
  `arn:aws:ecr:${region}:${ACCOUNT_ID}:repository/${name}`;

const PULL_POLICY = {
  Version: '2012-10-17',
  Statement: [{
    Sid: 'AllowPull',
    Effect: 'Allow',
    Principal: '*',
    Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
  }],
};
const EXPIRE_UNTAGGED = {
  rules: [{
    rulePriority: 1,
    description: 'Expire untagged images older than 14 days',
    selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 },
    action: { type: 'expire' },
  }],
};

async function rejectsWith(promise, ErrorClass, name) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof ErrorClass, `expected ${ErrorClass.name}, got ${err?.name}: ${err?.message}`);
    assert.ok(err instanceof ECRServiceException);
    assert.equal(err.name, name);
    assert.equal(err.$fault, 'client');
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.match(err.$metadata.requestId ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(typeof err.message, 'string');
    return true;
  });
}

const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
const digestOf = (bytes) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

// A one-layer Docker schema 2 image of its own content: layer, config, manifest and digests.
function tinyImage(content) {
  const layer = gzipSync(Buffer.from(content));
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [digestOf(Buffer.from(content))] },
  }));
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: DOCKER_MANIFEST,
    config: { mediaType: DOCKER_CONFIG, size: config.length, digest: digestOf(config) },
    layers: [{ mediaType: DOCKER_LAYER, size: layer.length, digest: digestOf(layer) }],
  }, null, 3);
  return { layer, config, manifest, digest: digestOf(Buffer.from(manifest)) };
}

// InitiateLayerUpload, one UploadLayerPart, CompleteLayerUpload.
async function uploadBlob(repositoryName, bytes) {
  const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName }));
  const part = await ecr.send(new UploadLayerPartCommand({
    repositoryName, uploadId, partFirstByte: 0, partLastByte: bytes.length - 1, layerPartBlob: bytes,
  }));
  assert.equal(part.lastByteReceived, bytes.length - 1);
  const done = await ecr.send(new CompleteLayerUploadCommand({
    repositoryName, uploadId, layerDigests: [digestOf(bytes)],
  }));
  assert.equal(done.layerDigest, digestOf(bytes));
  return done.layerDigest;
}

async function pushImage(repositoryName, image, imageTag) {
  await uploadBlob(repositoryName, image.layer);
  await uploadBlob(repositoryName, image.config);
  const { image: put } = await ecr.send(new PutImageCommand({
    repositoryName, imageManifest: image.manifest, imageTag, imageManifestMediaType: DOCKER_MANIFEST,
  }));
  return put;
}

const tagsOf = async (client, name, region = 'us-east-1') => {
  const { tags } = await client.send(new ListTagsForResourceCommand({ resourceArn: repositoryArn(name, region) }));
  return Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
};

let server;
let ecr;
let ecrWest;
const made = [];  // [client, name] of every repository a test created, deleted at the end

async function createRepository(input, client = ecr) {
  const out = await client.send(new CreateRepositoryCommand(input));
  made.push([client, input.repositoryName]);
  return out.repository;
}

before(async () => {
  server = await startEcsbox();
  ecr = new ECRClient(clientConfig(server));
  ecrWest = new ECRClient(clientConfig(server, 'us-west-2'));
});

after(async () => {
  for (const [client, repositoryName] of made) {
    await client.send(new DeleteRepositoryCommand({ repositoryName, force: true })).catch((err) => {
      if (!(err instanceof RepositoryNotFoundException)) throw err;
    });
  }
  ecr?.destroy();
  ecrWest?.destroy();
  await server?.stop();
});

describe('repositories', () => {
  test('create with defaults, describe, delete', async () => {
    const name = uid('js-repo');
    const started = Date.now();
    const created = await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    assert.equal(created.$metadata.httpStatusCode, 200);
    const repo = created.repository;
    assert.equal(repo.repositoryName, name);
    assert.equal(repo.repositoryArn, repositoryArn(name));
    assert.equal(repo.registryId, ACCOUNT_ID);
    assert.match(repo.repositoryUri, new RegExp(`^[^/]+/${name}$`));
    assert.ok(repo.createdAt instanceof Date);
    assert.ok(Math.abs(repo.createdAt.getTime() - started) < 10000, repo.createdAt.toISOString());
    assert.equal(repo.imageTagMutability, 'MUTABLE');
    assert.deepEqual(repo.imageScanningConfiguration, { scanOnPush: false });
    assert.deepEqual(repo.encryptionConfiguration, { encryptionType: 'AES256' });

    const described = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
    assert.deepEqual(described.repositories, [repo]);

    const deleted = await ecr.send(new DeleteRepositoryCommand({ repositoryName: name }));
    assert.deepEqual(deleted.repository, repo);
    await rejectsWith(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] })),
      RepositoryNotFoundException, 'RepositoryNotFoundException');
    await rejectsWith(ecr.send(new DeleteRepositoryCommand({ repositoryName: name })),
      RepositoryNotFoundException, 'RepositoryNotFoundException');
  });

  test('create with settings; change mutability and scanning', async () => {
    const name = uid('js-team/settings');
    const repo = await createRepository({
      repositoryName: name,
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      tags: [{ Key: 'team', Value: 'js' }],
    });
    assert.equal(repo.imageTagMutability, 'IMMUTABLE');
    assert.deepEqual(repo.imageScanningConfiguration, { scanOnPush: true });

    const mutability = await ecr.send(new PutImageTagMutabilityCommand({
      repositoryName: name, imageTagMutability: 'MUTABLE',
    }));
    assert.deepEqual([mutability.registryId, mutability.repositoryName, mutability.imageTagMutability],
      [ACCOUNT_ID, name, 'MUTABLE']);
    const scanning = await ecr.send(new PutImageScanningConfigurationCommand({
      repositoryName: name, imageScanningConfiguration: { scanOnPush: false },
    }));
    assert.deepEqual(scanning.imageScanningConfiguration, { scanOnPush: false });

    const { repositories: [now] } = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
    assert.equal(now.imageTagMutability, 'MUTABLE');
    assert.deepEqual(now.imageScanningConfiguration, { scanOnPush: false });
  });

  test('RepositoryAlreadyExistsException', async () => {
    const name = uid('js-dup');
    await createRepository({ repositoryName: name });
    await rejectsWith(ecr.send(new CreateRepositoryCommand({ repositoryName: name })),
      RepositoryAlreadyExistsException, 'RepositoryAlreadyExistsException');
  });

  test('InvalidParameterException for a bad name', async () => {
    await rejectsWith(ecr.send(new CreateRepositoryCommand({ repositoryName: 'Upper/Case' })),
      InvalidParameterException, 'InvalidParameterException');
  });

  test('paginateDescribeRepositories with pageSize 2', async () => {
    // A region of its own, so the walk sees exactly this test's repositories.
    const client = new ECRClient(clientConfig(server, 'sa-east-1'));
    const names = [];
    try {
      for (let i = 0; i < 5; i += 1) {
        const name = uid('js-page');
        await client.send(new CreateRepositoryCommand({ repositoryName: name }));
        names.push(name);
      }
      const pageSizes = [];
      const got = [];
      for await (const page of paginateDescribeRepositories({ client, pageSize: 2 }, {})) {
        pageSizes.push(page.repositories.length);
        got.push(...page.repositories.map((r) => r.repositoryName));
      }
      assert.deepEqual(pageSizes, [2, 2, 1]);
      assert.deepEqual([...got].sort(), [...names].sort());
    } finally {
      for (const repositoryName of names) {
        await client.send(new DeleteRepositoryCommand({ repositoryName }));
      }
      client.destroy();
    }
  });

  test('regions are separate', async () => {
    const name = uid('js-west');
    const west = await createRepository({ repositoryName: name }, ecrWest);
    assert.equal(west.repositoryArn, repositoryArn(name, 'us-west-2'));
    await rejectsWith(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] })),
      RepositoryNotFoundException, 'RepositoryNotFoundException');
    const east = await createRepository({ repositoryName: name });
    assert.equal(east.repositoryArn, repositoryArn(name));
  });
});

describe('tags', () => {
  test('tag, list, untag', async () => {
    const name = uid('js-tags');
    await createRepository({ repositoryName: name, tags: [{ Key: 'a', Value: '1' }] });
    const resourceArn = repositoryArn(name);
    await ecr.send(new TagResourceCommand({
      resourceArn, tags: [{ Key: 'b', Value: '2' }, { Key: 'a', Value: 'one' }],
    }));
    assert.deepEqual(await tagsOf(ecr, name), { a: 'one', b: '2' });
    await ecr.send(new UntagResourceCommand({ resourceArn, tagKeys: ['a', 'never-set'] }));
    const { tags } = await ecr.send(new ListTagsForResourceCommand({ resourceArn }));
    assert.deepEqual(tags, [{ Key: 'b', Value: '2' }]);
  });

  test('InvalidTagParameterException and TooManyTagsException', async () => {
    const name = uid('js-badtags');
    await createRepository({ repositoryName: name });
    const resourceArn = repositoryArn(name);
    await rejectsWith(ecr.send(new TagResourceCommand({ resourceArn, tags: [{ Key: 'aws:x', Value: 'v' }] })),
      InvalidTagParameterException, 'InvalidTagParameterException');
    await rejectsWith(ecr.send(new TagResourceCommand({ resourceArn, tags: [{ Key: 'k'.repeat(129), Value: 'v' }] })),
      InvalidTagParameterException, 'InvalidTagParameterException');
    const many = Array.from({ length: 51 }, (_, i) => ({ Key: `t${i}`, Value: 'v' }));
    await rejectsWith(ecr.send(new TagResourceCommand({ resourceArn, tags: many })),
      TooManyTagsException, 'TooManyTagsException');
    assert.deepEqual(await tagsOf(ecr, name), {});
  });

  test('RepositoryNotFoundException and InvalidParameterException for ARNs', async () => {
    await rejectsWith(ecr.send(new ListTagsForResourceCommand({ resourceArn: repositoryArn(uid('js-none')) })),
      RepositoryNotFoundException, 'RepositoryNotFoundException');
    await rejectsWith(ecr.send(new ListTagsForResourceCommand({ resourceArn: 'not-an-arn' })),
      InvalidParameterException, 'InvalidParameterException');
  });
});

describe('policies', () => {
  test('repository policy: set, get, delete', async () => {
    const name = uid('js-policy');
    await createRepository({ repositoryName: name });
    await rejectsWith(ecr.send(new GetRepositoryPolicyCommand({ repositoryName: name })),
      RepositoryPolicyNotFoundException, 'RepositoryPolicyNotFoundException');
    const set = await ecr.send(new SetRepositoryPolicyCommand({
      repositoryName: name, policyText: JSON.stringify(PULL_POLICY),
    }));
    assert.deepEqual([set.registryId, set.repositoryName], [ACCOUNT_ID, name]);
    assert.deepEqual(JSON.parse(set.policyText), PULL_POLICY);
    const got = await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: name }));
    assert.deepEqual(JSON.parse(got.policyText), PULL_POLICY);
    const deleted = await ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: name }));
    assert.deepEqual(JSON.parse(deleted.policyText), PULL_POLICY);
    await rejectsWith(ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: name })),
      RepositoryPolicyNotFoundException, 'RepositoryPolicyNotFoundException');
    await rejectsWith(ecr.send(new SetRepositoryPolicyCommand({ repositoryName: name, policyText: '{"nope": 1}' })),
      InvalidParameterException, 'InvalidParameterException');
  });

  test('lifecycle policy: put, get, delete', async () => {
    const name = uid('js-lifecycle');
    await createRepository({ repositoryName: name });
    await rejectsWith(ecr.send(new GetLifecyclePolicyCommand({ repositoryName: name })),
      LifecyclePolicyNotFoundException, 'LifecyclePolicyNotFoundException');
    const put = await ecr.send(new PutLifecyclePolicyCommand({
      repositoryName: name, lifecyclePolicyText: JSON.stringify(EXPIRE_UNTAGGED),
    }));
    assert.deepEqual([put.registryId, put.repositoryName], [ACCOUNT_ID, name]);
    assert.deepEqual(JSON.parse(put.lifecyclePolicyText), EXPIRE_UNTAGGED);
    const got = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: name }));
    assert.deepEqual(JSON.parse(got.lifecyclePolicyText), EXPIRE_UNTAGGED);
    assert.ok(got.lastEvaluatedAt instanceof Date);
    const deleted = await ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName: name }));
    assert.deepEqual(JSON.parse(deleted.lifecyclePolicyText), EXPIRE_UNTAGGED);
    await rejectsWith(ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName: name })),
      LifecyclePolicyNotFoundException, 'LifecyclePolicyNotFoundException');

    const bad = { rules: [{ ...EXPIRE_UNTAGGED.rules[0], selection: { tagStatus: 'sometimes' } }] };
    await rejectsWith(ecr.send(new PutLifecyclePolicyCommand({
      repositoryName: name, lifecyclePolicyText: JSON.stringify(bad),
    })), InvalidParameterException, 'InvalidParameterException');
  });

  test('policies of a missing repository', async () => {
    const repositoryName = uid('js-missing');
    await rejectsWith(ecr.send(new GetRepositoryPolicyCommand({ repositoryName })),
      RepositoryNotFoundException, 'RepositoryNotFoundException');
    await rejectsWith(ecr.send(new PutLifecyclePolicyCommand({
      repositoryName, lifecyclePolicyText: JSON.stringify(EXPIRE_UNTAGGED),
    })), RepositoryNotFoundException, 'RepositoryNotFoundException');
  });
});

describe('registry and authorization', () => {
  test('GetAuthorizationToken decodes to AWS:<token>, valid 12 hours', async () => {
    const started = Date.now();
    const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
    assert.equal(authorizationData.length, 1);
    const [data] = authorizationData;
    const decoded = Buffer.from(data.authorizationToken, 'base64').toString('utf8');
    assert.match(decoded, /^AWS:\S+$/);
    assert.ok(data.expiresAt instanceof Date);
    const twelveHours = 12 * 3600 * 1000;
    assert.ok(Math.abs(data.expiresAt.getTime() - (started + twelveHours)) < 10000,
      data.expiresAt.toISOString());
    assert.match(data.proxyEndpoint, /^https?:\/\/[^/]+$/);
    // docker login: GET /v2/ at the proxy endpoint with the token as HTTP Basic credentials.
    const login = await fetch(`${data.proxyEndpoint}/v2/`, {
      headers: { Authorization: `Basic ${data.authorizationToken}` },
    });
    assert.equal(login.status, 200);
    const anonymous = await fetch(`${data.proxyEndpoint}/v2/`);
    assert.equal(anonymous.status, 401);
  });

  test('DescribeRegistry', async () => {
    const out = await ecr.send(new DescribeRegistryCommand({}));
    assert.equal(out.registryId, ACCOUNT_ID);
    assert.deepEqual(out.replicationConfiguration, { rules: [] });
  });
});

describe('images', () => {
  test('push through the layer API, describe, list, get, delete', async () => {
    const repositoryName = uid('js-images');
    await createRepository({ repositoryName });
    const image = tinyImage(`js ${repositoryName}`);
    const before = await ecr.send(new BatchCheckLayerAvailabilityCommand({
      repositoryName, layerDigests: [digestOf(image.layer)],
    }));
    assert.equal(before.layers[0].layerAvailability, 'UNAVAILABLE');

    const put = await pushImage(repositoryName, image, 'v1');
    assert.deepEqual(put.imageId, { imageDigest: image.digest, imageTag: 'v1' });
    assert.equal(put.imageManifest, image.manifest);
    assert.equal(put.imageManifestMediaType, DOCKER_MANIFEST);

    const after = await ecr.send(new BatchCheckLayerAvailabilityCommand({
      repositoryName, layerDigests: [digestOf(image.layer)],
    }));
    assert.deepEqual(after.layers, [{
      layerDigest: digestOf(image.layer), layerAvailability: 'AVAILABLE', layerSize: image.layer.length,
    }]);
    const url = await ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName, layerDigest: digestOf(image.layer) }));
    assert.equal(url.layerDigest, digestOf(image.layer));
    assert.match(url.downloadUrl, /^https?:\/\//);

    const { imageDetails: [detail] } = await ecr.send(new DescribeImagesCommand({
      repositoryName, imageIds: [{ imageTag: 'v1' }],
    }));
    assert.equal(detail.imageDigest, image.digest);
    assert.deepEqual(detail.imageTags, ['v1']);
    assert.ok(detail.imagePushedAt instanceof Date);
    assert.equal(typeof detail.imageSizeInBytes, 'number');
    assert.equal(detail.imageManifestMediaType, DOCKER_MANIFEST);

    const { imageIds } = await ecr.send(new ListImagesCommand({ repositoryName }));
    assert.deepEqual(imageIds, [{ imageDigest: image.digest, imageTag: 'v1' }]);
    const got = await ecr.send(new BatchGetImageCommand({
      repositoryName, imageIds: [{ imageTag: 'v1' }, { imageTag: 'missing' }],
    }));
    assert.deepEqual(got.images.map((i) => i.imageManifest), [image.manifest]);
    assert.deepEqual(got.failures.map((f) => [f.imageId, f.failureCode]), [[{ imageTag: 'missing' }, 'ImageNotFound']]);

    await rejectsWith(ecr.send(new DeleteRepositoryCommand({ repositoryName })),
      RepositoryNotEmptyException, 'RepositoryNotEmptyException');
    const deleted = await ecr.send(new BatchDeleteImageCommand({ repositoryName, imageIds: [{ imageDigest: image.digest }] }));
    assert.deepEqual(deleted.imageIds, [{ imageDigest: image.digest, imageTag: 'v1' }]);
    assert.deepEqual(deleted.failures, []);
    await ecr.send(new DeleteRepositoryCommand({ repositoryName }));
  });

  test('paginateDescribeImages and paginateListImages with pageSize 2', async () => {
    const repositoryName = uid('js-image-pages');
    await createRepository({ repositoryName });
    const digests = [];
    for (let i = 0; i < 3; i += 1) {
      const image = tinyImage(`js page ${i} ${repositoryName}`);
      await pushImage(repositoryName, image, `t${i}`);
      digests.push(image.digest);
    }
    const described = [];
    for await (const page of paginateDescribeImages({ client: ecr, pageSize: 2 }, { repositoryName })) {
      assert.ok(page.imageDetails.length <= 2);
      described.push(...page.imageDetails.map((d) => d.imageDigest));
    }
    assert.deepEqual([...described].sort(), [...digests].sort());
    const listed = [];
    for await (const page of paginateListImages({ client: ecr, pageSize: 2 }, { repositoryName })) {
      assert.ok(page.imageIds.length <= 2);
      listed.push(...page.imageIds.map((i) => i.imageTag));
    }
    assert.deepEqual([...listed].sort(), ['t0', 't1', 't2']);
  });

  test('PutImage errors', async () => {
    const repositoryName = uid('js-put-errors');
    await createRepository({ repositoryName, imageTagMutability: 'IMMUTABLE' });
    const image = tinyImage(`js errors ${repositoryName}`);
    await rejectsWith(ecr.send(new PutImageCommand({ repositoryName, imageManifest: image.manifest, imageTag: 'v1' })),
      LayersNotFoundException, 'LayersNotFoundException');
    await pushImage(repositoryName, image, 'v1');
    await rejectsWith(ecr.send(new PutImageCommand({ repositoryName, imageManifest: image.manifest, imageTag: 'v1' })),
      ImageAlreadyExistsException, 'ImageAlreadyExistsException');
    const other = tinyImage(`js other ${repositoryName}`);
    await uploadBlob(repositoryName, other.layer);
    await uploadBlob(repositoryName, other.config);
    await rejectsWith(ecr.send(new PutImageCommand({ repositoryName, imageManifest: other.manifest, imageTag: 'v1' })),
      ImageTagAlreadyExistsException, 'ImageTagAlreadyExistsException');
    await rejectsWith(ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [{ imageTag: 'v9' }] })),
      ImageNotFoundException, 'ImageNotFoundException');
  });

  test('layer upload errors', async () => {
    const repositoryName = uid('js-upload-errors');
    await createRepository({ repositoryName });
    await rejectsWith(ecr.send(new UploadLayerPartCommand({
      repositoryName, uploadId: randomUUID(), partFirstByte: 0, partLastByte: 2, layerPartBlob: Buffer.from('abc'),
    })), UploadNotFoundException, 'UploadNotFoundException');
    const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName }));
    await ecr.send(new UploadLayerPartCommand({
      repositoryName, uploadId, partFirstByte: 0, partLastByte: 2, layerPartBlob: Buffer.from('abc'),
    }));
    await assert.rejects(ecr.send(new UploadLayerPartCommand({
      repositoryName, uploadId, partFirstByte: 7, partLastByte: 9, layerPartBlob: Buffer.from('def'),
    })), (err) => {
      assert.ok(err instanceof InvalidLayerPartException, `got ${err?.name}`);
      assert.equal(err.$metadata.httpStatusCode, 400);
      assert.equal(err.uploadId, uploadId);
      assert.equal(err.lastValidByteReceived, 2);
      return true;
    });
  });
});

test('server stayed up', () => {
  assert.ok(server.alive(), server.log());
});
