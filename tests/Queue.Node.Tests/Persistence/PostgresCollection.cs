namespace Queue.Node.Tests.Persistence;

/// <summary>
/// Tests that load the shared PostgreSQL server or start node processes run one class at a time:
/// the machines these run on have two cores, and the outage and crash tests measure timeouts.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection
{
    public const string Name = "postgres";
}
