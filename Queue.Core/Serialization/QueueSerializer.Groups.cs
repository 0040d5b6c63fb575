using System.Runtime.Serialization;
using Queue.Core.Log;
using Queue.Core.Protocol;

namespace Queue.Core.Serialization;

// The consumer-group protocol (GroupMessages.cs), kept apart from the partition and catalogue
// codecs. Same rules: two-letter manifests that never change, a version byte on the persisted
// types (GroupMemberJoined, GroupMembersRemoved, GroupOffsetsCommitted, GroupSnapshot).
public sealed partial class QueueSerializer
{
    internal const string GroupEnvelopeManifest = "GE";
    // "GJ" was a join without a member id (before idempotent joins); still read, never written.
    internal const string JoinGroupV1Manifest = "GJ";
    internal const string JoinGroupManifest = "GI";
    internal const string GroupHeartbeatManifest = "GK";
    internal const string LeaveGroupManifest = "GX";
    internal const string CommitGroupOffsetsManifest = "GO";
    internal const string DescribeGroupManifest = "GD";
    internal const string GroupAssignmentManifest = "GA";
    internal const string GroupDescribedManifest = "GR";
    internal const string GroupMemberJoinedManifest = "GM";
    internal const string GroupMembersRemovedManifest = "GV";
    internal const string GroupOffsetsCommittedManifest = "GF";
    internal const string GroupSnapshotManifest = "GS";

    // A property, not a field: KnownTypes (in the other file) spreads it during static
    // initialisation, and field initialisers of two partial files run in no guaranteed order.
    private static (Type Type, string Manifest)[] GroupKnownTypes =>
    [
        (typeof(GroupEnvelope), GroupEnvelopeManifest),
        (typeof(JoinGroup), JoinGroupManifest),
        (typeof(GroupHeartbeat), GroupHeartbeatManifest),
        (typeof(LeaveGroup), LeaveGroupManifest),
        (typeof(CommitGroupOffsets), CommitGroupOffsetsManifest),
        (typeof(DescribeGroup), DescribeGroupManifest),
        (typeof(GroupAssignment), GroupAssignmentManifest),
        (typeof(GroupDescribed), GroupDescribedManifest),
        (typeof(GroupMemberJoined), GroupMemberJoinedManifest),
        (typeof(GroupMembersRemoved), GroupMembersRemovedManifest),
        (typeof(GroupOffsetsCommitted), GroupOffsetsCommittedManifest),
        (typeof(GroupSnapshot), GroupSnapshotManifest),
    ];

    private static string? GroupManifestFor(object? o) => o switch
    {
        GroupEnvelope => GroupEnvelopeManifest,
        JoinGroup => JoinGroupManifest,
        GroupHeartbeat => GroupHeartbeatManifest,
        LeaveGroup => LeaveGroupManifest,
        CommitGroupOffsets => CommitGroupOffsetsManifest,
        DescribeGroup => DescribeGroupManifest,
        GroupAssignment => GroupAssignmentManifest,
        GroupDescribed => GroupDescribedManifest,
        GroupMemberJoined => GroupMemberJoinedManifest,
        GroupMembersRemoved => GroupMembersRemovedManifest,
        GroupOffsetsCommitted => GroupOffsetsCommittedManifest,
        GroupSnapshot => GroupSnapshotManifest,
        _ => null,
    };

