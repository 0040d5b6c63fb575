using System.Text.Json;
using Queue.Core.Cluster;
using Queue.Core.Journal;
using Queue.Core.Log;
using Queue.Core.Protocol;
using Queue.Core.Transport;

namespace Queue.Core.Tests.Transport;

public sealed class MessageCodecTests
{
    private static readonly DateTimeOffset When = new(2026, 11, 21, 1, 2, 3, 456, TimeSpan.FromHours(5.5));

    // One or more samples per registered type; the completeness test below fails when a type is
    // registered without a sample here, so no registration goes untested.
    private static readonly object[] Samples =
    [
        "", "grüße ✓", 0, int.MinValue, long.MaxValue, -1L, true, false,
        new PartitionRequest(new PartitionId("orders", 3), new AppendMessages([new ProduceItem("m", 7)])),
        new ActorRequest("partitions/orders/3", new ConsumeNext(5, StartFrom.Earliest)),
        new AppendMessages([]),
        new AppendMessages([new ProduceItem("", 0), new ProduceItem("héllo", long.MaxValue), new ProduceItem(new string('x', 10_000), -5)]),
        new MessagesAppended(42, 3),
        new AppendMessages([new ProduceItem("m", 7)], new ProducerSequence(7, 12)),
        new MessagesAppended(40, 3, AppendStatus.Duplicate, 12),
        new MessagesAppended(-1, 0, AppendStatus.StaleSequence, 13),
        new CommitPosition(5, 100),
        new PositionCommitted(true, 100, 0, 120),
        new PositionCommitted(false, 7, 3, 9),
        new ConsumeNext(9, StartFrom.Latest),
        new NextConsumed(null, 0),
        new NextConsumed(new StoredMessage(17, "payload", 4, When), 12),
        new GetBacklog(1, StartFrom.Earliest),
        new BacklogReported(10, 25),
        new PinConsumer(2, StartFrom.Latest),
        new ConsumerPinned(99),
        new FetchMessages(100, 500),
        new MessagesFetched([], 0, 0),
        new MessagesFetched([new StoredMessage(0, "a", 1, When), new StoredMessage(1, "", 2, DateTimeOffset.UnixEpoch)], 0, 2),
        new WaitForMessages(42),
        new MessagesAvailable(43),
        new RegisterMember(new MemberAddress("n1", "10.0.0.1:2552", "http://10.0.0.1:8001", ["broker", "edge"])),
        new MemberRegistered(3, Table),
        new Heartbeat("n1", 7),
        new HeartbeatAck(3, true, null),
        new HeartbeatAck(3, false, Table),
        new LeaveCluster("n2"),
        new LeftCluster(true),
        new WhoIsManager(),
        new ManagerInfo("n1", "h:1", 4),
        new GetRoutingTable(2),
        Table,
        RoutingTable.Empty,
        new RoutingTableUpdated(Table),
        new HandOffShard(5, 9),
        new ShardHandedOff(5, 9),
        new GetClusterState(),
        new ClusterState(new ManagerInfo("", "", 0), [new ClusterMember("n1", "h:1", ["broker"], "http://h:8001", MemberStatus.Unreachable, When)], Table),
        new RecordHealth([new HealthFact("producer", "12", When)]),
        new ListTopics(),
        new TopicList([new TopicInfo("T-1", 3)]),
        new GetTopic("T-1"),
        new TopicLookup(null),
        new TopicLookup(new TopicInfo("T", 1)),
        new CreateTopic("T", 4),
        new TopicCreated(new TopicInfo("T", 4), false),
        new RegisterProducer("T", null),
        new ProducerInfo(3, "T", 2),
        new RegisterConsumer("T", 1, StartFrom.Earliest),
        new ConsumerInfo(4, "T", null, StartFrom.Latest),
        new GetProducer(3),
        new ProducerLookup(new ProducerInfo(3, "T", null)),
        new GetConsumer(4),
        new ConsumerLookup(null),
    ];

    private static RoutingTable Table => new(5, 60,
        [new ShardAllocation(0, "n1", 11), new ShardAllocation(59, "n2", 12)],
        [new MemberAddress("n1", "h:1", "http://h:8001", ["broker"])]);

