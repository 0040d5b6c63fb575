using System.Collections;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using Queue.Core.Edge;
using Queue.Core.Journal;
using Queue.Core.Log;
using Queue.Core.Protocol;
using Queue.Core.Serialization;
using Xunit.Abstractions;

namespace Queue.Core.Tests.Serialization;

/// <summary>One actor system for the whole class: the serializer is taken from it, as Akka would.</summary>
public sealed class SerializationSystemFixture : IAsyncLifetime
{
    public ActorSystem System { get; private set; } = null!;

    public Task InitializeAsync()
    {
        System = ActorSystem.Create("t", QueueSerializer.Config.WithFallback(ConfigurationFactory.Default()));
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => System.Terminate();
}

public sealed class QueueSerializerTests(SerializationSystemFixture fixture, ITestOutputHelper output)
    : IClassFixture<SerializationSystemFixture>
{
    private readonly Akka.Serialization.Serialization _serialization = fixture.System.Serialization;

    private QueueSerializer Serializer => (QueueSerializer)_serialization.FindSerializerForType(typeof(TopicAdded));

    // ------------------------------------------------------------------ samples

    private static readonly DateTimeOffset Utc = new DateTimeOffset(2025, 3, 14, 15, 9, 26, TimeSpan.Zero).AddTicks(5_358_979);

    // A half-hour offset, a negative one, and the extremes of the type.
    private static readonly DateTimeOffset[] Timestamps =
    [
        Utc,
        new DateTimeOffset(2024, 2, 29, 23, 59, 59, new TimeSpan(5, 30, 0)).AddTicks(1),
        new DateTimeOffset(1999, 12, 31, 23, 0, 0, TimeSpan.FromHours(-11)),
        DateTimeOffset.MinValue,
        DateTimeOffset.MaxValue,
        new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.FromHours(14)),
    ];

    private static readonly string LongUnicode = string.Concat(Enumerable.Repeat("Ünïcødé ✓ 日本語 🚀🎉 ", 5_000));

    private static readonly string[] Strings =
    [
        "",
        "orders",
        "ünïcødé — 日本語 — emoji 🚀🎉👩‍👩‍👧",
        new string('x', 42),   // the longest string written in one pass
        new string('é', 43),   // the shortest one that needs a byte count (86 bytes)
        "nul\0inside",
        LongUnicode,
    ];

    private static readonly long[] Longs = [0, 1, -1, 127, 128, -129, int.MaxValue, int.MinValue, long.MaxValue, long.MinValue, 1_234_567_890_123];

    private static StoredMessage[] Messages(int count, int payloadLength, int firstOffset = 0)
    {
        var messages = new StoredMessage[count];
        for (var i = 0; i < count; i++)
        {
            var payload = payloadLength >= 0
                ? new string((char)('a' + i % 26), payloadLength)
                : Strings[i % Strings.Length];
            messages[i] = new StoredMessage(
                firstOffset + i, payload, Longs[i % Longs.Length], Timestamps[i % Timestamps.Length]);
        }
        return messages;
    }

    /// <summary>
    /// Mixed messages: offsets that jump backwards and by long.MinValue, timestamps that go back
    /// in time, every string sample, every producer id sample.
    /// </summary>
    private static readonly StoredMessage[] RichMessages =
    [
        .. Messages(Strings.Length * 2, -1, firstOffset: 1_000_000),
        new StoredMessage(long.MaxValue, "last", long.MinValue, DateTimeOffset.MinValue),
        new StoredMessage(long.MinValue, "🚀", long.MaxValue, DateTimeOffset.MaxValue),
        new StoredMessage(0, "", 0, Utc),
    ];

    private static readonly ConsumerPosition[] Positions = [new(1, 0), new(long.MaxValue, long.MinValue), new(-1, 42)];

    private static readonly ProducerBatchRecord[] BatchRecords =
        [new(1, 0, 0, 1), new(long.MaxValue, long.MinValue, -1, int.MaxValue), new(7, 8, 9, int.MinValue)];

    private static readonly TopicInfo[] Topics =
    [
        new("orders", 3), new("", 0), new("日本語🚀", int.MaxValue, new RetentionPolicy(604_800_000, 1_000_000, 3)),
        new(LongUnicode, -1, new RetentionPolicy(long.MaxValue, long.MinValue, long.MaxValue)),
    ];

