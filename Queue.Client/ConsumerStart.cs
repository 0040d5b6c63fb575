namespace Queue.Client;

/// <summary>Where a newly registered consumer starts reading in each of its partitions.</summary>
public enum ConsumerStart
{
    /// <summary>At the end of the log as it is at registration: only messages produced afterwards.</summary>
    Latest = 0,

    /// <summary>At the first message still in the log.</summary>
    Earliest = 1,
}
