namespace Queue.Client;

/// <summary>What a <see cref="QueueConsumer"/> reads and when it commits.</summary>
public sealed class QueueConsumerOptions
{
    /// <summary>Read only this partition; null reads all of the topic's partitions.</summary>
    public int? Partition { get; set; }

    /// <summary>Where a newly registered consumer starts. Default <see cref="ConsumerStart.Latest"/>.</summary>
    public ConsumerStart From { get; set; } = ConsumerStart.Latest;

    /// <summary>Resume an existing consumer (its committed positions) instead of registering a new one.</summary>
    public long? ConsumerId { get; set; }

    /// <summary>
    /// Commit automatically what the consuming loop has processed: a message counts as processed
    /// once the loop asks for the next one, so a crash re-delivers at most the messages since the
    /// last commit (at-least-once). False leaves committing to <see cref="QueueConsumer.CommitAsync(ConsumedMessage, CancellationToken)"/>. Default true.
    /// </summary>
    public bool AutoCommit { get; set; } = true;

    /// <summary>Most messages one fetch asks a partition for; also the prefetch buffer. Default 500.</summary>
    public int MaxPollMessages { get; set; } = 500;

    /// <summary>How long a fetch waits on the server for new messages (long-poll); at most the server's limit (30 s by default). Default 5 s.</summary>
    public TimeSpan PollWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (MaxPollMessages < 1 || MaxPollMessages > 10_000)
        {
            throw new ArgumentException("MaxPollMessages must be between 1 and 10000", nameof(MaxPollMessages));
        }
        if (PollWait < TimeSpan.Zero)
        {
            throw new ArgumentException("PollWait must not be negative", nameof(PollWait));
        }
        if (Partition is < 0)
        {
            throw new ArgumentException("Partition must not be negative", nameof(Partition));
        }
    }

    internal QueueConsumerOptions Clone() => (QueueConsumerOptions)MemberwiseClone();
}
