import { IConstruct } from 'constructs';
import { StorageClass } from '../storage-class';

/**
 * The `StorageClass` of this name defined anywhere in the app, if any: lets checks know whether
 * a class named by a string can provision volumes dynamically.
 */
export function storageClassNamed(scope: IConstruct, name: string | undefined): StorageClass | undefined {
  if (name === undefined || name === '') return undefined;
  return scope.node.root.node.findAll()
    .find((c): c is StorageClass => c instanceof StorageClass && c.storageClassName === name);
}
