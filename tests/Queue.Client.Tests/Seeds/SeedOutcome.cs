namespace Queue.Client.Tests.Seeds;

/// <summary>What a seed scenario produced and consumed, for <see cref="SeedVerifier"/> to check.</summary>
/// <param name="Case">The scenario.</param>
/// <param name="Producers">The producer logs sent.</param>
/// <param name="TopicPrefix">Put before each log topic name on the server.</param>
/// <param name="Expected">Messages per topic according to the logs.</param>
/// <param name="Received">Per consumer and log topic, the messages in the order received.</param>
/// <param name="ProducerIds">The producer id each seed producer registered per log topic.</param>
/// <param name="Acknowledged">Per producer and log topic, the partition and offset each of its lines was acknowledged with, in line order.</param>
/// <param name="Backlog">Each consumer's remaining size per topic after committing.</param>
/// <param name="Stored">Messages the server holds per log topic (sum of high-water marks).</param>
internal sealed record SeedOutcome(
    SeedCase Case,
    IReadOnlyList<SeedProducerLog> Producers,
    string TopicPrefix,
    IReadOnlyDictionary<string, int> Expected,
    IReadOnlyDictionary<(string Consumer, string Topic), IReadOnlyList<ConsumedMessage>> Received,
    IReadOnlyDictionary<(string Producer, string Topic), long> ProducerIds,
    IReadOnlyDictionary<(string Producer, string Topic), IReadOnlyList<MessageOffset>> Acknowledged,
    IReadOnlyDictionary<(string Consumer, string Topic), long> Backlog,
    IReadOnlyDictionary<string, long> Stored);
