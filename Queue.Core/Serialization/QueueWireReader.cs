using System.Buffers.Binary;
using System.Runtime.Serialization;
using System.Text;

namespace Queue.Core.Serialization;

/// <summary>
/// Reads what <see cref="QueueWireWriter"/> wrote. Every read checks the bounds first, so a
/// truncated or corrupt buffer ends in a <see cref="SerializationException"/> instead of an
/// <see cref="IndexOutOfRangeException"/> or, worse, a message made of garbage.
/// </summary>
internal ref struct QueueWireReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public readonly int Remaining => _data.Length - _position;

    public byte ReadByte()
    {
        if (_position >= _data.Length)
            throw Truncated(1);
        return _data[_position++];
    }

    public bool ReadBool() => ReadByte() switch
    {
        0 => false,
        1 => true,
        var other => throw Corrupt($"a boolean byte is {other}"),
    };

    public int ReadVarInt()
    {
        var raw = ReadVarULong();
        if (raw > uint.MaxValue)
            throw Corrupt("a 32-bit varint is out of range");
        var value = (uint)raw;
        return (int)(value >> 1) ^ -(int)(value & 1);
    }

    public long ReadVarLong()
    {
        var value = ReadVarULong();
        return (long)(value >> 1) ^ -(long)(value & 1);
    }

    public ulong ReadVarULong()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = ReadByte();
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return result;
        }
        throw Corrupt("a varint is longer than 10 bytes");
    }

    public long ReadInt64()
    {
        if (Remaining < 8)
            throw Truncated(8);
        var value = BinaryPrimitives.ReadInt64LittleEndian(_data.Slice(_position, 8));
        _position += 8;
        return value;
    }

    public int ReadInt32()
    {
        if (Remaining < 4)
            throw Truncated(4);
        var value = BinaryPrimitives.ReadInt32LittleEndian(_data.Slice(_position, 4));
        _position += 4;
        return value;
    }

    public Guid ReadGuid()
    {
        if (Remaining < 16)
            throw Truncated(16);
        var value = new Guid(_data.Slice(_position, 16));
        _position += 16;
        return value;
    }

    public int? ReadNullableInt() => ReadPresence() ? ReadVarInt() : null;

    /// <summary>The presence byte of a nullable field.</summary>
    public bool ReadPresence() => ReadByte() switch
    {
        0 => false,
        1 => true,
        var other => throw Corrupt($"a presence byte is {other}"),
    };

    /// <summary>Invalid UTF-8 is corruption, not text: it throws instead of turning into U+FFFD.</summary>
    public string ReadString()
    {
        var bytes = ReadBytes();
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new SerializationException($"AkkaQueue wire format: a string of {bytes.Length} bytes is not valid UTF-8.", e);
        }
    }

    /// <summary>Same speed as <see cref="Encoding.UTF8"/> on valid input; throws on invalid input.</summary>
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>A varint length and that many bytes, as a view into the buffer (no copy).</summary>
    public ReadOnlySpan<byte> ReadBytes()
    {
        var length = ReadVarULong();
        if (length > (ulong)Remaining)
            throw Truncated((long)Math.Min(length, long.MaxValue));
        var bytes = _data.Slice(_position, (int)length);
        _position += (int)length;
        return bytes;
    }

    /// <summary>A 4-byte length and that many bytes: a nested message (see <see cref="QueueWireWriter.ReserveLength"/>).</summary>
    public ReadOnlySpan<byte> ReadNested()
    {
        var length = ReadInt32();
        if (length < 0)
            throw Corrupt($"a nested message length is {length}");
        if (length > Remaining)
            throw Truncated(length);
        var bytes = _data.Slice(_position, length);
        _position += length;
        return bytes;
    }

    /// <summary>
    /// A list's element count. Every element takes at least <paramref name="minElementSize"/>
    /// bytes, so a count the rest of the buffer cannot hold is corrupt; checking it before the
    /// list is allocated keeps a garbage count from allocating gigabytes.
    /// </summary>
    public int ReadCount(int minElementSize)
    {
        var count = ReadVarULong();
        if (count > (ulong)Remaining / (ulong)minElementSize)
            throw Corrupt($"a list of {count} elements cannot fit in the {Remaining} bytes left");
        return (int)count;
    }

    /// <summary>A message must use its whole buffer: bytes left over mean the buffer is not what the manifest says.</summary>
    public readonly void EnsureEnd(scoped ReadOnlySpan<char> manifest)
    {
        if (_position != _data.Length)
            throw new SerializationException(
                $"AkkaQueue wire format: {_data.Length - _position} unexpected bytes after a '{manifest.ToString()}' message of {_position} bytes.");
    }

    private readonly SerializationException Truncated(long wanted) =>
        new($"AkkaQueue wire format: the buffer is truncated: {wanted} more bytes wanted at position {_position} of {_data.Length}.");

    public readonly SerializationException Corrupt(string what) =>
        new($"AkkaQueue wire format: corrupt buffer at position {_position} of {_data.Length}: {what}.");
}
