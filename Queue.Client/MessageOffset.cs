namespace Queue.Client;

/// <summary>Where an acknowledged message was stored.</summary>
/// <param name="Partition">The partition it went to.</param>
/// <param name="Offset">Its offset in that partition.</param>
public readonly record struct MessageOffset(int Partition, long Offset);