    private static bool TryWriteGroup(ref QueueWireWriter w, object? message)
    {
        switch (message)
        {
            case GroupEnvelope m:
                w.WriteString(m.Group, "GroupEnvelope.Group");
                w.WriteInt64(m.DeadlineUtcTicks);
                WriteNested(ref w, m.Message);
                return true;
            case JoinGroup m:
                w.WriteString(m.Topic, "JoinGroup.Topic");
                w.WriteVarInt(m.Partitions);
                w.WriteVarLong(m.SessionTimeoutMs);
                w.WriteVarInt((int)m.From);
                WriteOptionalString(ref w, m.MemberId, "JoinGroup.MemberId");
                return true;
            case GroupHeartbeat m:
                w.WriteString(m.MemberId, "GroupHeartbeat.MemberId");
                return true;
            case LeaveGroup m:
                w.WriteString(m.MemberId, "LeaveGroup.MemberId");
                return true;
            case CommitGroupOffsets m:
                w.WriteString(m.MemberId, "CommitGroupOffsets.MemberId");
                w.WriteVarLong(m.Generation);
                WriteGroupOffsets(ref w, m.Offsets, "CommitGroupOffsets.Offsets");
                w.WriteBool(m.OnlyIfAbsent);
                return true;
            case DescribeGroup:
                return true;
            case GroupAssignment m:
                w.WriteString(m.MemberId, "GroupAssignment.MemberId");
                w.WriteVarLong(m.Generation);
                WriteInts(ref w, m.Partitions, "GroupAssignment.Partitions");
                WriteGroupOffsets(ref w, m.Committed, "GroupAssignment.Committed");
                w.WriteVarInt((int)m.From);
                w.WriteVarLong(m.SessionTimeoutMs);
                return true;
            case GroupDescribed m:
            {
                WriteOptionalString(ref w, m.Topic, "GroupDescribed.Topic");
                w.WriteVarInt(m.Partitions);
                w.WriteVarLong(m.Generation);
                var members = NotNull(m.Members, "GroupDescribed.Members");
                w.WriteVarULong((ulong)members.Count);
                for (var i = 0; i < members.Count; i++)
                {
                    var member = NotNull(members[i], "GroupDescribed.Members[]");
                    w.WriteString(member.MemberId, "GroupMemberInfo.MemberId");
                    WriteInts(ref w, member.Partitions, "GroupMemberInfo.Partitions");
                    w.WriteVarLong(member.SessionTimeoutMs);
                }
                WriteGroupOffsets(ref w, m.Committed, "GroupDescribed.Committed");
                return true;
            }
            case GroupMemberJoined m:
                w.WriteByte(PersistedFormatV1);
                w.WriteString(m.MemberId, "GroupMemberJoined.MemberId");
                w.WriteString(m.Topic, "GroupMemberJoined.Topic");
                w.WriteVarInt(m.Partitions);
                w.WriteVarLong(m.SessionTimeoutMs);
                w.WriteVarInt((int)m.From);
                return true;
            case GroupMembersRemoved m:
            {
                w.WriteByte(PersistedFormatV1);
                var ids = NotNull(m.MemberIds, "GroupMembersRemoved.MemberIds");
                w.WriteVarULong((ulong)ids.Count);
                for (var i = 0; i < ids.Count; i++)
                    w.WriteString(ids[i], "GroupMembersRemoved.MemberIds[]");
                w.WriteBool(m.Expired);
                return true;
            }
            case GroupOffsetsCommitted m:
                w.WriteByte(PersistedFormatV1);
                WriteGroupOffsets(ref w, m.Offsets, "GroupOffsetsCommitted.Offsets");
                return true;
            case GroupSnapshot m:
            {
                w.WriteByte(PersistedFormatV1);
                WriteOptionalString(ref w, m.Topic, "GroupSnapshot.Topic");
                w.WriteVarInt(m.Partitions);
                w.WriteVarLong(m.Generation);
                var members = NotNull(m.Members, "GroupSnapshot.Members");
                w.WriteVarULong((ulong)members.Count);
                for (var i = 0; i < members.Count; i++)
                {
                    var member = NotNull(members[i], "GroupSnapshot.Members[]");
                    w.WriteString(member.MemberId, "GroupMemberRecord.MemberId");
                    w.WriteVarLong(member.SessionTimeoutMs);
                    w.WriteVarInt((int)member.From);
                    WriteInts(ref w, member.Partitions, "GroupMemberRecord.Partitions");
                }
                WriteGroupOffsets(ref w, m.Committed, "GroupSnapshot.Committed");
                return true;
            }
            default:
                return false;
        }
    }

