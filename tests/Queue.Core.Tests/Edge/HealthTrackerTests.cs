using Queue.Core.Edge;

namespace Queue.Core.Tests.Edge;

public sealed class HealthTrackerTests
{
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void Changes_are_handed_out_once_with_the_newest_time_while_the_snapshot_keeps_everything()
    {
        var clock = new ManualClock();
        var tracker = new HealthTracker(clock);
        tracker.Seen("producer", 7);
        clock.Now = clock.Now.AddSeconds(5);
        tracker.Seen("producer", 7);
        tracker.Seen("consumer", 12);

        var changes = tracker.TakeChanges().OrderBy(f => f.Kind).ToList();
        Assert.Equal([("consumer", "12", clock.Now), ("producer", "7", clock.Now)], changes.Select(f => (f.Kind, f.Id, f.LastSeen)));
        Assert.Empty(tracker.TakeChanges());

        Assert.Equal(2, tracker.Snapshot().Count);
    }
}
