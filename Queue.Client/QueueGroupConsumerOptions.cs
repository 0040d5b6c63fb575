namespace Queue.Client;

/// <summary>How a <see cref="QueueGroupConsumer"/> joins its group, keeps its membership and reads.</summary>
public sealed class QueueGroupConsumerOptions
{
    /// <summary>Where the group starts in a partition it has no committed offset for. Default <see cref="ConsumerStart.Latest"/>.</summary>
    public ConsumerStart From { get; set; } = ConsumerStart.Latest;

    /// <summary>How long the member may go without a heartbeat before the group gives its partitions to others (within the server's queue.groups bounds). Default 10 s.</summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Time between two heartbeats; null for a third of <see cref="SessionTimeout"/>, so two may fail before the session ends.</summary>
    public TimeSpan? HeartbeatInterval { get; set; }

    /// <summary>Most messages one fetch returns, and messages processed between two commits (1 to 10000). Default 500.</summary>
    public int MaxPollMessages { get; set; } = 500;

    /// <summary>How long a fetch waits on the server for new messages (long-poll). Default 1 s.</summary>
    public TimeSpan PollWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Called after the member's assignment changed (another member joined or left, this one was
    /// removed and joined again), with the new one. Runs on the heartbeat loop: keep it short.
    /// </summary>
    public Action<ConsumerGroupAssignment>? OnAssignmentChanged { get; set; }

    internal TimeSpan Heartbeat => HeartbeatInterval ?? SessionTimeout / 3;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (SessionTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("SessionTimeout must be positive", nameof(SessionTimeout));
        }
        if (Heartbeat <= TimeSpan.Zero || Heartbeat >= SessionTimeout)
        {
            throw new ArgumentException("HeartbeatInterval must be positive and shorter than SessionTimeout", nameof(HeartbeatInterval));
        }
        if (MaxPollMessages < 1 || MaxPollMessages > 10_000)
        {
            throw new ArgumentException("MaxPollMessages must be between 1 and 10000", nameof(MaxPollMessages));
        }
        if (PollWait < TimeSpan.Zero)
        {
            throw new ArgumentException("PollWait must not be negative", nameof(PollWait));
        }
    }

    internal QueueGroupConsumerOptions Clone() => (QueueGroupConsumerOptions)MemberwiseClone();
}
