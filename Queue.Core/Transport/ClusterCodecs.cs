using Queue.Core.Cluster;
using Queue.Core.Journal;
using Queue.Core.Log;
using Queue.Core.Protocol;

namespace Queue.Core.Transport;

/// <summary>
/// Wire layouts of the cluster protocol (ids 200-239) and the catalogue protocol (ids 240-269),
/// hand-written like <see cref="ProtocolCodecs"/>. Ids are part of the protocol: only add.
/// </summary>
public static class ClusterCodecs
{
    public static MessageCodecBuilder AddClusterProtocol(this MessageCodecBuilder builder) => builder
        .Register(200, static (w, v) => WriteAddress(w, v.Member), static (ref WireReader r) => new RegisterMember(ReadAddress(ref r)))
        .Register(201,
            static (w, v) =>
            {
                w.WriteInt64(v.ManagerEpoch);
                WriteTable(w, v.Table);
            },
            static (ref WireReader r) => new MemberRegistered(r.ReadInt64(), ReadTable(ref r)))
        .Register(202,
            static (w, v) =>
            {
                w.WriteString(v.NodeId);
                w.WriteInt64(v.TableVersion);
            },
            static (ref WireReader r) => new Heartbeat(r.ReadString(), r.ReadInt64()))
        .Register(203,
            static (w, v) =>
            {
                w.WriteInt64(v.ManagerEpoch);
                w.WriteBool(v.Registered);
                w.WriteBool(v.Table is not null);
                if (v.Table is not null)
                {
                    WriteTable(w, v.Table);
                }
            },
            static (ref WireReader r) => new HeartbeatAck(r.ReadInt64(), r.ReadBool(), r.ReadBool() ? ReadTable(ref r) : null))
        .Register(204, static (w, v) => w.WriteString(v.NodeId), static (ref WireReader r) => new LeaveCluster(r.ReadString()))
        .Register(205, static (w, v) => w.WriteBool(v.Accepted), static (ref WireReader r) => new LeftCluster(r.ReadBool()))
        .Register(206, static (_, _) => { }, static (ref WireReader _) => new WhoIsManager())
        .Register(207, static (w, v) => WriteManager(w, v), static (ref WireReader r) => ReadManager(ref r))
        .Register(208, static (w, v) => w.WriteInt64(v.KnownVersion), static (ref WireReader r) => new GetRoutingTable(r.ReadInt64()))
        .Register(209, static (w, v) => WriteTable(w, v), static (ref WireReader r) => ReadTable(ref r))
        .Register(210, static (w, v) => WriteTable(w, v.Table), static (ref WireReader r) => new RoutingTableUpdated(ReadTable(ref r)))
        .Register(211,
            static (w, v) =>
            {
                w.WriteInt32(v.Shard);
                w.WriteInt64(v.Epoch);
            },
            static (ref WireReader r) => new HandOffShard(r.ReadInt32(), r.ReadInt64()))
        .Register(212,
            static (w, v) =>
            {
                w.WriteInt32(v.Shard);
                w.WriteInt64(v.Epoch);
            },
            static (ref WireReader r) => new ShardHandedOff(r.ReadInt32(), r.ReadInt64()))
        .Register(213, static (_, _) => { }, static (ref WireReader _) => new GetClusterState())
        .Register(214,
            static (w, v) =>
            {
                WriteManager(w, v.Manager);
                w.WriteInt32(v.Members.Count);
                foreach (var member in v.Members)
                {
                    WriteMember(w, member);
                }
                WriteTable(w, v.Table);
            },
            static (ref WireReader r) =>
            {
                var manager = ReadManager(ref r);
                var members = new ClusterMember[r.ReadCount(30)];
                for (var i = 0; i < members.Length; i++)
                {
                    members[i] = ReadMember(ref r);
                }
                return new ClusterState(manager, members, ReadTable(ref r));
            })
        .Register(215,
            static (w, v) =>
            {
                w.WriteInt32(v.Facts.Count);
                foreach (var fact in v.Facts)
                {
                    w.WriteString(fact.Kind);
                    w.WriteString(fact.Id);
                    w.WriteDateTimeOffset(fact.LastSeen);
                }
            },
            static (ref WireReader r) =>
            {
                var facts = new HealthFact[r.ReadCount(18)];
                for (var i = 0; i < facts.Length; i++)
                {
                    facts[i] = new HealthFact(r.ReadString(), r.ReadString(), r.ReadDateTimeOffset());
                }
                return new RecordHealth(facts);
            });

