namespace Queue.Core.Log;

/// <summary>Where a new consumer starts reading, per partition.</summary>
public enum StartFrom
{
    /// <summary>At the end of the log as it is when the consumer registers (Kafka's default, the seeds' rule).</summary>
    Latest = 0,

    /// <summary>At the first message still in the log.</summary>
    Earliest = 1,
}