    private static readonly ProducerInfo[] Producers = [new(1, "orders", null), new(long.MaxValue, "🚀", 0), new(-5, "", int.MinValue)];

    private static readonly ConsumerInfo[] Consumers =
    [
        .. Enum.GetValues<StartFrom>().Select((from, i) => new ConsumerInfo(i, "orders", i % 2 == 0 ? null : i, from)),
        new(long.MinValue, LongUnicode, int.MaxValue, StartFrom.Earliest),
    ];

    private static readonly HealthFact[] Facts =
        [.. Timestamps.Select((at, i) => new HealthFact(i % 2 == 0 ? "producer" : "consumer", Strings[i % Strings.Length], at))];

    /// <summary>
    /// Every IQueueMessage type with rich samples. A type missing here fails
    /// <see cref="Every_queue_message_type_has_samples_and_a_manifest"/>.
    /// </summary>
    private static IEnumerable<IQueueMessage> Samples()
    {
        // Partition protocol.
        yield return new PartitionEnvelope("orders", 2, new ConsumeNext(7, StartFrom.Earliest, Guid.NewGuid()), Utc.UtcTicks);
        yield return new PartitionEnvelope("日本語🚀", 0, new AppendMessages([new ProduceItem("a", 1)], new ProducerSequence(1, 2)), 0);
        yield return new PartitionEnvelope("", int.MaxValue, new PartitionEnvelope("inner", -1, ListTopics.Instance, -1), long.MaxValue);
        yield return new PartitionEnvelope("t", 1, new RequestFailed(QueueErrorKind.Overloaded, "busy 🚦"), long.MinValue);

        yield return new AppendMessages([]);
        yield return new AppendMessages([.. Strings.Select((s, i) => new ProduceItem(s, Longs[i % Longs.Length]))]);
        yield return new AppendMessages([new ProduceItem("x", -1)], new ProducerSequence(long.MaxValue, long.MinValue));
        yield return new AppendMessages([new ProduceItem("x", 3)], new ProducerSequence(0, 0));

        foreach (var status in Enum.GetValues<AppendStatus>())
            yield return new MessagesAppended(long.MaxValue, int.MinValue, status, -1);
        yield return new MessagesAppended(0, 0, AppendStatus.StaleSequence, long.MinValue);

        foreach (var from in Enum.GetValues<StartFrom>())
        {
            yield return new ConsumeNext(long.MinValue, from, Guid.NewGuid());
            yield return new GetBacklog(long.MaxValue, from);
            yield return new PinConsumer(-1, from);
            yield return new RegisterConsumer("orders", null, from);
            yield return new RegisterConsumer("🚀", int.MinValue, from);
        }
        yield return new ConsumeNext(0, StartFrom.Latest, Guid.Empty);

        yield return new NextConsumed(null, 0);
        yield return new NextConsumed(RichMessages[2], long.MaxValue);
        yield return new NextConsumed(new StoredMessage(long.MinValue, LongUnicode, -1, DateTimeOffset.MaxValue), -1);

        yield return new ReturnDelivery(42, Guid.NewGuid());
        yield return new BacklogReported(long.MinValue, long.MaxValue);
        yield return new ConsumerPinned(-1);
        yield return new FetchMessages(long.MaxValue, int.MinValue);

        yield return new MessagesFetched([], 0, 0);
        yield return new MessagesFetched(RichMessages, long.MinValue, long.MaxValue);

        yield return new WaitForMessages(-1);
        yield return new MessagesAvailable(long.MaxValue);
        yield return new CommitPosition(1, long.MinValue);
        yield return new PositionCommitted(true, 1, 0, 2);
        yield return new PositionCommitted(false, long.MinValue, -1, long.MaxValue);

        foreach (var kind in Enum.GetValues<QueueErrorKind>())
            yield return new RequestFailed(kind, $"{kind}: ünïcødé 🚀");
        yield return new RequestFailed(QueueErrorKind.BadRequest, "");
        yield return new RequestFailed(QueueErrorKind.TooLarge, LongUnicode);

        // Partition journal and snapshot.
        yield return new PartitionBatchCommitted([], [], []);
        yield return new PartitionBatchCommitted(RichMessages, Positions, BatchRecords);
        yield return new PartitionBatchCommitted(Messages(500, 100), [], [new(3, 4, 0, 500)]);

        yield return new PartitionSnapshot(0, 0, [], [], []);
        yield return new PartitionSnapshot(long.MinValue, long.MaxValue, Positions, BatchRecords,
            [new(0, 1), new(long.MaxValue, long.MinValue, Utc.UtcTicks), new(-1, 0, long.MaxValue)], Utc.UtcTicks);
        yield return new ApplyRetention(new RetentionPolicy(1000, 0, 1));
        yield return new ApplyRetention(RetentionPolicy.None);
        yield return new RetentionApplied(long.MaxValue, long.MinValue);

        // Catalogue.
        yield return ListTopics.Instance;
        yield return new TopicList([]);
        yield return new TopicList(Topics);
        yield return new GetTopic("orders");
        yield return new GetTopic(LongUnicode);
        yield return new TopicLookup(null);
        yield return new TopicLookup(Topics[2]);
        yield return new CreateTopic("日本語🚀", int.MinValue);
        yield return new CreateTopic("orders", 3, 60_000, null);
        yield return new CreateTopic("orders", 3, null, long.MaxValue);
        yield return new SetTopicRetention("orders", null, null);
        yield return new SetTopicRetention("日本語🚀", 0, long.MaxValue);
        yield return new TopicRetentionChanged("orders", new RetentionPolicy(1, 2, 3));
        yield return new TopicRetentionChanged("", RetentionPolicy.None);
        yield return new TopicCreated(Topics[0], true);
        yield return new TopicCreated(Topics[1], false);
        yield return new RegisterProducer("orders", null);
        yield return new RegisterProducer("", int.MaxValue);
        foreach (var producer in Producers)
        {
            yield return new ProducerRegistered(producer);
            yield return new ProducerAdded(producer);
        }
        foreach (var consumer in Consumers)
        {
            yield return new ConsumerRegistered(consumer);
            yield return new ConsumerAdded(consumer);
        }
        yield return new GetProducer(long.MinValue);
        yield return new ProducerLookup(null);
        yield return new ProducerLookup(Producers[1]);
        yield return new GetConsumer(long.MaxValue);
        yield return new ConsumerLookup(null);
        yield return new ConsumerLookup(Consumers[^1]);
        yield return ListConsumers.Instance;
        yield return new ConsumerList([]);
        yield return new ConsumerList(Consumers);
        yield return new RecordHealth([]);
        yield return new RecordHealth(Facts);
        yield return GetHealth.Instance;
        yield return new HealthReport([]);
        yield return new HealthReport(Facts);
        foreach (var topic in Topics)
            yield return new TopicAdded(topic);
        yield return new CatalogueSnapshot([], [], [], 0);
        yield return new CatalogueSnapshot(Topics, Producers, Consumers, long.MaxValue);
        foreach (var group in GroupSamples())
            yield return group;
    }

