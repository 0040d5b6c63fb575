namespace Queue.Client.Tests.Cluster;

/// <summary>
/// The test classes that share one <see cref="ClusterFixture"/> (three brokers and an edge); xUnit
/// runs them one after another. DisableParallelization: the collection runs alone, after the
/// in-process classes, so no in-process node competes for the two cores while brokers are killed
/// and their partitions fail over (a starved broker could miss heartbeats and be downed).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ThreeBrokerCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "three brokers";
}
