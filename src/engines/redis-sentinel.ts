import { Duration, Size } from 'cdk8s';
import { ContainerResources, Cpu, EmptyDirMedium, EnvValue, PodManagementPolicy, Probe, Volume } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ProbeJson } from './private/common';
import { REDIS_GID, REDIS_PASSWORD_ENV } from './private/redis';
import { checkMasterName, renderRedisSentinel, SENTINEL_PORT } from './private/redis-sentinel';
import type { RedisCompatibleEngine } from './redis';
import { SENTINEL_ANNOTATION, SENTINEL_FOR_ANNOTATION, SENTINEL_QUORUM_ANNOTATION } from '../private/labels';
import { checkInteger, fail } from '../private/validation';
import { warn, warningMessage, WARNINGS } from '../private/warnings';
import { IStorageClass } from '../storage/storage-class';
import { StatefulWorkload } from '../workload/stateful-workload';

/**
 * Redis Sentinel for a `Redis` or `Valkey` preset (`sentinel` prop): automatic failover of the
 * primary, run by sentinels in a StatefulSet of their own.
 *
 * @see https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/
 */
export interface RedisSentinelOptions {
  /**
   * How many sentinels: the StatefulSet `<name>-sentinel` runs this many pods, spread over nodes
   * and zones, with a PodDisruptionBudget that keeps a majority of them. A failover needs the
   * votes of a majority of the sentinels, so 3 survive the loss of one, 5 of two. Fewer than 3
   * warns `[few-sentinels]`: with 1 or 2, losing one sentinel stops every failover.
   *
   * @see https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#example-sentinel-deployments
   * @default 3
   */
  readonly sentinels?: number;

  /**
   * How many sentinels must agree that the primary is down before a failover starts (Sentinel's
   * quorum). Between a majority of `sentinels` and `sentinels`: a smaller quorum lets a minority
   * cut off from the primary declare it down, a larger one than there are sentinels never fails
   * over. (Whatever the quorum, the failover itself needs a majority of the sentinels to vote.)
   *
   * @see https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#configuring-sentinel
   * @default - a majority of `sentinels` (2 of 3)
   */
  readonly quorum?: number;

  /**
   * How long the primary must fail to answer before a sentinel thinks it is down
   * (`down-after-milliseconds`): the shortest write outage when the primary dies. Shorter fails
   * over faster and more often (a long garbage collection on the node, a network blip); a rolling
   * update of the primary's pod takes about a restart's time, so a primary that comes back within
   * it keeps its role.
   *
   * @see https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#other-sentinel-options
   * @default Duration.seconds(10)
   */
  readonly downAfter?: Duration;

  /**
   * How long a failover may take before the sentinels try again, and the other timers Sentinel
   * derives from it (`failover-timeout`).
   *
   * @see https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#other-sentinel-options
   * @default Duration.minutes(1)
   */
  readonly failoverTimeout?: Duration;

  /**
   * The primary refuses writes unless this many replicas are connected and acknowledged within
   * 10 seconds (`min-replicas-to-write`, `min-replicas-max-lag 10`). It bounds what a failover
   * can lose: a primary cut off from its replicas (and soon replaced by one of them) stops taking
   * writes that the new primary would never see. The price is availability: with fewer replicas
   * than this up, writes fail. At most `readReplicas`; 0 turns it off.
   *
   * Replication stays asynchronous: a write the primary acknowledged may still be lost if the
   * primary dies before a replica has it. Clients that must not lose a write follow it with
   * `WAIT 1 <ms>` (docs/failover.md).
   *
   * @see https://redis.io/docs/latest/operate/oss_and_stack/management/replication/#allow-writes-only-with-n-attached-replicas
   * @default - 1 with 2 or more read replicas (one replica may be down), 0 with one
   */
  readonly minReplicasToWrite?: number;

  /**
   * Resources of each sentinel container.
   *
   * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
   * @default - cpu request 50m; memory request and limit 64Mi
   */
  readonly resources?: ContainerResources;

