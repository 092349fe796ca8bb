// The AWS SDK for JavaScript v3 (@aws-sdk/client-ecs) against ecsbox: clusters, task definitions
// (with the fixtures), tags, account settings, modelled error classes, and paginators.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  ClientException,
  ClusterNotFoundException,
  CreateClusterCommand,
  CreateTaskSetCommand,
  DeleteAccountSettingCommand,
  DeleteClusterCommand,
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ECSServiceException,
  InvalidParameterException,
  ListAccountSettingsCommand,
  ListClustersCommand,
  ListTagsForResourceCommand,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  PutAccountSettingCommand,
  PutAccountSettingDefaultCommand,
  PutClusterCapacityProvidersCommand,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateClusterSettingsCommand,
  paginateListClusters,
  paginateListTaskDefinitionFamilies,
  paginateListTaskDefinitions,
} from '@aws-sdk/client-ecs';

import { ACCOUNT_ID, clientConfig, repoRoot, startEcsbox } from './ecsbox.mjs';

const fixture = (name) => JSON.parse(
  readFileSync(path.join(repoRoot, 'fixtures', 'task-definitions', name), 'utf8'));
const uid = (prefix) => `${prefix}-${randomUUID().slice(0, 8)}`;
const clusterArn = (name, region = 'us-east-1') =>
  `arn:aws:ecs:${region}:${ACCOUNT_ID}:cluster/${name}`;
const tdArn = (family, rev) =>
  `arn:aws:ecs:us-east-1:${ACCOUNT_ID}:task-definition/${family}:${rev}`;
const container = () => [{ name: 'c', image: 'busybox', memory: 32 }];

