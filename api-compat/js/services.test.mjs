// ECS services through the AWS SDK for JavaScript v3 (@aws-sdk/client-ecs) on a `--runtime none`
// ecsbox: create, update, delete, and the waiters waitUntilServicesStable and
// waitUntilServicesInactive (with short delays; the SDK's default is 15 s between polls).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import {
  ClusterContainsServicesException,
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteClusterCommand,
  DeleteServiceCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  InvalidParameterException,
  ListServiceDeploymentsCommand,
  ListServicesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  ServiceNotFoundException,
  UpdateServiceCommand,
  waitUntilServicesInactive,
  waitUntilServicesStable,
} from '@aws-sdk/client-ecs';

import { ACCOUNT_ID, REGION, clientConfig, startEcsbox } from './ecsbox.mjs';

const uid = (prefix) => `${prefix}-${randomUUID().slice(0, 8)}`;
const serviceArn = (cluster, name) => `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:service/${cluster}/${name}`;
const tdArn = (family, rev) => `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:task-definition/${family}:${rev}`;

let server;
let ecs;
// Short polls; maxWaitTime bounds a waiter that never gets there.
const waiter = () => ({ client: ecs, minDelay: 0.5, maxDelay: 1, maxWaitTime: 30 });

before(async () => {
  server = await startEcsbox();
  ecs = new ECSClient(clientConfig(server));
});

after(async () => {
  ecs?.destroy();
  await server?.stop();
});

async function clusterAndFamily(name) {
  await ecs.send(new CreateClusterCommand({ clusterName: name }));
  return register(name, 'anything:1');
}

async function register(family, image) {
  const out = await ecs.send(new RegisterTaskDefinitionCommand({
    family, containerDefinitions: [{ name: 'app', image, memory: 64 }],
  }));
  return out.taskDefinition.taskDefinitionArn;
}

async function describeOne(cluster, service) {
  const out = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  assert.deepEqual(out.failures, []);
  assert.equal(out.services.length, 1);
  return out.services[0];
}