    public static MessageCodecBuilder AddCatalogProtocol(this MessageCodecBuilder builder) => builder
        .Register(240, static (_, _) => { }, static (ref WireReader _) => new ListTopics())
        .Register(241,
            static (w, v) =>
            {
                w.WriteInt32(v.Topics.Count);
                foreach (var topic in v.Topics)
                {
                    WriteTopic(w, topic);
                }
            },
            static (ref WireReader r) =>
            {
                var topics = new TopicInfo[r.ReadCount(8)];
                for (var i = 0; i < topics.Length; i++)
                {
                    topics[i] = ReadTopic(ref r);
                }
                return new TopicList(topics);
            })
        .Register(242, static (w, v) => w.WriteString(v.Name), static (ref WireReader r) => new GetTopic(r.ReadString()))
        .Register(243,
            static (w, v) =>
            {
                w.WriteBool(v.Topic is not null);
                if (v.Topic is not null)
                {
                    WriteTopic(w, v.Topic);
                }
            },
            static (ref WireReader r) => new TopicLookup(r.ReadBool() ? ReadTopic(ref r) : null))
        .Register(244,
            static (w, v) =>
            {
                w.WriteString(v.Name);
                w.WriteInt32(v.Partitions);
            },
            static (ref WireReader r) => new CreateTopic(r.ReadString(), r.ReadInt32()))
        .Register(245,
            static (w, v) =>
            {
                WriteTopic(w, v.Topic);
                w.WriteBool(v.Created);
            },
            static (ref WireReader r) => new TopicCreated(ReadTopic(ref r), r.ReadBool()))
        .Register(246,
            static (w, v) =>
            {
                w.WriteString(v.Topic);
                WriteOptionalInt(w, v.Partition);
            },
            static (ref WireReader r) => new RegisterProducer(r.ReadString(), ReadOptionalInt(ref r)))
        .Register(247, static (w, v) => WriteProducer(w, v), static (ref WireReader r) => ReadProducer(ref r))
        .Register(248,
            static (w, v) =>
            {
                w.WriteString(v.Topic);
                WriteOptionalInt(w, v.Partition);
                w.WriteByte((byte)v.From);
            },
            static (ref WireReader r) => new RegisterConsumer(r.ReadString(), ReadOptionalInt(ref r), ReadStartFrom(ref r)))
        .Register(249, static (w, v) => WriteConsumer(w, v), static (ref WireReader r) => ReadConsumer(ref r))
        .Register(250, static (w, v) => w.WriteInt64(v.Id), static (ref WireReader r) => new GetProducer(r.ReadInt64()))
        .Register(251,
            static (w, v) =>
            {
                w.WriteBool(v.Producer is not null);
                if (v.Producer is not null)
                {
                    WriteProducer(w, v.Producer);
                }
            },
            static (ref WireReader r) => new ProducerLookup(r.ReadBool() ? ReadProducer(ref r) : null))
        .Register(252, static (w, v) => w.WriteInt64(v.Id), static (ref WireReader r) => new GetConsumer(r.ReadInt64()))
        .Register(253,
            static (w, v) =>
            {
                w.WriteBool(v.Consumer is not null);
                if (v.Consumer is not null)
                {
                    WriteConsumer(w, v.Consumer);
                }
            },
            static (ref WireReader r) => new ConsumerLookup(r.ReadBool() ? ReadConsumer(ref r) : null));

    private static void WriteAddress(WireWriter w, MemberAddress a)
    {
        w.WriteString(a.NodeId);
        w.WriteString(a.Address);
        w.WriteString(a.HttpAddress);
        WriteStrings(w, a.Roles);
    }

    private static MemberAddress ReadAddress(ref WireReader r) => new(r.ReadString(), r.ReadString(), r.ReadString(), ReadStrings(ref r));

    private static void WriteManager(WireWriter w, ManagerInfo m)
    {
        w.WriteString(m.NodeId);
        w.WriteString(m.Address);
        w.WriteInt64(m.Epoch);
    }

