import { quantityToBytes } from '../../private/quantity';
import { show } from '../../private/validation';

/** What a claim asks for. */
export interface ClaimRequirements {
  /** The claim's name, e.g. `data-db-0`. */
  readonly claimName: string;
  /** The request, e.g. `10Gi`. */
  readonly storageQuantity: string;
  /** The class; undefined when the cluster's default class is used. */
  readonly storageClassName?: string;
  readonly accessModes: string[];
  readonly volumeMode: string;
}

/** What a persistent volume offers. */
export interface VolumeOffer {
  /** How to name the volume in a message, e.g. `PersistentVolume "db-0" (ordinal 0)`. */
  readonly label: string;
  readonly storageQuantity: string;
  /** The class; '' for a volume without a class. */
  readonly storageClassName: string;
  readonly accessModes: string[];
  readonly volumeMode: string;
}

/** One reason a volume cannot bind to a claim, in the parts of our error message. */
export interface Mismatch {
  /** The prop of the volume that is wrong. */
  readonly prop: string;
  readonly value: unknown;
  readonly allowed: string;
  readonly fix: string;
}

/**
 * Why the volume cannot bind to the claim (empty when it can), following the binder's rules:
 * same class, capacity at least the request, every requested access mode offered, same volume mode.
 *
 * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#binding
 */
export function mismatches(volume: VolumeOffer, claim: ClaimRequirements): Mismatch[] {
  const result: Mismatch[] = [];
  const claimRef = `claim "${claim.claimName}"`;

  const have = quantityToBytes(volume.storageQuantity) ?? 0;
  const need = quantityToBytes(claim.storageQuantity) ?? 0;
  if (have < need) {
    result.push({
      prop: 'storage',
      value: volume.storageQuantity,
      allowed: `${volume.label} must hold at least the ${claim.storageQuantity} that ${claimRef} requests`,
      fix: `Give the volume at least ${claim.storageQuantity}, or lower the claim's storage`,
    });
  }

  if (claim.storageClassName === undefined) {
    result.push({
      prop: 'storageClass',
      value: volume.storageClassName,
      allowed: `Claim "${claim.claimName}" sets no storageClassName, so the cluster gives it its default class, which ${volume.label} does not have`,
      fix: `Set storageClassName of the claim to ${show(volume.storageClassName)}${volume.storageClassName === '' ? ' (no class)' : ''}`,
    });
  } else if (claim.storageClassName !== volume.storageClassName) {
    result.push({
      prop: 'storageClass',
      value: volume.storageClassName,
      allowed: `${volume.label} must have the class of ${claimRef} (${show(claim.storageClassName)}): a claim binds only to volumes of its own class`,
      fix: `Give the volume the class ${show(claim.storageClassName)}, or change the claim's storageClassName`,
    });
  }

  const missing = claim.accessModes.filter(m => !volume.accessModes.includes(m));
  if (missing.length > 0) {
    result.push({
      prop: 'accessModes',
      value: volume.accessModes,
      allowed: `${volume.label} lacks ${missing.join(', ')}, which ${claimRef} needs: a volume binds only if it offers every access mode the claim asks for`,
      fix: `Add ${missing.join(', ')} to the volume's accessModes, or remove ${missing.length > 1 ? 'them' : 'it'} from the claim`,
    });
  }

  if (volume.volumeMode !== claim.volumeMode) {
    result.push({
      prop: 'volumeMode',
      value: volume.volumeMode,
      allowed: `${volume.label} must have the volume mode of ${claimRef} (${claim.volumeMode})`,
      fix: `Set the volume's volumeMode to ${claim.volumeMode}, or change the claim's volumeMode`,
    });
  }
  return result;
}

/**
 * Whether labels match a label selector (matchLabels and matchExpressions), the way the
 * persistent volume controller matches a claim's `selector` against volume labels.
 */
export function selectorMatches(
  selector: { matchLabels?: { [key: string]: string }; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> },
  labels: { [key: string]: string },
): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const value = labels[e.key];
    switch (e.operator) {
      case 'In': if (!has || !(e.values ?? []).includes(value)) return false; break;
      case 'NotIn': if (has && (e.values ?? []).includes(value)) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}
