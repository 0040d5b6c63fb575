using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using Akka.Util;
using Queue.Core.Edge;
using Queue.Core.Journal;
using Queue.Core.Log;
using Queue.Core.Protocol;

namespace Queue.Core.Serialization;

/// <summary>
/// The one serializer of every <see cref="IQueueMessage"/>: what crosses nodes, what the journal
/// stores and what snapshots hold. Each type has a short, stable manifest (never rename one: the
/// journal keeps them) and a hand-written binary body (<see cref="QueueWireWriter"/>): no
/// reflection, no per-field allocations beyond the strings themselves, one exactly sized array per
/// message.
/// <para>
/// Version safety: the types that are persisted (<see cref="PartitionBatchCommitted"/>,
/// <see cref="PartitionSnapshot"/>, <see cref="TopicAdded"/>, <see cref="ProducerAdded"/>,
/// <see cref="ConsumerAdded"/>, <see cref="CatalogueSnapshot"/>) start with a format-version byte.
/// A journal outlives the code that wrote it, so a later change to one of them writes a new version
/// and keeps a reader for every older one. Messages that only travel between live nodes have no
/// version byte: a change to them gets a new manifest instead, which an old node refuses by name.
/// </para>
/// </summary>
public sealed partial class QueueSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>
    /// Fixed for good: it travels with every remote message and every journal row. Akka keeps the
    /// ids below 100 for its own serializers; a seven-digit id stays clear of those and of the
    /// small ids other plugins tend to pick.
    /// </summary>
    public const int SerializerId = 1_700_042;

    /// <summary>
    /// Binds every <see cref="IQueueMessage"/> to this serializer, for tests and systems built in
    /// code; hocon/akka.conf carries the same block. Akka takes the id from <see cref="Identifier"/>
    /// (overridden below); the serialization-identifiers entry only documents it next to the
    /// binding, where Akka's default <c>Identifier</c> would look it up.
    /// </summary>
    public static Config Config { get; } = ConfigurationFactory.ParseString($$"""
        akka.actor {
          serializers { akkaqueue = "Queue.Core.Serialization.QueueSerializer, Queue.Core" }
          serialization-bindings { "Queue.Core.Protocol.IQueueMessage, Queue.Core" = akkaqueue }
          serialization-identifiers { "Queue.Core.Serialization.QueueSerializer, Queue.Core" = {{SerializerId}} }
        }
        """);

    public override int Identifier => SerializerId;

    // Manifests: two letters each, stable forever (the journal stores them). Grouped by file.
    internal const string PartitionEnvelopeManifest = "PE";
    internal const string RequestFailedManifest = "RF";
    internal const string AppendMessagesManifest = "AM";
    internal const string MessagesAppendedManifest = "MA";
    internal const string ConsumeNextManifest = "CN";
    internal const string NextConsumedManifest = "NC";
    internal const string ReturnDeliveryManifest = "RD";
    internal const string GetBacklogManifest = "GB";
    internal const string BacklogReportedManifest = "BR";
    internal const string PinConsumerManifest = "PC";
    internal const string ConsumerPinnedManifest = "CP";
    internal const string FetchMessagesManifest = "FM";
    internal const string MessagesFetchedManifest = "MF";
    internal const string WaitForMessagesManifest = "WM";
    internal const string MessagesAvailableManifest = "MV";
    internal const string CommitPositionManifest = "CM";
    internal const string PositionCommittedManifest = "PO";
    internal const string PartitionBatchCommittedManifest = "BC";
    internal const string PartitionSnapshotManifest = "PS";
    internal const string ListTopicsManifest = "LT";
    internal const string TopicListManifest = "TS";
    internal const string GetTopicManifest = "GT";
    internal const string TopicLookupManifest = "TU";
    internal const string CreateTopicManifest = "CU";
    internal const string TopicCreatedManifest = "TE";
    internal const string SetTopicRetentionManifest = "SR";
    internal const string TopicRetentionChangedManifest = "TR";
    internal const string ApplyRetentionManifest = "AR";
    internal const string RetentionAppliedManifest = "RA";

    // The manifests of live messages that carried a topic before topics had a retention policy.
    // Never written any more; still read (as "keep everything"), so a node of the previous
    // version can talk to this one during a rolling upgrade.
    internal const string TopicListV0Manifest = "TL";
    internal const string TopicLookupV0Manifest = "TK";
    internal const string CreateTopicV0Manifest = "CT";
    internal const string TopicCreatedV0Manifest = "TC";
    internal const string RegisterProducerManifest = "RP";
    internal const string ProducerRegisteredManifest = "PR";
    internal const string RegisterConsumerManifest = "RC";
    internal const string ConsumerRegisteredManifest = "CR";
    internal const string GetProducerManifest = "GP";
    internal const string ProducerLookupManifest = "PL";
    internal const string GetConsumerManifest = "GC";
    internal const string ConsumerLookupManifest = "CL";
    internal const string ListConsumersManifest = "LC";
    internal const string ConsumerListManifest = "CLS";
    internal const string RecordHealthManifest = "RH";
    internal const string GetHealthManifest = "GH";
    internal const string HealthReportManifest = "HR";
    internal const string TopicAddedManifest = "TA";
    internal const string ProducerAddedManifest = "PA";
    internal const string ConsumerAddedManifest = "CA";
    internal const string CatalogueSnapshotManifest = "CS";

    /// <summary>The format version written at the start of every persisted type (see the class remarks).</summary>
    private const byte PersistedFormatV1 = 1;

    /// <summary>
    /// Version 2 of <see cref="PartitionSnapshot"/> (adds the newest message timestamp and each
    /// index entry's) and of <see cref="TopicAdded"/> and <see cref="CatalogueSnapshot"/> (add
    /// each topic's retention policy). Version 1 of each is still read.
    /// </summary>
    private const byte PersistedFormatV2 = 2;

    /// <summary>Manifests are short ASCII; a nested one longer than this is corruption.</summary>
    private const int MaxManifestLength = 8;

    public override string Manifest(object o) => ManifestFor(o);

    /// <summary>The manifest of a message; static, so the nested path needs no instance.</summary>
    internal static string ManifestFor(object o) => o switch
    {
        // The hot types first: a type switch tests the cases in order.
        PartitionEnvelope => PartitionEnvelopeManifest,
        AppendMessages => AppendMessagesManifest,
        MessagesAppended => MessagesAppendedManifest,
        PartitionBatchCommitted => PartitionBatchCommittedManifest,
        ConsumeNext => ConsumeNextManifest,
        NextConsumed => NextConsumedManifest,
        CommitPosition => CommitPositionManifest,
        PositionCommitted => PositionCommittedManifest,
        FetchMessages => FetchMessagesManifest,
        MessagesFetched => MessagesFetchedManifest,
        WaitForMessages => WaitForMessagesManifest,
        MessagesAvailable => MessagesAvailableManifest,
        RequestFailed => RequestFailedManifest,
        ReturnDelivery => ReturnDeliveryManifest,
        GetBacklog => GetBacklogManifest,
        BacklogReported => BacklogReportedManifest,
        PinConsumer => PinConsumerManifest,
        ConsumerPinned => ConsumerPinnedManifest,
        PartitionSnapshot => PartitionSnapshotManifest,
        ListTopics => ListTopicsManifest,
        TopicList => TopicListManifest,
        GetTopic => GetTopicManifest,
        TopicLookup => TopicLookupManifest,
        CreateTopic => CreateTopicManifest,
        TopicCreated => TopicCreatedManifest,
        RegisterProducer => RegisterProducerManifest,
        ProducerRegistered => ProducerRegisteredManifest,
        RegisterConsumer => RegisterConsumerManifest,
        ConsumerRegistered => ConsumerRegisteredManifest,
        GetProducer => GetProducerManifest,
        ProducerLookup => ProducerLookupManifest,
        GetConsumer => GetConsumerManifest,
        ConsumerLookup => ConsumerLookupManifest,
        ListConsumers => ListConsumersManifest,
        ConsumerList => ConsumerListManifest,
        RecordHealth => RecordHealthManifest,
        GetHealth => GetHealthManifest,
        HealthReport => HealthReportManifest,
        TopicAdded => TopicAddedManifest,
        ProducerAdded => ProducerAddedManifest,
        ConsumerAdded => ConsumerAddedManifest,
        CatalogueSnapshot => CatalogueSnapshotManifest,
        SetTopicRetention => SetTopicRetentionManifest,
        TopicRetentionChanged => TopicRetentionChangedManifest,
        ApplyRetention => ApplyRetentionManifest,
        RetentionApplied => RetentionAppliedManifest,
        _ => GroupManifestFor(o) ?? throw new SerializationException($"AkkaQueue has no manifest for [{o?.GetType().FullName ?? "null"}]."),
    };

    public override byte[] ToBinary(object obj)
    {
        var writer = new QueueWireWriter(Estimate(obj));
        try
        {
            Write(ref writer, obj);
            return writer.ToArrayAndReturn();
        }
        finally
        {
            // Idempotent: after ToArrayAndReturn this does nothing; after a throw it returns the buffer.
            writer.Dispose();
        }
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(manifest);

        // Akka's FromBinary(bytes, Type) passes the type's qualified name as the manifest; map it back.
        if (manifest.Length > MaxManifestLength && ManifestsByTypeName.TryGetValue(manifest, out var shortManifest))
            manifest = shortManifest;

        var reader = new QueueWireReader(bytes);
        var message = Read(ref reader, manifest);
        reader.EnsureEnd(manifest);
        return message;
    }

    /// <summary>
    /// Every type this serializer handles with its manifest. The tests check it against every
    /// <see cref="IQueueMessage"/> in the assembly; here it maps type names back to manifests.
    /// </summary>
    internal static readonly (Type Type, string Manifest)[] KnownTypes =
    [
        (typeof(PartitionEnvelope), PartitionEnvelopeManifest),
        (typeof(RequestFailed), RequestFailedManifest),
        (typeof(AppendMessages), AppendMessagesManifest),
        (typeof(MessagesAppended), MessagesAppendedManifest),
        (typeof(ConsumeNext), ConsumeNextManifest),
        (typeof(NextConsumed), NextConsumedManifest),
        (typeof(ReturnDelivery), ReturnDeliveryManifest),
        (typeof(GetBacklog), GetBacklogManifest),
        (typeof(BacklogReported), BacklogReportedManifest),
        (typeof(PinConsumer), PinConsumerManifest),
        (typeof(ConsumerPinned), ConsumerPinnedManifest),
        (typeof(FetchMessages), FetchMessagesManifest),
        (typeof(MessagesFetched), MessagesFetchedManifest),
        (typeof(WaitForMessages), WaitForMessagesManifest),
        (typeof(MessagesAvailable), MessagesAvailableManifest),
        (typeof(CommitPosition), CommitPositionManifest),
        (typeof(PositionCommitted), PositionCommittedManifest),
        (typeof(PartitionBatchCommitted), PartitionBatchCommittedManifest),
        (typeof(PartitionSnapshot), PartitionSnapshotManifest),
        (typeof(ListTopics), ListTopicsManifest),
        (typeof(TopicList), TopicListManifest),
        (typeof(GetTopic), GetTopicManifest),
        (typeof(TopicLookup), TopicLookupManifest),
        (typeof(CreateTopic), CreateTopicManifest),
        (typeof(TopicCreated), TopicCreatedManifest),
        (typeof(RegisterProducer), RegisterProducerManifest),
        (typeof(ProducerRegistered), ProducerRegisteredManifest),
        (typeof(RegisterConsumer), RegisterConsumerManifest),
        (typeof(ConsumerRegistered), ConsumerRegisteredManifest),
        (typeof(GetProducer), GetProducerManifest),
        (typeof(ProducerLookup), ProducerLookupManifest),
        (typeof(GetConsumer), GetConsumerManifest),
        (typeof(ConsumerLookup), ConsumerLookupManifest),
        (typeof(ListConsumers), ListConsumersManifest),
        (typeof(ConsumerList), ConsumerListManifest),
        (typeof(RecordHealth), RecordHealthManifest),
        (typeof(GetHealth), GetHealthManifest),
        (typeof(HealthReport), HealthReportManifest),
        (typeof(TopicAdded), TopicAddedManifest),
        (typeof(ProducerAdded), ProducerAddedManifest),
        (typeof(ConsumerAdded), ConsumerAddedManifest),
        (typeof(CatalogueSnapshot), CatalogueSnapshotManifest),
        (typeof(SetTopicRetention), SetTopicRetentionManifest),
        (typeof(TopicRetentionChanged), TopicRetentionChangedManifest),
        (typeof(ApplyRetention), ApplyRetentionManifest),
        (typeof(RetentionApplied), RetentionAppliedManifest),
        .. GroupKnownTypes,
    ];

    /// <summary>Built once, only for <see cref="FromBinary(byte[], string)"/> called with a type name.</summary>
    private static readonly Dictionary<string, string> ManifestsByTypeName = BuildManifestsByTypeName();

    private static Dictionary<string, string> BuildManifestsByTypeName()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (type, manifest) in KnownTypes)
        {
            map[type.TypeQualifiedName()] = manifest;
            map[type.AssemblyQualifiedName!] = manifest;
        }
        return map;
    }

    // ---------------------------------------------------------------- writing

    private static void Write(ref QueueWireWriter w, object message)
    {
        switch (message)
        {
            case PartitionEnvelope m:
                w.WriteString(m.Topic, "PartitionEnvelope.Topic");
                w.WriteVarInt(m.Partition);
                // Fixed width: a deadline is a large tick count (or 0), a varint would take 9 bytes.
                w.WriteInt64(m.DeadlineUtcTicks);
                WriteNested(ref w, m.Message);
                break;
            case AppendMessages m:
            {
                var items = NotNull(m.Items, "AppendMessages.Items");
                w.WriteVarULong((ulong)items.Count);
                for (var i = 0; i < items.Count; i++)
                {
                    var item = NotNull(items[i], "AppendMessages.Items[]");
                    w.WriteString(item.Payload, "ProduceItem.Payload");
                    w.WriteVarLong(item.ProducerId);
                }
                if (m.Sequence is { } sequence)
                {
                    w.WriteByte(1);
                    w.WriteVarLong(sequence.ProducerId);
                    w.WriteVarLong(sequence.Sequence);
                }
                else
                {
                    w.WriteByte(0);
                }
                break;
            }
            case MessagesAppended m:
                w.WriteVarLong(m.FirstOffset);
                w.WriteVarInt(m.Count);
                w.WriteVarInt((int)m.Status);
                w.WriteVarLong(m.LastSequence);
                break;
            case PartitionBatchCommitted m:
                w.WriteByte(PersistedFormatV1);
                WriteStoredMessages(ref w, m.Messages, "PartitionBatchCommitted.Messages");
                WritePositions(ref w, m.Positions, "PartitionBatchCommitted.Positions");
                WriteBatchRecords(ref w, m.Sequences, "PartitionBatchCommitted.Sequences");
                break;
            case ConsumeNext m:
                w.WriteVarLong(m.ConsumerId);
                w.WriteVarInt((int)m.From);
                w.WriteGuid(m.RequestId);
                break;
            case NextConsumed m:
                if (m.Message is { } stored)
                {
                    w.WriteByte(1);
                    long previousOffset = 0, previousTicks = 0;
                    WriteStoredMessage(ref w, stored, ref previousOffset, ref previousTicks);
                }
                else
                {
                    w.WriteByte(0);
                }
                w.WriteVarLong(m.Remaining);
                break;
            case CommitPosition m:
                w.WriteVarLong(m.ConsumerId);
                w.WriteVarLong(m.Offset);
                break;
            case PositionCommitted m:
                w.WriteBool(m.Accepted);
                w.WriteVarLong(m.Position);
                w.WriteVarLong(m.LogStart);
                w.WriteVarLong(m.HighWatermark);
                break;
            case FetchMessages m:
                w.WriteVarLong(m.Offset);
                w.WriteVarInt(m.Max);
                break;
            case MessagesFetched m:
                WriteStoredMessages(ref w, m.Messages, "MessagesFetched.Messages");
                w.WriteVarLong(m.LogStart);
                w.WriteVarLong(m.HighWatermark);
                break;
            case WaitForMessages m:
                w.WriteVarLong(m.Offset);
                break;
            case MessagesAvailable m:
                w.WriteVarLong(m.HighWatermark);
                break;
            case RequestFailed m:
                w.WriteVarInt((int)m.Kind);
                w.WriteString(m.Message, "RequestFailed.Message");
                break;
            case ReturnDelivery m:
                w.WriteVarLong(m.ConsumerId);
                w.WriteGuid(m.RequestId);
                break;
            case GetBacklog m:
                w.WriteVarLong(m.ConsumerId);
                w.WriteVarInt((int)m.From);
                break;
            case BacklogReported m:
                w.WriteVarLong(m.Position);
                w.WriteVarLong(m.HighWatermark);
                break;
            case PinConsumer m:
                w.WriteVarLong(m.ConsumerId);
                w.WriteVarInt((int)m.From);
                break;
            case ConsumerPinned m:
                w.WriteVarLong(m.Position);
                break;
            case PartitionSnapshot m:
            {
                w.WriteByte(PersistedFormatV2);
                w.WriteVarLong(m.LogStart);
                w.WriteVarLong(m.HighWatermark);
                WritePositions(ref w, m.Positions, "PartitionSnapshot.Positions");
                WriteBatchRecords(ref w, m.Sequences, "PartitionSnapshot.Sequences");
                var index = NotNull(m.Index, "PartitionSnapshot.Index");
                w.WriteVarULong((ulong)index.Count);
                for (var i = 0; i < index.Count; i++)
                {
                    w.WriteVarLong(index[i].FirstOffset);
                    w.WriteVarLong(index[i].SequenceNr);
                    w.WriteVarLong(index[i].MaxTicksBefore);
                }
                w.WriteVarLong(m.MaxTimestampTicks);
                break;
            }
            case ListTopics:
            case GetHealth:
                break;
            case TopicList m:
                WriteTopics(ref w, m.Topics, "TopicList.Topics");
                break;
            case GetTopic m:
                w.WriteString(m.Name, "GetTopic.Name");
                break;
            case TopicLookup m:
                if (m.Topic is { } found)
                {
                    w.WriteByte(1);
                    WriteTopic(ref w, found);
                }
                else
                {
                    w.WriteByte(0);
                }
                break;
            case CreateTopic m:
                w.WriteString(m.Name, "CreateTopic.Name");
                w.WriteVarInt(m.Partitions);
                WriteNullableLong(ref w, m.RetentionMs);
                WriteNullableLong(ref w, m.RetentionMessages);
                break;
            case SetTopicRetention m:
                w.WriteString(m.Name, "SetTopicRetention.Name");
                WriteNullableLong(ref w, m.Ms);
                WriteNullableLong(ref w, m.Messages);
                break;
            case TopicRetentionChanged m:
                w.WriteByte(PersistedFormatV1);
                w.WriteString(m.Name, "TopicRetentionChanged.Name");
                WriteRetention(ref w, m.Retention);
                break;
            case ApplyRetention m:
                WriteRetention(ref w, m.Policy);
                break;
            case RetentionApplied m:
                w.WriteVarLong(m.LogStart);
                w.WriteVarLong(m.HighWatermark);
                break;
            case TopicCreated m:
                WriteTopic(ref w, NotNull(m.Topic, "TopicCreated.Topic"));
                w.WriteBool(m.Created);
                break;
            case RegisterProducer m:
                w.WriteString(m.Topic, "RegisterProducer.Topic");
                w.WriteNullableInt(m.Partition);
                break;
            case ProducerRegistered m:
                WriteProducer(ref w, NotNull(m.Producer, "ProducerRegistered.Producer"));
                break;
            case RegisterConsumer m:
                w.WriteString(m.Topic, "RegisterConsumer.Topic");
                w.WriteNullableInt(m.Partition);
                w.WriteVarInt((int)m.From);
                break;
            case ConsumerRegistered m:
                WriteConsumer(ref w, NotNull(m.Consumer, "ConsumerRegistered.Consumer"));
                break;
            case GetProducer m:
                w.WriteVarLong(m.Id);
                break;
            case ProducerLookup m:
                if (m.Producer is { } producer)
                {
                    w.WriteByte(1);
                    WriteProducer(ref w, producer);
                }
                else
                {
                    w.WriteByte(0);
                }
                break;
            case GetConsumer m:
                w.WriteVarLong(m.Id);
                break;
            case ConsumerLookup m:
                if (m.Consumer is { } consumer)
                {
                    w.WriteByte(1);
                    WriteConsumer(ref w, consumer);
                }
                else
                {
                    w.WriteByte(0);
                }
                break;
            case ListConsumers:
                break;
            case ConsumerList m:
            {
                var listed = NotNull(m.Consumers, "ConsumerList.Consumers");
                w.WriteVarULong((ulong)listed.Count);
                for (var i = 0; i < listed.Count; i++)
                    WriteConsumer(ref w, NotNull(listed[i], "ConsumerList.Consumers[]"));
                break;
            }
            case RecordHealth m:
                WriteHealthFacts(ref w, m.Facts, "RecordHealth.Facts");
                break;
            case HealthReport m:
                WriteHealthFacts(ref w, m.Facts, "HealthReport.Facts");
                break;
            case TopicAdded m:
                w.WriteByte(PersistedFormatV2);
                WriteTopic(ref w, NotNull(m.Topic, "TopicAdded.Topic"));
                break;
            case ProducerAdded m:
                w.WriteByte(PersistedFormatV1);
                WriteProducer(ref w, NotNull(m.Producer, "ProducerAdded.Producer"));
                break;
            case ConsumerAdded m:
                w.WriteByte(PersistedFormatV1);
                WriteConsumer(ref w, NotNull(m.Consumer, "ConsumerAdded.Consumer"));
                break;
            case CatalogueSnapshot m:
            {
                w.WriteByte(PersistedFormatV2);
                WriteTopics(ref w, m.Topics, "CatalogueSnapshot.Topics");
                var producers = NotNull(m.Producers, "CatalogueSnapshot.Producers");
                w.WriteVarULong((ulong)producers.Count);
                for (var i = 0; i < producers.Count; i++)
                    WriteProducer(ref w, NotNull(producers[i], "CatalogueSnapshot.Producers[]"));
                var consumers = NotNull(m.Consumers, "CatalogueSnapshot.Consumers");
                w.WriteVarULong((ulong)consumers.Count);
                for (var i = 0; i < consumers.Count; i++)
                    WriteConsumer(ref w, NotNull(consumers[i], "CatalogueSnapshot.Consumers[]"));
                w.WriteVarLong(m.LastId);
                break;
            }
            default:
                if (!TryWriteGroup(ref w, message))
                    throw new SerializationException($"AkkaQueue cannot serialize [{message?.GetType().FullName ?? "null"}].");
                break;
        }
    }

    /// <summary>
    /// An inner message: its manifest, then its body behind a 4-byte length, encoded in place (no
    /// second buffer, no copy). Every inner message is an <see cref="IQueueMessage"/>, so it is
    /// always one of ours.
    /// </summary>
    private static void WriteNested(ref QueueWireWriter w, IQueueMessage? inner)
    {
        var message = NotNull(inner, "PartitionEnvelope.Message");
        w.WriteString(ManifestFor(message), "manifest");
        var lengthAt = w.ReserveLength();
        Write(ref w, message);
        w.PatchLength(lengthAt);
    }

    /// <summary>
    /// A committed message list, delta-encoded: offsets are dense and a batch's timestamps are
    /// close, so each offset and each timestamp takes a byte or two instead of eight.
    /// </summary>
    private static void WriteStoredMessages(ref QueueWireWriter w, IReadOnlyList<StoredMessage>? messages, string field)
    {
        var list = NotNull(messages, field);
        w.WriteVarULong((ulong)list.Count);
        long previousOffset = 0, previousTicks = 0;
        for (var i = 0; i < list.Count; i++)
            WriteStoredMessage(ref w, NotNull(list[i], field), ref previousOffset, ref previousTicks);
    }

    private static void WriteStoredMessage(ref QueueWireWriter w, StoredMessage message, ref long previousOffset, ref long previousTicks)
    {
        w.WriteVarLong(message.Offset - previousOffset);
        w.WriteString(message.Payload, "StoredMessage.Payload");
        w.WriteVarLong(message.ProducerId);
        var ticks = message.Timestamp.UtcTicks;
        w.WriteVarLong(ticks - previousTicks);
        w.WriteVarInt(OffsetMinutes(message.Timestamp));
        previousOffset = message.Offset;
        previousTicks = ticks;
    }

    private static void WritePositions(ref QueueWireWriter w, IReadOnlyList<ConsumerPosition>? positions, string field)
    {
        var list = NotNull(positions, field);
        w.WriteVarULong((ulong)list.Count);
        for (var i = 0; i < list.Count; i++)
        {
            w.WriteVarLong(list[i].ConsumerId);
            w.WriteVarLong(list[i].Position);
        }
    }

    private static void WriteBatchRecords(ref QueueWireWriter w, IReadOnlyList<ProducerBatchRecord>? records, string field)
    {
        var list = NotNull(records, field);
        w.WriteVarULong((ulong)list.Count);
        for (var i = 0; i < list.Count; i++)
        {
            var record = list[i];
            w.WriteVarLong(record.ProducerId);
            w.WriteVarLong(record.Sequence);
            w.WriteVarLong(record.FirstOffset);
            w.WriteVarInt(record.Count);
        }
    }

    private static void WriteTopics(ref QueueWireWriter w, IReadOnlyList<TopicInfo>? topics, string field)
    {
        var list = NotNull(topics, field);
        w.WriteVarULong((ulong)list.Count);
        for (var i = 0; i < list.Count; i++)
            WriteTopic(ref w, NotNull(list[i], field));
    }

    private static void WriteTopic(ref QueueWireWriter w, TopicInfo topic)
    {
        w.WriteString(topic.Name, "TopicInfo.Name");
        w.WriteVarInt(topic.Partitions);
        WriteRetention(ref w, topic.Retention);
    }

    private static void WriteRetention(ref QueueWireWriter w, RetentionPolicy retention)
    {
        w.WriteVarLong(retention.Ms);
        w.WriteVarLong(retention.Messages);
        w.WriteVarLong(retention.Version);
    }

    private static void WriteNullableLong(ref QueueWireWriter w, long? value)
    {
        if (value is { } v)
        {
            w.WriteByte(1);
            w.WriteVarLong(v);
        }
        else
        {
            w.WriteByte(0);
        }
    }

    private static void WriteProducer(ref QueueWireWriter w, ProducerInfo producer)
    {
        w.WriteVarLong(producer.Id);
        w.WriteString(producer.Topic, "ProducerInfo.Topic");
        w.WriteNullableInt(producer.Partition);
    }

    private static void WriteConsumer(ref QueueWireWriter w, ConsumerInfo consumer)
    {
        w.WriteVarLong(consumer.Id);
        w.WriteString(consumer.Topic, "ConsumerInfo.Topic");
        w.WriteNullableInt(consumer.Partition);
        w.WriteVarInt((int)consumer.From);
    }

    private static void WriteHealthFacts(ref QueueWireWriter w, IReadOnlyList<HealthFact>? facts, string field)
    {
        var list = NotNull(facts, field);
        w.WriteVarULong((ulong)list.Count);
        for (var i = 0; i < list.Count; i++)
        {
            var fact = NotNull(list[i], field);
            w.WriteString(fact.Kind, "HealthFact.Kind");
            w.WriteString(fact.Id, "HealthFact.Id");
            WriteTimestamp(ref w, fact.LastSeen);
        }
    }

    /// <summary>UTC ticks (fixed width: they are large) and the offset in minutes, so the value comes back exactly, offset included.</summary>
    private static void WriteTimestamp(ref QueueWireWriter w, DateTimeOffset value)
    {
        w.WriteInt64(value.UtcTicks);
        w.WriteVarInt(OffsetMinutes(value));
    }

    // DateTimeOffset offsets are whole minutes by construction.
    private static int OffsetMinutes(DateTimeOffset value) => (int)(value.Offset.Ticks / TimeSpan.TicksPerMinute);

    private static T NotNull<T>(T? value, string field) where T : class =>
        value ?? throw new SerializationException($"AkkaQueue wire format: {field} must not be null.");

    /// <summary>
    /// A starting size for the rented buffer, from the payload lengths of the list-heavy types
    /// (ASCII assumed; anything else just grows the buffer once or twice).
    /// </summary>
    private static int Estimate(object message)
    {
        switch (message)
        {
            case PartitionEnvelope m:
                return 32 + (m.Topic?.Length ?? 0) + (m.Message is null ? 0 : Estimate(m.Message));
            case AppendMessages { Items: { } items }:
            {
                long size = 16;
                for (var i = 0; i < items.Count; i++)
                    size += 8 + (items[i]?.Payload?.Length ?? 0);
                return Clamp(size);
            }
            case PartitionBatchCommitted m:
                return Clamp(16 + EstimateMessages(m.Messages) + (m.Positions?.Count ?? 0) * 12L + (m.Sequences?.Count ?? 0) * 24L);
            case MessagesFetched m:
                return Clamp(32 + EstimateMessages(m.Messages));
            case NextConsumed { Message: { } stored }:
                return Clamp(48 + (stored.Payload?.Length ?? 0));
            case PartitionSnapshot m:
                return Clamp(32 + ((m.Positions?.Count ?? 0) + (m.Index?.Count ?? 0)) * 12L + (m.Sequences?.Count ?? 0) * 24L);
            case CatalogueSnapshot m:
                return Clamp(32 + ((m.Topics?.Count ?? 0) + (m.Producers?.Count ?? 0) + (m.Consumers?.Count ?? 0)) * 48L);
            case RecordHealth { Facts: { } facts }:
                return Clamp(16 + facts.Count * 48L);
            case HealthReport { Facts: { } facts }:
                return Clamp(16 + facts.Count * 48L);
            default:
                return 128;
        }
    }

    private static long EstimateMessages(IReadOnlyList<StoredMessage>? messages)
    {
        if (messages is null)
            return 0;
        long size = 8;
        for (var i = 0; i < messages.Count; i++)
            size += 16 + (messages[i]?.Payload?.Length ?? 0);
        return size;
    }

    private static int Clamp(long size) => (int)Math.Min(size, 64L * 1024 * 1024);

    // ---------------------------------------------------------------- reading

    private static object Read(ref QueueWireReader r, scoped ReadOnlySpan<char> manifest)
    {
        switch (manifest)
        {
            case PartitionEnvelopeManifest:
            {
                var topic = r.ReadString();
                var partition = r.ReadVarInt();
                var deadline = r.ReadInt64();
                var inner = ReadNested(ref r);
                return new PartitionEnvelope(topic, partition, inner, deadline);
            }
            case AppendMessagesManifest:
            {
                // An item is at least a length byte and a producer-id byte.
                var items = new ProduceItem[r.ReadCount(2)];
                for (var i = 0; i < items.Length; i++)
                {
                    var payload = r.ReadString();
                    items[i] = new ProduceItem(payload, r.ReadVarLong());
                }
                ProducerSequence? sequence = r.ReadPresence() ? new ProducerSequence(r.ReadVarLong(), r.ReadVarLong()) : null;
                return new AppendMessages(items, sequence);
            }
            case MessagesAppendedManifest:
            {
                var firstOffset = r.ReadVarLong();
                var count = r.ReadVarInt();
                var status = ReadAppendStatus(ref r);
                return new MessagesAppended(firstOffset, count, status, r.ReadVarLong());
            }
            case PartitionBatchCommittedManifest:
            {
                ReadVersion(ref r, PartitionBatchCommittedManifest);
                var messages = ReadStoredMessages(ref r);
                var positions = ReadPositions(ref r);
                return new PartitionBatchCommitted(messages, positions, ReadBatchRecords(ref r));
            }
            case ConsumeNextManifest:
            {
                var consumerId = r.ReadVarLong();
                var from = ReadStartFrom(ref r);
                return new ConsumeNext(consumerId, from, r.ReadGuid());
            }
            case NextConsumedManifest:
            {
                StoredMessage? message = null;
                if (r.ReadPresence())
                {
                    long previousOffset = 0, previousTicks = 0;
                    message = ReadStoredMessage(ref r, ref previousOffset, ref previousTicks);
                }
                return new NextConsumed(message, r.ReadVarLong());
            }
            case CommitPositionManifest:
            {
                var consumerId = r.ReadVarLong();
                return new CommitPosition(consumerId, r.ReadVarLong());
            }
            case PositionCommittedManifest:
            {
                var accepted = r.ReadBool();
                var position = r.ReadVarLong();
                var logStart = r.ReadVarLong();
                return new PositionCommitted(accepted, position, logStart, r.ReadVarLong());
            }
            case FetchMessagesManifest:
            {
                var offset = r.ReadVarLong();
                return new FetchMessages(offset, r.ReadVarInt());
            }
            case MessagesFetchedManifest:
            {
                var messages = ReadStoredMessages(ref r);
                var logStart = r.ReadVarLong();
                return new MessagesFetched(messages, logStart, r.ReadVarLong());
            }
            case WaitForMessagesManifest:
                return new WaitForMessages(r.ReadVarLong());
            case MessagesAvailableManifest:
                return new MessagesAvailable(r.ReadVarLong());
            case RequestFailedManifest:
            {
                var kind = ReadErrorKind(ref r);
                return new RequestFailed(kind, r.ReadString());
            }
            case ReturnDeliveryManifest:
            {
                var consumerId = r.ReadVarLong();
                return new ReturnDelivery(consumerId, r.ReadGuid());
            }
            case GetBacklogManifest:
            {
                var consumerId = r.ReadVarLong();
                return new GetBacklog(consumerId, ReadStartFrom(ref r));
            }
            case BacklogReportedManifest:
            {
                var position = r.ReadVarLong();
                return new BacklogReported(position, r.ReadVarLong());
            }
            case PinConsumerManifest:
            {
                var consumerId = r.ReadVarLong();
                return new PinConsumer(consumerId, ReadStartFrom(ref r));
            }
            case ConsumerPinnedManifest:
                return new ConsumerPinned(r.ReadVarLong());
            case PartitionSnapshotManifest:
            {
                var version = ReadVersion(ref r, PartitionSnapshotManifest, PersistedFormatV2);
                var logStart = r.ReadVarLong();
                var highWatermark = r.ReadVarLong();
                var positions = ReadPositions(ref r);
                var sequences = ReadBatchRecords(ref r);
                var index = new OffsetIndexEntry[r.ReadCount(version == PersistedFormatV1 ? 2 : 3)];
                for (var i = 0; i < index.Length; i++)
                {
                    var firstOffset = r.ReadVarLong();
                    var sequenceNr = r.ReadVarLong();
                    // Version 1 knew no timestamps: 0 says "unknown" (see OffsetIndexEntry).
                    index[i] = new OffsetIndexEntry(firstOffset, sequenceNr, version == PersistedFormatV1 ? 0 : r.ReadVarLong());
                }
                var maxTicks = version == PersistedFormatV1 ? 0 : r.ReadVarLong();
                return new PartitionSnapshot(logStart, highWatermark, positions, sequences, index, maxTicks);
            }
            case ListTopicsManifest:
                return ListTopics.Instance;
            case GetHealthManifest:
                return GetHealth.Instance;
            case TopicListManifest:
                return new TopicList(ReadTopics(ref r, withRetention: true));
            case TopicListV0Manifest:
                return new TopicList(ReadTopics(ref r, withRetention: false));
            case GetTopicManifest:
                return new GetTopic(r.ReadString());
            case TopicLookupManifest:
                return new TopicLookup(r.ReadPresence() ? ReadTopic(ref r, withRetention: true) : null);
            case TopicLookupV0Manifest:
                return new TopicLookup(r.ReadPresence() ? ReadTopic(ref r, withRetention: false) : null);
            case CreateTopicManifest:
            {
                var name = r.ReadString();
                var partitions = r.ReadVarInt();
                var ms = ReadNullableLong(ref r);
                return new CreateTopic(name, partitions, ms, ReadNullableLong(ref r));
            }
            case CreateTopicV0Manifest:
            {
                var name = r.ReadString();
                return new CreateTopic(name, r.ReadVarInt());
            }
            case TopicCreatedManifest:
            {
                var topic = ReadTopic(ref r, withRetention: true);
                return new TopicCreated(topic, r.ReadBool());
            }
            case TopicCreatedV0Manifest:
            {
                var topic = ReadTopic(ref r, withRetention: false);
                return new TopicCreated(topic, r.ReadBool());
            }
            case SetTopicRetentionManifest:
            {
                var name = r.ReadString();
                var ms = ReadNullableLong(ref r);
                return new SetTopicRetention(name, ms, ReadNullableLong(ref r));
            }
            case TopicRetentionChangedManifest:
            {
                ReadVersion(ref r, TopicRetentionChangedManifest);
                var name = r.ReadString();
                return new TopicRetentionChanged(name, ReadRetention(ref r));
            }
            case ApplyRetentionManifest:
                return new ApplyRetention(ReadRetention(ref r));
            case RetentionAppliedManifest:
            {
                var logStart = r.ReadVarLong();
                return new RetentionApplied(logStart, r.ReadVarLong());
            }
            case RegisterProducerManifest:
            {
                var topic = r.ReadString();
                return new RegisterProducer(topic, r.ReadNullableInt());
            }
            case ProducerRegisteredManifest:
                return new ProducerRegistered(ReadProducer(ref r));
            case RegisterConsumerManifest:
            {
                var topic = r.ReadString();
                var partition = r.ReadNullableInt();
                return new RegisterConsumer(topic, partition, ReadStartFrom(ref r));
            }
            case ConsumerRegisteredManifest:
                return new ConsumerRegistered(ReadConsumer(ref r));
            case GetProducerManifest:
                return new GetProducer(r.ReadVarLong());
            case ProducerLookupManifest:
                return new ProducerLookup(r.ReadPresence() ? ReadProducer(ref r) : null);
            case GetConsumerManifest:
                return new GetConsumer(r.ReadVarLong());
            case ConsumerLookupManifest:
                return new ConsumerLookup(r.ReadPresence() ? ReadConsumer(ref r) : null);
            case ListConsumersManifest:
                return ListConsumers.Instance;
            case ConsumerListManifest:
            {
                var consumers = new ConsumerInfo[r.ReadCount(4)];
                for (var i = 0; i < consumers.Length; i++)
                    consumers[i] = ReadConsumer(ref r);
                return new ConsumerList(consumers);
            }
            case RecordHealthManifest:
                return new RecordHealth(ReadHealthFacts(ref r));
            case HealthReportManifest:
                return new HealthReport(ReadHealthFacts(ref r));
            case TopicAddedManifest:
            {
                var version = ReadVersion(ref r, TopicAddedManifest, PersistedFormatV2);
                return new TopicAdded(ReadTopic(ref r, withRetention: version >= PersistedFormatV2));
            }
            case ProducerAddedManifest:
                ReadVersion(ref r, ProducerAddedManifest);
                return new ProducerAdded(ReadProducer(ref r));
            case ConsumerAddedManifest:
                ReadVersion(ref r, ConsumerAddedManifest);
                return new ConsumerAdded(ReadConsumer(ref r));
            case CatalogueSnapshotManifest:
            {
                var version = ReadVersion(ref r, CatalogueSnapshotManifest, PersistedFormatV2);
                var topics = ReadTopics(ref r, withRetention: version >= PersistedFormatV2);
                // A producer is at least an id byte, a topic length byte and a presence byte.
                var producers = new ProducerInfo[r.ReadCount(3)];
                for (var i = 0; i < producers.Length; i++)
                    producers[i] = ReadProducer(ref r);
                var consumers = new ConsumerInfo[r.ReadCount(4)];
                for (var i = 0; i < consumers.Length; i++)
                    consumers[i] = ReadConsumer(ref r);
                return new CatalogueSnapshot(topics, producers, consumers, r.ReadVarLong());
            }
            default:
                return TryReadGroup(ref r, manifest) ?? throw new SerializationException(
                    $"Unknown AkkaQueue manifest '{manifest}': the message was written by a node or a journal this version does not understand.");
        }
    }

    private static IQueueMessage ReadNested(ref QueueWireReader r)
    {
        var manifestBytes = r.ReadBytes();
        if (manifestBytes.Length > MaxManifestLength)
            throw r.Corrupt($"a nested manifest of {manifestBytes.Length} bytes");
        // The manifest is decoded onto the stack and matched as a span: no string per envelope.
        Span<char> manifest = stackalloc char[MaxManifestLength];
        for (var i = 0; i < manifestBytes.Length; i++)
            manifest[i] = (char)manifestBytes[i];
        manifest = manifest[..manifestBytes.Length];

        var inner = new QueueWireReader(r.ReadNested());
        var message = (IQueueMessage)Read(ref inner, manifest);
        inner.EnsureEnd(manifest);
        return message;
    }

    /// <returns>The version read, from 1 to <paramref name="newest"/>.</returns>
    private static byte ReadVersion(ref QueueWireReader r, string manifest, byte newest = PersistedFormatV1)
    {
        var version = r.ReadByte();
        // When a persisted type changes, bump its version on write and keep reading every older
        // version here: the journal holds events from old code forever.
        if (version < PersistedFormatV1 || version > newest)
            throw new SerializationException(
                $"AkkaQueue '{manifest}' is in format version {version}; this node reads versions {PersistedFormatV1} to {newest}.");
        return version;
    }

    private static StoredMessage[] ReadStoredMessages(ref QueueWireReader r)
    {
        // Offset delta, payload length, producer id, ticks delta, offset minutes: a byte each at least.
        var messages = new StoredMessage[r.ReadCount(5)];
        long previousOffset = 0, previousTicks = 0;
        for (var i = 0; i < messages.Length; i++)
            messages[i] = ReadStoredMessage(ref r, ref previousOffset, ref previousTicks);
        return messages;
    }

    private static StoredMessage ReadStoredMessage(ref QueueWireReader r, ref long previousOffset, ref long previousTicks)
    {
        var offset = unchecked(previousOffset + r.ReadVarLong());
        var payload = r.ReadString();
        var producerId = r.ReadVarLong();
        var ticks = unchecked(previousTicks + r.ReadVarLong());
        var offsetMinutes = r.ReadVarInt();
        var timestamp = ToTimestamp(ref r, ticks, offsetMinutes);
        previousOffset = offset;
        previousTicks = ticks;
        return new StoredMessage(offset, payload, producerId, timestamp);
    }

    private static ConsumerPosition[] ReadPositions(ref QueueWireReader r)
    {
        var positions = new ConsumerPosition[r.ReadCount(2)];
        for (var i = 0; i < positions.Length; i++)
        {
            var consumerId = r.ReadVarLong();
            positions[i] = new ConsumerPosition(consumerId, r.ReadVarLong());
        }
        return positions;
    }

    private static ProducerBatchRecord[] ReadBatchRecords(ref QueueWireReader r)
    {
        var records = new ProducerBatchRecord[r.ReadCount(4)];
        for (var i = 0; i < records.Length; i++)
        {
            var producerId = r.ReadVarLong();
            var sequence = r.ReadVarLong();
            var firstOffset = r.ReadVarLong();
            records[i] = new ProducerBatchRecord(producerId, sequence, firstOffset, r.ReadVarInt());
        }
        return records;
    }

    private static TopicInfo[] ReadTopics(ref QueueWireReader r, bool withRetention)
    {
        var topics = new TopicInfo[r.ReadCount(withRetention ? 5 : 2)];
        for (var i = 0; i < topics.Length; i++)
            topics[i] = ReadTopic(ref r, withRetention);
        return topics;
    }

    /// <param name="withRetention">False for the formats written before retention: such a topic keeps everything.</param>
    private static TopicInfo ReadTopic(ref QueueWireReader r, bool withRetention)
    {
        var name = r.ReadString();
        var partitions = r.ReadVarInt();
        return new TopicInfo(name, partitions, withRetention ? ReadRetention(ref r) : RetentionPolicy.None);
    }

    private static RetentionPolicy ReadRetention(ref QueueWireReader r)
    {
        var ms = r.ReadVarLong();
        var messages = r.ReadVarLong();
        return new RetentionPolicy(ms, messages, r.ReadVarLong());
    }

    private static long? ReadNullableLong(ref QueueWireReader r) => r.ReadPresence() ? r.ReadVarLong() : null;

    private static ProducerInfo ReadProducer(ref QueueWireReader r)
    {
        var id = r.ReadVarLong();
        var topic = r.ReadString();
        return new ProducerInfo(id, topic, r.ReadNullableInt());
    }

    private static ConsumerInfo ReadConsumer(ref QueueWireReader r)
    {
        var id = r.ReadVarLong();
        var topic = r.ReadString();
        var partition = r.ReadNullableInt();
        return new ConsumerInfo(id, topic, partition, ReadStartFrom(ref r));
    }

    private static HealthFact[] ReadHealthFacts(ref QueueWireReader r)
    {
        // Kind and id length bytes, 8 bytes of ticks, an offset byte.
        var facts = new HealthFact[r.ReadCount(11)];
        for (var i = 0; i < facts.Length; i++)
        {
            var kind = r.ReadString();
            var id = r.ReadString();
            var ticks = r.ReadInt64();
            var offsetMinutes = r.ReadVarInt();
            facts[i] = new HealthFact(kind, id, ToTimestamp(ref r, ticks, offsetMinutes));
        }
        return facts;
    }

    /// <summary>Validated here, so a corrupt timestamp is a <see cref="SerializationException"/>, not an <see cref="ArgumentOutOfRangeException"/> from DateTimeOffset.</summary>
    private static DateTimeOffset ToTimestamp(ref QueueWireReader r, long utcTicks, int offsetMinutes)
    {
        const int maxOffsetMinutes = 14 * 60;
        if (offsetMinutes is < -maxOffsetMinutes or > maxOffsetMinutes)
            throw r.Corrupt($"a timestamp offset of {offsetMinutes} minutes");
        var offsetTicks = offsetMinutes * TimeSpan.TicksPerMinute;
        var localTicks = utcTicks + offsetTicks;
        if (utcTicks < 0 || utcTicks > DateTime.MaxValue.Ticks || localTicks < 0 || localTicks > DateTime.MaxValue.Ticks)
            throw r.Corrupt($"a timestamp of {utcTicks} ticks");
        return new DateTimeOffset(localTicks, new TimeSpan(offsetTicks));
    }

    // Enums are range-checked: an unknown value means a newer writer or a corrupt buffer, and
    // passing it on would make the receiver act on a state that does not exist.
    private static StartFrom ReadStartFrom(ref QueueWireReader r)
    {
        var value = r.ReadVarInt();
        return value is >= (int)StartFrom.Latest and <= (int)StartFrom.Earliest
            ? (StartFrom)value
            : throw r.Corrupt($"StartFrom {value}");
    }

    private static AppendStatus ReadAppendStatus(ref QueueWireReader r)
    {
        var value = r.ReadVarInt();
        return value is >= (int)AppendStatus.Appended and <= (int)AppendStatus.StaleSequence
            ? (AppendStatus)value
            : throw r.Corrupt($"AppendStatus {value}");
    }

    private static QueueErrorKind ReadErrorKind(ref QueueWireReader r)
    {
        var value = r.ReadVarInt();
        return value is >= (int)QueueErrorKind.BadRequest and <= (int)QueueErrorKind.Overloaded
            ? (QueueErrorKind)value
            : throw r.Corrupt($"QueueErrorKind {value}");
    }
}