  /**
   * The size of each sentinel's claim (mounted at `/data`): the sentinel's configuration file,
   * which Sentinel rewrites at every change of state (the current primary, the config epoch, the
   * replicas and sentinels it knows), so that a restarted sentinel, or every sentinel after a
   * full restart of the cluster, still knows which pod is the primary. Provisioners round small
   * sizes up to their minimum.
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#persistentvolumeclaims
   * @default Size.gibibytes(1)
   */
  readonly storage?: Size;

  /**
   * The storage class of the sentinels' claims, by name.
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#class-1
   * @default - the data claims' class
   */
  readonly storageClassName?: string;

  /**
   * The storage class of the sentinels' claims, as an object.
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#class-1
   * @default - the data claims' class
   */
  readonly storageClass?: IStorageClass;
}

/**
 * Props of `RedisSentinel`: the options, and the data pods it watches over.
 */
export interface RedisSentinelProps extends RedisSentinelOptions {
  /** The data pods' workload: the sentinels monitor its pods, named after its StatefulSet. */
  readonly workload: StatefulWorkload;
  /** The server the data pods run (the sentinels run its sentinel mode, from the same image). */
  readonly engine: RedisCompatibleEngine;
  /** The data pods' image. */
  readonly image: string;
  /**
   * The data pods' port.
   *
   * @default 6379
   */
  readonly port?: number;
  /**
   * The data pods' read replicas (for `minReplicasToWrite`).
   *
   * @default 2
   */
  readonly readReplicas?: number;
  /**
   * The data claims' class, the default of the sentinels' own.
   *
   * @default - the storage class marked as default will be used
   */
  readonly dataStorageClassName?: string;
  /**
   * The data claims' class as an object, the default of the sentinels' own.
   *
   * @default - `dataStorageClassName`
   */
  readonly dataStorageClass?: IStorageClass;
}

/**
 * The sentinels of a Redis-compatible preset (created by `Redis` and `Valkey` for their `sentinel`
 * prop): a StatefulSet `<data StatefulSet>-sentinel` with its headless Service, one small claim per
 * sentinel and a PodDisruptionBudget, running the data pods' image in sentinel mode on port 26379.
 * The master name is the data StatefulSet's name.
 *
 * Why a StatefulSet of their own rather than a sentinel beside each data pod: the number of
 * sentinels does not follow the number of data pods (three sentinels watch a primary with one
 * replica), a data pod's rolling update or crash never takes a sentinel with it, and the sentinels
 * watch the data pods from other pods, as clients do. docs/failover.md weighs the two.
 *
 * Each sentinel announces its pod DNS name and resolves the data pods by theirs
 * (`announce-hostnames`, `resolve-hostnames`); its start-up finds the current primary from what
 * it remembers on its claim, what the other sentinels know, or the data pods (see
 * src/engines/private/redis-sentinel.ts). With the data pods' password, sentinels require it
 * too (`requirepass`) and use it to reach the data pods (`auth-pass`): one Secret for both,
 * reaching the container only through a `secretKeyRef`.
 *
 * @see https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/
 */
export class RedisSentinel extends Construct {
  /** The sentinels' workload (escape hatch): the StatefulSet, its headless Service and disruption budget. */
  public readonly workload: StatefulWorkload;
  /** The name the sentinels monitor the primary under: the data StatefulSet's name. */
  public readonly masterName: string;
  /** How many sentinels. */
  public readonly sentinels: number;
  /** The quorum. */
  public readonly quorum: number;
  /** `min-replicas-to-write` of the data pods. */
  public readonly minReplicasToWrite: number;
  /** `down-after-milliseconds`. */
  public readonly downAfter: Duration;
  /** `failover-timeout`. */
  public readonly failoverTimeout: Duration;
  /** Sentinel's port, 26379. */
  public readonly port: number;