    private static IEnumerable<IQueueMessage> GroupSamples()
    {
        GroupPartitionOffset[] offsets = [new(0, 0), new(3, long.MaxValue), new(int.MaxValue, 17)];
        yield return new GroupEnvelope("orders-service", new JoinGroup("orders", 3, 10_000, StartFrom.Earliest), 0);
        yield return new GroupEnvelope("orders-service", new JoinGroup("orders", 3, 10_000, StartFrom.Latest, "m-7"), 12);
        yield return new GroupEnvelope(Strings[^1], DescribeGroup.Instance, long.MaxValue);
        yield return new JoinGroup("t", int.MaxValue, long.MaxValue, StartFrom.Latest);
        yield return new JoinGroup("t", 4, 10_000, StartFrom.Earliest, "worker-1");
        yield return new GroupHeartbeat("m-1");
        yield return new LeaveGroup(Strings[^1]);
        yield return new CommitGroupOffsets("m", long.MaxValue, offsets, true);
        yield return new CommitGroupOffsets("m", 0, [], false);
        yield return DescribeGroup.Instance;
        yield return new GroupAssignment("m", 7, [0, 2, 5], offsets, StartFrom.Earliest, 500);
        yield return new GroupAssignment("m", 0, [], [], StartFrom.Latest, long.MaxValue);
        yield return new GroupDescribed(null, 0, 0, [], []);
        yield return new GroupDescribed("orders", 6, 3, [new GroupMemberInfo("a", [0, 1, 2], 1000), new GroupMemberInfo("b", [], 2)], offsets);
        yield return new GroupMemberJoined("m", "orders", 12, 30_000, StartFrom.Earliest);
        yield return new GroupMembersRemoved(["a", "b"], true);
        yield return new GroupMembersRemoved([], false);
        yield return new GroupOffsetsCommitted(offsets);
        yield return new GroupSnapshot(null, 0, 0, [], []);
        yield return new GroupSnapshot("orders", 3, long.MaxValue, [new GroupMemberRecord("a", 1000, StartFrom.Latest, [1, 2]), new GroupMemberRecord("b", 10, StartFrom.Earliest, [])], offsets);
    }

