using Queue.Core.Log;
using Queue.Core.Protocol;

namespace Queue.Core.Tests.Log;

public sealed class RetentionRulesTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static long TicksAgo(double seconds) => Now.UtcTicks - (long)(seconds * TimeSpan.TicksPerSecond);

    // Entries every 100 offsets, 10 events apart; the messages before entry k are at most (10 - k) minutes old.
    private static readonly OffsetIndexEntry[] Index =
        [.. Enumerable.Range(0, 10).Select(k => new OffsetIndexEntry(k * 100, 1 + k * 10, k == 0 ? 0 : TicksAgo((10 - k) * 60)))];

    private static long LogStart(RetentionPolicy policy, long logStart = 0, long highWatermark = 1000, long? maxTicks = null) =>
        RetentionRules.LogStartFor(policy, logStart, highWatermark, Index, maxTicks ?? TicksAgo(30), Now);

    [Fact]
    public void Keeping_everything_never_moves_the_log_start()
    {
        Assert.Equal(0, LogStart(RetentionPolicy.None));
        Assert.Equal(250, LogStart(RetentionPolicy.None, logStart: 250));
    }

    [Theory]
    [InlineData(100, 900)]
    [InlineData(1, 999)]
    [InlineData(1000, 0)]
    [InlineData(5000, 0)]
    public void A_message_limit_keeps_exactly_the_newest_that_many(long keep, long expected) =>
        Assert.Equal(expected, LogStart(new RetentionPolicy(0, keep, 1)));

    [Fact]
    public void The_log_start_never_moves_back()
    {
        Assert.Equal(950, LogStart(new RetentionPolicy(0, 100, 1), logStart: 950));
        Assert.Equal(950, LogStart(new RetentionPolicy(60_000, 0, 1), logStart: 950));
    }

    [Fact]
    public void A_time_limit_moves_to_the_last_entry_before_which_everything_expired()
    {
        // Keep 5 minutes: entries 1..4 have only older messages before them (9..6 minutes);
        // entry 5 has messages up to exactly 5 minutes old, which are not older than the cutoff.
        Assert.Equal(400, LogStart(new RetentionPolicy(5 * 60_000, 0, 1)));
        // Keep 5 minutes and one second: entry 5's messages (5 minutes old) are younger still.
        Assert.Equal(400, LogStart(new RetentionPolicy(5 * 60_000 + 1000, 0, 1)));
        // Keep 4.5 minutes: entry 5 (5 minutes) is now older than the cutoff.
        Assert.Equal(500, LogStart(new RetentionPolicy(270_000, 0, 1)));
    }

    [Fact]
    public void A_time_limit_that_everything_passed_moves_to_the_high_water_mark()
    {
        // The newest message is 30 s old.
        Assert.Equal(1000, LogStart(new RetentionPolicy(10_000, 0, 1)));
        Assert.Equal(900, LogStart(new RetentionPolicy(31_000, 0, 1)));
    }

    [Fact]
    public void A_time_limit_longer_than_the_log_moves_nothing()
    {
        Assert.Equal(0, LogStart(new RetentionPolicy(3_600_000, 0, 1)));
        Assert.Equal(0, LogStart(new RetentionPolicy(long.MaxValue, 0, 1)));
    }

    [Fact]
    public void With_both_limits_the_one_that_lets_go_of_more_wins()
    {
        // Time alone moves to 1000 (everything is older than 10 s), the count alone to 950.
        Assert.Equal(1000, LogStart(new RetentionPolicy(10_000, 50, 1)));
        // Time alone moves to 500 (the last 4.5 minutes stay), the count alone to 950.
        Assert.Equal(950, LogStart(new RetentionPolicy(270_000, 50, 1)));
        // A count larger than the log lets time decide.
        Assert.Equal(500, LogStart(new RetentionPolicy(270_000, 5_000, 1)));
    }

    [Fact]
    public void Unknown_ages_of_an_old_index_are_never_taken_as_expired()
    {
        // Entries recovered from an old snapshot carry the recovery time (now) as their bound.
        OffsetIndexEntry[] index = [new(0, 1, 0), new(100, 11, Now.UtcTicks), new(200, 21, Now.UtcTicks)];
        Assert.Equal(0, RetentionRules.LogStartFor(new RetentionPolicy(1000, 0, 1), 0, 300, index, Now.UtcTicks, Now));
        Assert.Equal(300, RetentionRules.LogStartFor(new RetentionPolicy(1000, 0, 1), 0, 300, index, Now.UtcTicks, Now.AddSeconds(2)));
    }

    [Fact]
    public void Deletion_stops_at_the_durable_log_start_and_snapshot()
    {
        // Durable log start 450: entries up to offset 400 (sequence 41) qualify.
        Assert.Equal(4, RetentionRules.DeleteBoundary(Index, 450, 1000, 1000));
        // The snapshot only covers sequence 25: the entry at sequence 21 is the last whose predecessors it covers.
        Assert.Equal(2, RetentionRules.DeleteBoundary(Index, 450, 25, 1000));
        // Nothing below the durable log start but the first chunk's start: nothing to delete.
        Assert.Equal(-1, RetentionRules.DeleteBoundary(Index, 50, 1000, 1000));
    }

    [Fact]
    public void Deletion_goes_in_bounded_steps_of_at_least_one_chunk()
    {
        // 10 events per chunk: a step of 25 events takes two chunks, a step of 5 still takes one.
        Assert.Equal(2, RetentionRules.DeleteBoundary(Index, 1000, 1000, 25));
        Assert.Equal(1, RetentionRules.DeleteBoundary(Index, 1000, 1000, 5));
        // After the first two chunks are gone, the next step starts from there.
        Assert.Equal(2, RetentionRules.DeleteBoundary(Index[2..], 1000, 1000, 25));
    }

    [Fact]
    public void The_log_start_moves_only_forward_and_positions_behind_it_read_as_it()
    {
        var log = new PartitionLog(0, 0, new Dictionary<long, long> { [1] = 3 }, [], 100);
        log.Apply([.. Enumerable.Range(0, 10).Select(i => new StoredMessage(i, $"m{i}", 1, Now))], []);
        log.AdvanceLogStart(6);
        Assert.Equal(6, log.PositionOf(1, StartFrom.Latest));
        Assert.Equal(6, log.PositionOf(2, StartFrom.Earliest));
        Assert.False(log.TryGetCached(5, out _));
        Assert.True(log.TryGetCached(6, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => log.AdvanceLogStart(5));
        Assert.Throws<ArgumentOutOfRangeException>(() => log.AdvanceLogStart(11));
    }
}