  constructor(scope: Construct, id: string, props: RedisSentinelProps) {
    super(scope, id);
    const data = props.workload;
    const where = `${props.engine.name} '${scope.node.path}'`;
    const sentinels = props.sentinels ?? 3;
    checkInteger(where, 'sentinel.sentinels', sentinels, 1, 9);
    const majority = Math.floor(sentinels / 2) + 1;
    const quorum = props.quorum ?? majority;
    checkInteger(where, 'sentinel.quorum', quorum, 1);
    if (quorum > sentinels) {
      throw fail(where, 'sentinel.quorum', quorum,
        `Must not exceed 'sentinel.sentinels' (${sentinels}): more sentinels than there are would have to agree the primary is down, so no failover would ever start`,
        `Set 'sentinel.quorum' between ${majority} and ${sentinels}, or leave it out (${majority})`);
    }
    if (quorum < majority) {
      throw fail(where, 'sentinel.quorum', quorum,
        `Must be at least a majority of the ${sentinels} sentinels (${majority}): a minority cut off from the primary could declare it down while the others still reach it`,
        `Set 'sentinel.quorum' between ${majority} and ${sentinels}, or leave it out (${majority})`);
    }
    const readReplicas = props.readReplicas ?? 2;
    const minReplicasToWrite = props.minReplicasToWrite ?? (readReplicas >= 2 ? 1 : 0);
    checkInteger(where, 'sentinel.minReplicasToWrite', minReplicasToWrite, 0);
    if (minReplicasToWrite > readReplicas) {
      throw fail(where, 'sentinel.minReplicasToWrite', minReplicasToWrite,
        `Must not exceed 'readReplicas' (${readReplicas}): the primary would refuse every write`,
        `Set 'sentinel.minReplicasToWrite' between 0 and ${readReplicas}`);
    }
    const downAfterMs = millis(where, 'sentinel.downAfter', props.downAfter ?? Duration.seconds(10), 100);
    const failoverTimeoutMs = millis(where, 'sentinel.failoverTimeout', props.failoverTimeout ?? Duration.minutes(1), 1000);
    if (props.storageClass && props.storageClassName !== undefined) {
      throw fail(where, 'sentinel.storageClassName', props.storageClassName, 'Cannot be combined with \'sentinel.storageClass\'', 'Set one of the two');
    }
    const name = `${data.name}-sentinel`;
    if (name.length > 52) {
      throw fail(where, 'metadata.name', data.name,
        `Must be at most 43 characters with a sentinel: the sentinels' StatefulSet "${name}" must fit in 52 (the revision hash label the controller adds must fit in 63)`,
        'Set \'metadata.name\' to a shorter name');
    }
    checkMasterName(where, 'metadata.name', data.name);
    const password = data.credentials;

    this.workload = new StatefulWorkload(this, 'Resource', {
      metadata: {
        name,
        namespace: data.namespaceName,
        annotations: { [SENTINEL_FOR_ANNOTATION]: data.name },
      },
      replicas: sentinels,
      podManagementPolicy: PodManagementPolicy.PARALLEL,
      clusterDomain: data.clusterDomain,
      // peers find each other, and the data pods the sentinels, before they are Ready
      headlessService: { publishNotReadyAddresses: true },
      securityContext: { fsGroup: REDIS_GID },
      credentials: password,
      clientPorts: [{ name: 'sentinel', port: SENTINEL_PORT }],
    });
    const w = this.workload;
    // Network peer ports (for NetworkPolicies derived from the wiring): the sentinels talk to each
    // other on SENTINEL_PORT (a peer port of this workload); across the two workloads, the data pods
    // ask the sentinels on SENTINEL_PORT at start-up and the sentinels reach the data pods on 6379.
    w.addPeerPort({ name: 'sentinel', port: SENTINEL_PORT });
    w.addPeerPort({ name: 'sentinel', port: SENTINEL_PORT }, { peerWorkload: data });
    for (const p of data.ports) data.addPeerPort(p, { peerWorkload: w });
    const engine = renderRedisSentinel(where, {
      flavor: props.engine._flavor,
      image: props.image,
      identity: { statefulSetName: w.name, serviceName: w.serviceName, namespace: w.namespaceName, clusterDomain: w.clusterDomain },
      sentinels,
      data: {
        statefulSetName: data.name,
        serviceName: data.serviceName,
        namespace: data.namespaceName,
        clusterDomain: data.clusterDomain,
        startOrdinal: data.startOrdinal,
      },
      dataPodCount: data.replicas,
      dataPort: props.port ?? 6379,
      masterName: data.name,
      quorum,
      downAfterMilliseconds: downAfterMs,
      failoverTimeoutMilliseconds: failoverTimeoutMs,
      password: password ? { name: password.secret.name, key: password.passwordKey } : undefined,
    });

    const run = Volume.fromEmptyDir(this, 'RunVolume', engine.volumes[0].name, { medium: EmptyDirMedium.MEMORY, sizeLimit: Size.mebibytes(1) });
    const envVariables: { [name: string]: EnvValue } = {};
    for (const e of engine.env) {
      envVariables[e.name] = e.name === REDIS_PASSWORD_ENV && password
        ? EnvValue.fromSecretValue({ secret: password.secret, key: password.passwordKey })
        : EnvValue.fromValue(e.value!);
    }
    w.addContainer({
      name: 'sentinel',
      image: engine.image,
      command: engine.command,
      envVariables,
      ports: engine.ports.map(p => ({ name: p.name, number: p.containerPort })),
      startup: probe(engine.startupProbe),
      liveness: probe(engine.livenessProbe),
      readiness: probe(engine.readinessProbe),
      resources: props.resources ?? {
        cpu: { request: Cpu.millis(50) },
        memory: { request: Size.mebibytes(64), limit: Size.mebibytes(64) },
      },
      securityContext: { user: engine.user, group: engine.group },
      volumeMounts: [{ volume: run, path: engine.volumeMounts[0].mountPath }],
    });
    const ownClass = props.storageClass !== undefined || props.storageClassName !== undefined;
    w.addVolumeClaimTemplate({
      name: 'sentinel',
      storage: props.storage ?? Size.gibibytes(1),
      storageClass: ownClass ? props.storageClass : props.dataStorageClass,
      storageClassName: ownClass ? props.storageClassName : props.dataStorageClassName,
      mountPath: engine.dataMountPath,
    });

    this.masterName = data.name;
    this.sentinels = sentinels;
    this.quorum = quorum;
    this.minReplicasToWrite = minReplicasToWrite;
    this.downAfter = Duration.millis(downAfterMs);
    this.failoverTimeout = Duration.millis(failoverTimeoutMs);
    this.port = SENTINEL_PORT;

    // what the upgrade guard reads (src/gitops/private/upgrade-rules.ts, "Failover")
    data.apiObject.metadata.addAnnotation(SENTINEL_ANNOTATION, name);
    data.apiObject.metadata.addAnnotation(SENTINEL_QUORUM_ANNOTATION, String(quorum));

    if (sentinels < 3) {
      // on the preset, which the message names
      warn(scope, WARNINGS.FEW_SENTINELS, warningMessage(where, 'sentinel.sentinels', String(sentinels),
        `A failover needs the votes of a majority of the sentinels: with ${sentinels}, losing ${sentinels === 1 ? 'the sentinel' : 'one of them'} (its node, a rolling update) stops every failover, and the primary's loss then stops writes until it comes back`,
        'Run 3 sentinels (the default) or 5'));
    }
  }

