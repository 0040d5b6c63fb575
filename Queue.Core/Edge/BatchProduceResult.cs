namespace Queue.Core.Edge;

/// <summary>
/// Where each message of a batch went, in request order. <see cref="Duplicate"/> is true when
/// the batch was a retry of one already committed: nothing new was written.
/// </summary>
public sealed record BatchProduceResult(IReadOnlyList<ProduceResult> Offsets, bool Duplicate);