    public static TheoryData<string, int> SampleCases()
    {
        // The theory shows each case as type + index, so a failure names the type.
        var data = new TheoryData<string, int>();
        var index = 0;
        foreach (var sample in Samples())
            data.Add(sample.GetType().Name, index++);
        return data;
    }

    private static IQueueMessage Sample(int index) => Samples().ElementAt(index);

    // ------------------------------------------------------------------ coverage

    [Fact]
    public void Every_queue_message_type_has_samples_and_a_manifest()
    {
        var messageTypes = typeof(IQueueMessage).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && !t.IsInterface && typeof(IQueueMessage).IsAssignableFrom(t))
            .ToList();
        var sampled = Samples().Select(s => s.GetType()).ToHashSet();
        var known = QueueSerializer.KnownTypes.ToDictionary(k => k.Type, k => k.Manifest);

        var withoutSample = messageTypes.Where(t => !sampled.Contains(t)).Select(t => t.FullName).ToList();
        Assert.True(withoutSample.Count == 0, $"IQueueMessage types without a serializer test sample: {string.Join(", ", withoutSample)}");

        var withoutManifest = messageTypes.Where(t => !known.ContainsKey(t)).Select(t => t.FullName).ToList();
        Assert.True(withoutManifest.Count == 0, $"IQueueMessage types without a QueueSerializer manifest: {string.Join(", ", withoutManifest)}");

