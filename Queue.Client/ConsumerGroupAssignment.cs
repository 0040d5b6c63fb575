namespace Queue.Client;

/// <summary>A group member's partitions in one generation, each with the offset to start reading from.</summary>
/// <param name="MemberId">The member's id in the group.</param>
/// <param name="Generation">Goes up with every change of the group's assignment.</param>
/// <param name="Partitions">The partitions this member owns in <paramref name="Generation"/>.</param>
/// <param name="Offsets">The group's committed offset (the next one to read) of each partition in <paramref name="Partitions"/>.</param>
public sealed record ConsumerGroupAssignment(string MemberId, long Generation, IReadOnlyList<int> Partitions, IReadOnlyList<MessageOffset> Offsets);
