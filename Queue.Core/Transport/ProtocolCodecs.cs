using Queue.Core.Log;
using Queue.Core.Protocol;

namespace Queue.Core.Transport;

/// <summary>
/// Registrations of the messages that cross the wire today. Hand-written rather than reflected or
/// source-generated: each record's layout is visible here, costs nothing at start-up, and a change
/// to a record that forgets its codec fails the round-trip test for every registered type.
/// </summary>
public static class ProtocolCodecs
{
    /// <summary>Built-ins, transport envelopes, the partition, cluster and catalogue protocols.</summary>
    public static MessageCodecBuilder AddDefaults(this MessageCodecBuilder builder) =>
        builder.AddBuiltIns().AddTransportEnvelopes().AddPartitionProtocol().AddClusterProtocol().AddCatalogProtocol();

    /// <summary>Plain values a handler may answer with: ids 1-9.</summary>
    public static MessageCodecBuilder AddBuiltIns(this MessageCodecBuilder builder) => builder
        .Register(1, static (w, v) => w.WriteString(v), static (ref WireReader r) => r.ReadString())
        .Register(2, static (w, v) => w.WriteInt32(v), static (ref WireReader r) => r.ReadInt32())
        .Register(3, static (w, v) => w.WriteInt64(v), static (ref WireReader r) => r.ReadInt64())
        .Register(4, static (w, v) => w.WriteBool(v), static (ref WireReader r) => r.ReadBool());

    /// <summary>Targets of remote requests: ids 10-19.</summary>
    public static MessageCodecBuilder AddTransportEnvelopes(this MessageCodecBuilder builder) => builder
        .Register(10,
            static (w, v) =>
            {
                WritePartitionId(w, v.Partition);
                w.WriteMessage(v.Message);
            },
            static (ref WireReader r) => new PartitionRequest(ReadPartitionId(ref r), RequiredMessage(ref r)))
        .Register(11,
            static (w, v) =>
            {
                w.WriteString(v.Path);
                w.WriteMessage(v.Message);
            },
            static (ref WireReader r) => new ActorRequest(r.ReadString(), RequiredMessage(ref r)));