  /** The sentinels' pod DNS names, `<sentinel StatefulSet>-<ordinal>.<service>...`, in ordinal order. */
  public get hosts(): string[] {
    return Array.from({ length: this.sentinels }, (_, i) => this.workload.podDnsName(this.workload.startOrdinal + i));
  }

  /**
   * What Sentinel-aware clients are given: `host:port` of every sentinel, comma-separated (the
   * form redis-py, ioredis, Jedis and Lettuce take a list of sentinels in).
   */
  public get hostsWithPort(): string {
    return this.hosts.map(h => `${h}:${this.port}`).join(',');
  }
}

function millis(where: string, prop: string, d: Duration, min: number): number {
  const ms = d.toMilliseconds({ integral: false });
  if (!Number.isInteger(ms) || ms < min || ms > 2147483647) {
    throw fail(where, prop, `${ms} ms`, `Must be a whole number of milliseconds, at least ${min}`, `Set '${prop}' to e.g. Duration.seconds(10)`);
  }
  return ms;
}

function probe(p: ProbeJson): Probe {
  return Probe.fromCommand(p.exec!.command, {
    periodSeconds: Duration.seconds(p.periodSeconds),
    timeoutSeconds: Duration.seconds(p.timeoutSeconds),
    successThreshold: p.successThreshold,
    failureThreshold: p.failureThreshold,
  });
}