// Is `expected` contained in `actual`? Objects may gain keys; arrays match element by element.
function assertDeepSubset(expected, actual, where = '$') {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${where}: expected an array, got ${JSON.stringify(actual)}`);
    assert.equal(actual.length, expected.length, `${where}: length`);
    expected.forEach((e, i) => assertDeepSubset(e, actual[i], `${where}[${i}]`));
  } else if (expected !== null && typeof expected === 'object') {
    assert.ok(actual !== null && typeof actual === 'object', `${where}: expected an object`);
    for (const [k, v] of Object.entries(expected)) {
      assert.ok(k in actual, `${where}.${k}: missing`);
      assertDeepSubset(v, actual[k], `${where}.${k}`);
    }
  } else {
    assert.equal(actual, expected, where);
  }
}

async function rejectsWith(promise, ErrorClass, name) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof ErrorClass, `expected ${ErrorClass.name}, got ${err?.name}: ${err?.message}`);
    assert.ok(err instanceof ECSServiceException);
    assert.equal(err.name, name);
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.match(err.$metadata.requestId ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(typeof err.message, 'string');
    return true;
  });
}

let server;
let ecs;
let ecsEu;

before(async () => {
  server = await startEcsbox();
  ecs = new ECSClient(clientConfig(server));
  ecsEu = new ECSClient(clientConfig(server, 'eu-west-1'));
});

after(async () => {
  ecs?.destroy();
  ecsEu?.destroy();
  await server?.stop();
});

describe('clusters', () => {
  test('create, describe with include, list, delete', async () => {
    const name = uid('js-cluster');
    const tags = [{ key: 'sdk', value: 'js-v3' }];
    const created = await ecs.send(new CreateClusterCommand({ clusterName: name, tags }));
    assert.equal(created.$metadata.httpStatusCode, 200);
    assert.equal(created.cluster.clusterArn, clusterArn(name));
    assert.equal(created.cluster.status, 'ACTIVE');

    const described = await ecs.send(new DescribeClustersCommand({
      clusters: [name, 'js-missing-cluster'],
      include: ['TAGS', 'SETTINGS', 'STATISTICS', 'CONFIGURATIONS'],
    }));
    assert.equal(described.clusters.length, 1);
    assert.deepEqual(described.clusters[0].tags, tags);
    assert.ok(Array.isArray(described.clusters[0].statistics));
    assert.deepEqual(described.failures, [
      { arn: clusterArn('js-missing-cluster'), reason: 'MISSING' },
    ]);

    const listed = await ecs.send(new ListClustersCommand({}));
    assert.ok(listed.clusterArns.includes(clusterArn(name)));

    const deleted = await ecs.send(new DeleteClusterCommand({ cluster: name }));
    assert.equal(deleted.cluster.status, 'INACTIVE');
  });

  test('settings and capacity providers', async () => {
    const name = uid('js-cp');
    await ecs.send(new CreateClusterCommand({ clusterName: name }));
    const updated = await ecs.send(new UpdateClusterSettingsCommand({
      cluster: name, settings: [{ name: 'containerInsights', value: 'enabled' }],
    }));
    assert.deepEqual(updated.cluster.settings, [{ name: 'containerInsights', value: 'enabled' }]);
    const put = await ecs.send(new PutClusterCapacityProvidersCommand({
      cluster: name,
      capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
      defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }],
    }));
    assert.deepEqual(put.cluster.capacityProviders, ['FARGATE', 'FARGATE_SPOT']);
    assert.deepEqual(put.cluster.defaultCapacityProviderStrategy,
      [{ capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }]);
  });

  test('regions are separate', async () => {
    const name = uid('js-eu');
    const created = await ecsEu.send(new CreateClusterCommand({ clusterName: name }));
    assert.equal(created.cluster.clusterArn, clusterArn(name, 'eu-west-1'));
    const us = await ecs.send(new DescribeClustersCommand({ clusters: [name] }));
    assert.deepEqual(us.clusters, []);
    assert.equal(us.failures[0].reason, 'MISSING');
  });
});

describe('task definitions', () => {
  for (const file of ['web-app.json', 'fargate-api.json', 'minimal.json']) {
    test(`fixture ${file} round-trips`, async () => {
      const body = fixture(file);
      body.family = uid(`js-${file.replace('.json', '')}`);
      const registered = await ecs.send(new RegisterTaskDefinitionCommand(body));
      const td = registered.taskDefinition;
      const { tags, ...rest } = body;
      assertDeepSubset(rest, td);
      assert.deepEqual(registered.tags ?? [], tags ?? []);
      assert.equal(td.taskDefinitionArn, tdArn(body.family, 1));
      assert.equal(td.status, 'ACTIVE');
      assert.ok(td.registeredAt instanceof Date);
      if (body.networkMode === 'awsvpc') {
        const pm = td.containerDefinitions[0].portMappings[0];
        assert.equal(pm.hostPort, pm.containerPort);
      }
      const described = await ecs.send(new DescribeTaskDefinitionCommand({
        taskDefinition: `${body.family}:1`, include: ['TAGS'],
      }));
      assert.deepEqual(described.taskDefinition, td);
      assert.deepEqual(described.tags ?? [], tags ?? []);
    });
  }

  test('deregister, list by status, delete', async () => {
    const family = uid('js-lifecycle');
    for (let i = 0; i < 3; i += 1) {
      await ecs.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions: container() }));
    }
    const dereg = await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: `${family}:1` }));
    assert.equal(dereg.taskDefinition.status, 'INACTIVE');
    const inactive = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, status: 'INACTIVE' }));
    assert.deepEqual(inactive.taskDefinitionArns, [tdArn(family, 1)]);
    const desc = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, sort: 'DESC' }));
    assert.deepEqual(desc.taskDefinitionArns, [tdArn(family, 3), tdArn(family, 2)]);
    const families = await ecs.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: family }));
    assert.deepEqual(families.families, [family]);

    const deleted = await ecs.send(new DeleteTaskDefinitionsCommand({
      taskDefinitions: [`${family}:1`, `${family}:2`],
    }));
    assert.deepEqual(deleted.taskDefinitions.map((t) => [t.taskDefinitionArn, t.status]),
      [[tdArn(family, 1), 'DELETE_IN_PROGRESS']]);
    assert.deepEqual(deleted.failures.map((f) => f.arn), [tdArn(family, 2)]);
  });

  test('paginateListTaskDefinitions with pageSize 2', async () => {
    const family = uid('js-pages');
    for (let i = 0; i < 7; i += 1) {
      await ecs.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions: container() }));
    }
    const pageSizes = [];
    const arns = [];
    for await (const page of paginateListTaskDefinitions(
      { client: ecs, pageSize: 2 }, { familyPrefix: family },
    )) {
      pageSizes.push(page.taskDefinitionArns.length);
      arns.push(...page.taskDefinitionArns);
    }
    assert.deepEqual(pageSizes, [2, 2, 2, 1]);
    assert.deepEqual(arns, [1, 2, 3, 4, 5, 6, 7].map((r) => tdArn(family, r)));
  });

  test('paginateListTaskDefinitionFamilies and paginateListClusters', async () => {
    const stem = uid('js-fampages');
    const families = [0, 1, 2, 3, 4].map((i) => `${stem}-${i}`);
    for (const family of families) {
      await ecs.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions: container() }));
      await ecs.send(new CreateClusterCommand({ clusterName: family }));
    }
    const got = [];
    for await (const page of paginateListTaskDefinitionFamilies(
      { client: ecs, pageSize: 2 }, { familyPrefix: stem },
    )) {
      assert.ok(page.families.length <= 2);
      got.push(...page.families);
    }
    assert.deepEqual([...got].sort(), families);

    const clusters = [];
    for await (const page of paginateListClusters({ client: ecs, pageSize: 2 }, {})) {
      assert.ok(page.clusterArns.length <= 2);
      clusters.push(...page.clusterArns);
    }
    assert.equal(new Set(clusters).size, clusters.length);
    for (const family of families) assert.ok(clusters.includes(clusterArn(family)));
  });
});

describe('tags', () => {
  test('tag, list, untag a cluster and a task definition', async () => {
    const name = uid('js-tags');
    const { cluster } = await ecs.send(new CreateClusterCommand({ clusterName: name }));
    await ecs.send(new TagResourceCommand({
      resourceArn: cluster.clusterArn, tags: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }],
    }));
    await ecs.send(new UntagResourceCommand({ resourceArn: cluster.clusterArn, tagKeys: ['a'] }));
    const listed = await ecs.send(new ListTagsForResourceCommand({ resourceArn: cluster.clusterArn }));
    assert.deepEqual(listed.tags, [{ key: 'b', value: '2' }]);

    await ecs.send(new RegisterTaskDefinitionCommand({ family: name, containerDefinitions: container() }));
    await ecs.send(new TagResourceCommand({ resourceArn: tdArn(name, 1), tags: [{ key: 'td', value: 'yes' }] }));
    const tdTags = await ecs.send(new ListTagsForResourceCommand({ resourceArn: tdArn(name, 1) }));
    assert.deepEqual(tdTags.tags, [{ key: 'td', value: 'yes' }]);
  });

  test('tagging a missing cluster', async () => {
    await rejectsWith(
      ecs.send(new TagResourceCommand({
        resourceArn: clusterArn(uid('js-nocluster')), tags: [{ key: 'a', value: '1' }],
      })),
      ClusterNotFoundException, 'ClusterNotFoundException',
    );
  });
});

describe('account settings', () => {
  test('put, list, default, delete', async () => {
    const role = `arn:aws:iam::${ACCOUNT_ID}:role/${uid('js-role')}`;
    const put = await ecs.send(new PutAccountSettingCommand({
      name: 'serviceLongArnFormat', value: 'enabled', principalArn: role,
    }));
    assert.deepEqual([put.setting.name, put.setting.value, put.setting.principalArn],
      ['serviceLongArnFormat', 'enabled', role]);
    const listed = await ecs.send(new ListAccountSettingsCommand({ principalArn: role }));
    assert.deepEqual(listed.settings.map((s) => [s.name, s.value]), [['serviceLongArnFormat', 'enabled']]);

    const def = await ecs.send(new PutAccountSettingDefaultCommand({
      name: 'taskLongArnFormat', value: 'enabled',
    }));
    assert.equal(def.setting.principalArn, `arn:aws:iam::${ACCOUNT_ID}:root`);
    const effective = await ecs.send(new ListAccountSettingsCommand({
      effectiveSettings: true, name: 'taskLongArnFormat',
    }));
    assert.deepEqual(effective.settings.map((s) => [s.name, s.value]), [['taskLongArnFormat', 'enabled']]);

    await ecs.send(new DeleteAccountSettingCommand({ name: 'serviceLongArnFormat', principalArn: role }));
    const after = await ecs.send(new ListAccountSettingsCommand({ principalArn: role }));
    assert.deepEqual(after.settings, []);
  });

  test('invalid value', async () => {
    await rejectsWith(
      ecs.send(new PutAccountSettingCommand({ name: 'serviceLongArnFormat', value: 'maybe' })),
      InvalidParameterException, 'InvalidParameterException',
    );
  });
});

describe('errors', () => {
  test('ClusterNotFoundException', async () => {
    await rejectsWith(ecs.send(new DeleteClusterCommand({ cluster: uid('js-none') })),
      ClusterNotFoundException, 'ClusterNotFoundException');
  });

  test('ClientException for an unknown task definition', async () => {
    await assert.rejects(
      ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: `${uid('js-none')}:1` })),
      (err) => {
        assert.ok(err instanceof ClientException, `got ${err?.name}`);
        assert.equal(err.message, 'Unable to describe task definition.');
        assert.equal(err.$metadata.httpStatusCode, 400);
        return true;
      },
    );
  });

  test('unsupported operation is a named error', async () => {
    await assert.rejects(
      ecs.send(new CreateTaskSetCommand({ cluster: 'c', service: 's', taskDefinition: 'x:1' })),
      (err) => {
        assert.equal(err.name, 'UnsupportedFeatureException');
        assert.ok(err instanceof ECSServiceException);
        assert.match(err.message, /CreateTaskSet/);
        assert.equal(err.$metadata.httpStatusCode, 400);
        return true;
      },
    );
  });
});

test('server stayed up', () => {
  assert.ok(server.alive(), server.log());
});
