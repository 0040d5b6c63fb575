using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.Serialization;
using System.Text;

namespace Queue.Core.Serialization;

/// <summary>
/// Appends the primitives of AkkaQueue's wire format to a buffer rented from the shared pool.
/// Integers are zigzag varints (small and negative numbers such as -1 take one byte); strings are
/// a varint UTF-8 byte count followed by the bytes. A ref struct, so a codec passes it by ref and
/// serializing a message allocates nothing but the final, exactly sized array
/// (<see cref="ToArrayAndReturn"/>).
/// </summary>
internal ref struct QueueWireWriter
{
    private byte[] _buffer;
    private int _position;

    /// <param name="estimatedSize">A guess of the encoded size; a good one spares the copies of growing the buffer.</param>
    public QueueWireWriter(int estimatedSize)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(estimatedSize, 64));
        _position = 0;
    }

    public readonly int Position => _position;

    /// <summary>The encoded bytes as a new array of the exact length; the rented buffer goes back to the pool.</summary>
    public byte[] ToArrayAndReturn()
    {
        var result = GC.AllocateUninitializedArray<byte>(_position);
        _buffer.AsSpan(0, _position).CopyTo(result);
        Dispose();
        return result;
    }

    /// <summary>Returns the rented buffer; called on every path, also when encoding threw.</summary>
    public void Dispose()
    {
        if (_buffer.Length == 0)
            return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _position = 0;
    }

    public void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[_position++] = value;
    }

    public void WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public void WriteVarInt(int value) => WriteVarULong(ZigZag(value));

    public void WriteVarLong(long value) => WriteVarULong(ZigZag(value));

    /// <summary>Seven bits per byte, low group first, high bit set on every byte but the last.</summary>
    public void WriteVarULong(ulong value)
    {
        Ensure(10);
        var buffer = _buffer;
        var position = _position;
        while (value >= 0x80)
        {
            buffer[position++] = (byte)(value | 0x80);
            value >>= 7;
        }
        buffer[position++] = (byte)value;
        _position = position;
    }

    /// <summary>Fixed width for values that are large as a rule (timestamps' ticks), where a varint would take 9 bytes.</summary>
    public void WriteInt64(long value)
    {
        Ensure(8);
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_position), value);
        _position += 8;
    }

    public void WriteGuid(Guid value)
    {
        Ensure(16);
        value.TryWriteBytes(_buffer.AsSpan(_position, 16));
        _position += 16;
    }

    /// <summary>A nullable field: a presence byte (0 = null, 1 = a value follows), then the value.</summary>
    public void WriteNullableInt(int? value)
    {
        if (value is { } v)
        {
            WriteByte(1);
            WriteVarInt(v);
        }
        else
        {
            WriteByte(0);
        }
    }

    /// <summary>
    /// UTF-8 straight into the buffer. Strings are never null in the protocol; a null is a bug at the
    /// sender and is reported there (naming <paramref name="field"/>) rather than turned into "" here.
    /// </summary>
    public void WriteString(string? value, string field)
    {
        if (value is null)
            throw new SerializationException($"AkkaQueue wire format: {field} must not be null.");

        // A string of at most 42 chars has at most 126 UTF-8 bytes, so its length is one varint byte
        // and the string is encoded in a single pass; longer ones are counted first (vectorised).
        if (value.Length <= 42)
        {
            Ensure(1 + value.Length * 3);
            var written = Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_position + 1));
            _buffer[_position] = (byte)written;
            _position += 1 + written;
            return;
        }

        var count = Encoding.UTF8.GetByteCount(value);
        WriteVarULong((ulong)count);
        Ensure(count);
        Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_position, count));
        _position += count;
    }

    /// <summary>Room for a 4-byte length written later (<see cref="PatchLength"/>), for a nested message encoded in place.</summary>
    public int ReserveLength()
    {
        Ensure(4);
        var at = _position;
        _position += 4;
        return at;
    }

    public readonly void PatchLength(int at) =>
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(at, 4), _position - at - 4);

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    private static ulong ZigZag(int value) => (uint)((value << 1) ^ (value >> 31));

    private void Ensure(int bytes)
    {
        if (_buffer.Length - _position < bytes)
            Grow(bytes);
    }

    private void Grow(int bytes)
    {
        var needed = (long)_position + bytes;
        var size = Math.Max(needed, (long)_buffer.Length * 2);
        if (size > Array.MaxLength)
        {
            if (needed > Array.MaxLength)
                throw new SerializationException("AkkaQueue wire format: message larger than the largest array.");
            size = Array.MaxLength;
        }
        var bigger = ArrayPool<byte>.Shared.Rent((int)size);
        _buffer.AsSpan(0, _position).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }
}
