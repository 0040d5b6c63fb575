namespace Queue.MultiNode.Tests;

/// <summary>
/// Every spec starts several node processes and loads the shared PostgreSQL server; on the two
/// cores these run on, two clusters at once would starve each other's failure detectors and turn
/// timing noise into false "down" verdicts. So the specs run one at a time.
/// </summary>
[CollectionDefinition(Name)]
public sealed class MultiNodeCollection
{
    public const string Name = "multi-node";
}
