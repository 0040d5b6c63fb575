namespace Queue.Node.Persistence;

/// <summary>One step of the schema: applied once, in its own transaction, recorded in schema_version.</summary>
internal sealed record Migration(int Version, string Description, string Sql);