    public static TheoryData<object> AllSamples()
    {
        var data = new TheoryData<object>();
        foreach (var sample in Samples)
        {
            data.Add(sample);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(AllSamples))]
    public void Every_registered_type_round_trips(object message)
    {
        var codec = MessageCodec.CreateDefault();
        using var writer = codec.Encode(message);
        var decoded = codec.Decode(writer.WrittenSpan);
        Assert.Equal(message.GetType(), decoded!.GetType());
        // Records with lists compare lists by reference; compare their JSON instead.
        Assert.Equal(JsonSerializer.Serialize(message, message.GetType()), JsonSerializer.Serialize(decoded, decoded.GetType()));
    }

    [Fact]
    public void Every_registered_type_has_a_round_trip_sample()
    {
        var sampled = Samples.Select(s => s.GetType()).ToHashSet();
        var missing = MessageCodec.CreateDefault().RegisteredTypes.Where(t => !sampled.Contains(t)).Select(t => t.Name).ToList();
        Assert.True(missing.Count == 0, "no round-trip sample for: " + string.Join(", ", missing));
    }

    [Fact]
    public void Timestamps_keep_their_instant_and_offset()
    {
        var codec = MessageCodec.CreateDefault();
        using var writer = codec.Encode(new NextConsumed(new StoredMessage(1, "x", 2, When), 0));
        var decoded = (NextConsumed)codec.Decode(writer.WrittenSpan)!;
        Assert.Equal(When, decoded.Message!.Timestamp);
        Assert.Equal(When.Offset, decoded.Message.Timestamp.Offset);
    }

    [Fact]
    public void Null_round_trips_as_type_id_zero()
    {
        var codec = MessageCodec.CreateDefault();
        using var writer = codec.Encode(null);
        Assert.Equal(2, writer.WrittenCount);
        Assert.Null(codec.Decode(writer.WrittenSpan));
    }

    [Fact]
    public void Every_truncation_of_a_message_is_rejected_as_malformed()
    {
        var codec = MessageCodec.CreateDefault();
        using var writer = codec.Encode(new MessagesFetched([new StoredMessage(0, "abc", 1, When)], 0, 1));
        var bytes = writer.WrittenSpan.ToArray();
        for (var length = 0; length < bytes.Length; length++)
        {
            var prefix = bytes[..length];
            Assert.Throws<WireFormatException>(() => codec.Decode(prefix));
        }
        Assert.Throws<WireFormatException>(() => codec.Decode([.. bytes, 0]));
    }

    [Fact]
    public void A_forged_element_count_fails_before_allocating()
    {
        var codec = MessageCodec.CreateDefault();
        using var writer = new WireWriter(codec);
        writer.WriteUInt16(100); // AppendMessages
        writer.WriteInt32(int.MaxValue);
        var bytes = writer.WrittenSpan.ToArray();
        var error = Assert.Throws<WireFormatException>(() => codec.Decode(bytes));
        Assert.Contains("count", error.Message);
    }

    [Fact]
    public void Unknown_type_ids_and_unregistered_types_are_reported_as_such()
    {
        var codec = MessageCodec.CreateDefault();
        Assert.Throws<UnknownMessageTypeException>(() => codec.Decode([0xFF, 0xFF]));
        var error = Assert.Throws<ArgumentException>(() => codec.Encode(new Unknown(1)));
        Assert.Contains(nameof(Unknown), error.Message);
    }

    [Fact]
    public void Another_protocol_registers_its_records_with_one_call_each_and_nests_inside_envelopes()
    {
        var codec = new MessageCodecBuilder().AddDefaults()
            .Register(1020, static (w, v) => w.WriteInt32(v.Value), static (ref WireReader r) => new Unknown(r.ReadInt32()))
            .Build();
        using var writer = codec.Encode(new ActorRequest("x", new Unknown(5)));
        Assert.Equal(new ActorRequest("x", new Unknown(5)), codec.Decode(writer.WrittenSpan));
    }

    [Fact]
    public void Type_ids_and_types_register_once()
    {
        var builder = new MessageCodecBuilder().AddDefaults();
        Assert.Throws<ArgumentException>(() => builder.Register(100, static (w, v) => w.WriteInt32(v.Value), static (ref WireReader r) => new Unknown(r.ReadInt32())));
        Assert.Throws<ArgumentException>(() => builder.Register(1030, static (w, v) => w.WriteInt32(v), static (ref WireReader r) => r.ReadInt32()));
        Assert.Throws<ArgumentException>(() => builder.Register(0, static (w, v) => w.WriteInt32(v.Value), static (ref WireReader r) => new Unknown(r.ReadInt32())));
    }
}
