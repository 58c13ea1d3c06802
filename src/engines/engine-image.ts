/**
 * Where an engine preset (`Postgres`, `Redis`, `Cassandra`) pulls its image from: a mirror or a
 * private registry in place of Docker Hub. The tag comes from the preset's version
 * (`PostgresVersion.of('17.2')`).
 *
 * @see https://kubernetes.io/docs/concepts/containers/images/#image-names
 */
export interface EngineImageOptions {
  /**
   * The registry host (and port), e.g. `registry.example.com:5000` or `mirror.gcr.io`.
   *
   * It must contain a `.` or a port, or be `localhost`: container runtimes read a bare first
   * component such as `mirror` as a Docker Hub namespace (`docker.io/mirror/...`), not a registry.
   *
   * @see https://kubernetes.io/docs/concepts/containers/images/#image-names
   * @default "docker.io"
   */
  readonly registry?: string;

  /**
   * The repository in the registry, e.g. `library/postgres` or `mirrors/redis`.
   *
   * @see https://kubernetes.io/docs/concepts/containers/images/#image-names
   * @default - the official image: `library/<engine>`
   */
  readonly repository?: string;
}
