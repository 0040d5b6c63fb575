namespace Queue.Client.Tests.Cluster;

/// <summary>The test classes that share one <see cref="ClusterFixture"/> (three brokers and an edge); xUnit runs them one after another.</summary>
[CollectionDefinition(Name)]
public sealed class ThreeBrokerCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "three brokers";
}
