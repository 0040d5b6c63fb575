using System.Collections.Frozen;

namespace Queue.Core.Transport;

/// <summary>Writes the body of one message type.</summary>
public delegate void WireEncoder<in T>(WireWriter writer, T value);

/// <summary>Reads the body of one message type.</summary>
public delegate T WireDecoder<out T>(ref WireReader reader);

/// <summary>
/// Turns registered message types into bytes and back: a 2-byte type id, then the body the type's
/// own encoder writes. Built once by <see cref="MessageCodecBuilder"/> and immutable afterwards, so
/// every connection shares one instance without locks. Type id 0 is null.
/// </summary>
public sealed class MessageCodec
{
    private readonly FrozenDictionary<Type, Registration> _byType;
    private readonly FrozenDictionary<ushort, Registration> _byId;

    internal MessageCodec(IEnumerable<Registration> registrations)
    {
        var list = registrations.ToList();
        _byType = list.ToFrozenDictionary(r => r.Type);
        _byId = list.ToFrozenDictionary(r => r.TypeId);
    }

    /// <summary>The built-in types, the transport's envelopes and the partition protocol.</summary>
    public static MessageCodec CreateDefault() => new MessageCodecBuilder().AddDefaults().Build();

    public IEnumerable<Type> RegisteredTypes => _byType.Keys;

    public bool IsRegistered(Type type) => _byType.ContainsKey(type);

    /// <exception cref="ArgumentException">The message's type is not registered.</exception>
    public void Write(WireWriter writer, object? message)
    {
        if (message is null)
        {
            writer.WriteUInt16(0);
            return;
        }
        if (!_byType.TryGetValue(message.GetType(), out var registration))
        {
            throw new ArgumentException(
                $"no codec registered for {message.GetType().FullName}; register it with MessageCodecBuilder.Register", nameof(message));
        }
        writer.WriteUInt16(registration.TypeId);
        registration.Write(writer, message);
    }

    /// <exception cref="UnknownMessageTypeException">The type id is not registered.</exception>
    /// <exception cref="WireFormatException">The body is malformed.</exception>
    public object? Read(ref WireReader reader)
    {
        var typeId = reader.ReadUInt16();
        if (typeId == 0)
        {
            return null;
        }
        if (!_byId.TryGetValue(typeId, out var registration))
        {
            throw new UnknownMessageTypeException($"no codec registered for type id {typeId}");
        }
        return registration.Read(ref reader);
    }

    /// <summary>Encodes one message into a fresh pooled writer; the caller disposes it.</summary>
    public WireWriter Encode(object? message)
    {
        var writer = new WireWriter(this);
        try
        {
            Write(writer, message);
            return writer;
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    /// <summary>Decodes exactly one message occupying all of <paramref name="bytes"/>.</summary>
    public object? Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new WireReader(bytes, this);
        var message = Read(ref reader);
        reader.EnsureEnd();
        return message;
    }

    internal abstract class Registration(ushort typeId, Type type)
    {
        public ushort TypeId { get; } = typeId;

        public Type Type { get; } = type;

        public abstract void Write(WireWriter writer, object message);

        public abstract object? Read(ref WireReader reader);
    }

    internal sealed class Registration<T>(ushort typeId, WireEncoder<T> encoder, WireDecoder<T> decoder)
        : Registration(typeId, typeof(T))
    {
        public override void Write(WireWriter writer, object message) => encoder(writer, (T)message);

        public override object? Read(ref WireReader reader) => decoder(ref reader);
    }
}
