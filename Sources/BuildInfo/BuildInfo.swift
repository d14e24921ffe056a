/// Facts about this build, written by the `BuildRevision` plugin (`revision`).
public enum BuildInfo {}
