/**
 * Where an engine preset (`Postgres`, `Redis`, `Valkey`, `Cassandra`) pulls its image from: a
 * mirror or a private registry in place of Docker Hub, and optionally the exact image by digest.
 * The tag comes from the preset's version (`PostgresVersion.of('17.11')`).
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

  /**
   * The image's digest, `sha256:` and 64 lower-case hex characters: the image is rendered as
   * `<registry>/<repository>:<tag>@<digest>`, so the tag stays readable in the manifest while the
   * container runtime pulls exactly that image (with a digest, the runtime ignores the tag). A
   * re-pushed tag, or a registry mirror serving something else under it, can then no longer
   * change what runs.
   *
   * The digest must be the one of the version's tag (the multi-platform index digest, as
   * `docker buildx imagetools inspect <image>:<tag>` prints it): nothing at synth time can check
   * that the two match, and the library's version checks (the engine version policy) read the
   * tag. Update it together with the version.
   *
   * @see https://kubernetes.io/docs/concepts/containers/images/#image-names
   * @see https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests
   * For example: `sha256:6e2b7f5a0c1d8e9f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f`.
   * @default - no digest: the runtime pulls the tag
   */
  readonly digest?: string;
}
