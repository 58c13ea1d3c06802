import { ApiObjectMetadataDefinition } from 'cdk8s';
import { touch } from '../../private/app-index';

/**
 * The pod metadata of a workload: a cdk8s `ApiObjectMetadataDefinition` whose mutators tell the
 * app index that the app changed (`touch()`), so a later synthesis pass checks the new labels.
 */
export class PodMetadataDefinition extends ApiObjectMetadataDefinition {
  public addLabel(key: string, value: string): void {
    touch();
    super.addLabel(key, value);
  }

  public addAnnotation(key: string, value: string): void {
    // unchanged values are no change: connections stamp their checksum on every synthesis pass
    if (this.toJson()?.annotations?.[key] === value) return;
    touch();
    super.addAnnotation(key, value);
  }

  /** The labels, as a plain copy. */
  public labelsJson(): { [key: string]: string } {
    return { ...(this.toJson()?.labels ?? {}) };
  }

  /** The annotations, as a plain copy. */
  public annotationsJson(): { [key: string]: string } {
    return { ...(this.toJson()?.annotations ?? {}) };
  }
}