        foreach (var sample in Samples())
            Assert.Equal(known[sample.GetType()], Serializer.Manifest(sample));
    }

    [Fact]
    public void Manifests_are_unique_short_and_ascii()
    {
        var manifests = QueueSerializer.KnownTypes.Select(k => k.Manifest).ToList();
        Assert.Equal(manifests.Count, manifests.Distinct(StringComparer.Ordinal).Count());
        Assert.All(manifests, m => Assert.True(m.Length is > 0 and <= 8 && m.All(char.IsAsciiLetterOrDigit), m));
        Assert.Equal(QueueSerializer.KnownTypes.Length, QueueSerializer.KnownTypes.Select(k => k.Type).Distinct().Count());
    }

    // ------------------------------------------------------------------ round trips

    [Theory]
    [MemberData(nameof(SampleCases))]
    public void Round_trips_by_value(string type, int index)
    {
        var sample = Sample(index);
        var bytes = Serializer.ToBinary(sample);
        var back = Serializer.FromBinary(bytes, Serializer.Manifest(sample));

        Assert.IsType(sample.GetType(), back);
        AssertDeepEqual(sample, back, type);
        // And the copy encodes to the same bytes: nothing was lost or reordered.
        Assert.Equal(bytes, Serializer.ToBinary(back));
    }

    [Theory]
    [MemberData(nameof(SampleCases))]
    public void Actor_system_binds_the_queue_serializer_and_round_trips(string type, int index)
    {
        var sample = Sample(index);
        var serializer = _serialization.FindSerializerFor(sample);
        Assert.True(serializer is QueueSerializer, $"{type} is serialized by {serializer.GetType().Name}, not QueueSerializer");
        Assert.Equal(QueueSerializer.SerializerId, serializer.Identifier);

        var bytes = _serialization.Serialize(sample);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, sample);
        var back = _serialization.Deserialize(bytes, serializer.Identifier, manifest);
        AssertDeepEqual(sample, back, type);

        // Akka's other entry point passes the type's name as the manifest; it must work too.
        var byType = _serialization.Deserialize(bytes, serializer.Identifier, sample.GetType());
        AssertDeepEqual(sample, byType, type);
    }

    [Fact]
    public void Singletons_come_back_as_the_singleton()
    {
        Assert.Same(ListTopics.Instance, Serializer.FromBinary(Serializer.ToBinary(ListTopics.Instance), "LT"));
        Assert.Same(GetHealth.Instance, Serializer.FromBinary(Serializer.ToBinary(GetHealth.Instance), "GH"));
        Assert.Same(DescribeGroup.Instance, Serializer.FromBinary(Serializer.ToBinary(DescribeGroup.Instance), "GD"));
    }

    [Fact]
    public void Config_binds_the_same_identifier_as_the_serializer()
    {
        var config = QueueSerializer.Config;
        Assert.Equal(QueueSerializer.SerializerId,
            config.GetInt("akka.actor.serialization-identifiers.\"Queue.Core.Serialization.QueueSerializer, Queue.Core\""));
        Assert.Equal("akkaqueue", config.GetString("akka.actor.serialization-bindings.\"Queue.Core.Protocol.IQueueMessage, Queue.Core\""));
        Assert.True(QueueSerializer.SerializerId > 100, "ids up to 100 are Akka's own");
    }

    [Fact]
    public void Persisted_types_start_with_their_format_version()
    {
        // Version 2: the types retention changed (the newest timestamps, the topic's policy).
        IQueueMessage[] secondVersion =
        [
            new PartitionSnapshot(0, 0, [], [], []),
            new TopicAdded(Topics[0]),
            new CatalogueSnapshot([], [], [], 0),
        ];
        foreach (var message in secondVersion)
        {
            var bytes = Serializer.ToBinary(message);
            Assert.Equal(2, bytes[0]);
            bytes[0] = 3;
            var error = Assert.Throws<SerializationException>(() => Serializer.FromBinary(bytes, Serializer.Manifest(message)));
            Assert.Contains("version 3", error.Message);
        }
        IQueueMessage[] persisted =
        [
            new PartitionBatchCommitted([], [], []),
            new ProducerAdded(Producers[0]),
            new ConsumerAdded(Consumers[0]),
            new TopicRetentionChanged("t", RetentionPolicy.None),
            new GroupMemberJoined("m", "t", 1, 1000, StartFrom.Latest),
            new GroupMembersRemoved(["m"], false),
            new GroupOffsetsCommitted([]),
            new GroupSnapshot(null, 0, 0, [], []),
        ];
        foreach (var message in persisted)
        {
            var bytes = Serializer.ToBinary(message);
            Assert.Equal(1, bytes[0]);
            bytes[0] = 2;
            var error = Assert.Throws<SerializationException>(() => Serializer.FromBinary(bytes, Serializer.Manifest(message)));
            Assert.Contains("version 2", error.Message);
        }
    }

    // Bytes as the version before retention wrote them (written out by hand: that code is gone).
    // "orders" is a length byte and six ASCII bytes; numbers are zigzag varints (3 -> 6).
    private static readonly byte[] OrdersWith3Partitions = [6, (byte)'o', (byte)'r', (byte)'d', (byte)'e', (byte)'r', (byte)'s', 6];

    [Fact]
    public void Journals_written_before_retention_still_read()
    {
        // PartitionSnapshot v1: log start 0, high-water mark 10, no positions or sequences, index [(0, 1), (5, 2)].
        var snapshot = Assert.IsType<PartitionSnapshot>(Serializer.FromBinary([1, 0, 20, 0, 0, 2, 0, 2, 10, 4], "PS"));
        Assert.Equal(10, snapshot.HighWatermark);
        Assert.Equal([new OffsetIndexEntry(0, 1, 0), new OffsetIndexEntry(5, 2, 0)], snapshot.Index);
        Assert.Equal(0, snapshot.MaxTimestampTicks);

        var added = Assert.IsType<TopicAdded>(Serializer.FromBinary([1, .. OrdersWith3Partitions], "TA"));
        Assert.Equal(new TopicInfo("orders", 3, RetentionPolicy.None), added.Topic);

        // CatalogueSnapshot v1: one topic, no producers, no consumers, last id 7.
        var catalogue = Assert.IsType<CatalogueSnapshot>(Serializer.FromBinary([1, 1, .. OrdersWith3Partitions, 0, 0, 14], "CS"));
        Assert.Equal(new TopicInfo("orders", 3), Assert.Single(catalogue.Topics));
        Assert.Equal(7, catalogue.LastId);
    }

    [Fact]
    public void A_join_from_a_node_before_idempotent_joins_still_reads()
    {
        // "GJ": topic "orders", 3 partitions, session timeout 10 (zigzag 20), from latest (0); no member id.
        Assert.Equal(new JoinGroup("orders", 3, 10, StartFrom.Latest), Serializer.FromBinary([.. OrdersWith3Partitions, 20, 0], "GJ"));
    }

    [Fact]
    public void Topic_messages_of_a_node_from_before_retention_still_read()
    {
        Assert.Equal(new CreateTopic("orders", 3), Serializer.FromBinary(OrdersWith3Partitions, "CT"));
        Assert.Equal(new TopicInfo("orders", 3), Assert.Single(Assert.IsType<TopicList>(Serializer.FromBinary([1, .. OrdersWith3Partitions], "TL")).Topics));
        Assert.Equal(new TopicInfo("orders", 3), Assert.IsType<TopicLookup>(Serializer.FromBinary([1, .. OrdersWith3Partitions], "TK")).Topic);
        Assert.Equal(new TopicCreated(new TopicInfo("orders", 3), true), Serializer.FromBinary([.. OrdersWith3Partitions, 1], "TC"));
    }

    // ------------------------------------------------------------------ failures

    [Fact]
    public void Unknown_manifest_throws_naming_it()
    {
        var error = Assert.Throws<SerializationException>(() => Serializer.FromBinary([1, 2, 3], "Nope"));
        Assert.Contains("Nope", error.Message);
    }

    [Fact]
    public void Unknown_nested_manifest_throws_naming_it()
    {
        var bytes = Serializer.ToBinary(new PartitionEnvelope("t", 0, new WaitForMessages(5), 0));
        // The inner manifest "WM" follows topic (2 bytes), partition (1) and deadline (8) and its length byte.
        Assert.Equal((byte)'W', bytes[12]);
        bytes[12] = (byte)'Z';
        var error = Assert.Throws<SerializationException>(() => Serializer.FromBinary(bytes, "PE"));
        Assert.Contains("ZM", error.Message);
    }

    [Fact]
    public void Non_queue_message_has_no_manifest()
    {
        var error = Assert.Throws<SerializationException>(() => Serializer.Manifest("a string"));
        Assert.Contains("System.String", error.Message);
    }

    [Theory]
    [MemberData(nameof(SampleCases))]
    public void Truncated_buffer_throws_rather_than_returning_garbage(string type, int index)
    {
        var sample = Sample(index);
        var manifest = Serializer.Manifest(sample);
        var bytes = Serializer.ToBinary(sample);

        // Every cut of a small message, a spread of cuts of a big one.
        var step = Math.Max(1, bytes.Length / 64);
        for (var length = 0; length < bytes.Length; length += step)
        {
            var cut = bytes.AsSpan(0, length).ToArray();
            var error = Record.Exception(() => Serializer.FromBinary(cut, manifest));
            Assert.True(error is SerializationException,
                $"{type} cut to {length} of {bytes.Length} bytes gave {error?.GetType().Name ?? "a message"} instead of a SerializationException");
        }

        // Bytes after the end are corruption too.
        var longer = new byte[bytes.Length + 1];
        bytes.CopyTo(longer, 0);
        Assert.Throws<SerializationException>(() => Serializer.FromBinary(longer, manifest));
    }

    [Fact]
    public void Invalid_utf8_throws()
    {
        var bytes = Serializer.ToBinary(new GetTopic("ab"));
        bytes[1] = 0xFF;
        Assert.Throws<SerializationException>(() => Serializer.FromBinary(bytes, "GT"));
    }

    [Fact]
    public void Out_of_range_enum_throws()
    {
        var bytes = Serializer.ToBinary(new RequestFailed(QueueErrorKind.Overloaded, "x"));
        bytes[0] = 100; // zigzag varint of 50, one byte
        Assert.Throws<SerializationException>(() => Serializer.FromBinary(bytes, "RF"));
    }

    [Fact]
    public void Absurd_list_count_throws_before_allocating()
    {
        // Version byte, then a count of 2^62 messages in a 12-byte buffer.
        byte[] bytes = [1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 0, 0];
        var error = Assert.Throws<SerializationException>(() => Serializer.FromBinary(bytes, "BC"));
        Assert.Contains("cannot fit", error.Message);
    }

    [Fact]
    public void Null_string_is_refused_at_the_sender_naming_the_field()
    {
        var error = Assert.Throws<SerializationException>(() => Serializer.ToBinary(new GetTopic(null!)));
        Assert.Contains("GetTopic.Name", error.Message);
    }

    // ------------------------------------------------------------------ measure

    [Fact]
    public void Measure_batch_of_500_messages_of_100_bytes()
    {
        var messages = Messages(500, 100, firstOffset: 1_000_000);
        for (var i = 0; i < messages.Length; i++)
            messages[i] = messages[i] with { Timestamp = Utc.AddMilliseconds(i / 50) };
        var batch = new PartitionBatchCommitted(messages, [new(1, 1_000_500)], [new(3, 4, 1_000_000, 500)]);
        var serializer = Serializer;
        var bytes = serializer.ToBinary(batch);
        var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(messages);

        // Best of several short runs: the figure should show the code, not the machine's other load.
        var (serialize, deserialize) = (double.MaxValue, double.MaxValue);
        var (jsonSerialize, jsonDeserialize) = (double.MaxValue, double.MaxValue);
        for (var run = 0; run < 7; run++)
        {
            serialize = Math.Min(serialize, MicrosecondsPerCall(() => bytes = serializer.ToBinary(batch)));
            deserialize = Math.Min(deserialize, MicrosecondsPerCall(() => serializer.FromBinary(bytes, "BC")));
            jsonSerialize = Math.Min(jsonSerialize, MicrosecondsPerCall(() => json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(messages)));
            jsonDeserialize = Math.Min(jsonDeserialize, MicrosecondsPerCall(() => System.Text.Json.JsonSerializer.Deserialize<StoredMessage[]>(json)));
        }

        // A rough figure for the report, not an assertion: machines differ. System.Text.Json on the
        // same messages is printed alongside as a yardstick that is slowed by the same load.
        output.WriteLine(
            $"PartitionBatchCommitted, 500 x 100-byte messages, {bytes.Length} bytes: " +
            $"serialize {serialize:F1} µs + deserialize {deserialize:F1} µs = {serialize + deserialize:F1} µs");
        output.WriteLine(
            $"System.Text.Json, same messages, {json.Length} bytes: " +
            $"serialize {jsonSerialize:F1} µs + deserialize {jsonDeserialize:F1} µs = {jsonSerialize + jsonDeserialize:F1} µs");
    }

    private static double MicrosecondsPerCall(Action action)
    {
        const int rounds = 200;
        action();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < rounds; i++)
            action();
        return watch.Elapsed.TotalMicroseconds / rounds;
    }

    // ------------------------------------------------------------------ structural equality

    /// <summary>
    /// Records compare their lists by reference, so this walks public properties instead: lists
    /// element by element, DateTimeOffset by instant and offset, everything else by Equals.
    /// </summary>
    private static void AssertDeepEqual(object? expected, object? actual, string path)
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{path}: expected {expected ?? "null"}, got {actual ?? "null"}");
            return;
        }

        // Lists first: a collection expression and the decoded array are different list types.
        if (expected is IEnumerable list and not string)
        {
            Assert.True(actual is IEnumerable, $"{path}: expected a list, got a {actual.GetType().Name}");
            var left = list.Cast<object?>().ToList();
            var right = ((IEnumerable)actual).Cast<object?>().ToList();
            Assert.True(left.Count == right.Count, $"{path}: expected {left.Count} elements, got {right.Count}");
            for (var i = 0; i < left.Count; i++)
                AssertDeepEqual(left[i], right[i], $"{path}[{i}]");
            return;
        }

        Assert.True(expected.GetType() == actual.GetType(), $"{path}: expected a {expected.GetType().Name}, got a {actual.GetType().Name}");

        switch (expected)
        {
            case string s:
                Assert.True(string.Equals(s, (string)actual, StringComparison.Ordinal), $"{path}: strings differ");
                return;
            case DateTimeOffset d:
                var other = (DateTimeOffset)actual;
                Assert.True(d.UtcTicks == other.UtcTicks && d.Offset == other.Offset, $"{path}: expected {d:O}, got {other:O}");
                return;
        }

        var type = expected.GetType();
        if (type.IsPrimitive || type.IsEnum || type == typeof(Guid) || type == typeof(decimal))
        {
            Assert.True(expected.Equals(actual), $"{path}: expected {expected}, got {actual}");
            return;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0)
                continue;
            AssertDeepEqual(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}");
        }
    }
}
