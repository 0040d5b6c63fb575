using Queue.Core.Actors;

namespace Queue.Node.Cluster;

// The manager actor's own messages (never on the wire).

/// <summary>Time has passed: renew or take the lease, judge members, allocate, rebalance.</summary>
internal sealed record ManagerTick;

/// <summary>A hand-off the manager started has ended (or failed: <see cref="Error"/>); the shard may now move.</summary>
internal sealed record HandOffFinished(int Shard, string Target, string? Error);

/// <summary>Graceful stop: give the lease back at once instead of letting it lapse.</summary>
internal sealed record ReleaseLease : IAsk<bool>;
