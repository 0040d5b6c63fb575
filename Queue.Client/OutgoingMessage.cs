namespace Queue.Client;

/// <summary>A message to produce. <see cref="Partition"/> wins over <see cref="Key"/>; with neither the server spreads batches round-robin.</summary>
/// <param name="Value">The message text.</param>
/// <param name="Key">Messages with one key go to one partition (Kafka's murmur2 rule), so they keep their order.</param>
/// <param name="Partition">An explicit partition.</param>
public sealed record OutgoingMessage(string Value, string? Key = null, int? Partition = null);
