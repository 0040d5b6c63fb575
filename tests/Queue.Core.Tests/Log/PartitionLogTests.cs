using Queue.Core.Log;

namespace Queue.Core.Tests.Log;

public sealed class PartitionLogTests
{
    private static readonly DateTimeOffset At = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static StoredMessage Message(long offset) => new(offset, $"m{offset}", ProducerId: 1, At);

    private static List<StoredMessage> Messages(long from, int count) =>
        Enumerable.Range(0, count).Select(i => Message(from + i)).ToList();

    private static PartitionLog Empty(int tailCapacity = 4) =>
        new(logStart: 0, highWatermark: 0, new Dictionary<long, long>(), [], tailCapacity);

    [Fact]
    public void Apply_appends_dense_offsets_and_moves_the_high_watermark()
    {
        var log = Empty();
        log.Apply(Messages(0, 3), []);
        Assert.Equal(3, log.HighWatermark);
        log.Apply(Messages(3, 2), []);
        Assert.Equal(5, log.HighWatermark);
        Assert.Equal(0, log.LogStart);
    }

    [Theory]
    [InlineData(1)] // a repeat
    [InlineData(0)] // a rewind
    [InlineData(3)] // a gap
    public void Apply_refuses_an_offset_that_is_not_the_next_one(long offset)
    {
        var log = Empty();
        log.Apply(Messages(0, 2), []);
        var ex = Assert.Throws<InvalidOperationException>(() => log.Apply([Message(offset)], []));
        Assert.Equal($"offset {offset} applied where 2 was expected", ex.Message);
        Assert.Equal(2, log.HighWatermark);
    }

    [Fact]
    public void Apply_refuses_a_gap_inside_one_write()
    {
        var log = Empty();
        Assert.Throws<InvalidOperationException>(() => log.Apply([Message(0), Message(2)], []));
    }

    [Fact]
    public void Apply_with_positions_only_moves_positions_not_the_log()
    {
        var log = Empty();
        log.Apply(Messages(0, 3), []);
        log.Apply([], [new ConsumerPosition(7, 2), new ConsumerPosition(8, 3)]);
        Assert.Equal(3, log.HighWatermark);
        Assert.Equal(2, log.PositionOf(7, StartFrom.Earliest));
        Assert.Equal(3, log.PositionOf(8, StartFrom.Earliest));
        log.Apply([], [new ConsumerPosition(7, 3)]);
        Assert.Equal(3, log.PositionOf(7, StartFrom.Earliest));
    }

    [Fact]
    public void An_unknown_consumer_starts_where_its_policy_says()
    {
        var log = new PartitionLog(logStart: 10, highWatermark: 15, new Dictionary<long, long>(), Messages(10, 5), 8);
        Assert.Equal(10, log.PositionOf(1, StartFrom.Earliest));
        Assert.Equal(15, log.PositionOf(1, StartFrom.Latest));
    }

    [Fact]
    public void A_known_consumer_keeps_its_position_whatever_its_policy()
    {
        var log = new PartitionLog(0, 5, new Dictionary<long, long> { [1] = 3 }, Messages(0, 5), 8);
        Assert.Equal(3, log.PositionOf(1, StartFrom.Earliest));
        Assert.Equal(3, log.PositionOf(1, StartFrom.Latest));
        Assert.Equal(3, log.Positions[1]);
    }

    [Fact]
    public void The_log_keeps_its_own_copy_of_the_recovered_positions()
    {
        var recovered = new Dictionary<long, long> { [1] = 2 };
        var log = new PartitionLog(0, 5, recovered, [], 8);
        recovered[1] = 4;
        recovered[2] = 1;
        Assert.Equal(2, log.PositionOf(1, StartFrom.Latest));
        Assert.False(log.Positions.ContainsKey(2));
    }

