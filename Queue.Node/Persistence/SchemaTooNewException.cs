namespace Queue.Node.Persistence;

/// <summary>
/// The database holds a schema from a newer build. Running older code over it could misread or
/// damage data, so the node refuses to start instead.
/// </summary>
internal sealed class SchemaTooNewException(int found, int known)
    : InvalidOperationException($"The journal database is at schema version {found}, but this build knows only up to {known}; upgrade the node.");