    /// <summary>Queue.Core.Protocol.PartitionMessages: ids 100-199.</summary>
    public static MessageCodecBuilder AddPartitionProtocol(this MessageCodecBuilder builder) => builder
        .Register(100,
            static (w, v) =>
            {
                w.WriteInt32(v.Items.Count);
                foreach (var item in v.Items)
                {
                    w.WriteString(item.Payload);
                    w.WriteInt64(item.ProducerId);
                }
                // The producer's sequence is what makes a retried batch idempotent; dropping it
                // here made every retry through an edge or cluster client a second append.
                w.WriteBool(v.Sequence is not null);
                if (v.Sequence is { } sequence)
                {
                    w.WriteInt64(sequence.ProducerId);
                    w.WriteInt64(sequence.Sequence);
                }
            },
            static (ref WireReader r) =>
            {
                // 12 = the smallest item: an empty string's length and a producer id.
                var items = new ProduceItem[r.ReadCount(12)];
                for (var i = 0; i < items.Length; i++)
                {
                    items[i] = new ProduceItem(r.ReadString(), r.ReadInt64());
                }
                ProducerSequence? sequence = r.ReadBool() ? new ProducerSequence(r.ReadInt64(), r.ReadInt64()) : null;
                return new AppendMessages(items, sequence);
            })
        .Register(101,
            static (w, v) =>
            {
                w.WriteInt64(v.FirstOffset);
                w.WriteInt32(v.Count);
                w.WriteByte((byte)v.Status);
                w.WriteInt64(v.LastSequence);
            },
            static (ref WireReader r) =>
            {
                var firstOffset = r.ReadInt64();
                var count = r.ReadInt32();
                var status = (AppendStatus)r.ReadByte();
                if (!Enum.IsDefined(status))
                {
                    throw new WireFormatException($"unknown append status {(int)status}");
                }
                return new MessagesAppended(firstOffset, count, status, r.ReadInt64());
            })
        .Register(102,
            static (w, v) =>
            {
                w.WriteInt64(v.ConsumerId);
                WriteStartFrom(w, v.From);
            },
            static (ref WireReader r) => new ConsumeNext(r.ReadInt64(), ReadStartFrom(ref r)))
        .Register(103,
            static (w, v) =>
            {
                w.WriteBool(v.Message is not null);
                if (v.Message is not null)
                {
                    WriteStoredMessage(w, v.Message);
                }
                w.WriteInt64(v.Remaining);
            },
            static (ref WireReader r) => new NextConsumed(r.ReadBool() ? ReadStoredMessage(ref r) : null, r.ReadInt64()))
        .Register(104,
            static (w, v) =>
            {
                w.WriteInt64(v.ConsumerId);
                WriteStartFrom(w, v.From);
            },
            static (ref WireReader r) => new GetBacklog(r.ReadInt64(), ReadStartFrom(ref r)))
        .Register(105,
            static (w, v) =>
            {
                w.WriteInt64(v.Position);
                w.WriteInt64(v.HighWatermark);
            },
            static (ref WireReader r) => new BacklogReported(r.ReadInt64(), r.ReadInt64()))
        .Register(106,
            static (w, v) =>
            {
                w.WriteInt64(v.ConsumerId);
                WriteStartFrom(w, v.From);
            },
            static (ref WireReader r) => new PinConsumer(r.ReadInt64(), ReadStartFrom(ref r)))
        .Register(107,
            static (w, v) => w.WriteInt64(v.Position),
            static (ref WireReader r) => new ConsumerPinned(r.ReadInt64()))
        .Register(108,
            static (w, v) =>
            {
                w.WriteInt64(v.Offset);
                w.WriteInt32(v.Max);
            },
            static (ref WireReader r) => new FetchMessages(r.ReadInt64(), r.ReadInt32()))
        .Register(109,
            static (w, v) =>
            {
                w.WriteInt32(v.Messages.Count);
                foreach (var message in v.Messages)
                {
                    WriteStoredMessage(w, message);
                }
                w.WriteInt64(v.LogStart);
                w.WriteInt64(v.HighWatermark);
            },
            static (ref WireReader r) =>
            {
                // 32 = the smallest stored message: offset, empty payload, producer, timestamp.
                var messages = new StoredMessage[r.ReadCount(32)];
                for (var i = 0; i < messages.Length; i++)
                {
                    messages[i] = ReadStoredMessage(ref r);
                }
                return new MessagesFetched(messages, r.ReadInt64(), r.ReadInt64());
            })
        // The long-poll's wait: without these a fetch with wait_ms on an edge-only node or a
        // cluster client failed for every partition owned elsewhere.
        .Register(110,
            static (w, v) => w.WriteInt64(v.Offset),
            static (ref WireReader r) => new WaitForMessages(r.ReadInt64()))
        .Register(111,
            static (w, v) => w.WriteInt64(v.HighWatermark),
            static (ref WireReader r) => new MessagesAvailable(r.ReadInt64()))
        .Register(112,
            static (w, v) =>
            {
                w.WriteInt64(v.ConsumerId);
                w.WriteInt64(v.Offset);
            },
            static (ref WireReader r) => new CommitPosition(r.ReadInt64(), r.ReadInt64()))
        .Register(113,
            static (w, v) =>
            {
                w.WriteBool(v.Accepted);
                w.WriteInt64(v.Position);
                w.WriteInt64(v.LogStart);
                w.WriteInt64(v.HighWatermark);
            },
            static (ref WireReader r) => new PositionCommitted(r.ReadBool(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64()));

    public static void WritePartitionId(WireWriter writer, PartitionId partition)
    {
        writer.WriteString(partition.Topic);
        writer.WriteInt32(partition.Partition);
    }

    public static PartitionId ReadPartitionId(ref WireReader reader) => new(reader.ReadString(), reader.ReadInt32());

    private static void WriteStoredMessage(WireWriter writer, StoredMessage message)
    {
        writer.WriteInt64(message.Offset);
        writer.WriteString(message.Payload);
        writer.WriteInt64(message.ProducerId);
        writer.WriteDateTimeOffset(message.Timestamp);
    }

    private static StoredMessage ReadStoredMessage(ref WireReader reader) =>
        new(reader.ReadInt64(), reader.ReadString(), reader.ReadInt64(), reader.ReadDateTimeOffset());

    private static void WriteStartFrom(WireWriter writer, StartFrom from) => writer.WriteByte((byte)from);

    private static StartFrom ReadStartFrom(ref WireReader reader)
    {
        var value = (StartFrom)reader.ReadByte();
        return Enum.IsDefined(value) ? value : throw new WireFormatException($"unknown StartFrom {(byte)value}");
    }

    private static object RequiredMessage(ref WireReader reader) =>
        reader.ReadMessage() ?? throw new WireFormatException("a request envelope must carry a message");
}