    private static ManagerInfo ReadManager(ref WireReader r) => new(r.ReadString(), r.ReadString(), r.ReadInt64());

    private static void WriteMember(WireWriter w, ClusterMember m)
    {
        w.WriteString(m.NodeId);
        w.WriteString(m.Address);
        WriteStrings(w, m.Roles);
        w.WriteString(m.HttpAddress);
        w.WriteByte((byte)m.Status);
        w.WriteDateTimeOffset(m.LastHeartbeat);
    }

    private static ClusterMember ReadMember(ref WireReader r)
    {
        var nodeId = r.ReadString();
        var address = r.ReadString();
        var roles = ReadStrings(ref r);
        var http = r.ReadString();
        var status = (MemberStatus)r.ReadByte();
        if (!Enum.IsDefined(status))
        {
            throw new WireFormatException($"unknown member status {(byte)status}");
        }
        return new ClusterMember(nodeId, address, roles, http, status, r.ReadDateTimeOffset());
    }

    private static void WriteTable(WireWriter w, RoutingTable t)
    {
        w.WriteInt64(t.Version);
        w.WriteInt32(t.ShardCount);
        w.WriteInt32(t.Allocations.Count);
        foreach (var a in t.Allocations)
        {
            w.WriteInt32(a.Shard);
            w.WriteString(a.Owner);
            w.WriteInt64(a.Epoch);
        }
        w.WriteInt32(t.Members.Count);
        foreach (var m in t.Members)
        {
            WriteAddress(w, m);
        }
    }

    private static RoutingTable ReadTable(ref WireReader r)
    {
        var version = r.ReadInt64();
        var shardCount = r.ReadInt32();
        var allocations = new ShardAllocation[r.ReadCount(16)];
        for (var i = 0; i < allocations.Length; i++)
        {
            allocations[i] = new ShardAllocation(r.ReadInt32(), r.ReadString(), r.ReadInt64());
        }
        var members = new MemberAddress[r.ReadCount(16)];
        for (var i = 0; i < members.Length; i++)
        {
            members[i] = ReadAddress(ref r);
        }
        return new RoutingTable(version, shardCount, allocations, members);
    }

    private static void WriteTopic(WireWriter w, TopicInfo t)
    {
        w.WriteString(t.Name);
        w.WriteInt32(t.Partitions);
    }

    private static TopicInfo ReadTopic(ref WireReader r) => new(r.ReadString(), r.ReadInt32());

    private static void WriteProducer(WireWriter w, ProducerInfo p)
    {
        w.WriteInt64(p.Id);
        w.WriteString(p.Topic);
        WriteOptionalInt(w, p.Partition);
    }

    private static ProducerInfo ReadProducer(ref WireReader r) => new(r.ReadInt64(), r.ReadString(), ReadOptionalInt(ref r));

    private static void WriteConsumer(WireWriter w, ConsumerInfo c)
    {
        w.WriteInt64(c.Id);
        w.WriteString(c.Topic);
        WriteOptionalInt(w, c.Partition);
        w.WriteByte((byte)c.From);
    }

    private static ConsumerInfo ReadConsumer(ref WireReader r) => new(r.ReadInt64(), r.ReadString(), ReadOptionalInt(ref r), ReadStartFrom(ref r));

    private static void WriteOptionalInt(WireWriter w, int? value)
    {
        w.WriteBool(value.HasValue);
        if (value is { } v)
        {
            w.WriteInt32(v);
        }
    }

    private static int? ReadOptionalInt(ref WireReader r) => r.ReadBool() ? r.ReadInt32() : null;

    private static void WriteStrings(WireWriter w, IReadOnlyList<string> values)
    {
        w.WriteInt32(values.Count);
        foreach (var value in values)
        {
            w.WriteString(value);
        }
    }

    private static string[] ReadStrings(ref WireReader r)
    {
        var values = new string[r.ReadCount(4)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = r.ReadString();
        }
        return values;
    }

    private static StartFrom ReadStartFrom(ref WireReader r)
    {
        var value = (StartFrom)r.ReadByte();
        return Enum.IsDefined(value) ? value : throw new WireFormatException($"unknown StartFrom {(byte)value}");
    }
}
