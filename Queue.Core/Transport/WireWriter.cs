using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Queue.Core.Transport;

/// <summary>
/// A growable buffer rented from <see cref="ArrayPool{T}"/> with the primitive writes the codecs
/// use. Integers are little-endian, strings are an int32 UTF-8 byte count (-1 = null) followed by
/// the bytes. A frame is built in one of these by the thread that sends it, so encoding runs on
/// the callers' threads in parallel and the connection's single writer loop only copies bytes.
/// Not thread-safe; owned by one sender until handed to the connection, which returns it to the
/// pool.
/// </summary>
public sealed class WireWriter : IBufferWriter<byte>, IDisposable
{
    private readonly MessageCodec _codec;
    private byte[]? _buffer;
    private int _written;

    public WireWriter(MessageCodec codec, int initialCapacity = 256)
    {
        _codec = codec;
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
    }

    public int WrittenCount => _written;

    public ReadOnlySpan<byte> WrittenSpan => Buffer.AsSpan(0, _written);

    internal ReadOnlyMemory<byte> WrittenMemory => Buffer.AsMemory(0, _written);

    internal Span<byte> WrittenSpanForUpdate => Buffer.AsSpan(0, _written);

    private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(WireWriter));

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_written + count > Buffer.Length)
        {
            throw new InvalidOperationException("advanced past the end of the buffer");
        }
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return Buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return Buffer.AsSpan(_written);
    }

    public void WriteByte(byte value)
    {
        GetSpan(1)[0] = value;
        _written++;
    }

    public void WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(GetSpan(2), value);
        _written += 2;
    }

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(GetSpan(4), value);
        _written += 4;
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(GetSpan(8), value);
        _written += 8;
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        _written += bytes.Length;
    }

    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteInt32(-1);
            return;
        }
        // Encode straight into the buffer: reserve the worst case, write, then fill in the count.
        var span = GetSpan(4 + Encoding.UTF8.GetMaxByteCount(value.Length));
        var count = Encoding.UTF8.GetBytes(value, span[4..]);
        BinaryPrimitives.WriteInt32LittleEndian(span, count);
        _written += 4 + count;
    }

    public void WriteDateTimeOffset(DateTimeOffset value)
    {
        WriteInt64(value.UtcTicks);
        WriteInt32((int)value.Offset.TotalMinutes);
    }

    /// <summary>Writes a registered message (its type id, then its body), or null.</summary>
    public void WriteMessage(object? message) => _codec.Write(this, message);

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Ensure(int sizeHint)
    {
        var buffer = Buffer;
        var needed = _written + Math.Max(sizeHint, 1);
        if (needed <= buffer.Length)
        {
            return;
        }
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, buffer.Length * 2));
        buffer.AsSpan(0, _written).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(buffer);
        _buffer = bigger;
    }
}
