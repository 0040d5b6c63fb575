namespace Queue.Client;

/// <summary>A registered producer.</summary>
/// <param name="ProducerId">Its id, unique cluster-wide; the key of idempotent produce.</param>
/// <param name="Topic">The topic it writes to.</param>
/// <param name="Partition">The partition it is bound to, or null for any.</param>
public sealed record ProducerRegistration(long ProducerId, string Topic, int? Partition);
