namespace Queue.Client.Tests.Seeds;

/// <summary>
/// One seed scenario: which logs, how many partitions per topic, and which topics each consumer
/// registers for. The logs hold no consumer files, so the registrations are ours (see <see cref="SeedCases"/>).
/// </summary>
/// <param name="Name">The scenario's folder in Seeds/Data.</param>
/// <param name="Partitions">Partitions per topic; with more than one, producers key by their name so each keeps one partition.</param>
/// <param name="Consumers">Consumer name → the topics it registers for.</param>
/// <param name="ExpectedCounts">Messages per topic the logs must hold (checked before running, so a changed data set fails loudly).</param>
internal sealed record SeedCase(string Name, int Partitions, IReadOnlyDictionary<string, string[]> Consumers, IReadOnlyDictionary<string, int> ExpectedCounts)
{
    public override string ToString() => Name;
}
