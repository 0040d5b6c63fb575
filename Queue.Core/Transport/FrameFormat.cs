using System.Buffers;
using System.Buffers.Binary;

namespace Queue.Core.Transport;

/// <summary>
/// The frame layout: [int32 length][byte kind][int64 correlation id][payload], little-endian,
/// where length counts everything after itself (so at least 9). Parsing checks the length before
/// waiting for the body, so an oversized frame is refused as soon as its prefix arrives, not after
/// the node has buffered it.
/// </summary>
public static class FrameFormat
{
    public const int LengthSize = 4;

    /// <summary>Length prefix, kind and correlation id.</summary>
    public const int HeaderSize = LengthSize + 1 + 8;

    /// <summary>Reserves the header at the start of <paramref name="writer"/>; call before writing the payload.</summary>
    public static void ReserveHeader(WireWriter writer)
    {
        writer.GetSpan(HeaderSize)[..HeaderSize].Clear();
        writer.Advance(HeaderSize);
    }

    /// <summary>Fills in the header reserved by <see cref="ReserveHeader"/> once the payload is written.</summary>
    public static void CompleteHeader(WireWriter writer, FrameKind kind, long correlationId)
    {
        var frame = writer.WrittenSpanForUpdate;
        BinaryPrimitives.WriteInt32LittleEndian(frame, frame.Length - LengthSize);
        frame[LengthSize] = (byte)kind;
        BinaryPrimitives.WriteInt64LittleEndian(frame[(LengthSize + 1)..], correlationId);
    }

    /// <summary>
    /// Takes one whole frame off the front of <paramref name="buffer"/> if it has arrived.
    /// </summary>
    /// <exception cref="WireFormatException">The prefix announces a frame that is too short, too
    /// large, or of an unknown kind: the stream cannot be trusted any more.</exception>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, int maxFrameBytes, out FrameKind kind, out long correlationId, out ReadOnlySequence<byte> payload)
    {
        kind = default;
        correlationId = 0;
        payload = default;
        if (buffer.Length < LengthSize)
        {
            return false;
        }
        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, Math.Min(HeaderSize, buffer.Length)).CopyTo(header);
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length < HeaderSize - LengthSize)
        {
            throw new WireFormatException($"frame length {length} is shorter than a frame header");
        }
        if ((long)length + LengthSize > maxFrameBytes)
        {
            throw new WireFormatException($"frame of {(long)length + LengthSize} bytes exceeds the limit of {maxFrameBytes}");
        }
        if (buffer.Length < LengthSize + (long)length)
        {
            return false;
        }
        kind = (FrameKind)header[LengthSize];
        if (!Enum.IsDefined(kind))
        {
            throw new WireFormatException($"unknown frame kind {header[LengthSize]}");
        }
        correlationId = BinaryPrimitives.ReadInt64LittleEndian(header[(LengthSize + 1)..]);
        payload = buffer.Slice(HeaderSize, length - (HeaderSize - LengthSize));
        buffer = buffer.Slice(LengthSize + length);
        return true;
    }
}