// The waiter reads runningCount; the scheduler marks the deployment COMPLETED (and writes the
// steady-state event) on its next look, a moment later, as ECS does: wait for that, bounded.
async function describeCompleted(cluster, service) {
  const deadline = Date.now() + 20000;
  for (;;) {
    const svc = await describeOne(cluster, service);
    if (svc.deployments.length === 1 && svc.deployments[0].rolloutState === 'COMPLETED') return svc;
    if (Date.now() > deadline) assert.fail(`the deployment of ${service} did not complete: ${JSON.stringify(svc.deployments)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function serviceTasks(cluster, serviceName) {
  const { taskArns } = await ecs.send(new ListTasksCommand({ cluster, serviceName }));
  if (taskArns.length === 0) return [];
  return (await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns }))).tasks;
}

describe('services', () => {
  test('create, wait stable, update, wait stable, delete, wait inactive', async () => {
    const name = uid('js-svc');
    const td1 = await clusterAndFamily(name);
    const { service: created } = await ecs.send(new CreateServiceCommand({
      cluster: name, serviceName: name, taskDefinition: td1, desiredCount: 2,
    }));
    assert.equal(created.serviceArn, serviceArn(name, name));
    assert.equal(created.status, 'ACTIVE');
    assert.equal(created.desiredCount, 2);
    assert.ok(created.createdAt instanceof Date);

    const stable = await waitUntilServicesStable(waiter(), { cluster: name, services: [name] });
    assert.equal(stable.state, 'SUCCESS');
    let svc = await describeCompleted(name, name);
    assert.deepEqual([svc.desiredCount, svc.runningCount, svc.pendingCount], [2, 2, 0]);
    assert.equal(svc.deployments.length, 1);
    const [first] = svc.deployments;
    assert.match(first.id, /^ecs-svc\/\d+$/);
    assert.deepEqual([first.status, first.rolloutState, first.taskDefinition], ['PRIMARY', 'COMPLETED', td1]);
    assert.equal(svc.events[0].message, `(service ${name}) has reached a steady state.`);
    let tasks = await serviceTasks(name, name);
    assert.equal(tasks.length, 2);
    for (const t of tasks) {
      assert.equal(t.group, `service:${name}`);
      assert.equal(t.startedBy, first.id);
    }

    const td2 = await register(name, 'anything:2');
    assert.equal(td2, tdArn(name, 2));
    const { service: updated } = await ecs.send(new UpdateServiceCommand({
      cluster: name, service: name, taskDefinition: `${name}:2`, desiredCount: 3,
    }));
    assert.equal(updated.taskDefinition, td2);
    assert.equal(updated.desiredCount, 3);
    await waitUntilServicesStable(waiter(), { cluster: name, services: [name] });
    svc = await describeOne(name, name);
    assert.equal(svc.runningCount, 3);
    assert.equal(svc.deployments.length, 1);
    assert.notEqual(svc.deployments[0].id, first.id);
    assert.equal(svc.deployments[0].taskDefinition, td2);
    tasks = await serviceTasks(name, name);
    assert.deepEqual(tasks.map((t) => t.taskDefinitionArn), [td2, td2, td2]);

    const deployments = (await ecs.send(new ListServiceDeploymentsCommand({ cluster: name, service: name })))
      .serviceDeployments;
    assert.equal(deployments.length, 2);
    assert.deepEqual(deployments.map((d) => d.status), ['SUCCESSFUL', 'SUCCESSFUL']);
    // The newer one (this SDK's model predates DescribeServices' currentServiceDeployment).
    const [current, previous] = [...deployments].sort((a, b) => b.createdAt - a.createdAt);
    assert.ok(current.createdAt > previous.createdAt);
    assert.notEqual(current.targetServiceRevisionArn, previous.targetServiceRevisionArn);
    const { serviceDeployments: [full] } = await ecs.send(new DescribeServiceDeploymentsCommand({
      serviceDeploymentArns: [current.serviceDeploymentArn],
    }));
    assert.equal(full.targetServiceRevision.arn, current.targetServiceRevisionArn);
    assert.equal(full.targetServiceRevision.runningTaskCount, 3);
    assert.deepEqual(full.sourceServiceRevisions.map((r) => r.arn), [previous.targetServiceRevisionArn]);
    const { serviceRevisions } = await ecs.send(new DescribeServiceRevisionsCommand({
      serviceRevisionArns: [current.targetServiceRevisionArn, full.sourceServiceRevisions[0].arn],
    }));
    assert.deepEqual(serviceRevisions.map((r) => r.taskDefinition), [td2, td1]);

    await assert.rejects(ecs.send(new DeleteServiceCommand({ cluster: name, service: name })),
      (err) => err instanceof InvalidParameterException);
    await assert.rejects(ecs.send(new DeleteClusterCommand({ cluster: name })),
      (err) => err instanceof ClusterContainsServicesException);
    const { service: deleted } = await ecs.send(new DeleteServiceCommand({
      cluster: name, service: name, force: true,
    }));
    assert.equal(deleted.status, 'DRAINING');
    const inactive = await waitUntilServicesInactive(waiter(), { cluster: name, services: [name] });
    assert.equal(inactive.state, 'SUCCESS');
    svc = await describeOne(name, name);
    assert.equal(svc.status, 'INACTIVE');
    assert.deepEqual(await serviceTasks(name, name), []);
    const listed = await ecs.send(new ListServicesCommand({ cluster: name }));
    assert.deepEqual(listed.serviceArns, []);
    const gone = await ecs.send(new DeleteClusterCommand({ cluster: name }));
    assert.equal(gone.cluster.status, 'INACTIVE');
  });

  test('scale to zero, then delete without force', async () => {
    const name = uid('js-zero');
    const td = await clusterAndFamily(name);
    await ecs.send(new CreateServiceCommand({ cluster: name, serviceName: name, taskDefinition: td, desiredCount: 1 }));
    await waitUntilServicesStable(waiter(), { cluster: name, services: [name] });
    await ecs.send(new UpdateServiceCommand({ cluster: name, service: name, desiredCount: 0 }));
    await waitUntilServicesStable(waiter(), { cluster: name, services: [name] });
    const svc = await describeOne(name, name);
    assert.deepEqual([svc.desiredCount, svc.runningCount], [0, 0]);
    assert.deepEqual(await serviceTasks(name, name), []);
    await ecs.send(new DeleteServiceCommand({ cluster: name, service: name }));
    await waitUntilServicesInactive(waiter(), { cluster: name, services: [name] });
  });

  test('the waiters fail at once on a missing or inactive service', async () => {
    const name = uid('js-missing');
    const td = await clusterAndFamily(name);
    const slow = { client: ecs, minDelay: 5, maxDelay: 5, maxWaitTime: 20 };
    for (const wait of [waitUntilServicesStable, waitUntilServicesInactive]) {
      const started = Date.now();
      await assert.rejects(wait(slow, { cluster: name, services: ['nope'] }), (err) => {
        assert.equal(err.name, 'Error');
        assert.equal(JSON.parse(err.message).state, 'FAILURE');
        return true;
      });
      assert.ok(Date.now() - started < 4000, `${wait.name} retried instead of failing`);
    }
    await ecs.send(new CreateServiceCommand({ cluster: name, serviceName: name, taskDefinition: td, desiredCount: 0 }));
    await ecs.send(new DeleteServiceCommand({ cluster: name, service: name }));
    await waitUntilServicesInactive(waiter(), { cluster: name, services: [name] });
    await assert.rejects(waitUntilServicesStable(slow, { cluster: name, services: [name] }),
      (err) => JSON.parse(err.message).state === 'FAILURE');
  });

  test('unknown service errors', async () => {
    const name = uid('js-unknown');
    await clusterAndFamily(name);
    await assert.rejects(
      ecs.send(new UpdateServiceCommand({ cluster: name, service: 'nope', desiredCount: 1 })),
      (err) => err instanceof ServiceNotFoundException && err.$metadata.httpStatusCode === 400,
    );
    const out = await ecs.send(new DescribeServicesCommand({ cluster: name, services: ['nope'] }));
    assert.deepEqual(out.services, []);
    assert.deepEqual(out.failures, [{ arn: serviceArn(name, 'nope'), reason: 'MISSING' }]);
  });
});

test('server stayed up', () => {
  assert.ok(server.alive(), server.log());
});
