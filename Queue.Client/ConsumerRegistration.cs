namespace Queue.Client;

/// <summary>A registered consumer.</summary>
/// <param name="ConsumerId">Its id, unique cluster-wide; the server keeps its committed positions under it.</param>
/// <param name="Topic">The topic it reads.</param>
/// <param name="Partition">The one partition it reads, or null for all of the topic's partitions.</param>
/// <param name="From">Where it started.</param>
public sealed record ConsumerRegistration(long ConsumerId, string Topic, int? Partition, ConsumerStart From);
