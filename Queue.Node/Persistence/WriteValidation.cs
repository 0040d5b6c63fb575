using Queue.Core.Journal;
using Queue.Core.Log;

namespace Queue.Node.Persistence;

/// <summary>Checks a partition write can be stored as it is, before it joins a group commit.</summary>
internal static class WriteValidation
{
    /// <exception cref="InvalidOperationException">The write's offsets are not consecutive.</exception>
    /// <exception cref="ArgumentException">A negative offset or position, or a payload PostgreSQL text cannot hold.</exception>
    public static void Validate(PartitionId partition, PartitionWrite write)
    {
        var messages = write.Messages;
        // The table CHECKs would refuse these too, but by failing the whole group's statement.
        if (messages.Count > 0 && messages[0].Offset < 0)
        {
            throw new ArgumentException($"partition {partition}: negative offset {messages[0].Offset}");
        }
        foreach (var (consumerId, position) in write.Positions)
        {
            if (position < 0)
            {
                throw new ArgumentException($"partition {partition}: negative position {position} for consumer {consumerId}");
            }
        }
        for (var i = 1; i < messages.Count; i++)
        {
            if (messages[i].Offset != messages[0].Offset + i)
            {
                throw new InvalidOperationException(
                    $"partition {partition}: offset {messages[i].Offset} written where {messages[0].Offset + i} was expected");
            }
        }
        foreach (var message in messages)
        {
            if (!IsStorable(message.Payload))
            {
                throw new ArgumentException(
                    $"partition {partition}: the message at offset {message.Offset} contains a NUL character or an unpaired surrogate, which PostgreSQL text cannot store");
            }
        }
    }

    /// <summary>
    /// PostgreSQL text has no NUL, and Npgsql refuses to encode an unpaired UTF-16 surrogate; both
    /// can arrive through JSON escapes ("\u0000", "\ud800").
    /// </summary>
    public static bool IsStorable(string payload)
    {
        var span = payload.AsSpan();
        if (span.Contains('\0'))
        {
            return false;
        }
        var next = span.IndexOfAnyInRange('\uD800', '\uDFFF');
        while (next >= 0)
        {
            span = span[next..];
            if (!char.IsHighSurrogate(span[0]) || span.Length < 2 || !char.IsLowSurrogate(span[1]))
            {
                return false;
            }
            span = span[2..];
            next = span.IndexOfAnyInRange('\uD800', '\uDFFF');
        }
        return true;
    }
}
