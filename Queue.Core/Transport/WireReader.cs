using System.Buffers.Binary;
using System.Text;

namespace Queue.Core.Transport;

/// <summary>
/// Reads what <see cref="WireWriter"/> wrote. Every read checks the remaining length first and
/// throws <see cref="WireFormatException"/> on a short or inconsistent body, so a hostile or
/// corrupted payload can fail a message but never over-read or make the node allocate more than
/// the payload's own size.
/// </summary>
public ref struct WireReader
{
    private readonly ReadOnlySpan<byte> _span;
    private readonly MessageCodec _codec;
    private int _position;

    public WireReader(ReadOnlySpan<byte> span, MessageCodec codec)
    {
        _span = span;
        _codec = codec;
        _position = 0;
    }

    public readonly int Remaining => _span.Length - _position;

    public byte ReadByte() => Take(1)[0];

    public bool ReadBool() => ReadByte() switch
    {
        0 => false,
        1 => true,
        var b => throw new WireFormatException($"{b} is not a boolean"),
    };

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public ReadOnlySpan<byte> ReadBytes(int count) => Take(count);

    public string ReadString() => ReadNullableString() ?? throw new WireFormatException("null where a string is required");

    public string? ReadNullableString()
    {
        var count = ReadInt32();
        if (count == -1)
        {
            return null;
        }
        if (count < 0)
        {
            throw new WireFormatException($"negative string length {count}");
        }
        return Encoding.UTF8.GetString(Take(count));
    }

    public DateTimeOffset ReadDateTimeOffset()
    {
        var utcTicks = ReadInt64();
        var offsetMinutes = ReadInt32();
        try
        {
            var offset = TimeSpan.FromMinutes(offsetMinutes);
            return new DateTimeOffset(utcTicks + offset.Ticks, offset);
        }
        catch (ArgumentException ex)
        {
            throw new WireFormatException($"invalid timestamp: {ex.Message}");
        }
    }

    /// <summary>
    /// Reads an element count and checks it against the bytes left, so a forged count cannot make
    /// the caller allocate a huge list before the body turns out to be short.
    /// </summary>
    public int ReadCount(int minBytesPerElement = 1)
    {
        var count = ReadInt32();
        if (count < 0 || (long)count * Math.Max(minBytesPerElement, 1) > Remaining)
        {
            throw new WireFormatException($"element count {count} does not fit the {Remaining} bytes left");
        }
        return count;
    }

    /// <summary>Reads a registered message written by <see cref="WireWriter.WriteMessage"/>.</summary>
    public object? ReadMessage() => _codec.Read(ref this);

    /// <summary>Throws when bytes are left over: a body longer than its type expects is malformed.</summary>
    public readonly void EnsureEnd()
    {
        if (Remaining != 0)
        {
            throw new WireFormatException($"{Remaining} unexpected bytes after the message");
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > Remaining)
        {
            throw new WireFormatException($"message ends early: needed {count} bytes, {Remaining} left");
        }
        var slice = _span.Slice(_position, count);
        _position += count;
        return slice;
    }
}