    [Fact]
    public void The_tail_cache_holds_the_newest_messages_up_to_its_capacity()
    {
        var log = Empty(tailCapacity: 4);
        log.Apply(Messages(0, 6), []);
        for (var offset = 0L; offset < 2; offset++)
        {
            Assert.False(log.TryGetCached(offset, out _), $"offset {offset} should have been evicted");
        }
        for (var offset = 2L; offset < 6; offset++)
        {
            Assert.True(log.TryGetCached(offset, out var message), $"offset {offset} should be cached");
            Assert.Equal(offset, message.Offset);
            Assert.Equal($"m{offset}", message.Payload);
        }
    }

    [Fact]
    public void Nothing_at_or_beyond_the_high_watermark_is_cached()
    {
        var log = Empty();
        log.Apply(Messages(0, 2), []);
        Assert.False(log.TryGetCached(2, out _));
        Assert.False(log.TryGetCached(100, out _));
        Assert.False(log.TryGetCached(-1, out _));
    }

    [Fact]
    public void Recovery_caches_only_the_part_of_the_tail_that_fits()
    {
        // The journal may hand over more tail than the cache holds; only the newest ones count.
        var log = new PartitionLog(0, 10, new Dictionary<long, long>(), Messages(0, 10), tailCapacity: 3);
        Assert.False(log.TryGetCached(6, out _));
        Assert.True(log.TryGetCached(7, out var seven));
        Assert.Equal("m7", seven.Payload);
        Assert.True(log.TryGetCached(9, out var nine));
        Assert.Equal("m9", nine.Payload);
    }

    [Fact]
    public void Recovery_with_a_partial_tail_misses_what_it_was_not_given()
    {
        var log = new PartitionLog(0, 10, new Dictionary<long, long>(), Messages(8, 2), tailCapacity: 5);
        Assert.False(log.TryGetCached(5, out _));
        Assert.False(log.TryGetCached(7, out _));
        Assert.True(log.TryGetCached(8, out _));
        // Appending goes on from the high watermark and is cached.
        log.Apply([Message(10)], []);
        Assert.True(log.TryGetCached(10, out var ten));
        Assert.Equal("m10", ten.Payload);
    }

    [Fact]
    public void Messages_below_the_log_start_are_never_served_from_the_cache()
    {
        var log = new PartitionLog(logStart: 4, highWatermark: 6, new Dictionary<long, long>(), Messages(4, 2), tailCapacity: 8);
        Assert.False(log.TryGetCached(3, out _));
        Assert.True(log.TryGetCached(4, out _));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(250)]
    public void The_cache_grows_as_messages_arrive_and_always_holds_the_newest_up_to_its_capacity(int perWrite)
    {
        // The ring starts small and grows; whatever the write sizes, after each write exactly
        // the newest min(capacity, written) messages are served from memory.
        const int capacity = 100;
        var log = new PartitionLog(0, 0, new Dictionary<long, long>(), [], capacity);
        var written = 0L;
        while (written < 400)
        {
            log.Apply(Messages(written, perWrite), []);
            written += perWrite;
            var cachedFrom = Math.Max(0, written - capacity);
            for (var offset = Math.Max(0, written - capacity - 3); offset < written; offset++)
            {
                Assert.Equal(offset >= cachedFrom, log.TryGetCached(offset, out var message));
                if (offset >= cachedFrom)
                {
                    Assert.Equal($"m{offset}", message.Payload);
                }
            }
        }
    }

    [Fact]
    public void A_recovered_tail_keeps_being_cached_as_the_ring_grows_past_it()
    {
        var log = new PartitionLog(0, 30, new Dictionary<long, long>(), Messages(10, 20), tailCapacity: 50);
        log.Apply(Messages(30, 25), []);
        // 10..29 recovered plus 30..54 appended: 45 messages, under the capacity of 50.
        Assert.False(log.TryGetCached(9, out _));
        for (var offset = 10; offset < 55; offset++)
        {
            Assert.True(log.TryGetCached(offset, out var message), $"offset {offset}");
            Assert.Equal($"m{offset}", message.Payload);
        }
    }

    [Fact]
    public void Construction_refuses_impossible_states()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PartitionLog(0, 0, new Dictionary<long, long>(), [], tailCapacity: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PartitionLog(5, 4, new Dictionary<long, long>(), [], tailCapacity: 1));
    }
}
