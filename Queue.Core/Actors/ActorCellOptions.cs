namespace Queue.Core.Actors;

/// <summary>How a cell runs its actor. Validated once, when built.</summary>
public sealed record ActorCellOptions
{
    /// <summary>Envelopes the mailbox holds before senders wait.</summary>
    public int MailboxCapacity { get; init; } = 10_000;

    /// <summary>Most envelopes handed to <see cref="Actor.ReceiveBatchAsync"/> at once.</summary>
    public int MaxBatch { get; init; } = 1_000;

    /// <summary>First wait after a failed start; doubles per failure up to <see cref="MaxRestartBackoff"/>.</summary>
    public TimeSpan MinRestartBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxRestartBackoff { get; init; } = TimeSpan.FromSeconds(5);

    public ActorCellOptions Validate()
    {
        if (MailboxCapacity < 1) throw new ArgumentOutOfRangeException(nameof(MailboxCapacity), MailboxCapacity, "must be at least 1");
        if (MaxBatch < 1) throw new ArgumentOutOfRangeException(nameof(MaxBatch), MaxBatch, "must be at least 1");
        if (MinRestartBackoff <= TimeSpan.Zero || MaxRestartBackoff < MinRestartBackoff)
            throw new ArgumentOutOfRangeException(nameof(MinRestartBackoff), "restart back-off must be positive and min <= max");
        return this;
    }
}