    private static object? TryReadGroup(ref QueueWireReader r, scoped ReadOnlySpan<char> manifest)
    {
        switch (manifest)
        {
            case GroupEnvelopeManifest:
            {
                var group = r.ReadString();
                var deadline = r.ReadInt64();
                return new GroupEnvelope(group, ReadNested(ref r), deadline);
            }
            case JoinGroupManifest or JoinGroupV1Manifest:
            {
                var topic = r.ReadString();
                var partitions = r.ReadVarInt();
                var timeout = r.ReadVarLong();
                var from = ReadStartFrom(ref r);
                return new JoinGroup(topic, partitions, timeout, from, manifest is JoinGroupManifest ? ReadOptionalString(ref r) : null);
            }
            case GroupHeartbeatManifest:
                return new GroupHeartbeat(r.ReadString());
            case LeaveGroupManifest:
                return new LeaveGroup(r.ReadString());
            case CommitGroupOffsetsManifest:
            {
                var member = r.ReadString();
                var generation = r.ReadVarLong();
                var offsets = ReadGroupOffsets(ref r);
                return new CommitGroupOffsets(member, generation, offsets, r.ReadBool());
            }
            case DescribeGroupManifest:
                return DescribeGroup.Instance;
            case GroupAssignmentManifest:
            {
                var member = r.ReadString();
                var generation = r.ReadVarLong();
                var partitions = ReadInts(ref r);
                var committed = ReadGroupOffsets(ref r);
                var from = ReadStartFrom(ref r);
                return new GroupAssignment(member, generation, partitions, committed, from, r.ReadVarLong());
            }
            case GroupDescribedManifest:
            {
                var topic = ReadOptionalString(ref r);
                var partitions = r.ReadVarInt();
                var generation = r.ReadVarLong();
                var members = new GroupMemberInfo[r.ReadCount(3)];
                for (var i = 0; i < members.Length; i++)
                {
                    var id = r.ReadString();
                    var owned = ReadInts(ref r);
                    members[i] = new GroupMemberInfo(id, owned, r.ReadVarLong());
                }
                return new GroupDescribed(topic, partitions, generation, members, ReadGroupOffsets(ref r));
            }
            case GroupMemberJoinedManifest:
            {
                ReadVersion(ref r, GroupMemberJoinedManifest);
                var member = r.ReadString();
                var topic = r.ReadString();
                var partitions = r.ReadVarInt();
                var timeout = r.ReadVarLong();
                return new GroupMemberJoined(member, topic, partitions, timeout, ReadStartFrom(ref r));
            }
            case GroupMembersRemovedManifest:
            {
                ReadVersion(ref r, GroupMembersRemovedManifest);
                var ids = new string[r.ReadCount(1)];
                for (var i = 0; i < ids.Length; i++)
                    ids[i] = r.ReadString();
                return new GroupMembersRemoved(ids, r.ReadBool());
            }
            case GroupOffsetsCommittedManifest:
                ReadVersion(ref r, GroupOffsetsCommittedManifest);
                return new GroupOffsetsCommitted(ReadGroupOffsets(ref r));
            case GroupSnapshotManifest:
            {
                ReadVersion(ref r, GroupSnapshotManifest);
                var topic = ReadOptionalString(ref r);
                var partitions = r.ReadVarInt();
                var generation = r.ReadVarLong();
                var members = new GroupMemberRecord[r.ReadCount(4)];
                for (var i = 0; i < members.Length; i++)
                {
                    var id = r.ReadString();
                    var timeout = r.ReadVarLong();
                    var from = ReadStartFrom(ref r);
                    members[i] = new GroupMemberRecord(id, timeout, from, ReadInts(ref r));
                }
                return new GroupSnapshot(topic, partitions, generation, members, ReadGroupOffsets(ref r));
            }
            default:
                return null;
        }
    }

    private static void WriteGroupOffsets(ref QueueWireWriter w, IReadOnlyList<GroupPartitionOffset>? offsets, string field)
    {
        var list = NotNull(offsets, field);
        w.WriteVarULong((ulong)list.Count);
        for (var i = 0; i < list.Count; i++)
        {
            var offset = NotNull(list[i], field);
            w.WriteVarInt(offset.Partition);
            w.WriteVarLong(offset.Offset);
        }
    }

    private static GroupPartitionOffset[] ReadGroupOffsets(ref QueueWireReader r)
    {
        var offsets = new GroupPartitionOffset[r.ReadCount(2)];
        for (var i = 0; i < offsets.Length; i++)
        {
            var partition = r.ReadVarInt();
            offsets[i] = new GroupPartitionOffset(partition, r.ReadVarLong());
        }
        return offsets;
    }

    private static void WriteInts(ref QueueWireWriter w, IReadOnlyList<int>? values, string field)
    {
        var list = NotNull(values, field);
        w.WriteVarULong((ulong)list.Count);
        for (var i = 0; i < list.Count; i++)
            w.WriteVarInt(list[i]);
    }

    private static int[] ReadInts(ref QueueWireReader r)
    {
        var values = new int[r.ReadCount(1)];
        for (var i = 0; i < values.Length; i++)
            values[i] = r.ReadVarInt();
        return values;
    }

    private static void WriteOptionalString(ref QueueWireWriter w, string? value, string field)
    {
        w.WriteBool(value is not null);
        if (value is not null)
            w.WriteString(value, field);
    }

    private static string? ReadOptionalString(ref QueueWireReader r) => r.ReadPresence() ? r.ReadString() : null;
}
